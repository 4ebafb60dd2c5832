/** The Laplace and asymmetric Laplace distributions. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, real, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { LocScaleDistribution } from "./loc-scale.js";

/** Laplace(loc, scale): density exp(−|x − loc|/scale) / (2 scale). */
export class Laplace extends LocScaleDistribution {
  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("Laplace", loc, scale, opts);
  }
  protected logDensity(x: NDArray): NDArray {
    const z = np.abs(this.standardize(x));
    return np.negative(np.add(np.add(z, np.log(this.scale)), Math.LN2));
  }
  protected standardSample(key: random.Key, shape: number[]): NDArray {
    return random.laplace(key, shape);
  }
  override get mean(): NDArray {
    return np.broadcastTo(this.loc, this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.multiply(2, np.square(this.scale)), this.batchShape);
  }
  /** ½ e^z below loc, 1 − ½ e^{−z} above. */
  override cdf(x: ArrayLike): NDArray {
    const z = this.standardize(x);
    const half = np.multiply(0.5, np.exp(np.negative(np.abs(z))));
    return np.where(np.less(z, 0), half, np.subtract(1, half));
  }
  /** loc + scale log(2q) below ½, loc − scale log(2(1 − q)) above. */
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    const lowerHalf = np.less(Q, 0.5);
    const z = np.where(lowerHalf, np.log(np.multiply(2, Q)), np.negative(np.log(np.multiply(2, np.subtract(1, Q)))));
    return this.unstandardize(z);
  }
  override entropy(): NDArray {
    return this.scaledEntropy(1 + Math.LN2);
  }
}

/**
 * AsymmetricLaplace(loc, scale, asymmetry): density exp(−|x − loc|/s) / (l + r) with
 * s = l = scale·asymmetry below loc and s = r = scale/asymmetry above.
 */
export class AsymmetricLaplace extends Distribution {
  readonly loc: NDArray;
  readonly scale: NDArray;
  readonly asymmetry: NDArray;

  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, asymmetry: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("AsymmetricLaplace", { loc, scale, asymmetry });
    super(batchShape, [], opts);
    this.loc = arrays.loc;
    this.scale = arrays.scale;
    this.asymmetry = arrays.asymmetry;
    this.validate({ loc: [this.loc, real], scale: [this.scale, positive], asymmetry: [this.asymmetry, positive] });
  }
  /** The scale below loc, scale·asymmetry. */
  get leftScale(): NDArray {
    return np.multiply(this.scale, this.asymmetry);
  }
  /** The scale above loc, scale/asymmetry. */
  get rightScale(): NDArray {
    return np.divide(this.scale, this.asymmetry);
  }
  get support(): Constraint {
    return real;
  }
  override get hasRsample(): boolean {
    return true;
  }
  protected logDensity(x: NDArray): NDArray {
    const d = np.subtract(x, this.loc);
    const s = np.where(np.less(d, 0), this.leftScale, this.rightScale);
    return np.subtract(np.negative(np.divide(np.abs(d), s)), np.log(np.add(this.leftScale, this.rightScale)));
  }
  /** loc − l·E₁ + r·E₂ with independent standard exponentials. */
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const e = random.exponential(key, [2, ...this.shape(sampleShape)]);
    const [u, v] = np.split(e, 2, 0).map((a) => np.squeeze(a, 0));
    return np.add(np.subtract(this.loc, np.multiply(this.leftScale, u)), np.multiply(this.rightScale, v));
  }
  override get mean(): NDArray {
    const l = this.leftScale;
    const r = this.rightScale;
    return np.broadcastTo(np.add(this.loc, np.subtract(r, l)), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.add(np.square(this.leftScale), np.square(this.rightScale)), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    const d = np.subtract(x, this.loc);
    const k2 = np.square(this.asymmetry);
    const below = np.multiply(np.divide(k2, np.add(1, k2)), np.exp(np.divide(np.minimum(d, 0), this.leftScale)));
    const above = np.subtract(1, np.divide(np.exp(np.negative(np.divide(np.maximum(d, 0), this.rightScale))), np.add(1, k2)));
    return np.where(np.less(d, 0), below, above);
  }
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    const k2 = np.square(this.asymmetry);
    const split = np.divide(k2, np.add(1, k2));
    const below = np.multiply(this.leftScale, np.log(np.divide(Q, split)));
    const above = np.negative(np.multiply(this.rightScale, np.log(np.multiply(np.add(1, k2), np.subtract(1, Q)))));
    return np.add(this.loc, np.where(np.lessEqual(Q, split), below, above));
  }
  /** 1 + log(l + r). */
  override entropy(): NDArray {
    return np.broadcastTo(np.add(np.log(np.add(this.leftScale, this.rightScale)), 1), this.batchShape);
  }
}
