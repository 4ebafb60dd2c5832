/**
 * Special functions (jax.scipy.special style). Most are composites of `np` ops with fixed
 * iteration counts and `where`-selected branches, so grad, vmap and jit apply to them with no
 * rules of their own; branches that a `where` discards are fed safe inputs ("double where"), so
 * gradients never pick up NaN from them. The regularized incomplete gamma and beta functions
 * are primitives (see primitives/special-kernels.ts).
 *
 * Algorithms are chosen per dtype at trace time: float64 evaluates longer series than float32.
 */
import { asArray, type ArrayLike, type NDArray } from "./array.js";
import { defaultFloat, isFloat } from "./dtype.js";
import { bind1 } from "./interpreters/stack.js";
import * as np from "./numpy.js";
import { betaincPrim, gammaincPrim, gammainccPrim, promoteFloat } from "./primitives/special-kernels.js";
import { normAxes } from "./shape.js";
import { stopGradient } from "./transforms.js";

// ---- helpers -------------------------------------------------------------------------------

/** The argument as a float array (integers and bools become the default float dtype). */
function fl(x: ArrayLike): NDArray {
  const a = asArray(x);
  return isFloat(a.dtype) ? a : np.astype(a, defaultFloat());
}

const is64 = (x: NDArray) => x.dtype === "float64";

/** Σ c[i] x^i by Horner's rule (c ascending). */
function poly(x: NDArray, c: readonly number[]): NDArray {
  let acc: NDArray = np.fullLike(x, c[c.length - 1]);
  for (let i = c.length - 2; i >= 0; i--) acc = np.add(np.multiply(acc, x), c[i]);
  return acc;
}

/** Σ' c[k] T_k(t) by Clenshaw's recurrence (c[0] is the constant term itself). */
function chebyshev(t: NDArray, c: readonly number[]): NDArray {
  const t2 = np.multiply(t, 2);
  let b1: NDArray = np.zerosLike(t);
  let b2: NDArray = np.zerosLike(t);
  for (let k = c.length - 1; k >= 1; k--) {
    const b0 = np.add(np.subtract(np.multiply(t2, b1), b2), c[k]);
    b2 = b1;
    b1 = b0;
  }
  return np.subtract(np.add(np.multiply(t, b1), c[0]), b2);
}

const W = np.where;
const PI = Math.PI;
const LN2 = Math.LN2;
const LOG_PI = 1.1447298858494002;
const LOG_SQRT_2PI = 0.9189385332046728;
const EULER = 0.5772156649015329;
const SQRT1_2 = Math.SQRT1_2;

/** ζ(k) − 1 for k = 2, 3, ... */
const ZETA_M1 = [
  0.6449340668482264, 0.2020569031595943, 0.08232323371113819, 0.03692775514336993, 0.01734306198444914, 0.008349277381922827, 0.00407735619794434, 0.0020083928260822143,
  0.0009945751278180853, 0.0004941886041194645, 0.0002460865533080483, 0.00012271334757848915, 6.124813505870483e-5, 3.058823630702049e-5, 1.528225940865187e-5,
  7.637197637899763e-6, 3.81729326499984e-6, 1.908212716553939e-6, 9.539620338727962e-7, 4.769329867878064e-7, 2.38450502727733e-7, 1.1921992596531106e-7,
  5.960818905125948e-8, 2.980350351465228e-8, 1.4901554828365043e-8, 7.45071178983543e-9, 3.725334024788457e-9, 1.862659723513049e-9, 9.313274324196682e-10,
  4.656629065033784e-10,
];

/** Bernoulli numbers B_2, B_4, ..., B_30. */
const B2K = [
  1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510, 43867 / 798, -174611 / 330, 854513 / 138, -236364091 / 2730, 8553103 / 6, -23749461029 / 870,
  8615841276005 / 14322,
];

/** Taylor coefficients (ascending) of log Γ(2 + e) / e around e = 0 (|e| ≤ ½). */
function lgammaTaylor(f64: boolean): number[] {
  const n = f64 ? 30 : 15;
  const c = [1 - EULER];
  for (let k = 2; k <= n; k++) c.push(((k % 2 === 0 ? 1 : -1) * ZETA_M1[k - 2]) / k);
  return c;
}

