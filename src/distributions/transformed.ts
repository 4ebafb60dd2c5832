/** TransformedDistribution: a base distribution pushed through a sequence of bijections. */
import { np, random, type Array as NDArray, type ArrayLike } from "../core/index.js";
import { independent, type Constraint } from "./constraints.js";
import { Distribution, sumRightmost, type DistributionOptions } from "./distribution.js";
import { ComposeTransform, type Transform } from "./transforms.js";

type Shape = readonly number[];

/**
 * The distribution of `t_n(...t_1(x))` for `x` drawn from `base` (NumPyro's
 * `TransformedDistribution`). The log density subtracts each transform's log-det-Jacobian;
 * shapes follow the transforms' `forwardShape`, and the base is expanded and given extra event
 * dimensions where the transforms need them. A TransformedDistribution as base is flattened.
 */
export class TransformedDistribution extends Distribution {
  readonly base: Distribution;
  readonly transforms: readonly Transform[];

  constructor(base: Distribution, transforms: Transform | readonly Transform[], opts: DistributionOptions = {}) {
    const own = Array.isArray(transforms) ? [...(transforms as readonly Transform[])] : [transforms as Transform];
    if (own.length === 0) throw new Error("TransformedDistribution: needs at least one transform");
    let b = base;
    let ts = own;
    if (base instanceof TransformedDistribution) {
      b = base.base;
      ts = [...base.transforms, ...own];
    }
    const whole = new ComposeTransform(ts);
    const domainEventDim = whole.domain.eventDim;
    const baseShape = b.shape();
    const baseEventDim = b.eventDim;
    if (baseShape.length < domainEventDim)
      throw new Error(`TransformedDistribution: the base ${b.name} has shape [${baseShape.join(", ")}], but the transforms need at least ${domainEventDim} dimension(s)`);
    const shape = whole.forwardShape(baseShape);
    const expandedBase = whole.inverseShape(shape);
    if (expandedBase.length !== baseShape.length || expandedBase.some((d, i) => d !== baseShape[i])) b = b.expand(expandedBase.slice(0, expandedBase.length - baseEventDim));
    if (domainEventDim > baseEventDim) b = b.toEvent(domainEventDim - baseEventDim);
    const eventDim = whole.codomain.eventDim + Math.max(baseEventDim - domainEventDim, 0);
    super(shape.slice(0, shape.length - eventDim), shape.slice(shape.length - eventDim), opts);
    this.base = b;
    this.transforms = ts;
  }

  get support(): Constraint {
    const codomain = this.transforms[this.transforms.length - 1].codomain;
    return independent(codomain, this.eventDim - codomain.eventDim);
  }

  override get hasRsample(): boolean {
    return this.base.hasRsample;
  }

  sample(key: random.Key, sampleShape: Shape = []): NDArray {
    let x = this.base.sample(key, sampleShape);
    for (const t of this.transforms) x = t.forward(x);
    return x;
  }

  protected logDensity(value: NDArray): NDArray {
    let eventDim = this.eventDim;
    let y = value;
    let acc: NDArray | null = null;
    for (let i = this.transforms.length - 1; i >= 0; i--) {
      const t = this.transforms[i];
      const x = t.inverse(y);
      const batchNdims = eventDim - t.codomain.eventDim;
      const ld = sumRightmost(t.logAbsDetJacobian(x, y), batchNdims);
      acc = acc === null ? np.negative(ld) : np.subtract(acc, ld);
      eventDim = t.domain.eventDim + batchNdims;
      y = x;
    }
    const baseLp = sumRightmost(this.base.logProb(y), eventDim - this.base.eventDim);
    return np.add(acc!, baseLp);
  }

  /** The product of the transforms' signs (scalar transforms only). */
  private get sign(): ArrayLike {
    let s: ArrayLike = 1;
    for (const t of this.transforms) s = np.multiply(s, t.sign);
    return s;
  }

  /** The base cdf at the pre-image, complemented where the transforms decrease. */
  override cdf(value: ArrayLike): NDArray {
    let x = np.asarray(value);
    for (let i = this.transforms.length - 1; i >= 0; i--) x = this.transforms[i].inverse(x);
    const q = this.base.cdf(x);
    return np.where(np.greater(this.sign, 0), q, np.subtract(1, q));
  }

  /** The transformed base quantile (at 1 − q where the transforms decrease). */
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    let x = this.base.icdf(np.where(np.greater(this.sign, 0), Q, np.subtract(1, Q)));
    for (const t of this.transforms) x = t.forward(x);
    return x;
  }
}
