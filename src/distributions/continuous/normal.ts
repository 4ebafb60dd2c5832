/** The normal distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, real, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Normal(loc, scale): density exp(-((x - loc)/scale)^2 / 2) / (scale sqrt(2 pi)). */
export class Normal extends Distribution {
  readonly loc: NDArray;
  readonly scale: NDArray;

  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Normal", { loc, scale });
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
    return np.subtract(np.multiply(-0.5, np.square(z)), np.add(np.log(this.scale), HALF_LOG_2PI));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const eps = random.normal(key, this.shape(sampleShape));
    return np.add(this.loc, np.multiply(this.scale, eps));
  }
  override get mean(): NDArray {
    return np.broadcastTo(this.loc, this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.square(this.scale), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return special.ndtr(np.divide(np.subtract(x, this.loc), this.scale));
  }
  override icdf(q: ArrayLike): NDArray {
    return np.add(this.loc, np.multiply(this.scale, special.ndtri(q)));
  }
  override entropy(): NDArray {
    return np.broadcastTo(np.add(np.log(this.scale), 0.5 + HALF_LOG_2PI), this.batchShape);
  }
}
