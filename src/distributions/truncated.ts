/** TruncatedDistribution: any univariate continuous distribution with a cdf and icdf, restricted to an interval. */
import { np, random, type Array as NDArray, type ArrayLike } from "../core/index.js";
import { Interval, real, type Constraint } from "./constraints.js";
import { Cauchy } from "./continuous/cauchy.js";
import { Laplace } from "./continuous/laplace.js";
import { Logistic } from "./continuous/logistic.js";
import { Normal } from "./continuous/normal.js";
import { StudentT } from "./continuous/student-t.js";
import { truncationSupport } from "./continuous/truncated-normal.js";
import { Distribution, type DistributionOptions } from "./distribution.js";

type Shape = readonly number[];

/** The bounds of a truncation: a missing (or null, or infinite) bound leaves that side open. */
export interface TruncationBounds {
  low?: ArrayLike | null;
  high?: ArrayLike | null;
}

/** Bases symmetric about their `loc`, for which upper tails are computed as reflected lower tails. */
type SymmetricBase = Normal | Cauchy | Laplace | Logistic | StudentT;
const isSymmetric = (d: Distribution): d is SymmetricBase =>
  d instanceof Normal || d instanceof Cauchy || d instanceof Laplace || d instanceof Logistic || d instanceof StudentT;

/**
 * `base` restricted to [low, high] (NumPyro's `TruncatedDistribution`, for any univariate base
 * with `cdf` and `icdf`): log density base.logProb(x) − log(F(high) − F(low)), draws by the
 * inverse cdf. For bases symmetric about `loc` (Normal, Cauchy, Laplace, Logistic, StudentT),
 * a truncation above loc is computed on the reflected lower tail, F(2 loc − x), as NumPyro does,
 * so that e.g. a far upper tail keeps its precision; for other bases the plain cdf is used.
 */
export class TruncatedDistribution extends Distribution {
  readonly base: Distribution;
  readonly low: NDArray;
  readonly high: NDArray;

  constructor(base: Distribution, bounds: TruncationBounds = {}, opts: DistributionOptions = {}) {
    if (base.eventDim !== 0 || base.isDiscrete) throw new Error(`TruncatedDistribution: the base must be univariate and continuous, got ${base.name}`);
    const low = np.asarray(bounds.low ?? -Infinity);
    const high = np.asarray(bounds.high ?? Infinity);
    let batch: number[];
    try {
      batch = np.broadcastShapes(base.batchShape, low.shape, high.shape);
    } catch {
      throw new Error(`TruncatedDistribution: bounds of shapes [${low.shape.join(", ")}] and [${high.shape.join(", ")}] do not broadcast with the batch shape [${base.batchShape.join(", ")}] of ${base.name}`);
    }
    super(batch, [], opts);
    this.base = base;
    this.low = low;
    this.high = high;
    // the ordering of the bounds is checked only when low is known (not under jit/vmap)
    this.validate({ high: [this.high, this.low.isConcrete ? new Interval(this.low, null, false, false) : real] });
  }
  override get name(): string {
    return `Truncated${this.base.name}`;
  }
  get support(): Constraint {
    return truncationSupport(this.low, this.high);
  }
  override get hasRsample(): boolean {
    return this.base.hasRsample;
  }

  /** The symmetric base's loc and the sign of the reflection: −1 where low > loc (reflect), else +1. */
  private get reflection(): { loc: NDArray; sign: NDArray } | null {
    const b = this.base;
    if (!isSymmetric(b)) return null;
    return { loc: b.loc, sign: np.where(np.greaterEqual(b.loc, this.low), 1, -1) };
  }

  /** F(x), or F(2 loc − x) = 1 − F(x) where the truncation is reflected. */
  private tail(x: ArrayLike): NDArray {
    const r = this.reflection;
    if (r === null) return this.base.cdf(x);
    return this.base.cdf(np.subtract(r.loc, np.multiply(r.sign, np.subtract(r.loc, x))));
  }

  private get sign(): ArrayLike {
    return this.reflection?.sign ?? 1;
  }

  /** log(F(high) − F(low)). */
  private get logZ(): NDArray {
    return np.log(np.multiply(this.sign, np.subtract(this.tail(this.high), this.tail(this.low))));
  }

  protected logDensity(x: NDArray): NDArray {
    return np.subtract(this.base.logProb(x), this.logZ);
  }

  sample(key: random.Key, sampleShape: Shape = []): NDArray {
    return this.icdf(random.uniform(key, this.shape(sampleShape), undefined, 1.1754943508222875e-38, 1));
  }

  override cdf(x: ArrayLike): NDArray {
    const c = np.divide(np.multiply(this.sign, np.subtract(this.tail(x), this.tail(this.low))), np.exp(this.logZ));
    return np.clip(c, 0, 1);
  }

  /** F⁻¹((1 − q) F(low) + q F(high)), reflected back where the truncation is reflected. */
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    const p = np.add(np.multiply(np.subtract(1, Q), this.tail(this.low)), np.multiply(Q, this.tail(this.high)));
    const x = this.base.icdf(p);
    const r = this.reflection;
    const value = r === null ? x : np.add(np.multiply(np.subtract(1, r.sign), r.loc), np.multiply(r.sign, x));
    return np.clip(value, this.low, this.high);
  }
}
