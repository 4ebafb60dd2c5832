/** The von Mises distribution on the circle. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { circular, positive, real, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Rounds of the vectorized rejection sampler. Best–Fisher accepts with probability at least
 * about 0.66 per round, so 32 rounds leave a draw unaccepted with probability below 1e-14.
 */
const REJECTION_ROUNDS = 32;

/** Wraps angles to [−π, π). */
function wrap(x: NDArray): NDArray {
  return np.subtract(np.mod(np.add(x, Math.PI), 2 * Math.PI), Math.PI);
}

/**
 * 1 − I₁(κ)/I₀(κ): from the scaled Bessel functions for κ < 20, else by its asymptotic series
 * 1/(2κ) + 1/(8κ²) + 1/(8κ³) + 25/(128κ⁴) + ..., which keeps its relative precision for large κ.
 */
function oneMinusBesselRatio(k: NDArray): NDArray {
  const big = np.greaterEqual(k, 20);
  const ks = np.where(big, 1, k);
  const direct = np.subtract(1, np.divide(special.i1e(ks), special.i0e(ks)));
  const t = np.reciprocal(np.where(big, k, 20));
  const c = [1 / 2, 1 / 8, 1 / 8, 25 / 128, 13 / 32, 1073 / 1024, 103 / 32];
  let acc: NDArray = np.fullLike(t, c[c.length - 1]);
  for (let i = c.length - 2; i >= 0; i--) acc = np.add(np.multiply(acc, t), c[i]);
  return np.where(big, np.multiply(t, acc), direct);
}

/**
 * VonMises(loc, concentration): density exp(κ cos(x − loc)) / (2π I₀(κ)) on [−π, π].
 * Draws use Best and Fisher's (1979) rejection sampler, written as a fixed number of vectorized
 * rounds (the first accepted round wins), so sampling traces under jit and batches under vmap.
 * `mean` is loc wrapped to [−π, π); `variance` is the circular variance 1 − I₁(κ)/I₀(κ).
 */
export class VonMises extends Distribution {
  readonly loc: NDArray;
  readonly concentration: NDArray;

  constructor(loc: ArrayLike, concentration: ArrayLike, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("VonMises", { loc, concentration });
    super(batchShape, [], opts);
    this.loc = arrays.loc;
    this.concentration = arrays.concentration;
    this.validate({ loc: [this.loc, real], concentration: [this.concentration, positive] });
  }
  get support(): Constraint {
    return circular;
  }
  /** κ (cos(x − loc) − 1) − log(2π i0e(κ)), with cos d − 1 = −2 sin²(d/2) (no cancellation near loc). */
  protected logDensity(x: NDArray): NDArray {
    const half = np.sin(np.multiply(0.5, np.subtract(x, this.loc)));
    const k = this.concentration;
    return np.subtract(np.multiply(np.multiply(-2, k), np.square(half)), np.add(np.log(special.i0e(k)), LOG_2PI));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const shape = this.shape(sampleShape);
    const k = np.broadcastTo(this.concentration, shape);
    // Best–Fisher envelope parameter s (1/κ for tiny κ, where the exact form cancels)
    const r = np.add(1, np.sqrt(np.add(1, np.multiply(4, np.square(k)))));
    const rho = np.divide(np.subtract(r, np.sqrt(np.multiply(2, r))), np.multiply(2, k));
    const s = np.where(np.greater(k, 2e-2), np.divide(np.add(1, np.square(rho)), np.multiply(2, rho)), np.reciprocal(k));
    const [ku, kv] = random.splitList(key, 2);
    const u = random.uniform(ku, [REJECTION_ROUNDS, ...shape], undefined, -1, 1);
    const v = random.uniform(kv, [REJECTION_ROUNDS, ...shape]);
    const z = np.cos(np.multiply(Math.PI, u));
    const w = np.divide(np.add(1, np.multiply(s, z)), np.add(s, z));
    const y = np.multiply(k, np.subtract(s, w));
    const accept = np.logicalOr(np.greaterEqual(np.multiply(y, np.subtract(2, y)), v), np.greaterEqual(np.add(np.log(np.divide(y, v)), 1), y));
    // the first accepted round (the last round where none is accepted)
    const anyAccepted = np.any(accept, 0);
    const first = np.where(anyAccepted, np.argmax(np.astype(accept, "int32"), 0), REJECTION_ROUNDS - 1);
    const pick = (a: NDArray) => np.squeeze(np.takeAlongAxis(a, np.expandDims(first, 0), 0), 0);
    const wAcc = np.clip(pick(w), -1, 1);
    const centered = np.multiply(np.sign(pick(u)), np.arccos(wAcc));
    return wrap(np.add(centered, this.loc));
  }
  override get mean(): NDArray {
    return np.broadcastTo(wrap(this.loc), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(oneMinusBesselRatio(this.concentration), this.batchShape);
  }
  /** κ (1 − I₁/I₀) + log(2π i0e(κ)) (= −κ I₁/I₀ + log(2π I₀(κ))). */
  override entropy(): NDArray {
    const k = this.concentration;
    return np.broadcastTo(np.add(np.multiply(k, oneMinusBesselRatio(k)), np.add(np.log(special.i0e(k)), LOG_2PI)), this.batchShape);
  }
}
