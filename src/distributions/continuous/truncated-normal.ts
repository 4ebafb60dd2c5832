/** The truncated normal distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { Interval, positive, real, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { logDiffNdtr, logPhi, logRelativeMass, ndtriLog, truncatedNormalMoments, useRelativeMass } from "./numerics.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The support [low, high] of a truncation, with a bound that is known to be infinite everywhere
 * (given as null, or concrete and all ±Infinity) left open (null), so that `bijectTo` maps onto a
 * half-line or the reals instead of an interval with infinite ends.
 */
export function truncationSupport(low: NDArray, high: NDArray): Interval {
  const open = (v: NDArray) => v.isConcrete && np.all(np.logicalNot(np.isfinite(v))).item() === 1;
  return new Interval(open(low) ? null : low, open(high) ? null : high, true, true);
}

/**
 * TruncatedNormal(loc, scale, low, high): Normal(loc, scale) restricted to [low, high]; a
 * bound given as null or undefined (or ±Infinity) is open. Normalizers, cdf and quantiles are
 * computed in log space on the side of the lower tail, with quadrature for narrow intervals and
 * Mills-ratio continued fractions far in the tails, relative to the density at the nearer end, so
 * truncations far in the tails (e.g. [5, 10]) and very narrow ones keep their precision; the
 * moments are the exact truncated-normal moments.
 */
export class TruncatedNormal extends Distribution {
  readonly loc: NDArray;
  readonly scale: NDArray;
  readonly low: NDArray;
  readonly high: NDArray;

