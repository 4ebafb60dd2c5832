/** The half-normal distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { nonnegative, positive, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";

const LOG_SQRT_2_OVER_PI = 0.5 * Math.log(2 / Math.PI);

/**
 * HalfNormal(scale): |X| for X ~ Normal(0, scale); density √(2/π)/scale · exp(−x²/(2 scale²))
 * on x ≥ 0 (the support includes 0, where the density is finite).
 */
export class HalfNormal extends Distribution {
  readonly scale: NDArray;

  constructor(scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("HalfNormal", { scale });
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
    return np.add(np.subtract(np.multiply(-0.5, np.square(z)), np.log(this.scale)), LOG_SQRT_2_OVER_PI);
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.multiply(this.scale, np.abs(random.normal(key, this.shape(sampleShape))));
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
    return np.broadcastTo(np.add(np.log(this.scale), 0.5 * Math.log((Math.PI * Math.E) / 2)), this.batchShape);
  }
}
