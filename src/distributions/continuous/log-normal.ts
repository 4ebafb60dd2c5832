/** The log-normal distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, type Constraint } from "../constraints.js";
import type { DistributionOptions } from "../distribution.js";
import { LocScaleDistribution } from "./loc-scale.js";
import { inFloat64 } from "./numerics.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** LogNormal(loc, scale): exp(X) for X ~ Normal(loc, scale), the location-scale family of log x. */
export class LogNormal extends LocScaleDistribution {
  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("LogNormal", loc, scale, opts);
  }
  override get support(): Constraint {
    return positive;
  }
  /** z = (log x − loc)/scale, in float64 where available: for small scales log x − loc cancels. */
  protected override standardize(x: ArrayLike): NDArray {
    return inFloat64((X, loc, scale) => np.divide(np.subtract(np.log(X), loc), scale), x, this.loc, this.scale);
  }
  /** x = exp(loc + scale·z). */
  protected override unstandardize(z: ArrayLike): NDArray {
    return np.exp(super.unstandardize(z));
  }
  /** −z²/2 − log scale − ½ log 2π − log x, in float64 where available (the terms cancel for small densities near 1). */
  protected logDensity(x: NDArray): NDArray {
    return inFloat64(
      (X, loc, scale) => {
        const z = np.divide(np.subtract(np.log(X), loc), scale);
        return np.subtract(np.multiply(-0.5, np.square(z)), np.add(np.add(np.log(scale), HALF_LOG_2PI), np.log(X)));
      },
      x,
      this.loc,
      this.scale,
    );
  }
  protected standardSample(key: random.Key, shape: number[]): NDArray {
    return random.normal(key, shape);
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.exp(np.add(this.loc, np.multiply(0.5, np.square(this.scale)))), this.batchShape);
  }
  /** (exp(scale²) − 1) exp(2 loc + scale²), with expm1 for small scales. */
  override get variance(): NDArray {
    const s2 = np.square(this.scale);
    return np.broadcastTo(np.multiply(np.expm1(s2), np.exp(np.add(np.multiply(2, this.loc), s2))), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return special.ndtr(this.standardize(x));
  }
  override icdf(q: ArrayLike): NDArray {
    return this.unstandardize(special.ndtri(q));
  }
  override entropy(): NDArray {
    return np.broadcastTo(np.add(np.add(this.loc, np.log(this.scale)), 0.5 + HALF_LOG_2PI), this.batchShape);
  }
}