/** Taylor coefficients (ascending) of ψ(2 + e) around e = 0. */
function digammaTaylor(f64: boolean): number[] {
  const n = f64 ? 31 : 16;
  const c = [1 - EULER];
  for (let k = 2; k <= n; k++) c.push((k % 2 === 0 ? 1 : -1) * ZETA_M1[k - 2]);
  return c;
}

/** log Γ(z) − [(z − ½) log z − z + ½ log 2π], for z ≥ 8 (Stirling's series). */
function stirlingCorr(z: NDArray): NDArray {
  const K = is64(z) ? 10 : 4;
  const c = B2K.slice(0, K).map((b, i) => b / ((2 * i + 2) * (2 * i + 1)));
  const w = np.reciprocal(np.square(z));
  return np.divide(poly(w, c), z);
}

/** Upper end of the range where log Γ and ψ are reduced to [1.5, 2.5) by recurrence. */
const REDUCE_TOP = 9.5;
const REDUCE_STEPS = 7;

/**
 * The reduction shared by lgamma and digamma on y > 0 below {@link REDUCE_TOP}:
 * `e` in [-½, ½) such that the function at y follows from its value at 2 + e,
 * and the shifts j = 1..m (y − j > 0) of the downward recurrence (factors 1 where unused).
 */
function reduce(y: NDArray): { e: NDArray; shifts: NDArray[] } {
  const m = W(np.greaterEqual(y, 1.5), np.floor(np.subtract(y, 1.5)), 0);
  const e = W(np.less(y, 0.5), y, W(np.less(y, 1.5), np.subtract(y, 1), np.subtract(np.subtract(y, 2), m)));
  const shifts: NDArray[] = [];
  for (let j = 1; j <= REDUCE_STEPS; j++) shifts.push(W(np.lessEqual(j, m), np.subtract(y, j), 1));
  return { e, shifts };
}

/** log Γ(y) for y > 0. */
function lgammaPositive(y: NDArray): NDArray {
  const f64 = is64(y);
  const low = np.less(y, REDUCE_TOP);
  // below REDUCE_TOP: log Γ(y) = S(e) + corrections, S(e) = log Γ(2 + e)
  const yl = W(low, y, 2);
  const { e, shifts } = reduce(yl);
  const S = np.multiply(e, poly(e, lgammaTaylor(f64)));
  let prod = shifts[0];
  for (let j = 1; j < shifts.length; j++) prod = np.multiply(prod, shifts[j]);
  // y < 0.5: log Γ(y) = log Γ(y + 2) − log(y (y + 1));  0.5 ≤ y < 1.5: log Γ(y + 1) − log y
  const below = W(np.less(yl, 0.5), np.negative(np.add(np.log1p(yl), np.log(yl))), W(np.less(yl, 1.5), np.negative(np.log(yl)), 0));
  const small = np.add(np.add(S, below), np.log(prod));
  // Stirling above: y (log y − 1) − ½ log y + ½ log 2π + corr(y)
  const fin = np.isfinite(y);
  const yb = W(np.logicalAnd(np.logicalNot(low), fin), y, REDUCE_TOP);
  const ly = np.log(yb);
  const big = np.add(np.subtract(np.multiply(yb, np.subtract(ly, 1)), np.multiply(ly, 0.5)), np.add(stirlingCorr(yb), LOG_SQRT_2PI));
  return W(low, small, W(fin, big, y));
}

/** cot(πr) as cos/sin: unlike 1/tan, its derivatives stay well conditioned at r = ±½. */
function cotPi(r: NDArray): NDArray {
  const t = np.multiply(r, PI);
  return np.divide(np.cos(t), np.sin(t));
}

/** x − round(x), in [−½, ½]: the argument reduction of the reflection formulas. */
function fracPart(x: NDArray): NDArray {
  return np.subtract(x, np.round(x));
}

// ---- gamma family --------------------------------------------------------------------------

