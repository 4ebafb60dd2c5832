/** The Gumbel distribution. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import type { DistributionOptions } from "../distribution.js";
import { LocScaleDistribution } from "./loc-scale.js";

const EULER = 0.5772156649015329;

/** Gumbel(loc, scale): cdf exp(−exp(−(x − loc)/scale)). */
export class Gumbel extends LocScaleDistribution {
  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("Gumbel", loc, scale, opts);
  }
  protected logDensity(x: NDArray): NDArray {
    const z = this.standardize(x);
    const lp = np.negative(np.add(np.add(z, np.exp(np.negative(z))), np.log(this.scale)));
    // at z = −Infinity the sum is −inf + inf; the density is 0 there
    return np.where(np.equal(z, -Infinity), -Infinity, lp);
  }
  protected standardSample(key: random.Key, shape: number[]): NDArray {
    return random.gumbel(key, shape);
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.add(this.loc, np.multiply(EULER, this.scale)), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.multiply((Math.PI * Math.PI) / 6, np.square(this.scale)), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return np.exp(np.negative(np.exp(np.negative(this.standardize(x)))));
  }
  override icdf(q: ArrayLike): NDArray {
    return np.subtract(this.loc, np.multiply(this.scale, np.log(np.negative(np.log(q)))));
  }
  /** log scale + γ + 1. */
  override entropy(): NDArray {
    return this.scaledEntropy(EULER + 1);
  }
}
