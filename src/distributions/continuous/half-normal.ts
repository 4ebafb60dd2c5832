/** The half-normal distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import type { DistributionOptions } from "../distribution.js";
import { ScaleDistribution } from "./loc-scale.js";

const LOG_SQRT_2_OVER_PI = 0.5 * Math.log(2 / Math.PI);

/**
 * HalfNormal(scale): |X| for X ~ Normal(0, scale); density √(2/π)/scale · exp(−x²/(2 scale²))
 * on x ≥ 0 (the support includes 0, where the density is finite).
 */
export class HalfNormal extends ScaleDistribution {
  constructor(scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("HalfNormal", scale, opts);
  }
  protected logDensity(x: NDArray): NDArray {
    const z = this.standardize(x);
    return np.add(np.subtract(np.multiply(-0.5, np.square(z)), np.log(this.scale)), LOG_SQRT_2_OVER_PI);
  }
  protected standardSample(key: random.Key, shape: number[]): NDArray {
    return np.abs(random.normal(key, shape));
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.multiply(Math.sqrt(2 / Math.PI), this.scale), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.multiply(1 - 2 / Math.PI, np.square(this.scale)), this.batchShape);
  }
  /** erf(x / (scale √2)), accurate near 0. */
  override cdf(x: ArrayLike): NDArray {
    return np.erf(np.divide(np.multiply(np.maximum(x, 0), Math.SQRT1_2), this.scale));
  }
  /** scale √2 erfinv(q), accurate in both tails. */
  override icdf(q: ArrayLike): NDArray {
    return np.multiply(np.multiply(this.scale, Math.SQRT2), special.erfinv(q));
  }
  override entropy(): NDArray {
    return this.scaledEntropy(0.5 * Math.log((Math.PI * Math.E) / 2));
  }
}