/**
 * log |Γ(x)|, also for negative non-integers (+inf at the poles). Reflection for x ≤ 0; for
 * x > 0 a Taylor series about 2 after recurrence into [1.5, 2.5) below 9.5 (accurate near
 * the zeros at 1 and 2), Stirling's series above.
 */
export function lgamma(x: ArrayLike): NDArray {
  const a = fl(x);
  const pos = np.greater(a, 0);
  const L = lgammaPositive(W(pos, a, np.subtract(1, a)));
  const r = W(pos, 0.5, fracPart(a));
  const s = np.abs(np.sin(np.multiply(r, PI)));
  return W(pos, L, np.subtract(np.subtract(LOG_PI, np.log(s)), L));
}

/** ψ(y) for y > 0. */
function digammaPositive(y: NDArray): NDArray {
  const f64 = is64(y);
  const low = np.less(y, REDUCE_TOP);
  const yl = W(low, y, 2);
  const { e, shifts } = reduce(yl);
  let acc = poly(e, digammaTaylor(f64));
  // upward: ψ(y) = ψ(y + 2) − 1/(y + 1) − 1/y, or ψ(y + 1) − 1/y
  const below = W(np.less(yl, 0.5), np.negative(np.add(np.reciprocal(np.add(yl, 1)), np.reciprocal(yl))), W(np.less(yl, 1.5), np.negative(np.reciprocal(yl)), 0));
  acc = np.add(acc, below);
  // downward: ψ(y) = ψ(y − m) + Σ 1/(y − j); unused shifts are 1 and contribute nothing
  const m = W(np.greaterEqual(yl, 1.5), np.floor(np.subtract(yl, 1.5)), 0);
  shifts.forEach((s, i) => (acc = np.add(acc, W(np.lessEqual(i + 1, m), np.reciprocal(s), 0))));
  // asymptotic: ψ(z) = log z − 1/(2z) − Σ B_2k / (2k z^2k)
  const fin = np.isfinite(y);
  const z = W(np.logicalAnd(np.logicalNot(low), fin), y, REDUCE_TOP);
  const K = f64 ? 10 : 4;
  const w = np.reciprocal(np.square(z));
  const tail = np.multiply(w, poly(w, B2K.slice(0, K).map((b, k) => b / (2 * k + 2))));
  const big = np.subtract(np.subtract(np.log(z), np.divide(0.5, z)), tail);
  return W(low, acc, W(fin, big, y));
}

/** ψ(x) = d/dx log Γ(x), also for negative non-integers (reflection); NaN at negative integers, −inf at 0. */
export function digamma(x: ArrayLike): NDArray {
  const a = fl(x);
  const pos = np.greater(a, 0);
  const P = digammaPositive(W(pos, a, np.subtract(1, a)));
  const r = W(pos, 0.25, fracPart(a));
  const refl = np.subtract(P, np.multiply(cotPi(r), PI));
  const atPole = np.logicalAnd(np.logicalNot(pos), np.equal(r, 0));
  return W(pos, P, W(atPole, W(np.equal(a, 0), -Infinity, NaN), refl));
}

/** Coefficients (ascending in c) of P_n with dⁿ/duⁿ cot u = P_n(cot u). */
function cotDerivative(n: number): number[] {
  let p = [0, 1];
  for (let k = 0; k < n; k++) {
    // P_{k+1}(c) = −(1 + c²) P_k'(c)
    const d = p.slice(1).map((v, i) => v * (i + 1));
    const next = new Array<number>(d.length + 2).fill(0);
    d.forEach((v, i) => {
      next[i] -= v;
      next[i + 2] -= v;
    });
    p = next;
  }
  return p;
}

function factorial(n: number): number {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return f;
}

