/** The Pareto distribution. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { greaterThanEq, positive, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";

/**
 * Pareto(scale, alpha): density α scale^α / x^{α+1} on x ≥ scale. The mean is infinite for
 * α ≤ 1 and the variance for α ≤ 2.
 */
export class Pareto extends Distribution {
  readonly scale: NDArray;
  readonly alpha: NDArray;

  constructor(scale: ArrayLike, alpha: ArrayLike, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Pareto", { scale, alpha });
    super(batchShape, [], opts);
    this.scale = arrays.scale;
    this.alpha = arrays.alpha;
    this.validate({ scale: [this.scale, positive], alpha: [this.alpha, positive] });
  }
  get support(): Constraint {
    return greaterThanEq(this.scale);
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** log(x/scale) as log1p((x − scale)/scale): exact near the lower end, where x/scale rounds. */
  private logRatio(x: ArrayLike): NDArray {
    return np.log1p(np.divide(np.subtract(x, this.scale), this.scale));
  }
  /** log(α/x) − α log(x/scale). */
  protected logDensity(x: NDArray): NDArray {
    return np.subtract(np.log(np.divide(this.alpha, x)), np.multiply(this.alpha, this.logRatio(x)));
  }
  /** scale·exp(E/α) for E standard exponential. */
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const e = random.exponential(key, this.shape(sampleShape));
    return np.multiply(this.scale, np.exp(np.divide(e, this.alpha)));
  }
  override get mean(): NDArray {
    const a = this.alpha;
    const m = np.divide(np.multiply(this.scale, a), np.subtract(a, 1));
    return np.broadcastTo(np.where(np.lessEqual(a, 1), Infinity, m), this.batchShape);
  }
  override get variance(): NDArray {
    const a = this.alpha;
    const v = np.divide(np.multiply(np.square(this.scale), a), np.multiply(np.square(np.subtract(a, 1)), np.subtract(a, 2)));
    return np.broadcastTo(np.where(np.lessEqual(a, 2), Infinity, v), this.batchShape);
  }
  /** 1 − (scale/x)^α = −expm1(−α log(x/scale)). */
  override cdf(x: ArrayLike): NDArray {
    const r = this.logRatio(np.maximum(x, this.scale));
    return np.negative(np.expm1(np.negative(np.multiply(this.alpha, r))));
  }
  override icdf(q: ArrayLike): NDArray {
    return np.multiply(this.scale, np.exp(np.divide(np.negative(np.log1p(np.negative(q))), this.alpha)));
  }
  /** log(scale/α) + 1/α + 1. */
  override entropy(): NDArray {
    return np.broadcastTo(np.add(np.log(np.divide(this.scale, this.alpha)), np.add(np.reciprocal(this.alpha), 1)), this.batchShape);
  }
}
