/** The Cauchy and half-Cauchy distributions. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import type { DistributionOptions } from "../distribution.js";
import { LocScaleDistribution, ScaleDistribution } from "./loc-scale.js";
import { log1pSquare } from "./numerics.js";

const LOG_PI = Math.log(Math.PI);

/** cot(π p) as cos/sin: accurate for small p, where tan(π(½ − p)) is not. */
const cotPi = (p: NDArray) => np.divide(np.cos(np.multiply(Math.PI, p)), np.sin(np.multiply(Math.PI, p)));

/** Cauchy(loc, scale): density 1 / (π scale (1 + ((x − loc)/scale)²)). Mean and variance are NaN. */
export class Cauchy extends LocScaleDistribution {
  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("Cauchy", loc, scale, opts);
  }
  protected logDensity(x: NDArray): NDArray {
    const z = this.standardize(x);
    return np.negative(np.add(np.add(np.log(this.scale), LOG_PI), log1pSquare(z)));
  }
  protected standardSample(key: random.Key, shape: number[]): NDArray {
    return random.cauchy(key, shape);
  }
  override get mean(): NDArray {
    return np.full(this.batchShape, NaN);
  }
  override get variance(): NDArray {
    return np.full(this.batchShape, NaN);
  }
  /** atan2(1, −z)/π: accurate far in the lower tail, where ½ + atan(z)/π cancels. */
  override cdf(x: ArrayLike): NDArray {
    return np.divide(np.arctan2(1, np.negative(this.standardize(x))), Math.PI);
  }
  /** loc + scale·(−cot(π q)) below ½ and cot(π (1 − q)) above, so the tails keep their precision. */
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    const lowerHalf = np.less(Q, 0.5);
    const z = np.where(lowerHalf, np.negative(cotPi(Q)), cotPi(np.subtract(1, Q)));
    return this.unstandardize(np.where(np.equal(Q, 0.5), 0, z));
  }
  override entropy(): NDArray {
    return this.scaledEntropy(Math.log(4 * Math.PI));
  }
}

/** HalfCauchy(scale): |X| for X ~ Cauchy(0, scale), on x ≥ 0. Mean and variance are infinite. */
export class HalfCauchy extends ScaleDistribution {
  constructor(scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("HalfCauchy", scale, opts);
  }
  protected logDensity(x: NDArray): NDArray {
    const z = this.standardize(x);
    return np.negative(np.add(np.add(np.log(this.scale), LOG_PI - Math.LN2), log1pSquare(z)));
  }
  protected standardSample(key: random.Key, shape: number[]): NDArray {
    return np.abs(random.cauchy(key, shape));
  }
  override get mean(): NDArray {
    return np.full(this.batchShape, Infinity);
  }
  override get variance(): NDArray {
    return np.full(this.batchShape, Infinity);
  }
  /** (2/π) atan(x/scale). */
  override cdf(x: ArrayLike): NDArray {
    return np.multiply(2 / Math.PI, np.arctan(this.standardize(np.maximum(x, 0))));
  }
  /** scale·tan(π q/2), as cot(π (1 − q)/2) above ½. */
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    const z = np.where(np.less(Q, 0.5), np.tan(np.multiply(Math.PI / 2, Q)), cotPi(np.multiply(0.5, np.subtract(1, Q))));
    return this.unstandardize(z);
  }
  override entropy(): NDArray {
    return this.scaledEntropy(Math.log(2 * Math.PI));
  }
}