/** ψ⁽ⁿ⁾(y) for y > 0 and n ≥ 1: upward recurrence, then the asymptotic series. */
function polygammaPositive(n: number, y: NDArray): NDArray {
  const f64 = is64(y);
  const M = (f64 ? 10 : 6) + n;
  const K = f64 ? 10 : 5;
  const sign = n % 2 === 1 ? 1 : -1; // (−1)^{n+1}
  const nf = factorial(n);
  let s: NDArray = np.zerosLike(y);
  for (let j = 0; j < M; j++) s = np.add(s, np.power(np.add(y, j), -(n + 1)));
  const z = np.add(y, M);
  const zi = np.reciprocal(z);
  // (n−1)!/zⁿ + n!/(2z^{n+1}) + Σ_k B_2k (2k+n−1)!/(2k)! / z^{2k+n}
  const c = B2K.slice(0, K).map((b, k) => (b * factorial(2 * k + 2 + n - 1)) / factorial(2 * k + 2));
  const w = np.square(zi);
  const inner = np.add(np.add(factorial(n - 1), np.multiply(zi, nf / 2)), np.multiply(w, poly(w, c)));
  const asym = np.multiply(np.power(zi, n), inner);
  return np.multiply(np.add(np.multiply(s, nf), asym), sign);
}

/**
 * ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function, for a static integer n ≥ 0; also for
 * negative non-integers (reflection with the n-th derivative of π cot πx).
 */
export function polygamma(n: number, x: ArrayLike): NDArray {
  if (!Number.isInteger(n) || n < 0) throw new Error(`polygamma: n must be a non-negative integer, got ${n}`);
  if (n === 0) return digamma(x);
  const a = fl(x);
  const pos = np.greater(a, 0);
  const P = polygammaPositive(n, W(pos, a, np.subtract(1, a)));
  const r = W(pos, 0.25, fracPart(a));
  // ψ⁽ⁿ⁾(x) = −π^{n+1} P_n(cot πx) − (−1)^{n+1} ψ⁽ⁿ⁾(1 − x)
  const cot = cotPi(r);
  const refl = np.subtract(np.multiply(poly(cot, cotDerivative(n)), -(PI ** (n + 1))), np.multiply(P, n % 2 === 1 ? 1 : -1));
  return W(pos, P, refl);
}

/** ψ′(x) = polygamma(1, x), also for negative non-integers. */
export function trigamma(x: ArrayLike): NDArray {
  return polygamma(1, x);
}

/**
 * log |B(a, b)| = log|Γ(a)| + log|Γ(b)| − log|Γ(a + b)|; with Stirling differences when an
 * argument is 8 or more, so large arguments do not cancel.
 */
export function lbeta(a: ArrayLike, b: ArrayLike): NDArray {
  const [A, B] = promoteFloat(a, b);
  const x = np.minimum(A, B);
  const y = np.maximum(A, B);
  const T = 8;
  const bothLarge = np.greaterEqual(x, T);
  const smallLarge = np.logicalAnd(np.logicalAnd(np.greater(x, 0), np.less(x, T)), np.greaterEqual(y, T));
  const plain = np.logicalNot(np.logicalOr(bothLarge, smallLarge));
  // plain
  const xp = W(plain, x, 1);
  const yp = W(plain, y, 1);
  const vPlain = np.subtract(np.add(lgamma(xp), lgamma(yp)), lgamma(np.add(xp, yp)));
  // one small: log Γ(x) + (y − ½) log1p(−x/(x+y)) − x log(x+y) + x + corr(y) − corr(x+y)
  const xs = W(smallLarge, x, 1);
  const ys = W(smallLarge, y, T);
  const ss = np.add(xs, ys);
  const vSL = np.add(
    np.add(lgamma(xs), np.multiply(np.subtract(ys, 0.5), np.log1p(np.negative(np.divide(xs, ss))))),
    np.add(np.subtract(xs, np.multiply(xs, np.log(ss))), np.subtract(stirlingCorr(ys), stirlingCorr(ss))),
  );
  // both large: ½ log 2π − ½ log y + (x − ½) log(x/(x+y)) + y log1p(−x/(x+y)) + corr(x) + corr(y) − corr(x+y)
  const xl = W(bothLarge, x, T);
  const yl = W(bothLarge, y, T);
  const sl = np.add(xl, yl);
  const vLL = np.add(
    np.add(np.subtract(LOG_SQRT_2PI, np.multiply(np.log(yl), 0.5)), np.multiply(np.subtract(xl, 0.5), np.log(np.divide(xl, sl)))),
    np.add(np.multiply(yl, np.log1p(np.negative(np.divide(xl, sl)))), np.subtract(np.add(stirlingCorr(xl), stirlingCorr(yl)), stirlingCorr(sl))),
  );
  return W(bothLarge, vLL, W(smallLarge, vSL, vPlain));
}

