/**
 * The frame shared by location-scale families (X = loc + scale·Z) and scale families on
 * x ≥ 0 (X = scale·Z) over a fixed standard variable Z: parameters, validation, support,
 * the standardized value z, and reparameterized sampling through a standard draw. Each family
 * supplies its standard draw and its formulas in terms of z.
 */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { nonnegative, positive, real, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";

/** X = shift + scale·Z for a standard Z: draws are reparameterized through a standard draw. */
abstract class StandardizedDistribution extends Distribution {
  abstract readonly scale: NDArray;

  override get hasRsample(): boolean {
    return true;
  }
  /** A draw of the standard variable Z (loc 0, scale 1) of the given shape. */
  protected abstract standardSample(key: random.Key, shape: number[]): NDArray;
  /** x from the standardized value z. */
  protected abstract unstandardize(z: ArrayLike): NDArray;
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return this.unstandardize(this.standardSample(key, this.shape(sampleShape)));
  }
  /** log scale + the entropy of the standard variable (the entropy of any scaled family). */
  protected scaledEntropy(standardEntropy: number): NDArray {
    return np.broadcastTo(np.add(np.log(this.scale), standardEntropy), this.batchShape);
  }
}

/**
 * A location-scale family: `loc` real, `scale` positive, x = loc + scale·z on the reals. A
 * family of a transformed variable (LogNormal) overrides the support, `standardize` and
 * `unstandardize`.
 */
export abstract class LocScaleDistribution extends StandardizedDistribution {
  readonly loc: NDArray;
  readonly scale: NDArray;

  /** `name` is the distribution's name in parameter errors. */
  protected constructor(name: string, loc: ArrayLike, scale: ArrayLike, opts: DistributionOptions) {
    const { arrays, batchShape } = broadcastParams(name, { loc, scale });
    super(batchShape, [], opts);
    this.loc = arrays.loc;
    this.scale = arrays.scale;
    this.validate({ loc: [this.loc, real], scale: [this.scale, positive] });
  }
  get support(): Constraint {
    return real;
  }
  /** z = (x − loc)/scale. */
  protected standardize(x: ArrayLike): NDArray {
    return np.divide(np.subtract(x, this.loc), this.scale);
  }
  /** x = loc + scale·z. */
  protected unstandardize(z: ArrayLike): NDArray {
    return np.add(this.loc, np.multiply(this.scale, z));
  }
}

/** A scale family on x ≥ 0: `scale` positive, z = x/scale. */
export abstract class ScaleDistribution extends StandardizedDistribution {
  readonly scale: NDArray;

  /** `name` is the distribution's name in parameter errors. */
  protected constructor(name: string, scale: ArrayLike, opts: DistributionOptions) {
    const { arrays, batchShape } = broadcastParams(name, { scale });
    super(batchShape, [], opts);
    this.scale = arrays.scale;
    this.validate({ scale: [this.scale, positive] });
  }
  get support(): Constraint {
    return nonnegative;
  }
  /** z = x/scale. */
  protected standardize(x: ArrayLike): NDArray {
    return np.divide(x, this.scale);
  }
  /** x = scale·z. */
  protected unstandardize(z: ArrayLike): NDArray {
    return np.multiply(this.scale, z);
  }
}
