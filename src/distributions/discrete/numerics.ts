/**
 * Numerical building blocks of the count distributions (stirlerr and bd0 also serve the
 * Dirichlet and Wishart densities): Loader's saddle-point form of binomial-type probabilities
 * (no cancellation between large log-gamma terms), the integer grids that entropies and cdfs
 * of discrete distributions sum over, and the bisection that inverts a discrete cdf.
 * Everything is written in core ops.
 *
 * Reference: C. Loader, "Fast and accurate computation of binomial probabilities" (2000).
 */
import { defaultFloat, np, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";

const LOG_2PI = Math.log(2 * Math.PI);
const LOG_SQRT_2PI = 0.5 * LOG_2PI;

/** `x` as a float array (integer and boolean values become the default float dtype). */
export function toFloat(x: ArrayLike): NDArray {
  const a = np.asarray(x);
  return a.dtype === "float32" || a.dtype === "float64" ? a : np.astype(a, defaultFloat());
}

const is64 = (x: NDArray) => x.dtype === "float64";

/** Coefficients B_2k / (2k (2k − 1)) of Stirling's series for log Γ. */
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400];

/**
 * The error of Stirling's formula, log Γ(x + 1) − [(x + ½) log x − x + ½ log 2π], for x > 0:
 * its asymptotic series from 4 (float32) or 10 (float64) up, the difference of the logs
 * below, where the terms are small.
 */
export function stirlerr(x: NDArray): NDArray {
  const f64 = is64(x);
  const T = f64 ? 10 : 4;
  const terms = STIRLING.slice(0, f64 ? 8 : 6);
  const big = np.greaterEqual(x, T);
  const xb = np.where(big, x, T);
  const w = np.reciprocal(np.square(xb));
  let series: NDArray = np.fullLike(xb, terms[terms.length - 1]);
  for (let i = terms.length - 2; i >= 0; i--) series = np.add(np.multiply(series, w), terms[i]);
  series = np.divide(series, xb);
  const xs = np.where(big, 1, x);
  const direct = np.add(np.subtract(special.lgamma(np.add(xs, 1)), np.multiply(np.add(xs, 0.5), np.log(xs))), np.subtract(xs, LOG_SQRT_2PI));
  return np.where(big, series, direct);
}

/**
 * Loader's deviance term bd0(x, m) = x log(x/m) + m − x ≥ 0, for x ≥ 0 and m ≥ 0 (bd0(0, m) = m,
 * bd0(x, 0) = ∞ for x > 0). Near x = m, where the textbook form cancels, it is a series in
 * v = (x − m)/(x + m): bd0 = (x − m) v + 2x Σ_{j≥1} v^(2j+1)/(2j + 1).
 */
export function bd0(x: NDArray, m: NDArray): NDArray {
  const d = np.subtract(x, m);
  const s = np.add(x, m);
  const near = np.less(np.abs(d), np.multiply(s, 0.5));
  const v = np.divide(np.where(near, d, 0), np.where(near, s, 1));
  const v2 = np.square(v);
  const J = is64(x) ? 27 : 12;
  let tail: NDArray = np.fullLike(v, 1 / (2 * J + 1));
  for (let j = J - 1; j >= 1; j--) tail = np.add(np.multiply(tail, v2), 1 / (2 * j + 1));
  const series = np.add(np.multiply(d, v), np.multiply(np.multiply(np.multiply(x, 2), np.multiply(v, v2)), tail));
  const xf = np.where(near, 1, x);
  const mf = np.where(near, 1, m);
  const ratio = np.where(np.equal(xf, 0), 1, np.divide(xf, mf));
  const far = np.subtract(np.add(np.multiply(xf, np.log(ratio)), mf), xf);
  return np.where(near, series, far);
}

/**
 * log[Γ(n + 1) / (Γ(x + 1) Γ(n − x + 1)) · p^x q^(n − x)] for real 0 ≤ x ≤ n, from log p and
 * log q (q = 1 − p, each given accurately): the log of a binomial probability, and the core of
 * the negative binomial one. Loader's form
 * stirlerr(n) − stirlerr(x) − stirlerr(n − x) − bd0(x, np) − bd0(n − x, nq) − ½ log(2π x (n − x)/n)
 * has no cancellation between large terms; x = 0 and x = n are n log q and n log p.
 */