/** log Γ_d(a), the multivariate log-gamma function: d(d−1)/4 log π + Σ_{j<d} log Γ(a − j/2), d a static integer. */
export function multigammaln(a: ArrayLike, d: number): NDArray {
  if (!Number.isInteger(d) || d < 1) throw new Error(`multigammaln: d must be a positive integer, got ${d}`);
  const A = fl(a);
  const offs = np.array(
    Array.from({ length: d }, (_, j) => j / 2),
    A.dtype,
  );
  const terms = lgamma(np.subtract(np.expandDims(A, -1), offs));
  return np.add(np.sum(terms, -1), ((d * (d - 1)) / 4) * LOG_PI);
}

// ---- normal distribution and error function ------------------------------------------------

/** Wichura's AS241 coefficients (PPND16, about 1e-16 relative). */
const AS241 = {
  a: [3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457, 67265.770927008700853, 33430.575583588128105, 2509.0809287301226727],
  b: [1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061, 28729.085735721942674, 5226.495278852854561],
  c: [1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4],
  d: [1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9],
  e: [6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093, 0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7],
  f: [1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4, 1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15],
};

/**
 * Φ⁻¹ from q = p − ½ and pmin = min(p, 1 − p), each computed exactly by the caller (AS241:
 * a rational function of q near the centre, of sqrt(−log pmin) in the tails).
 */
function as241(q: NDArray, pmin: NDArray): NDArray {
  const central = np.lessEqual(np.abs(q), 0.425);
  const qc = W(central, q, 0);
  const r = np.subtract(0.180625, np.square(qc));
  const vc = np.divide(np.multiply(qc, poly(r, AS241.a)), poly(r, AS241.b));
  const tail = np.logicalAnd(np.logicalNot(central), np.greater(pmin, 0));
  const t = np.sqrt(np.negative(np.log(W(tail, pmin, 0.01))));
  const near = np.lessEqual(t, 5);
  const t1 = np.subtract(W(near, t, 1.6), 1.6);
  const t2 = np.subtract(W(near, 5, t), 5);
  const vt = W(near, np.divide(poly(t1, AS241.c), poly(t1, AS241.d)), np.divide(poly(t2, AS241.e), poly(t2, AS241.f)));
  const neg = np.less(q, 0);
  const signed = W(neg, np.negative(vt), vt);
  const inf = W(neg, -Infinity, Infinity);
  const bad = np.logicalOr(np.less(pmin, 0), np.isnan(pmin));
  return W(bad, NaN, W(central, vc, W(tail, signed, inf)));
}

/** Φ⁻¹(p), the inverse of the standard normal CDF (AS241; accurate in both tails, ±inf at 0 and 1). */
export function ndtri(p: ArrayLike): NDArray {
  const P = fl(p);
  return as241(np.subtract(P, 0.5), np.minimum(P, np.subtract(1, P)));
}

/** erf⁻¹(x) on [−1, 1] (via AS241 with exact arguments: erfinv(x) = Φ⁻¹((1 + x)/2)/√2). */
export function erfinv(x: ArrayLike): NDArray {
  const X = fl(x);
  const pmin = np.multiply(np.subtract(1, np.abs(X)), 0.5);
  return np.multiply(as241(np.multiply(X, 0.5), pmin), SQRT1_2);
}

/** Φ(x), the standard normal CDF, via erfc (accurate in both tails). */
export function ndtr(x: ArrayLike): NDArray {
  const X = fl(x);
  return np.multiply(np.erfc(np.multiply(X, -SQRT1_2)), 0.5);
}

/**
 * log Φ(x): log1p(−Φ(−x)) for x > 0, log Φ(x) in the middle, and for x below −20 (float64)
 * or −10 (float32) the asymptotic series −x²/2 − log(−x) − ½ log 2π + log(1 − 1/x² + 3/x⁴ − ...).
 */
