/** The logistic distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import type { DistributionOptions } from "../distribution.js";
import { LocScaleDistribution } from "./loc-scale.js";

/** Logistic(loc, scale): cdf σ((x − loc)/scale). */
export class Logistic extends LocScaleDistribution {
  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("Logistic", loc, scale, opts);
  }
  /** −|z| − 2 softplus(−|z|) − log scale (the density is symmetric in z). */
  protected logDensity(x: NDArray): NDArray {
    // with |z|, −Infinity (not inf − inf) at z = ±Infinity
    const a = np.abs(this.standardize(x));
    return np.negative(np.add(np.add(a, np.multiply(2, special.softplus(np.negative(a)))), np.log(this.scale)));
  }
  /** logit(U) for U uniform on [tiny, 1). */
  protected standardSample(key: random.Key, shape: number[]): NDArray {
    return special.logit(random.uniform(key, shape, undefined, 1.1754943508222875e-38, 1));
  }
  override get mean(): NDArray {
    return np.broadcastTo(this.loc, this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.multiply((Math.PI * Math.PI) / 3, np.square(this.scale)), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return special.expit(this.standardize(x));
  }
  override icdf(q: ArrayLike): NDArray {
    return this.unstandardize(special.logit(q));
  }
  override entropy(): NDArray {
    return this.scaledEntropy(2);
  }
}
