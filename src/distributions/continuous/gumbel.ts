/** The Gumbel distribution. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, real, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";

const EULER = 0.5772156649015329;

/** Gumbel(loc, scale): cdf exp(−exp(−(x − loc)/scale)). */
export class Gumbel extends Distribution {
  readonly loc: NDArray;
  readonly scale: NDArray;

  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Gumbel", { loc, scale });
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
    return np.negative(np.add(np.add(z, np.exp(np.negative(z))), np.log(this.scale)));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.add(this.loc, np.multiply(this.scale, random.gumbel(key, this.shape(sampleShape))));
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.add(this.loc, np.multiply(EULER, this.scale)), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.multiply((Math.PI * Math.PI) / 6, np.square(this.scale)), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return np.exp(np.negative(np.exp(np.divide(np.subtract(this.loc, x), this.scale))));
  }
  override icdf(q: ArrayLike): NDArray {
    return np.subtract(this.loc, np.multiply(this.scale, np.log(np.negative(np.log(q)))));
  }
  /** log scale + γ + 1. */
  override entropy(): NDArray {
    return np.broadcastTo(np.add(np.log(this.scale), EULER + 1), this.batchShape);
  }
}