export function logNdtr(x: ArrayLike): NDArray {
  const X = fl(x);
  const f64 = is64(X);
  const lower = f64 ? -20 : -10;
  const K = f64 ? 12 : 6;
  const isLow = np.lessEqual(X, lower);
  const isUp = np.greater(X, 0);
  const xu = W(isUp, X, 0);
  const up = np.log1p(np.multiply(np.erfc(np.multiply(xu, SQRT1_2)), -0.5));
  const xm = W(np.logicalOr(isLow, isUp), -1, X);
  const mid = np.log(np.multiply(np.erfc(np.multiply(xm, -SQRT1_2)), 0.5));
  const xa = W(isLow, X, lower);
  const w = np.reciprocal(np.square(xa));
  // Σ_{k=1..K} (−1)^k (2k−1)!! w^k
  const c: number[] = [];
  let df = 1;
  for (let k = 1; k <= K; k++) {
    df *= 2 * k - 1;
    c.push((k % 2 === 1 ? -1 : 1) * df);
  }
  const series = np.multiply(w, poly(w, c));
  const low = np.add(np.subtract(np.multiply(np.square(xa), -0.5), np.add(np.log(np.negative(xa)), LOG_SQRT_2PI)), np.log1p(series));
  return W(isLow, low, W(isUp, up, mid));
}

// ---- logs and exponentials -----------------------------------------------------------------

/** x · log(y), 0 where x = 0 (unless y is NaN); the gradient stays finite at x = y = 0. */
export function xlogy(x: ArrayLike, y: ArrayLike): NDArray {
  const [X, Y] = promoteFloat(x, y);
  const regular = np.logicalAnd(np.greater(Y, 0), np.less(Y, Infinity));
  const zero = np.logicalAnd(np.equal(X, 0), np.logicalNot(np.isnan(Y)));
  return np.multiply(X, np.log(W(np.logicalAnd(zero, np.logicalNot(regular)), 1, Y)));
}

/** x · log1p(y), 0 where x = 0 (unless y is NaN); the gradient stays finite at x = 0, y = −1. */
export function xlog1py(x: ArrayLike, y: ArrayLike): NDArray {
  const [X, Y] = promoteFloat(x, y);
  const regular = np.logicalAnd(np.greater(Y, -1), np.less(Y, Infinity));
  const zero = np.logicalAnd(np.equal(X, 0), np.logicalNot(np.isnan(Y)));
  return np.multiply(X, np.log1p(W(np.logicalAnd(zero, np.logicalNot(regular)), 0, Y)));
}

/** log(1 − e^{−|x|}), stable everywhere (Mächler: log(−expm1(−|x|)) below log 2, log1p(−e^{−|x|}) above). */
export function log1mexp(x: ArrayLike): NDArray {
  const a = np.abs(fl(x));
  const small = np.less(a, LN2);
  const as = W(small, a, LN2);
  const al = W(small, LN2, a);
  return W(small, np.log(np.negative(np.expm1(np.negative(as)))), np.log1p(np.negative(np.exp(np.negative(al)))));
}

/** log(e^a + e^b), stable (−inf when both are −inf). */
export function logaddexp(a: ArrayLike, b: ArrayLike): NDArray {
  const [A, B] = promoteFloat(a, b);
  const m = np.maximum(A, B);
  const d = np.subtract(A, B);
  const bad = np.isnan(d);
  const ds = W(bad, 0, d);
  return W(bad, np.add(A, B), np.add(m, np.log1p(np.exp(np.negative(np.abs(ds))))));
}

/**
 * log Σ exp(x) over `axis` (all axes by default), shifted by the (gradient-stopped) maximum:
 * the gradient is exactly softmax; a slice of all −inf gives −inf (and a zero gradient).
 */