  constructor(loc: ArrayLike = 0, scale: ArrayLike = 1, low?: ArrayLike | null, high?: ArrayLike | null, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("TruncatedNormal", { loc, scale, low: low ?? -Infinity, high: high ?? Infinity });
    super(batchShape, [], opts);
    this.loc = arrays.loc;
    this.scale = arrays.scale;
    this.low = arrays.low;
    this.high = arrays.high;
    this.validate({ loc: [this.loc, real], scale: [this.scale, positive], high: [this.high, this.low.isConcrete ? new Interval(this.low, null, false, false) : real] });
  }
  get support(): Constraint {
    return truncationSupport(this.low, this.high);
  }
  override get hasRsample(): boolean {
    return true;
  }
  private standardize(x: ArrayLike): NDArray {
    return np.divide(np.subtract(x, this.loc), this.scale);
  }
  /** The standardized bounds α, β and the width β − α, computed from high − low (exact where they are close). */
  private get bounds(): [NDArray, NDArray, NDArray] {
    return [this.standardize(this.low), this.standardize(this.high), np.divide(np.subtract(this.high, this.low), this.scale)];
  }
  private get moments() {
    return truncatedNormalMoments(...this.bounds);
  }
  /**
   * log φ(z) − log Z − log scale; narrow and far-tail truncations measure z from the end r
   * with the larger density: −Δ(2r + Δ)/2 − log(Z/φ(r)) − log scale, Δ = |x − end|/scale.
   */
  protected logDensity(x: NDArray): NDArray {
    const [a, b, w] = this.bounds;
    const plain = np.subtract(logPhi(this.standardize(x)), np.add(np.log(this.scale), logDiffNdtr(a, b, w)));
    const flip = np.less(np.add(a, b), 0);
    const r = np.where(flip, np.negative(b), a);
    const rel = useRelativeMass(r, w);
    const rs = np.where(rel, r, 3);
    const ws = np.where(rel, w, 1);
    const dz = np.where(flip, np.divide(np.subtract(this.high, x), this.scale), np.divide(np.subtract(x, this.low), this.scale));
    const dzs = np.where(rel, dz, 0);
    const relative = np.negative(np.add(np.multiply(0.5, np.multiply(dzs, np.add(np.multiply(2, rs), dzs))), np.add(logRelativeMass(rs, ws), np.log(this.scale))));
    return np.where(rel, relative, plain);
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const [a, b] = this.bounds;
    const z = random.truncatedNormal(key, a, b, this.shape(sampleShape));
    return np.add(this.loc, np.multiply(this.scale, z));
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.add(this.loc, np.multiply(this.scale, this.moments.mean)), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.multiply(np.square(this.scale), this.moments.variance), this.batchShape);
  }
  /**
   * (Φ(z) − Φ(α)) / Z in log space, with z − α from x − low where low is finite; for narrow and
   * far-tail truncations as the ratio of masses relative to φ(α), which keeps its precision.
   */
  override cdf(x: ArrayLike): NDArray {
    const [a, b, w] = this.bounds;
    const finiteLow = np.isfinite(this.low);
    const dz = np.where(finiteLow, np.clip(np.divide(np.subtract(x, this.low), this.scale), 0, w), Infinity);
    const z = np.where(finiteLow, np.add(a, dz), np.clip(this.standardize(x), a, b));
    const plain = np.exp(np.subtract(logDiffNdtr(a, z, dz), logDiffNdtr(a, b, w)));
    const rel = useRelativeMass(a, w);
    const as = np.where(rel, a, 3);
    const relative = np.exp(np.subtract(logRelativeMass(as, np.where(rel, dz, 0)), logRelativeMass(as, np.where(rel, w, 1))));
    return np.where(rel, relative, plain);
  }
  /**
   * Solves Φ(z) − Φ(α) = q Z from the nearer end (for q > ½ on the reflected interval with
   * 1 − q, which is exact there). A first z comes from erfinv of Φ(z) − ½ near the centre, Φ⁻¹
   * of log Φ(z) in the lower tail and of log(1 − Φ(z)) = log(Q(α) − q Z) in the upper tail
   * (or, for narrow intervals, from the exponential approximation of the density); from a finite
   * end, Newton steps on log(Φ(α + Δ) − Φ(α)) = log(q Z) then fix Δ = z − α to full precision.
   */
  override icdf(q: ArrayLike): NDArray {
    const [a0, b0, w] = this.bounds;
    const Q = np.asarray(q);
    const upperHalf = np.greater(Q, 0.5);
    const a = np.where(upperHalf, np.negative(b0), a0);
    const b = np.where(upperHalf, np.negative(a0), b0);
    const qq = np.where(upperHalf, np.subtract(1, Q), Q);
    const logQZ = np.add(np.log(qq), logDiffNdtr(a0, b0, w));
    const centre = np.add(np.multiply(0.5, np.erf(np.multiply(a, Math.SQRT1_2))), np.exp(logQZ)); // Φ(z) − ½
    const nearCentre = np.less(np.abs(centre), 0.25);
    const zCentre = np.multiply(Math.SQRT2, special.erfinv(np.multiply(2, np.where(nearCentre, centre, 0))));
    const zLower = ndtriLog(special.logaddexp(special.logNdtr(a), logQZ));
    const logUpperA = special.logNdtr(np.negative(a));
    const logUpper = np.add(logUpperA, np.log1p(np.negative(np.exp(np.minimum(np.subtract(logQZ, logUpperA), 0)))));
    const zUpper = np.negative(ndtriLog(logUpper));
    const z = np.clip(np.where(nearCentre, zCentre, np.where(np.less(centre, 0), zLower, zUpper)), a, b);
    // from a finite end: Δ = z − α, started from (1 − e^{−αΔ})/α = qZ/φ(α) on narrow intervals
    const finiteEnd = np.isfinite(a);
    const as = np.where(finiteEnd, a, 0);
    const c = np.exp(np.subtract(logQZ, logPhi(as)));
    const ac = np.minimum(np.multiply(as, c), 1 - 1e-6);
    const dzExp = np.where(np.equal(as, 0), c, np.divide(np.negative(np.log1p(np.negative(ac))), as));
    let dz = np.clip(np.where(np.less(np.multiply(w, np.maximum(1, np.abs(as))), 2), dzExp, np.subtract(z, as)), 0, w);
    for (let i = 0; i < 3; i++) {
      const logF = logDiffNdtr(as, np.add(as, dz), dz);
      const step = np.multiply(np.subtract(logF, logQZ), np.exp(np.subtract(logF, logPhi(np.add(as, dz)))));
      dz = np.clip(np.subtract(dz, np.where(np.isfinite(step), step, 0)), 0, w);
    }
    dz = np.where(np.equal(qq, 0), 0, dz);
    // back to the original orientation, measured from the end where it is finite
    const sgn = np.where(upperHalf, -1, 1);
    const end = np.where(upperHalf, this.high, this.low);
    const fromEnd = np.add(end, np.multiply(np.multiply(sgn, this.scale), dz));
    const fromLoc = np.add(this.loc, np.multiply(np.multiply(sgn, this.scale), z));
    return np.where(finiteEnd, fromEnd, fromLoc);
  }
  /** log(√(2π) scale Z) + E[z²]/2. */
  override entropy(): NDArray {
    return np.broadcastTo(np.add(np.add(np.log(this.scale), HALF_LOG_2PI), this.moments.logZPlusHalfEz2), this.batchShape);
  }
}
