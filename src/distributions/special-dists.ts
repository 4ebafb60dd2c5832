/**
 * Distributions with no proper density: `Delta` (a point mass with an optional log density),
 * `Unit` (the empty value carrying a log factor, behind `factor`), and `ImproperUniform`
 * (a flat density over a constraint, for latent sites initialised and transformed by its support).
 */
import { np, random, type Array as NDArray, type ArrayLike } from "../core/index.js";
import { independent, real, type Constraint } from "./constraints.js";
import { Distribution, sumRightmost, type DistributionOptions } from "./distribution.js";

type Shape = readonly number[];

/**
 * A point mass at `v` (NumPyro's `Delta`): the `eventDim` rightmost dimensions of `v` form
 * the event; `logDensity` (broadcast to the batch shape) is the log density at `v`.
 * Draws are `v` itself, so they are differentiable in `v`.
 */
export class Delta extends Distribution {
  readonly v: NDArray;
  readonly logDensityAtV: NDArray;

  constructor(v: ArrayLike = 0, logDensity: ArrayLike = 0, eventDim = 0, opts: DistributionOptions = {}) {
    const V = np.asarray(v);
    if (!Number.isInteger(eventDim) || eventDim < 0 || eventDim > V.ndim)
      throw new Error(`Delta: eventDim must be an integer in [0, ${V.ndim}] for v of shape [${V.shape.join(", ")}], got ${eventDim}`);
    const batchShape = V.shape.slice(0, V.ndim - eventDim);
    super(batchShape, V.shape.slice(V.ndim - eventDim), opts);
    this.v = V;
    const ld = np.asarray(logDensity);
    try {
      this.logDensityAtV = np.broadcastTo(ld, batchShape);
    } catch {
      throw new Error(`Delta: parameter 'logDensity' of shape [${ld.shape.join(", ")}] does not broadcast to the batch shape [${batchShape.join(", ")}]`);
    }
    this.validate({ logDensity: [this.logDensityAtV, real] });
  }
  get support(): Constraint {
    return independent(real, this.eventDim);
  }
  override get hasRsample(): boolean {
    return true;
  }
  protected logDensity(value: NDArray): NDArray {
    const hit = sumRightmost(np.where(np.equal(value, this.v), 0, -Infinity), this.eventDim);
    return np.add(hit, this.logDensityAtV);
  }
  sample(key: random.Key, sampleShape: Shape = []): NDArray {
    return np.broadcastTo(this.v, this.shape(sampleShape));
  }
  override get mean(): NDArray {
    return this.v;
  }
  override get variance(): NDArray {
    return np.zeros(this.shape());
  }
  override entropy(): NDArray {
    return np.negative(this.logDensityAtV);
  }
}

/**
 * The unit type: a single empty value (event shape [0]) whose log density is `logFactor`
 * (NumPyro's `Unit`, the distribution behind `factor`).
 */
export class Unit extends Distribution {
  readonly logFactor: NDArray;
  constructor(logFactor: ArrayLike, opts: DistributionOptions = {}) {
    const lf = np.asarray(logFactor);
    super(lf.shape, [0], opts);
    this.logFactor = lf;
  }
  get support(): Constraint {
    return independent(real, 1);
  }
  protected logDensity(value: NDArray): NDArray {
    return this.logProb(value);
  }
  /** `logFactor` broadcast against the value's batch dimensions. */
  override logProb(value: ArrayLike): NDArray {
    const v = this.checkValueShape(value);
    return np.broadcastTo(this.logFactor, np.broadcastShapes(this.batchShape, v.shape.slice(0, -1)));
  }
  sample(key: random.Key, sampleShape: Shape = []): NDArray {
    return np.zeros(this.shape(sampleShape));
  }
}

/**
 * A flat (improper) density over `support` with the given batch and event shapes (NumPyro's
 * `ImproperUniform`): log density 0 inside the support, -Infinity outside. It cannot be sampled;
 * inference initialises such sites in the unconstrained space of `bijectTo(support)`.
 */
export class ImproperUniform extends Distribution {
  private readonly baseSupport: Constraint;
  constructor(support: Constraint, batchShape: Shape, eventShape: Shape, opts: DistributionOptions = {}) {
    if (support.eventDim > eventShape.length)
      throw new Error(`ImproperUniform: the support ${support.name} has event dimension ${support.eventDim}, more than the event shape [${eventShape.join(", ")}] has`);
    super(batchShape, eventShape, opts);
    this.baseSupport = independent(support, eventShape.length - support.eventDim);
  }
  get support(): Constraint {
    return this.baseSupport;
  }
  protected logDensity(value: NDArray): NDArray {
    return np.zeros(np.broadcastShapes(value.shape.slice(0, value.ndim - this.eventDim), this.batchShape));
  }
  sample(_key?: random.Key, _sampleShape?: Shape): NDArray {
    throw new Error("ImproperUniform cannot be sampled: initialise the site in the unconstrained space of bijectTo(support) instead");
  }
}