export function logsumexp(x: ArrayLike, axis?: number | readonly number[] | null, keepdims = false): NDArray {
  const X = fl(x);
  const axes = normAxes("logsumexp", axis, X.ndim);
  const m = np.max(X, axes, true);
  const ms = stopGradient(W(np.isfinite(m), m, 0));
  const s = np.sum(np.exp(np.subtract(X, ms)), axes, true);
  const empty = np.equal(s, 0);
  let out = np.add(W(empty, -Infinity, np.log(W(empty, 1, s))), ms);
  if (!keepdims) out = np.squeeze(out, axes);
  return out;
}

/** log(1 + eˣ), stable for all x. */
export function softplus(x: ArrayLike): NDArray {
  const X = fl(x);
  return np.add(np.log1p(np.exp(np.negative(np.abs(X)))), np.maximum(X, 0));
}

/** log σ(x) = −softplus(−x). */
export function logSigmoid(x: ArrayLike): NDArray {
  return np.negative(softplus(np.negative(fl(x))));
}

/** log(p / (1 − p)), computed as log p − log1p(−p). */
export function logit(p: ArrayLike): NDArray {
  const P = fl(p);
  return np.subtract(np.log(P), np.log1p(np.negative(P)));
}

/** The logistic sigmoid 1/(1 + e⁻ˣ). */
export function expit(x: ArrayLike): NDArray {
  return np.sigmoid(fl(x));
}

// ---- incomplete gamma and beta (primitives) ------------------------------------------------

/**
 * P(a, x), the regularized lower incomplete gamma function. Differentiable in x (the gamma
 * density) and in a (forward-mode derivative of the series / continued fraction); second
 * derivatives with respect to a are not implemented (they come out NaN).
 */
export function gammainc(a: ArrayLike, x: ArrayLike): NDArray {
  const [A, X] = promoteFloat(a, x);
  return bind1(gammaincPrim, [A, X], null);
}

/** Q(a, x) = 1 − P(a, x), the regularized upper incomplete gamma function (accurate when small); gradients as {@link gammainc}. */
export function gammaincc(a: ArrayLike, x: ArrayLike): NDArray {
  const [A, X] = promoteFloat(a, x);
  return bind1(gammainccPrim, [A, X], null);
}

/**
 * I_x(a, b), the regularized incomplete beta function. Differentiable in x (the beta density)
 * and in a and b (forward-mode derivatives of the continued fraction); second derivatives with
 * respect to a and b are not implemented (they come out NaN).
 */
export function betainc(a: ArrayLike, b: ArrayLike, x: ArrayLike): NDArray {
  const [A, B, X] = promoteFloat(a, b, x);
  return bind1(betaincPrim, [A, B, X], null);
}

// ---- Bessel functions ----------------------------------------------------------------------

