/** The logistic distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, real, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";

/** Logistic(loc, scale): cdf σ((x − loc)/scale). */
export class Logistic extends Distribution {
  readonly loc: NDArray;
  readonly scale: NDArray;

  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Logistic", { loc, scale });
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
  /** −z − 2 softplus(−z) − log scale. */
  protected logDensity(x: NDArray): NDArray {
    const z = np.divide(np.subtract(x, this.loc), this.scale);
    return np.negative(np.add(np.add(z, np.multiply(2, special.softplus(np.negative(z)))), np.log(this.scale)));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const u = random.uniform(key, this.shape(sampleShape), undefined, 1.1754943508222875e-38, 1);
    return np.add(this.loc, np.multiply(this.scale, special.logit(u)));
  }
  override get mean(): NDArray {
    return np.broadcastTo(this.loc, this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.multiply((Math.PI * Math.PI) / 3, np.square(this.scale)), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return special.expit(np.divide(np.subtract(x, this.loc), this.scale));
  }
  override icdf(q: ArrayLike): NDArray {
    return np.add(this.loc, np.multiply(this.scale, special.logit(q)));
  }
  override entropy(): NDArray {
    return np.broadcastTo(np.add(np.log(this.scale), 2), this.batchShape);
  }
}
