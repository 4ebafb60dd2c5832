/** The Poisson distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { nonnegativeInteger, positive, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { bd0, bisectIcdf, entropyFromGrid, integerGrid, stirlerr, toFloat } from "./numerics.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Poisson(rate): P(k) = rate^k e^(−rate) / k!. Draws are int32. The log mass is Loader's
 * form −stirlerr(k) − bd0(k, rate) − ½ log(2πk), accurate at large rates where
 * k log(rate) − rate − log k! cancels.
 */
export class Poisson extends Distribution {
  /** The rate (mean). */
  readonly rate: NDArray;

  constructor(rate: ArrayLike, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Poisson", { rate });
    super(batchShape, [], opts);
    this.rate = toFloat(arrays.rate);
    this.validate({ rate: [this.rate, positive] });
  }
  get support(): Constraint {
    return nonnegativeInteger;
  }
  protected logDensity(value: NDArray): NDArray {
    const k = toFloat(value);
    const positiveK = np.greater(k, 0);
    const ks = np.where(positiveK, k, 1);
    const atK = np.negative(np.add(np.add(stirlerr(ks), bd0(ks, this.rate)), np.add(np.multiply(np.log(ks), 0.5), HALF_LOG_2PI)));
    return np.where(positiveK, atK, np.negative(this.rate));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return random.poisson(key, this.rate, this.shape(sampleShape));
  }
  override get mean(): NDArray {
    return np.broadcastTo(this.rate, this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(this.rate, this.batchShape);
  }
  /** P(X ≤ x) = Q(floor(x) + 1, rate), the regularized upper incomplete gamma function. */
  override cdf(value: ArrayLike): NDArray {
    const k = np.floor(toFloat(value));
    const nonneg = np.greaterEqual(k, 0);
    return np.where(nonneg, special.gammaincc(np.add(np.where(nonneg, k, 0), 1), this.rate), 0);
  }
  /** The smallest k with P(X ≤ k) ≥ q (+∞ at q = 1). */
  override icdf(q: ArrayLike): NDArray {
    const Q = toFloat(q);
    return np.where(np.equal(Q, 1), Infinity, bisectIcdf((k) => this.cdf(k), Q, this.upperBound()));
  }
  /** −Σ p log p, summed over rate ± (8√rate + 30) (needs a concrete rate). */
  override entropy(): NDArray {
    const r = np.broadcastTo(this.rate, this.batchShape);
    const halfWidth = np.add(np.multiply(np.sqrt(r), 8), 30);
    const lo = np.maximum(np.floor(np.subtract(r, halfWidth)), 0);
    const { k, inRange } = integerGrid("Poisson.entropy", lo, this.upperBound());
    return entropyFromGrid(this.logProb(k), inRange);
  }
  /** A count above which the mass is negligible (below e^−30): rate + 8√rate + 30. */
  private upperBound(): NDArray {
    const r = np.broadcastTo(this.rate, this.batchShape);
    return np.ceil(np.add(r, np.add(np.multiply(np.sqrt(r), 8), 30)));
  }
}
