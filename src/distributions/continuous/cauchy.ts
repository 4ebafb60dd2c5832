/** The Cauchy and half-Cauchy distributions. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { nonnegative, positive, real, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { log1pSquare } from "./numerics.js";

const LOG_PI = Math.log(Math.PI);

/** cot(π p) as cos/sin: accurate for small p, where tan(π(½ − p)) is not. */
const cotPi = (p: NDArray) => np.divide(np.cos(np.multiply(Math.PI, p)), np.sin(np.multiply(Math.PI, p)));

/** Cauchy(loc, scale): density 1 / (π scale (1 + ((x − loc)/scale)²)). Mean and variance are NaN. */
export class Cauchy extends Distribution {
  readonly loc: NDArray;
  readonly scale: NDArray;

  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Cauchy", { loc, scale });
    super(batchShape, [], opts);
    this.loc = arrays.loc;
    this.scale = arrays.scale;
    this.validate({ loc: [this.loc, real], scale: [this.scale, positive] });
  }
  get support(): Constraint {
    return real;
  }
  override get hasRsample(): boolean {
    return true;
  }
  protected logDensity(x: NDArray): NDArray {
    const z = np.divide(np.subtract(x, this.loc), this.scale);
    return np.negative(np.add(np.add(np.log(this.scale), LOG_PI), log1pSquare(z)));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.add(this.loc, np.multiply(this.scale, random.cauchy(key, this.shape(sampleShape))));
  }
  override get mean(): NDArray {
    return np.full(this.batchShape, NaN);
  }
  override get variance(): NDArray {
    return np.full(this.batchShape, NaN);
  }
  /** atan2(1, −z)/π: accurate far in the lower tail, where ½ + atan(z)/π cancels. */
  override cdf(x: ArrayLike): NDArray {
    const z = np.divide(np.subtract(x, this.loc), this.scale);
    return np.divide(np.arctan2(1, np.negative(z)), Math.PI);
  }
  /** loc + scale·(−cot(π q)) below ½ and cot(π (1 − q)) above, so the tails keep their precision. */
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    const lowerHalf = np.less(Q, 0.5);
    const z = np.where(lowerHalf, np.negative(cotPi(Q)), cotPi(np.subtract(1, Q)));
    return np.add(this.loc, np.multiply(this.scale, np.where(np.equal(Q, 0.5), 0, z)));
  }
  override entropy(): NDArray {
    return np.broadcastTo(np.add(np.log(this.scale), Math.log(4 * Math.PI)), this.batchShape);
  }
}

/** HalfCauchy(scale): |X| for X ~ Cauchy(0, scale), on x ≥ 0. Mean and variance are infinite. */
export class HalfCauchy extends Distribution {
  readonly scale: NDArray;

  constructor(scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("HalfCauchy", { scale });
    super(batchShape, [], opts);
    this.scale = arrays.scale;
    this.validate({ scale: [this.scale, positive] });
  }
  get support(): Constraint {
    return nonnegative;
  }
  override get hasRsample(): boolean {
    return true;
  }
  protected logDensity(x: NDArray): NDArray {
    const z = np.divide(x, this.scale);
    return np.negative(np.add(np.add(np.log(this.scale), LOG_PI - Math.LN2), log1pSquare(z)));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.multiply(this.scale, np.abs(random.cauchy(key, this.shape(sampleShape))));
  }
  override get mean(): NDArray {
    return np.full(this.batchShape, Infinity);
  }
  override get variance(): NDArray {
    return np.full(this.batchShape, Infinity);
  }
  /** (2/π) atan(x/scale). */
  override cdf(x: ArrayLike): NDArray {
    return np.multiply(2 / Math.PI, np.arctan(np.divide(np.maximum(x, 0), this.scale)));
  }
  /** scale·tan(π q/2), as cot(π (1 − q)/2) above ½. */
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    const z = np.where(np.less(Q, 0.5), np.tan(np.multiply(Math.PI / 2, Q)), cotPi(np.multiply(0.5, np.subtract(1, Q))));
    return np.multiply(this.scale, z);
  }
  override entropy(): NDArray {
    return np.broadcastTo(np.add(np.log(this.scale), Math.log(2 * Math.PI)), this.batchShape);
  }
}
