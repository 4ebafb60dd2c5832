/** The exponential distribution. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { nonnegative, positive, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";

/** Exponential(rate): density rate·e^{−rate x} on x ≥ 0. */
export class Exponential extends Distribution {
  readonly rate: NDArray;

  constructor(rate: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Exponential", { rate });
    super(batchShape, [], opts);
    this.rate = arrays.rate;
    this.validate({ rate: [this.rate, positive] });
  }
  get support(): Constraint {
    return nonnegative;
  }
  override get hasRsample(): boolean {
    return true;
  }
  protected logDensity(x: NDArray): NDArray {
    return np.subtract(np.log(this.rate), np.multiply(this.rate, x));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.divide(random.exponential(key, this.shape(sampleShape)), this.rate);
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.reciprocal(this.rate), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.reciprocal(np.square(this.rate)), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return np.negative(np.expm1(np.negative(np.multiply(this.rate, np.maximum(x, 0)))));
  }
  override icdf(q: ArrayLike): NDArray {
    return np.divide(np.negative(np.log1p(np.negative(q))), this.rate);
  }
  override entropy(): NDArray {
    return np.broadcastTo(np.subtract(1, np.log(this.rate)), this.batchShape);
  }
}
