/** The normal distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import type { DistributionOptions } from "../distribution.js";
import { LocScaleDistribution } from "./loc-scale.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Normal(loc, scale): density exp(-((x - loc)/scale)^2 / 2) / (scale sqrt(2 pi)). */
export class Normal extends LocScaleDistribution {
  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("Normal", loc, scale, opts);
  }
  protected logDensity(x: NDArray): NDArray {
    const z = this.standardize(x);
    return np.subtract(np.multiply(-0.5, np.square(z)), np.add(np.log(this.scale), HALF_LOG_2PI));
  }
  protected standardSample(key: random.Key, shape: number[]): NDArray {
    return random.normal(key, shape);
  }
  override get mean(): NDArray {
    return np.broadcastTo(this.loc, this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.square(this.scale), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return special.ndtr(this.standardize(x));
  }
  override icdf(q: ArrayLike): NDArray {
    return this.unstandardize(special.ndtri(q));
  }
  override entropy(): NDArray {
    return this.scaledEntropy(0.5 + HALF_LOG_2PI);
  }
}
