/**
 * Numerical building blocks shared by the continuous distributions, written with core ops so
 * that they differentiate, vmap and jit: log-densities that avoid cancellation for large shape
 * parameters (Stirling differences), quantiles of the gamma and beta families by Newton's method
 * in log / logit space, and accurate log-space quantities of the standard normal used by the
 * truncated normal.
 */
import { getBackend, np, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";

const W = np.where;
const LOG_SQRT_2PI = 0.9189385332046728;

/**
 * `fn` evaluated on float64 copies of float32 arguments where the backend computes in float64
 * (the js backend), with the result cast back to float32; elsewhere (tfjs backends, or already
 * float64) on the arguments as they are. For the few intermediate quantities float32 cannot
 * hold, such as log x − loc for a log-normal of scale 1e-4.
 */
export function inFloat64(fn: (...args: NDArray[]) => NDArray, ...args: ArrayLike[]): NDArray {
  const arrs = args.map((a) => np.asarray(a));
  if (getBackend() !== "js" || arrs.every((a) => a.dtype !== "float32")) return fn(...arrs);
  return np.astype(fn(...arrs.map((a) => (a.dtype === "float32" ? np.astype(a, "float64") : a))), "float32");
}

/** Above this shape parameter, log densities use Stirling differences instead of lgamma. */
const STIRLING_FROM = 10;

/** log Γ(a) − [(a − ½) log a − a + ½ log 2π], for a ≥ 10 (the first four terms of Stirling's series). */
export function stirlingCorr(a: NDArray): NDArray {
  const w = np.reciprocal(np.square(a));
  const series = np.add(1 / 12, np.multiply(w, np.add(-1 / 360, np.multiply(w, np.add(1 / 1260, np.multiply(w, -1 / 1680))))));
  return np.divide(series, a);
}

/** ψ(a) − log a for a ≥ 10 by its asymptotic series (no cancellation). */
export function digammaMinusLog(a: NDArray): NDArray {
  const w = np.reciprocal(np.square(a));
  const series = np.multiply(w, np.add(-1 / 12, np.multiply(w, np.add(1 / 120, np.multiply(w, np.add(-1 / 252, np.multiply(w, 1 / 240)))))));
  return np.subtract(series, np.divide(0.5, a));
}

/**
 * log(1 + d) − d, accurate also for small |d| (via s = d/(2 + d): −d s + 2 Σ s^{2k+1}/(2k+1),
 * k ≥ 1). `ratio` is 1 + d when it is known more accurately than d (for d near −1).
 */
export function log1pmx(d: ArrayLike, ratio?: ArrayLike): NDArray {
  const D = np.asarray(d);
  const small = np.less(np.abs(D), 0.5);
  const ds = W(small, D, 0);
  const s = np.divide(ds, np.add(ds, 2));
  const s2 = np.square(s);
  let acc: NDArray = np.fullLike(s2, 1 / 17);
  for (let k = 7; k >= 1; k--) acc = np.add(np.multiply(acc, s2), 1 / (2 * k + 1));
  const series = np.subtract(np.multiply(np.multiply(2, np.multiply(s, s2)), acc), np.multiply(ds, s));
  const dl = W(small, 1, D);
  const rl = W(small, 2, ratio === undefined ? np.add(1, D) : ratio);
  return W(small, series, np.subtract(np.log(rl), dl));
}

/** log(1 + u²) without overflow for large |u|. */
export function log1pSquare(u: ArrayLike): NDArray {
  const U = np.abs(u);
  const big = np.greater(U, 1);
  const us = W(big, 1, U);
  const ub = W(big, U, 1);
  return W(big, np.add(np.multiply(2, np.log(ub)), np.log1p(np.reciprocal(np.square(ub)))), np.log1p(np.square(us)));
}

/**
 * log of the standard gamma density z^{a−1} e^{−z} / Γ(a). For a ≥ 10 it is written around the
 * mode with Stirling's series, a·log1pmx(d) − log1p(d) − ½ log a − ½ log 2π − corr(a) with
 * d = z/a − 1, which avoids the cancellation of the textbook terms.
 */
export function logStdGammaDensity(a: NDArray, z: NDArray): NDArray {
  const big = np.greaterEqual(a, STIRLING_FROM);
  const as = W(big, 1, a);
  const plain = np.subtract(np.subtract(special.xlogy(np.subtract(as, 1), z), z), special.lgamma(as));
  const al = W(big, a, STIRLING_FROM);
  const r = np.divide(z, al);
  const d = np.subtract(r, 1);
  const stir = np.subtract(
    np.subtract(np.multiply(al, log1pmx(d, r)), np.log(r)),
    np.add(np.add(np.multiply(0.5, np.log(al)), LOG_SQRT_2PI), stirlingCorr(al)),
  );
  return W(big, stir, plain);
}

/**
 * log of the beta density x^{a−1} (1−x)^{b−1} / B(a, b), with log(1 − x) = log1p(−x) below ½
 * (1 − x itself is exact above). When both concentrations are ≥ 10 it is written around the
 * mean with Stirling differences: a·log1pmx(d₁) + b·log1pmx(d₂) − log(x y) + ½ log(a b/(2π n))
 * − corrections, where n = a + b, d₁ = (x n − a)/a, d₂ = −(x n − a)/b (the first-order terms
 * cancel exactly: a d₁ + b d₂ = 0); when only one is, around its gamma limit
 * (see logMixedBetaDensity). Both avoid the cancellation of the textbook terms.
 */
export function logBetaDensity(a: NDArray, b: NDArray, x: NDArray): NDArray {
  const y = np.subtract(1, x);
  const small = np.less(x, 0.5);
  const logx = np.log(x);
  const logy = W(small, np.log1p(np.negative(x)), np.log(y));
  const big = np.logicalAnd(np.greaterEqual(a, STIRLING_FROM), np.greaterEqual(b, STIRLING_FROM));
  const as = W(big, 1, a);
  const bs = W(big, 1, b);
  const yTerm = W(small, special.xlog1py(np.subtract(bs, 1), np.negative(x)), special.xlogy(np.subtract(bs, 1), y));
  const plain = np.subtract(np.add(special.xlogy(np.subtract(as, 1), x), yTerm), special.lbeta(as, bs));
  const al = W(big, a, STIRLING_FROM);
  const bl = W(big, b, STIRLING_FROM);
  const n = np.add(al, bl);
  const excess = np.subtract(np.multiply(x, n), al); // x n − a
  const d1 = np.divide(excess, al);
  const d2 = np.negative(np.divide(excess, bl));
  const r1 = np.divide(np.multiply(x, n), al);
  const r2 = np.divide(np.multiply(y, n), bl);
  const shape = np.subtract(np.add(np.multiply(al, log1pmx(d1, r1)), np.multiply(bl, log1pmx(d2, r2))), np.add(logx, logy));
  const norm = np.subtract(
    np.multiply(0.5, np.subtract(np.add(np.log(al), np.log(bl)), np.log(n))),
    np.add(LOG_SQRT_2PI, np.subtract(np.add(stirlingCorr(al), stirlingCorr(bl)), stirlingCorr(n))),
  );
  const inside = np.logicalAnd(np.greater(x, 0), np.greater(y, 0));
  // one concentration ≥ 10 and the other below: around the gamma limit of the large side
  const aLarge = np.greaterEqual(a, b);
  const mixed = np.logicalAnd(np.logicalNot(big), np.greaterEqual(np.maximum(a, b), STIRLING_FROM));
  const large = W(mixed, W(aLarge, a, b), STIRLING_FROM);
  const smallC = W(mixed, W(aLarge, b, a), 1);
  const near = W(aLarge, y, x); // the coordinate that is small under the large concentration
  const far = W(aLarge, x, y);
  const logFar = W(aLarge, logx, logy);
  const gammaLimit = logMixedBetaDensity(large, smallC, near, far, logFar);
  return W(big, W(inside, np.add(shape, norm), -Infinity), W(mixed, W(inside, gammaLimit, plain), plain));
}

/**
 * log of the beta density with one large concentration L (≥ 10) and a smaller S, at the point
 * whose coordinate under S is `near` (its complement `far`, with log far). With z = L·near
 * (approximately Gamma(S, 1)):
 * log L + log Gamma(S, 1)(z) + L·log1pmx(−near) − log(far) + (L + S − ½)·log1pmx(S/L)
 * + S(S − ½)/L − corr(L) + corr(L + S), from log B(L, S) by Stirling differences. No term is
 * much larger than the result, unlike (L − 1) log far and log B(L, S).
 */
function logMixedBetaDensity(L: NDArray, S: NDArray, near: NDArray, far: NDArray, logFar: NDArray): NDArray {
  const z = np.multiply(L, near);
  const r = np.divide(S, L);
  const gammaPart = np.add(np.log(L), logStdGammaDensity(S, z));
  const nearPart = np.subtract(np.multiply(L, log1pmx(np.negative(near), far)), logFar);
  const normPart = np.add(np.multiply(np.subtract(np.add(L, S), 0.5), log1pmx(r)), np.divide(np.multiply(S, np.subtract(S, 0.5)), L));
  const corr = np.subtract(stirlingCorr(np.add(L, S)), stirlingCorr(L));
  return np.add(np.add(gammaPart, nearPart), np.add(normPart, corr));
}

/** Smallest and largest positive normal float32 and their logs (the range Newton iterates are kept in). */
const TINY = 1.1754943508222875e-38;
const HUGE = 3.4e38;
const LOG_TINY = Math.log(TINY);
const LOG_HUGE = Math.log(HUGE);
const SOLVER_STEPS = 40;

/**
 * The root of an increasing function h on [lo, hi], from `u0`: Newton steps `u − h/h'` that stay
 * inside the bracket known so far, bisection otherwise (a fixed number of rounds, so it traces).
 * `h(u)` returns the value and the (positive) derivative.
 */
function solveIncreasing(u0: NDArray, lo0: number, hi0: number, h: (u: NDArray) => [NDArray, NDArray]): NDArray {
  let u = np.clip(u0, lo0, hi0);
  let lo: NDArray = np.fullLike(u, lo0);
  let hi: NDArray = np.fullLike(u, hi0);
  for (let i = 0; i < SOLVER_STEPS; i++) {
    const [v, slope] = h(u);
    lo = W(np.less(v, 0), u, lo);
    hi = W(np.greater(v, 0), u, hi);
    const cand = np.subtract(u, np.divide(v, slope));
    const inside = np.logicalAnd(np.isfinite(cand), np.logicalAnd(np.greaterEqual(cand, lo), np.lessEqual(cand, hi)));
    u = W(inside, cand, np.multiply(0.5, np.add(lo, hi)));
  }
  return u;
}

/** A Newton step h/h' from a residual and its derivative, limited to ±1 (a polishing step). */
function newtonStep([r, slope]: [NDArray, NDArray]): NDArray {
  return np.clip(np.divide(r, slope), -1, 1);
}

/**
 * For the gamma quantile: ±(log F − target) with F = P(a, x) where `lower`, else Q(a, x) (the
 * sign makes it increasing in log x), and its derivative in log x, x f(x)/F = x^a e^{−x}/(Γ(a) F).
 */
function gammaResidual(a: NDArray, lower: NDArray, target: NDArray, x: NDArray, logx: NDArray): [NDArray, NDArray] {
  const F = W(lower, special.gammainc(a, x), special.gammaincc(a, x));
  const logF = np.log(np.maximum(F, TINY));
  const slope = np.exp(np.subtract(np.subtract(np.subtract(np.multiply(a, logx), x), special.lgamma(a)), logF));
  return [np.multiply(W(lower, 1, -1), np.subtract(logF, target)), slope];
}

/**
 * For the beta quantile: ±(log F − target) with F = I_x(a, b) where `lower`, else I_y(b, a), and
 * its derivative in logit x, x^a y^b / (B(a, b) F). Each tail is evaluated directly or as the
 * complement of the other, whichever has the smaller rounding error (x f/F directly,
 * (1 − F + y f)/F as a complement, and vice versa): when x is below the float resolution of
 * 1 − y, only the complement is accurate.
 */
function betaResidual(a: NDArray, b: NDArray, lower: NDArray, target: NDArray, x: NDArray, y: NDArray): [NDArray, NDArray] {
  const lx = np.log(x);
  const ly = np.log(y);
  const logXYf = np.subtract(np.add(np.multiply(a, lx), np.multiply(b, ly)), special.lbeta(a, b));
  const xf = np.exp(np.subtract(logXYf, ly));
  const yf = np.exp(np.subtract(logXYf, lx));
  const Ix = special.betainc(a, b, x);
  const Iy = special.betainc(b, a, y);
  const choose = (direct: NDArray, other: NDArray, dDensity: NDArray, oDensity: NDArray) => {
    const viaOther = np.subtract(1, other);
    const errDirect = np.divide(dDensity, np.maximum(direct, TINY));
    const errOther = np.divide(np.add(other, oDensity), np.maximum(viaOther, TINY));
    return W(np.lessEqual(errDirect, errOther), direct, viaOther);
  };
  const F = W(lower, choose(Ix, Iy, xf, yf), choose(Iy, Ix, yf, xf));
  const logF = np.log(np.maximum(F, TINY));
  return [np.multiply(W(lower, 1, -1), np.subtract(logF, target)), np.exp(np.subtract(logXYf, logF))];
}

/**
 * x with P(a, x) = p (the quantile of Gamma(a, 1)), given p and its complement pc = 1 − p,
 * both exact. Solves log P = log p (p ≤ ½) or log Q = log pc (p > ½) for u = log x: the log of a
 * gamma variable has a log-concave density, so these are concave in u and safeguarded Newton
 * converges fast. Started from Wilson–Hilferty (a > 1), the small-x series P ≈ x^a/Γ(a + 1)
 * or the large-x asymptote Q ≈ x^{a−1}e^{−x}/Γ(a); one last Newton step is taken on x itself.
 * 0 at p = 0, +∞ at p = 1.
 */
export function gammaincinv(a: NDArray, p: NDArray, pc: NDArray): NDArray {
  const lower = np.lessEqual(p, 0.5);
  const target = np.log(W(lower, p, pc));
  const lgA = special.lgamma(a);
  const z = W(lower, special.ndtri(p), np.negative(special.ndtri(pc)));
  const wh = np.add(np.subtract(1, np.divide(1, np.multiply(9, a))), np.divide(z, np.multiply(3, np.sqrt(a))));
  const logWh = np.add(np.log(a), np.multiply(3, np.log(np.maximum(wh, 1e-3))));
  const logSmall = np.divide(np.add(np.log(p), special.lgamma(np.add(a, 1))), a);
  const big0 = np.maximum(np.subtract(np.negative(np.log(pc)), lgA), 1);
  const logLarge = np.log(np.add(big0, np.multiply(np.subtract(a, 1), np.log(big0))));
  const u0 = W(np.greater(a, 1), logWh, W(lower, logSmall, logLarge));
  const u = solveIncreasing(u0, LOG_TINY, LOG_HUGE, (v) => gammaResidual(a, lower, target, np.exp(v), v));
  const x = np.exp(u);
  // the last step with the residual in float64 where available: F rounded to float32 limits the answer otherwise
  const step = inFloat64((A, L, T, X) => newtonStep(gammaResidual(A, L, T, X, np.log(X))), a, lower, target, x);
  const polished = np.multiply(x, np.exp(np.negative(step)));
  return W(np.equal(p, 0), 0, W(np.equal(pc, 0), Infinity, polished));
}

/**
 * The beta quantile as the pair (x, y = 1 − x) with I_x(a, b) = p, given p and pc = 1 − p
 * (both exact), each of x and y accurate relative to itself. Solves log I_x(a, b) = log p
 * (p ≤ ½) or log I_y(b, a) = log pc (p > ½) for t = logit x: the logit of a beta variable has a
 * log-concave density, so safeguarded Newton converges fast. Started from Numerical Recipes'
 * guesses (a normal approximation for a, b ≥ 1, the two power-law tails otherwise); one last
 * Newton step updates x and y multiplicatively.
 */
export function betaincinv(a: NDArray, b: NDArray, p: NDArray, pc: NDArray): { x: NDArray; y: NDArray } {
  const lower = np.lessEqual(p, 0.5);
  const target = np.log(W(lower, p, pc));
  // a, b ≥ 1: logit x ≈ log(a/b) − 2w, from the upper normal quantile s = −Φ⁻¹(p)
  const s = W(lower, np.negative(special.ndtri(p)), special.ndtri(pc));
  const al = np.divide(np.subtract(np.square(s), 3), 6);
  const ra = np.reciprocal(np.subtract(np.multiply(2, a), 1));
  const rb = np.reciprocal(np.subtract(np.multiply(2, b), 1));
  const h = np.divide(2, np.add(ra, rb));
  const w = np.subtract(
    np.divide(np.multiply(s, np.sqrt(np.maximum(np.add(al, h), 0))), h),
    np.multiply(np.subtract(rb, ra), np.subtract(np.add(al, 5 / 6), np.divide(2, np.multiply(3, h)))),
  );
  const tNormal = np.subtract(np.subtract(np.log(a), np.log(b)), np.multiply(2, w));
  // otherwise: I ≈ x^a / (a B) near 0 and 1 − I ≈ y^b / (b B) near 1
  const n = np.add(a, b);
  const logT = np.subtract(np.multiply(a, np.log(np.divide(a, n))), np.log(a));
  const logU = np.subtract(np.multiply(b, np.log(np.divide(b, n))), np.log(b));
  const logWsum = special.logaddexp(logT, logU);
  const inLeft = np.less(np.log(p), np.subtract(logT, logWsum));
  const logX = np.minimum(np.divide(np.add(np.add(np.log(a), logWsum), np.log(p)), a), -1e-7);
  const logY = np.minimum(np.divide(np.add(np.add(np.log(b), logWsum), np.log(pc)), b), -1e-7);
  const tPower = W(inLeft, np.subtract(logX, special.log1mexp(logX)), np.subtract(special.log1mexp(logY), logY));
  const t0 = W(np.logicalAnd(np.greaterEqual(a, 1), np.greaterEqual(b, 1)), tNormal, tPower);
  const t = solveIncreasing(t0, LOG_TINY, -LOG_TINY, (v) => betaResidual(a, b, lower, target, special.expit(v), special.expit(np.negative(v))));
  const x0 = special.expit(t);
  const y0 = special.expit(np.negative(t));
  // the last step with the residual in float64 where available; x and y are updated multiplicatively
  const step = inFloat64(
    (A, B, L, T, X, Y) => {
      // one consistent point: the smaller of x and y as it is, the other as its complement
      const xSmall = np.less(X, Y);
      return newtonStep(betaResidual(A, B, L, T, W(xSmall, X, np.subtract(1, Y)), W(xSmall, np.subtract(1, X), Y)));
    },
    a,
    b,
    lower,
    target,
    x0,
    y0,
  );
  const e = np.exp(np.negative(step));
  const denom = np.add(np.multiply(x0, e), y0);
  const x = np.divide(np.multiply(x0, e), denom);
  const y = np.divide(y0, denom);
  const atZero = np.equal(p, 0);
  const atOne = np.equal(pc, 0);
  return { x: W(atZero, 0, W(atOne, 1, x)), y: W(atZero, 1, W(atOne, 0, y)) };
}

/** Terms of the incomplete-beta continued fraction (enough where x < (a+1)/(a+b+2) by a margin). */
const BETA_CF_STEPS = 16;

/**
 * I_x(a, b) by Didonato and Morris's continued fraction (as in Boost's ibeta_fraction2),
 * x^a y^b / B(a, b) / (b₀ + a₁/(b₁ + a₂/(b₂ + ...))) with
 * a_m = (a+m−1)(a+b+m−1) m (b−m) x² / (a+2m−1)² and
 * b_m = m + m(b−m)x/(a+2m−1) + (a+m)(a y − b x + 1 + m(2 − x))/(a+2m+1), summed by modified
 * Lentz in a fixed number of steps. It takes y = 1 − x (and both logs) separately, so for x
 * close to 1 nothing cancels: the incomplete-beta primitive, taking x alone, has lost the digits
 * of 1 − x there. Accurate where x < (a + 1)/(a + b + 2) by a margin.
 */
export function betaincFraction(a: NDArray, b: NDArray, x: NDArray, y: NDArray, logx: NDArray, logy: NDArray): NDArray {
  const FPMIN = 1e-30;
  const guard = (v: NDArray) => W(np.less(np.abs(v), FPMIN), FPMIN, v);
  const x2 = np.square(x);
  const ay = np.multiply(a, y);
  const bx = np.multiply(b, x);
  const term = (m: number): [NDArray, NDArray] => {
    const den = np.add(a, 2 * m - 1);
    const aN = np.divide(np.multiply(np.multiply(np.multiply(np.add(a, m - 1), np.add(np.add(a, b), m - 1)), np.multiply(m, np.subtract(b, m))), x2), np.square(den));
    const inner = np.add(np.subtract(ay, bx), np.add(1, np.multiply(m, np.subtract(2, x))));
    const bN = np.add(np.add(m, np.divide(np.multiply(np.multiply(m, np.subtract(b, m)), x), den)), np.divide(np.multiply(np.add(a, m), inner), np.add(a, 2 * m + 1)));
    return [aN, bN];
  };
  let f = guard(term(0)[1]);
  let c = f;
  let d: NDArray = np.zerosLike(f);
  for (let m = 1; m <= BETA_CF_STEPS; m++) {
    const [aN, bN] = term(m);
    d = np.reciprocal(guard(np.add(bN, np.multiply(aN, d))));
    c = guard(np.add(bN, np.divide(aN, c)));
    f = np.multiply(f, np.multiply(c, d));
  }
  const logFront = np.subtract(np.add(np.multiply(a, logx), np.multiply(b, logy)), special.lbeta(a, b));
  return np.divide(np.exp(logFront), f);
}

// ---- the standard normal in log space -------------------------------------------------------

/** log φ(z) for the standard normal density. */
export function logPhi(z: ArrayLike): NDArray {
  return np.subtract(np.multiply(-0.5, np.square(z)), LOG_SQRT_2PI);
}

/**
 * Φ⁻¹(e^{lp}) for log-probabilities down to the deepest tails: ndtri where e^{lp} is a normal
 * float32, else the asymptotic x ≈ −√(L − log L − log 2π), L = −2 lp, refined by Newton on log Φ.
 */
export function ndtriLog(lp: NDArray): NDArray {
  const threshold = -80;
  const deep = np.less(lp, threshold);
  const main = special.ndtri(np.exp(W(deep, -1, lp)));
  const l = W(deep, lp, threshold);
  const L = np.multiply(-2, l);
  let x = np.negative(np.sqrt(np.subtract(np.subtract(L, np.log(L)), 2 * LOG_SQRT_2PI)));
  for (let i = 0; i < 4; i++) {
    const ln = special.logNdtr(x);
    x = np.subtract(x, np.multiply(np.subtract(ln, l), np.exp(np.subtract(ln, logPhi(x)))));
  }
  return W(deep, x, main);
}

/** 8-point Gauss–Legendre nodes and weights on [−1, 1]. */
const GL_X = [-0.960289856497536, -0.7966664774136267, -0.525532409916329, -0.1834346424956498, 0.1834346424956498, 0.525532409916329, 0.7966664774136267, 0.960289856497536];
const GL_W = [0.1012285362903763, 0.2223810344533745, 0.3137066458778873, 0.362683783378362, 0.362683783378362, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763];

/**
 * Whether an interval of width w with midpoint m is narrow for the standard normal:
 * w·max(1, |m|) < 2, where Φ(b) − Φ(a) cancels but the density varies little, so Gauss–Legendre
 * quadrature is exact to float precision.
 */
function isNarrow(w: NDArray, m: NDArray): NDArray {
  return np.logicalAnd(np.isfinite(w), np.less(np.multiply(w, np.maximum(1, np.abs(m))), 2));
}

/**
 * The standard normal on a narrow [r, r + w] by 8-point Gauss–Legendre quadrature, relative to
 * the density at r: log ∫₀ʷ φ(r + t)/φ(r) dt (with φ(r + t)/φ(r) = e^{−t(2r + t)/2}, free of
 * the size of φ(r)), and the mean and variance of t.
 */
function narrowNormal(r: NDArray, w: NDArray): { logRel: NDArray; meanT: NDArray; varT: NDArray } {
  const h = np.expandDims(np.multiply(0.5, w), -1);
  const t = np.multiply(h, np.add(1, np.array(GL_X)));
  const logw = np.subtract(np.log(np.array(GL_W)), np.multiply(0.5, np.multiply(t, np.add(np.multiply(2, np.expandDims(r, -1)), t))));
  const total = special.logsumexp(logw, -1, true);
  const p = np.exp(np.subtract(logw, total));
  const meanT = np.sum(np.multiply(p, t), -1, true);
  const varT = np.sum(np.multiply(p, np.square(np.subtract(t, meanT))), -1);
  return { logRel: np.squeeze(np.add(total, np.log(h)), -1), meanT: np.squeeze(meanT, -1), varT };
}

/**
 * log(Φ(b) − Φ(a)) for a ≤ b (either may be infinite), accurate everywhere: the interval is
 * reflected onto the side of the lower tail, where log Φ(b) + log(1 − Φ(a)/Φ(b)) loses nothing,
 * and narrow intervals are integrated by quadrature. `width` is b − a when it is known more
 * accurately than the difference of the rounded ends (e.g. (high − low)/scale).
 */
export function logDiffNdtr(a: ArrayLike, b: ArrayLike, width?: ArrayLike): NDArray {
  const A = np.asarray(a);
  const B = np.asarray(b);
  const w = width === undefined ? np.subtract(B, A) : np.asarray(width);
  const flip = np.greater(np.add(A, B), 0);
  const lo = W(flip, np.negative(B), A);
  const hi = W(flip, np.negative(A), B);
  const narrow = isNarrow(w, np.multiply(0.5, np.add(A, B)));
  const lhi = special.logNdtr(hi);
  const diff = np.add(lhi, special.log1mexp(np.minimum(np.subtract(special.logNdtr(lo), lhi), 0)));
  const los = W(narrow, lo, 0);
  const quad = np.add(logPhi(los), narrowNormal(los, W(narrow, w, 1)).logRel);
  return W(np.lessEqual(w, 0), -Infinity, W(narrow, quad, diff));
}

/** Terms of Laplace's continued fraction for the Mills ratio evaluated backwards (accurate for α > 2). */
const CF_TERMS = 50;

/**
 * For the standard normal truncated to [α, ∞) with α > 2, by Laplace's continued fraction
 * Q(α)/φ(α) = 1/(α + K₁), K_k = k/(α + K_{k+1}): the mean excess c = E[z] − α = K₁ and the
 * variance c²(1 + K₂(K₂ − K₃)), both free of the cancellation in 1 − λ(λ − α).
 */
function upperTailMoments(alpha: NDArray): { c: NDArray; v: NDArray } {
  let k1: NDArray = np.zerosLike(alpha);
  let k2: NDArray = k1;
  let k3: NDArray = k1;
  for (let k = CF_TERMS; k >= 1; k--) {
    k3 = k2;
    k2 = k1;
    k1 = np.divide(k, np.add(alpha, k1));
  }
  return { c: k1, v: np.multiply(np.square(k1), np.add(1, np.multiply(k2, np.subtract(k2, k3)))) };
}

/**
 * The standard normal on [r, r + w] for r > 2 (w may be +∞), from the continued fractions at
 * both ends: log ∫₀ʷ φ(r + t)/φ(r) dt = −log(r + c(r)) + log(1 − ρ) with ρ = Q(r + w)/Q(r)
 * (its log formed from differences, not from log Q of each end), and the mean and variance of t,
 * mixing [r, ∞) and [r + w, ∞) as ([r, ∞) − ρ [r + w, ∞)) / (1 − ρ).
 */
function tailNormal(r: NDArray, w: NDArray): { logRel: NDArray; meanT: NDArray; varT: NDArray } {
  const finite = np.isfinite(w);
  const ws = W(finite, w, 1);
  const s = np.add(r, ws);
  const at = upperTailMoments(r);
  const bt = upperTailMoments(s);
  // log ρ = log φ(s) − log φ(r) + log R(s) − log R(r), R(z) = 1/(z + c(z))
  const logRho = np.add(np.multiply(-0.5, np.multiply(ws, np.add(np.multiply(2, r), ws))), np.subtract(np.log(np.add(r, at.c)), np.log(np.add(s, bt.c))));
  const rho = W(finite, np.exp(logRho), 0);
  const oneMinusRho = W(finite, np.negative(np.expm1(logRho)), 1);
  const m2a = np.add(at.v, np.square(at.c));
  const m1b = np.add(ws, bt.c);
  const m2b = np.add(bt.v, np.square(m1b));
  const meanT = np.divide(np.subtract(at.c, np.multiply(rho, m1b)), oneMinusRho);
  const second = np.divide(np.subtract(m2a, np.multiply(rho, m2b)), oneMinusRho);
  return { logRel: np.add(np.negative(np.log(np.add(r, at.c))), np.log(oneMinusRho)), meanT, varT: np.subtract(second, np.square(meanT)) };
}

/**
 * log ∫₀ʷ φ(r + t)/φ(r) dt = log((Φ(r + w) − Φ(r))/φ(r)) for finite r and w ≥ 0 (w may be +∞):
 * the mass of [r, r + w] relative to the density at r, by quadrature when narrow, by continued
 * fractions when r > 2, else from log(Φ(r + w) − Φ(r)) − log φ(r). Far in a tail the absolute
 * mass and density are both tiny; their ratio keeps its relative precision.
 */
export function logRelativeMass(r: NDArray, w: NDArray): NDArray {
  const narrow = isNarrow(w, np.add(r, np.multiply(0.5, w)));
  const tail = np.logicalAnd(np.logicalNot(narrow), np.greater(r, 2));
  const other = np.logicalNot(np.logicalOr(narrow, tail));
  // each branch sees safe inputs where it is not used, so gradients stay finite
  const quad = narrowNormal(W(narrow, r, 0), W(narrow, w, 1)).logRel;
  const cf = tailNormal(W(tail, r, 3), W(tail, w, 1)).logRel;
  const rp = W(other, r, 0);
  const wp = W(other, w, 1);
  const plain = np.subtract(logDiffNdtr(rp, np.add(rp, wp), wp), logPhi(rp));
  return W(narrow, quad, W(tail, cf, plain));
}

/** Whether the relative forms (logRelativeMass) are the accurate ones for [r, r + w]: narrow, or r > 2. */
export function useRelativeMass(r: NDArray, w: NDArray): NDArray {
  return np.logicalAnd(np.isfinite(r), np.logicalOr(np.greater(r, 2), isNarrow(w, np.add(r, np.multiply(0.5, w)))));
}

/**
 * Moments of the standard normal truncated to [a, b] (a < b, either may be infinite; `width`
 * is b − a, see logDiffNdtr), worked out from the end r where the density is larger (a, or −b
 * after reflection when a + b < 0): log Z = log(Φ(b) − Φ(a)), the mean, the variance, and
 * log Z + E[z²]/2 (for the entropy). Narrow intervals use quadrature and far tails (r > 2) the
 * continued fractions, where log Z + E[z²]/2 = −½ log 2π + log(Z/φ(r)) + r E[t] + E[t²]/2,
 * t = z − r, so that the large −r²/2 terms cancel exactly; other intervals use the textbook
 * formulas.
 */
export function truncatedNormalMoments(a: NDArray, b: NDArray, width: NDArray): { logZ: NDArray; mean: NDArray; variance: NDArray; logZPlusHalfEz2: NDArray } {
  const logZ = logDiffNdtr(a, b, width);
  const flip = np.less(np.add(a, b), 0);
  const sgn = W(flip, -1, 1);
  const r = W(flip, np.negative(b), a);
  const narrow = isNarrow(width, np.add(r, np.multiply(0.5, width)));
  const tail = np.logicalAnd(np.logicalNot(narrow), np.greater(r, 2));
  const q = narrowNormal(W(narrow, r, 0), W(narrow, width, 1));
  const tn = tailNormal(W(tail, r, 3), W(tail, width, 1));
  // textbook, in the reflected frame [r, r + w]: mean = φ(r)/Z − φ(r+w)/Z, E z² = 1 + r φ(r)/Z − (r+w) φ(r+w)/Z
  const hi = W(flip, np.negative(a), b);
  const ratio = (z: NDArray) => {
    const fin = np.isfinite(z);
    const zs = W(fin, z, 0);
    const ph = W(fin, np.exp(np.subtract(logPhi(zs), logZ)), 0);
    return { ph, zph: np.multiply(zs, ph) };
  };
  const rl = ratio(r);
  const rh = ratio(hi);
  const meanPlain = np.subtract(rl.ph, rh.ph);
  const varPlain = np.subtract(np.add(1, np.subtract(rl.zph, rh.zph)), np.square(meanPlain));
  const rs = W(np.isfinite(r), r, 0);
  const meanT = W(narrow, q.meanT, tn.meanT);
  const varT = W(narrow, q.varT, tn.varT);
  const logRel = W(narrow, q.logRel, tn.logRel);
  const relative = np.logicalOr(narrow, tail);
  const meanR = W(relative, np.add(rs, meanT), meanPlain);
  const variance = W(relative, varT, varPlain);
  const entropyRel = np.add(np.add(-LOG_SQRT_2PI, logRel), np.add(np.multiply(rs, meanT), np.multiply(0.5, np.add(varT, np.square(meanT)))));
  const entropyPlain = np.add(logZ, np.multiply(0.5, np.add(varPlain, np.square(meanPlain))));
  return { logZ, mean: np.multiply(sgn, meanR), variance, logZPlusHalfEz2: W(relative, entropyRel, entropyPlain) };
}
