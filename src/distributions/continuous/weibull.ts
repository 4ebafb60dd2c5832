/** The Weibull distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";

const EULER = 0.5772156649015329;

/** Weibull(scale, concentration): cdf 1 − exp(−(x/scale)^concentration) on x > 0. */
export class Weibull extends Distribution {
  readonly scale: NDArray;
  readonly concentration: NDArray;

  constructor(scale: ArrayLike, concentration: ArrayLike, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Weibull", { scale, concentration });
    super(batchShape, [], opts);
    this.scale = arrays.scale;
    this.concentration = arrays.concentration;
    this.validate({ scale: [this.scale, positive], concentration: [this.concentration, positive] });
  }
  get support(): Constraint {
    return positive;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** log(k/λ) + (k − 1) log(x/λ) − (x/λ)^k. */
  protected logDensity(x: NDArray): NDArray {
    const k = this.concentration;
    const logZ = np.log(np.divide(x, this.scale));
    return np.subtract(np.add(np.log(np.divide(k, this.scale)), np.multiply(np.subtract(k, 1), logZ)), np.exp(np.multiply(k, logZ)));
  }
  /** scale·E^{1/concentration} for E standard exponential. */
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const e = random.exponential(key, this.shape(sampleShape));
    return np.multiply(this.scale, np.power(e, np.reciprocal(this.concentration)));
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.multiply(this.scale, np.exp(special.lgamma(np.add(1, np.reciprocal(this.concentration))))), this.batchShape);
  }
  /** scale² (Γ(1 + 2/k) − Γ(1 + 1/k)²), as Γ(1 + 1/k)² expm1(·) so large k does not cancel. */
  override get variance(): NDArray {
    const k = this.concentration;
    const l1 = special.lgamma(np.add(1, np.reciprocal(k)));
    const l2 = special.lgamma(np.add(1, np.divide(2, k)));
    const v = np.multiply(np.exp(np.multiply(2, l1)), np.expm1(np.subtract(l2, np.multiply(2, l1))));
    return np.broadcastTo(np.multiply(np.square(this.scale), v), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return np.negative(np.expm1(np.negative(np.power(np.divide(np.maximum(x, 0), this.scale), this.concentration))));
  }
  override icdf(q: ArrayLike): NDArray {
    return np.multiply(this.scale, np.power(np.negative(np.log1p(np.negative(q))), np.reciprocal(this.concentration)));
  }
  /** γ (1 − 1/k) + log(λ/k) + 1. */
  override entropy(): NDArray {
    const k = this.concentration;
    return np.broadcastTo(np.add(np.multiply(EULER, np.subtract(1, np.reciprocal(k))), np.add(np.log(np.divide(this.scale, k)), 1)), this.batchShape);
  }
}
