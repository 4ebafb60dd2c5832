/** The uniform and log-uniform distributions. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { greaterThan, Interval, positive, real, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { TransformedDistribution } from "../transformed.js";
import { ExpTransform } from "../transforms.js";

/** Uniform(low, high): constant density 1/(high − low) on [low, high]. */
export class Uniform extends Distribution {
  readonly low: NDArray;
  readonly high: NDArray;

  constructor(low: ArrayLike = 0, high: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Uniform", { low, high });
    super(batchShape, [], opts);
    this.low = arrays.low;
    this.high = arrays.high;
    this.validate({ low: [this.low, real], high: [this.high, this.low.isConcrete ? greaterThan(this.low) : real] });
  }
  get support(): Constraint {
    return new Interval(this.low, this.high, true, true);
  }
  override get hasRsample(): boolean {
    return true;
  }
  protected logDensity(x: NDArray): NDArray {
    return np.broadcastTo(np.negative(np.log(np.subtract(this.high, this.low))), np.broadcastShapes(x.shape, this.batchShape));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return random.uniform(key, this.shape(sampleShape), undefined, this.low, this.high);
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.multiply(0.5, np.add(this.low, this.high)), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.divide(np.square(np.subtract(this.high, this.low)), 12), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return np.clip(np.divide(np.subtract(x, this.low), np.subtract(this.high, this.low)), 0, 1);
  }
  override icdf(q: ArrayLike): NDArray {
    return np.add(this.low, np.multiply(q, np.subtract(this.high, this.low)));
  }
  override entropy(): NDArray {
    return np.broadcastTo(np.log(np.subtract(this.high, this.low)), this.batchShape);
  }
}

/**
 * LogUniform(low, high): exp(U) for U ~ Uniform(log low, log high), i.e. density
 * 1/(x log(high/low)) on [low, high] (a TransformedDistribution, as in NumPyro).
 */
export class LogUniform extends TransformedDistribution {
  readonly low: NDArray;
  readonly high: NDArray;

  constructor(low: ArrayLike, high: ArrayLike, opts: DistributionOptions = {}) {
    const { arrays } = broadcastParams("LogUniform", { low, high });
    super(new Uniform(np.log(arrays.low), np.log(arrays.high), { validateArgs: false }), new ExpTransform(), opts);
    this.low = arrays.low;
    this.high = arrays.high;
    this.validate({ low: [this.low, positive], high: [this.high, this.low.isConcrete ? greaterThan(this.low) : real] });
  }
  override get support(): Constraint {
    return new Interval(this.low, this.high, true, true);
  }
  private get logRatio(): NDArray {
    return np.log(np.divide(this.high, this.low));
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.divide(np.subtract(this.high, this.low), this.logRatio), this.batchShape);
  }
  override get variance(): NDArray {
    const second = np.divide(np.subtract(np.square(this.high), np.square(this.low)), np.multiply(2, this.logRatio));
    return np.broadcastTo(np.subtract(second, np.square(this.mean)), this.batchShape);
  }
  /** (log low + log high)/2 + log log(high/low). */
  override entropy(): NDArray {
    const mid = np.multiply(0.5, np.add(np.log(this.low), np.log(this.high)));
    return np.broadcastTo(np.add(mid, np.log(this.logRatio)), this.batchShape);
  }
}