export function logBinomialTerm(x: NDArray, n: NDArray, logP: NDArray, logQ: NDArray): NDArray {
  const atZero = np.equal(x, 0);
  const atN = np.equal(x, n);
  const inner = np.logicalNot(np.logicalOr(atZero, atN));
  // inner points see their own values; the edges see x = 1, n = 2, p = q = ½ (safe, and discarded)
  const xs = np.where(inner, x, 1);
  const ns = np.where(inner, n, 2);
  const ys = np.subtract(ns, xs);
  const ps = np.exp(np.where(inner, logP, -Math.LN2));
  const qs = np.exp(np.where(inner, logQ, -Math.LN2));
  const stirling = np.subtract(np.subtract(stirlerr(ns), stirlerr(xs)), stirlerr(ys));
  const deviance = np.add(bd0(xs, np.multiply(ns, ps)), bd0(ys, np.multiply(ns, qs)));
  const logScale = np.add(np.add(LOG_2PI, np.log(xs)), np.log(np.divide(ys, ns)));
  const value = np.subtract(np.subtract(stirling, deviance), np.multiply(logScale, 0.5));
  return np.where(atZero, timesLog(n, logQ), np.where(atN, timesLog(n, logP), value));
}

/** n · log p, 0 where n = 0 (also when log p is −∞). */
function timesLog(n: NDArray, logP: NDArray): NDArray {
  const zero = np.equal(n, 0);
  return np.where(zero, 0, np.multiply(n, np.where(zero, 0, logP)));
}

/**
 * The integers lo, lo + 1, ..., hi of each batch member, on a new leading axis: `k` has shape
 * [length, ...batch] with length = max(hi − lo) + 1, and `inRange` marks k ≤ hi. The bounds
 * must be concrete (the grid's length is a shape), so this throws under jit and vmap.
 */
export function integerGrid(what: string, lo: NDArray, hi: NDArray): { k: NDArray; inRange: NDArray } {
  if (!lo.isConcrete || !hi.isConcrete) throw new Error(`${what} sums over the support, so it needs concrete parameters (not available under jit or vmap)`);
  const width = np.max(np.subtract(hi, lo)).item();
  if (!Number.isFinite(width)) throw new Error(`${what}: the support to sum over is not finite`);
  const length = Math.max(0, width) + 1;
  const batch = np.broadcastShapes(lo.shape, hi.shape);
  const steps = np.reshape(np.astype(np.arange(length), lo.dtype), [length, ...batch.map(() => 1)]);
  const k = np.add(np.broadcastTo(lo, batch), steps);
  return { k, inRange: np.lessEqual(k, hi) };
}

/** −Σ p log p over a grid's leading axis, from log probabilities `lp` (points outside `inRange` or of probability 0 add nothing). */
export function entropyFromGrid(lp: NDArray, inRange: NDArray): NDArray {
  const keep = np.logicalAnd(inRange, np.isfinite(lp));
  const l = np.where(keep, lp, 0);
  return np.negative(np.sum(np.where(keep, np.multiply(np.exp(l), l), 0), 0));
}

/**
 * The smallest integer k in [0, hi] with cdf(k) ≥ q, by bisection on (lo, hi] with lo = −1
 * (32 halvings: exact for supports up to 2^31); `hi` must satisfy cdf(hi) ≥ q. NaN for q
 * outside [0, 1].
 */
export function bisectIcdf(cdf: (k: NDArray) => NDArray, q: NDArray, hi: NDArray): NDArray {
  const shape = np.broadcastShapes(q.shape, hi.shape);
  let upper = np.broadcastTo(hi, shape);
  let lower = np.fullLike(upper, -1);
  for (let i = 0; i < 32; i++) {
    const mid = np.floor(np.multiply(np.add(lower, upper), 0.5));
    const ok = np.greaterEqual(cdf(mid), q);
    upper = np.where(ok, mid, upper);
    lower = np.where(ok, lower, mid);
  }
  const valid = np.logicalAnd(np.greaterEqual(q, 0), np.lessEqual(q, 1));
  return np.where(valid, upper, NaN);
}

/** The values 0..n on a leading axis, for distributions over counts with one concrete n. */
export function enumerateCounts(dist: string, totalCount: NDArray, batchShape: readonly number[], expand: boolean): NDArray {
  if (!totalCount.isConcrete) throw new Error(`${dist}.enumerateSupport needs a concrete totalCount (not available under jit or vmap)`);
  const n = np.max(totalCount).item();
  if (np.min(totalCount).item() !== n) throw new Error(`${dist}.enumerateSupport needs the same totalCount across the batch`);
  return enumerateRange(n + 1, batchShape, expand);
}

/**
 * The values 0..k − 1 on a leading axis: shape [k, ...batchShape] when `expand`, else
 * [k, 1, ..., 1] (the enumerated support of a finite discrete distribution).
 */
export function enumerateRange(k: number, batchShape: readonly number[], expand: boolean): NDArray {
  const values = np.reshape(np.arange(k), [k, ...batchShape.map(() => 1)]);
  return expand ? np.broadcastTo(values, [k, ...batchShape]) : values;
}