/** Chebyshev coefficients: e^{−x} I0(x) on [0, 8] in t = x/4 − 1. */
const I0_SMALL = [
  0.33839763720473803, -0.3046826723431984, 0.17162090152220877, -0.09490109704804764, 0.04930528423967071, -0.02373741480589947, 0.010546460394594998, -0.004324309995050576,
  0.0016394756169413357, -0.0005763755745385824, 0.00018850288509584165, -5.754195010082104e-5, 1.6448448070728896e-5, -4.4167383584587505e-6, 1.1173875391201037e-6,
  -2.670793853940612e-7, 6.046995022541919e-8, -1.300025009986248e-8, 2.6598237246823866e-9, -5.189795601635263e-10, 9.675809035373237e-11, -1.726826291441556e-11,
  2.95505266312964e-12, -4.856446783111929e-13, 7.676185498604936e-14, -1.1685332877993451e-14, 1.715391285555133e-15, -2.431279846547955e-16, 3.3307945188222384e-17,
  -4.4153416464793395e-18,
];
/** √x e^{−x} I0(x) on [8, ∞) in t = 16/x − 1. */
const I0_LARGE = [
  0.4022452055070544, 0.0033691164782556943, 6.889758346916825e-5, 2.8913705208347567e-6, 2.0489185894690638e-7, 2.266668990498178e-8, 3.3962320257083865e-9, 4.94060238822497e-10,
  1.1889147107846439e-11, -3.1499165279632416e-11, -1.3215811840447713e-11, -1.7941785315068062e-12, 7.180124451383666e-13, 3.8527783827421426e-13, 1.54008621752141e-14,
  -4.150569347287222e-14, -9.554846698828307e-15, 3.8116806693526224e-15, 1.7725601330565263e-15, -3.425485619677219e-16, -2.8276239805165836e-16, 3.461222867697461e-17,
  4.46562142029676e-17, -4.830504485944182e-18, -7.233180487874754e-18,
];
/** e^{−x} I1(x) / x on [0, 8] in t = x/4 − 1. */
const I1_SMALL = [
  0.12629359322181682, -0.17641651835783406, 0.1026436586898471, -0.05294598120809499, 0.024726449030626516, -0.010564084894626197, 0.004156422944312888, -0.0015135724506312532,
  0.0005122859561685758, -0.00016176081582589674, 4.781565107550054e-5, -1.3273163656039436e-5, 3.4702513081376785e-6, -8.568720264695455e-7, 2.0032947535521353e-7,
  -4.445059128796328e-8, 9.381537386495773e-9, -1.8872497517228294e-9, 3.625590281552117e-10, -6.663489723502027e-11, 1.1736186298890901e-11, -1.9839743977649436e-12,
  3.223793365945575e-13, -5.042185504727912e-14, 7.600684294735408e-15, -1.1055969477353862e-15, 1.5536319577362005e-16, -2.111421214358166e-17, 2.7779141127610464e-18,
];
/** √x e^{−x} I1(x) on [8, ∞) in t = 16/x − 1. */
const I1_LARGE = [
  0.38928811750914005, -0.009761097491361469, -0.00011058893876262371, -3.882564808877691e-6, -2.512236237870209e-7, -2.6314688468895196e-8, -3.835380385964237e-9,
  -5.589743462196584e-10, -1.8974958123505413e-11, 3.2526035830154884e-11, 1.4125807436613782e-11, 2.0356285441470896e-12, -7.198551776245908e-13, -4.0835511110921974e-13,
  -2.1015418427726643e-14, 4.272440016711951e-14, 1.0420276984128802e-14, -3.8144030724370075e-15, -1.8803547755107825e-15, 3.3082023109209285e-16, 2.96262899764595e-16,
  -3.209525921993424e-17, -4.6503053684893586e-17, 4.414348323071708e-18, 7.517296310842105e-18,
];

/** The Chebyshev terms a dtype needs (float32 drops terms below 1e-10 of the leading one). */
function terms(c: readonly number[], f64: boolean): number[] {
  if (f64) return [...c];
  let n = c.length;
  while (n > 1 && Math.abs(c[n - 1]) < 1e-10 * Math.abs(c[0])) n--;
  return c.slice(0, n);
}

/** Bessel kernel: [small-branch t, large-branch t, large mask, safe |x|] for Chebyshev series on [0, 8] and [8, ∞). */
function besselArgs(x: NDArray) {
  const ax = np.abs(x);
  const large = np.greater(ax, 8);
  const as = W(large, 8, ax);
  const al = W(large, ax, 8);
  return { ax, large, al, ts: np.subtract(np.multiply(as, 0.25), 1), tl: np.subtract(np.divide(16, al), 1) };
}

/** e^{−|x|} I₀(x), the exponentially scaled modified Bessel function of order 0 (Chebyshev series). */
export function i0e(x: ArrayLike): NDArray {
  const X = fl(x);
  const f64 = is64(X);
  const { large, al, ts, tl } = besselArgs(X);
  return W(large, np.divide(chebyshev(tl, terms(I0_LARGE, f64)), np.sqrt(al)), chebyshev(ts, terms(I0_SMALL, f64)));
}

/** e^{−|x|} I₁(x), the exponentially scaled modified Bessel function of order 1 (odd in x). */
export function i1e(x: ArrayLike): NDArray {
  const X = fl(x);
  const f64 = is64(X);
  const { large, al, ts, tl } = besselArgs(X);
  const big = np.multiply(np.divide(chebyshev(tl, terms(I1_LARGE, f64)), np.sqrt(al)), np.sign(X));
  return W(large, big, np.multiply(X, chebyshev(ts, terms(I1_SMALL, f64))));
}
