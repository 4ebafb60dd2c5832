/**
 * Primitives for special functions that need iteration: the regularized incomplete gamma
 * functions P(a, x) and Q(a, x), the regularized incomplete beta function I_x(a, b), and their
 * derivatives with respect to the shape parameters. Kernels work in float64 (series and
 * modified-Lentz continued fractions, Numerical Recipes style) and carry forward-mode
 * derivatives through the same iterations when asked. tfjs kernels compute on the host.
 */
import type * as TF from "@tensorflow/tfjs-core";
import { asArray, type ArrayLike, type AVal, type NDArray } from "../array.js";
import { readTensorSync, type Tf } from "../backend.js";
import { registerHostKernelAsync } from "../compile/tfjs-async.js";
import { allocate, defaultFloat, isFloat, promote, type DType, type TypedArray } from "../dtype.js";
import { bind, bind1 } from "../interpreters/stack.js";
import { broadcastShapes, sizeOf, type Shape } from "../shape.js";
import * as np from "../numpy.js";
import { digamma, lbeta, lgamma, xlog1py, xlogy } from "../special.js";
import { batchElementwise } from "./batching.js";
import { unbroadcast } from "./elementwise.js";
import { broadcastCopy } from "./kernels.js";
import { definePrimitive, type HostIn, type Primitive } from "./primitive.js";

// ---- scalar float64 helpers ----------------------------------------------------------------

const LOG_SQRT_2PI = 0.9189385332046728;
const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 200000;

/** Bernoulli numbers B_2k / (2k (2k-1)), k = 1..10: the Stirling series of log Γ. */
const STIRLING = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156, -3617 / 122400, 43867 / 244188, -174611 / 125400];

/** log Γ(z) − [(z − ½) log z − z + ½ log 2π] for z ≥ 8. */
function stirlingCorr(z: number): number {
  const w = 1 / (z * z);
  let s = 0;
  for (let k = STIRLING.length - 1; k >= 0; k--) s = s * w + STIRLING[k];
  return s / z;
}

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];

/** log |Γ(x)| in float64 (Lanczos below 8, Stirling above, reflection for x < 0.5). */
export function lgammaScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x < 0.5) {
    const r = x - Math.round(x);
    const s = Math.abs(Math.sin(Math.PI * r));
    return Math.log(Math.PI / s) - lgammaScalar(1 - x);
  }
  if (x >= 8) return (x - 0.5) * Math.log(x) - x + LOG_SQRT_2PI + stirlingCorr(x);
  const z = x - 1;
  let a = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) a += LANCZOS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return LOG_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log a − ψ(a) for a ≥ 8 by its asymptotic series (no cancellation). */
function logMinusDigamma(a: number): number {
  const B = [1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12, -3617 / 8160];
  const w = 1 / (a * a);
  let s = 0;
  for (let k = B.length - 1; k >= 0; k--) s = s * w + B[k];
  return 1 / (2 * a) + s * w;
}

/** ψ(x) in float64 (upward recurrence to 8, asymptotic series, reflection for x ≤ 0). */
export function digammaScalar(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0) {
    const r = x - Math.round(x);
    if (r === 0) return x === 0 ? -Infinity : NaN;
    return digammaScalar(1 - x) - Math.PI / Math.tan(Math.PI * r);
  }
  let acc = 0;
  while (x < 8) {
    acc -= 1 / x;
    x += 1;
  }
  return acc + Math.log(x) - logMinusDigamma(x);
}

/** log B(a, b) in float64 for a, b > 0, by Stirling differences when an argument is large. */
export function lbetaScalar(a: number, b: number): number {
  const x = Math.min(a, b);
  const y = Math.max(a, b);
  if (x >= 8) {
    const s = x + y;
    return LOG_SQRT_2PI - 0.5 * Math.log(y) + (x - 0.5) * Math.log(x / s) + y * Math.log1p(-x / s) + stirlingCorr(x) + stirlingCorr(y) - stirlingCorr(s);
  }
  if (y >= 8 && x > 0) {
    const s = x + y;
    return lgammaScalar(x) + (y - 0.5) * Math.log1p(-x / s) - x * Math.log(s) + x + stirlingCorr(y) - stirlingCorr(s);
  }
  return lgammaScalar(x) + lgammaScalar(y) - lgammaScalar(x + y);
}

/** log(1 + t) − t without cancellation. */
function log1pmx(t: number): number {
  if (Math.abs(t) > 0.1) return Math.log1p(t) - t;
  // -t^2/2 + t^3/3 - ...
  let term = t;
  let s = 0;
  for (let k = 2; k < 60; k++) {
    term *= -t;
    const d = term / k;
    s += d;
    if (Math.abs(d) < 1e-17 * Math.abs(s)) break;
  }
  return s;
}

/** log(x^a e^{-x} / Γ(a)) and its derivative with respect to a. */
function gammaLogPrefactor(a: number, x: number): [number, number] {
  if (a >= 8) {
    const t = (x - a) / a;
    const v = a * log1pmx(t) + 0.5 * Math.log(a) - LOG_SQRT_2PI - stirlingCorr(a);
    return [v, Math.log1p(t) + logMinusDigamma(a)];
  }
  const lx = Math.log(x);
  return [a * lx - x - lgammaScalar(a), lx - digammaScalar(a)];
}

/**
 * Regularized incomplete gamma: returns [P(a, x), Q(a, x), dP/da] (the derivative only when
 * `deriv`; NaN otherwise). Series for x < a + 1, Lentz continued fraction for Q otherwise.
 */
export function igammaScalar(a: number, x: number, deriv: boolean): [number, number, number] {
  if (Number.isNaN(a) || Number.isNaN(x) || a < 0 || x < 0) return [NaN, NaN, NaN];
  if (a === 0) return x > 0 ? [1, 0, NaN] : [NaN, NaN, NaN];
  if (x === 0) return [0, 1, 0];
  if (x === Infinity) return [1, 0, 0];
  if (a === Infinity) return [0, 1, 0];
  const [lp, dlp] = gammaLogPrefactor(a, x);
  const [series, g, dg] = igammaNormalized(a, x, deriv);
  const e = Math.exp(lp);
  if (series) {
    const p = e * g;
    return [p, 1 - p, deriv ? e * (dlp * g + dg) : NaN];
  }
  const q = e * g;
  return [1 - q, q, deriv ? -e * (dlp * g + dg) : NaN];
}

/**
 * The incomplete gamma without its prefactor x^a e^-x / Γ(a), with its derivative in a:
 * [true, G, dG/da] from the series P = prefactor * G when x < a + 1, else [false, H, dH/da]
 * from the Lentz continued fraction Q = prefactor * H (the derivative only when `deriv`).
 */
export function igammaNormalized(a: number, x: number, deriv: boolean): [boolean, number, number] {
  if (x < a + 1) {
    // G = sum_{n>=0} x^n / (a (a+1) ... (a+n))
    let term = 1 / a;
    let dterm = -1 / (a * a);
    let sum = term;
    let dsum = dterm;
    for (let n = 1; n < MAX_ITER; n++) {
      const r = x / (a + n);
      if (deriv) dterm = r * (dterm - term / (a + n));
      term *= r;
      sum += term;
      if (deriv) dsum += dterm;
      if (Math.abs(term) <= EPS * Math.abs(sum) && (!deriv || Math.abs(dterm) <= EPS * Math.abs(dsum))) break;
    }
    return [true, sum, dsum];
  }
  // H = 1/(x+1-a- 1(1-a)/(x+3-a- 2(2-a)/(x+5-a- ...)))
  let b = x + 1 - a;
  const db = -1;
  let c = 1 / TINY;
  let dc = 0;
  let d = 1 / b;
  let dd = 1 / (b * b); // d(1/b)/da = -db/b^2
  let h = d;
  let dh = dd;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    const dan = i;
    b += 2;
    let dn = an * d + b;
    const ddn = dan * d + an * dd + db;
    if (Math.abs(dn) < TINY) dn = TINY;
    let cn = b + an / c;
    const dcn = db + dan / c - (an * dc) / (c * c);
    if (Math.abs(cn) < TINY) cn = TINY;
    d = 1 / dn;
    dd = -ddn / (dn * dn);
    c = cn;
    dc = dcn;
    const del = d * c;
    const ddel = dd * c + d * dc;
    const dhNew = dh * del + h * ddel;
    h *= del;
    const dConverged = !deriv || Math.abs(dhNew - dh) <= EPS * Math.abs(dhNew);
    dh = dhNew;
    if (Math.abs(del - 1) <= EPS && dConverged) break;
  }
  return [false, h, dh];
}

/**
 * The continued-fraction front of I_x(a, b) = e^K h, valid for x < (a+1)/(a+b+2): returns
 * [value, d/da, d/db] (derivatives NaN unless `deriv`).
 */
function betaFront(a: number, b: number, x: number, deriv: boolean): [number, number, number] {
  const lab = lbetaScalar(a, b);
  const K = a * Math.log(x) + b * Math.log1p(-x) - lab - Math.log(a);
  let dKa = NaN;
  let dKb = NaN;
  if (deriv) {
    const psab = digammaScalar(a + b);
    dKa = Math.log(x) - digammaScalar(a) + psab - 1 / a;
    dKb = Math.log1p(-x) - digammaScalar(b) + psab;
  }
  // modified Lentz for 1/(1+ d1/(1+ d2/(1+ ...))), carrying d/da and d/db
  const d0 = 1 - ((a + b) * x) / (a + 1);
  const d0a = (x * (b - 1)) / ((a + 1) * (a + 1));
  const d0b = -x / (a + 1);
  let D = 1 / (Math.abs(d0) < TINY ? TINY : d0);
  let Da = -d0a * D * D;
  let Db = -d0b * D * D;
  let C = 1;
  let Ca = 0;
  let Cb = 0;
  let h = D;
  let ha = Da;
  let hb = Db;
  const step = (aa: number, aaA: number, aaB: number): number => {
    let dn = 1 + aa * D;
    const dnA = aaA * D + aa * Da;
    const dnB = aaB * D + aa * Db;
    if (Math.abs(dn) < TINY) dn = TINY;
    let cn = 1 + aa / C;
    const cnA = aaA / C - (aa * Ca) / (C * C);
    const cnB = aaB / C - (aa * Cb) / (C * C);
    if (Math.abs(cn) < TINY) cn = TINY;
    D = 1 / dn;
    Da = -dnA * D * D;
    Db = -dnB * D * D;
    C = cn;
    Ca = cnA;
    Cb = cnB;
    const del = D * C;
    if (deriv) {
      const delA = Da * C + D * Ca;
      const delB = Db * C + D * Cb;
      ha = ha * del + h * delA;
      hb = hb * del + h * delB;
    }
    h *= del;
    return del;
  };
  for (let m = 1; m < MAX_ITER; m++) {
    const m2 = 2 * m;
    // even step: m (b - m) x / ((a + 2m - 1)(a + 2m))
    const p1 = a + m2 - 1;
    const p2 = a + m2;
    const ae = (m * (b - m) * x) / (p1 * p2);
    step(ae, -ae * (1 / p1 + 1 / p2), (m * x) / (p1 * p2));
    // odd step: -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1))
    const p3 = a + m2 + 1;
    const ao = (-(a + m) * (a + b + m) * x) / (p2 * p3);
    const haPrev = ha;
    const hbPrev = hb;
    const del = step(ao, ao * (1 / (a + m) + 1 / (a + b + m) - 1 / p2 - 1 / p3), ao / (a + b + m));
    const dConverged = !deriv || (Math.abs(ha - haPrev) <= EPS * Math.abs(ha) && Math.abs(hb - hbPrev) <= EPS * Math.abs(hb));
    if (Math.abs(del - 1) <= EPS && dConverged) break;
  }
  const e = Math.exp(K);
  return [e * h, deriv ? e * (dKa * h + ha) : NaN, deriv ? e * (dKb * h + hb) : NaN];
}

/** Regularized incomplete beta: [I_x(a, b), dI/da, dI/db] (derivatives NaN unless `deriv`). */
export function betaincScalar(a: number, b: number, x: number, deriv: boolean): [number, number, number] {
  if (Number.isNaN(a) || Number.isNaN(b) || Number.isNaN(x) || a < 0 || b < 0 || x < 0 || x > 1) return [NaN, NaN, NaN];
  if (a === 0 && b === 0) return [NaN, NaN, NaN];
  if (x === 0) return [a === 0 ? 1 : 0, 0, 0];
  if (x === 1) return [b === 0 ? 0 : 1, 0, 0];
  if (a === 0) return [1, NaN, NaN];
  if (b === 0) return [0, NaN, NaN];
  if (x < (a + 1) / (a + b + 2)) return betaFront(a, b, x, deriv);
  const [v, dFirst, dSecond] = betaFront(b, a, 1 - x, deriv);
  return [1 - v, -dSecond, -dFirst];
}

// ---- primitives ----------------------------------------------------------------------------

function elementwiseAbstract(name: string, nOut: number) {
  return (ins: AVal[]): AVal[] => {
    const d = ins[0].dtype;
    for (const x of ins) if (x.dtype !== d || !isFloat(d)) throw new Error(`internal: ${name} got dtypes ${ins.map((i) => i.dtype).join(", ")} (operands are promoted to one float dtype before binding)`);
    const shape = broadcastShapes(name, ...ins.map((x) => x.shape));
    return Array.from({ length: nOut }, () => ({ shape, dtype: d }));
  };
}

/** Runs a scalar kernel with several outputs over broadcast host operands. */
function mapMulti(ins: readonly HostIn[], outs: AVal[], f: (...v: number[]) => number[]): TypedArray[] {
  const shape = outs[0].shape;
  const n = sizeOf(shape);
  const full = ins.map((x) => (x.data.length === n ? x.data : broadcastCopy(x.data, x.shape, shape, x.dtype)));
  const res = outs.map((o) => allocate(o.dtype, n));
  const v = new Array<number>(ins.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < full.length; k++) v[k] = full[k][i];
    const r = f(...v);
    for (let j = 0; j < res.length; j++) res[j][i] = r[j];
  }
  return res;
}

/** A tfjs kernel that reads its operands back to the host (tfjs has no such ops). */
function hostTfjs(js: Primitive<null>["js"]): Primitive<null>["tfjs"] {
  return (tf: Tf, ins: TF.Tensor[], _p: null, outs: AVal[]): TF.Tensor[] => {
    const host = ins.map((t) => ({ data: readTensorSync(t, "an incomplete gamma or beta function's operand") as TypedArray, shape: t.shape as Shape, dtype: t.dtype as DType }));
    const res = js(host, null, outs);
    return res.map((r, i) => tf.tensor(r as Float32Array, outs[i].shape as number[], "float32"));
  };
}

function withBatch(p: Primitive<null>): Primitive<null> {
  const q: Primitive<null> = { ...p, batch: (ins, dims, params) => batchElementwise(q)(ins, dims, params) };
  return q;
}

function nanLike(x: NDArray): NDArray {
  return np.full(x.shape, NaN, x.dtype);
}

/** x^{a-1} e^{-x} / Γ(a), the x-derivative of P(a, x) (0 for x < 0). */
export function gammaDensity(a: NDArray, x: NDArray): NDArray {
  const pos = np.greaterEqual(x, 0);
  const xs = np.where(pos, x, 1);
  return np.where(pos, np.exp(np.subtract(np.subtract(xlogy(np.subtract(a, 1), xs), xs), lgamma(a))), 0);
}

/** x^{a-1} (1-x)^{b-1} / B(a, b), the x-derivative of I_x(a, b) (0 outside [0, 1]). */
export function betaDensity(a: NDArray, b: NDArray, x: NDArray): NDArray {
  const inside = np.logicalAnd(np.greaterEqual(x, 0), np.lessEqual(x, 1));
  const xs = np.where(inside, x, 0.5);
  return np.where(inside, np.exp(np.subtract(np.add(xlogy(np.subtract(a, 1), xs), xlog1py(np.subtract(b, 1), np.negative(xs))), lbeta(a, b))), 0);
}

/** d/da of P(a, x) (second derivatives with respect to a are not implemented: NaN). */
export const gammaincDaPrim: Primitive<null> = withBatch(
  definePrimitive<null>({
    name: "gammaincDa",
    abstract: elementwiseAbstract("gammaincDa", 1),
    js: (ins, _p, outs) => mapMulti(ins, outs, (a, x) => [igammaScalar(a, x, true)[2]]),
    tfjs: hostTfjs((ins, _p, outs) => mapMulti(ins, outs, (a, x) => [igammaScalar(a, x, true)[2]])),
    vjp: ([ct], [a, x]) => {
      const pos = np.greater(x, 0);
      const xs = np.where(pos, x, 1);
      const dx = np.where(pos, np.multiply(gammaDensity(a, xs), np.subtract(np.log(xs), digamma(a))), 0);
      return [unbroadcast(nanLike(ct), a.shape), unbroadcast(np.multiply(ct, dx), x.shape)];
    },
  }),
);

/** P(a, x), the regularized lower incomplete gamma function. */
export const gammaincPrim: Primitive<null> = withBatch(
  definePrimitive<null>({
    name: "gammainc",
    abstract: elementwiseAbstract("gammainc", 1),
    js: (ins, _p, outs) => mapMulti(ins, outs, (a, x) => [igammaScalar(a, x, false)[0]]),
    tfjs: hostTfjs((ins, _p, outs) => mapMulti(ins, outs, (a, x) => [igammaScalar(a, x, false)[0]])),
    vjp: ([ct], [a, x]) => [unbroadcast(np.multiply(ct, bind1(gammaincDaPrim, [a, x], null)), a.shape), unbroadcast(np.multiply(ct, gammaDensity(a, x)), x.shape)],
  }),
);

/** Q(a, x) = 1 − P(a, x), the regularized upper incomplete gamma function. */
export const gammainccPrim: Primitive<null> = withBatch(
  definePrimitive<null>({
    name: "gammaincc",
    abstract: elementwiseAbstract("gammaincc", 1),
    js: (ins, _p, outs) => mapMulti(ins, outs, (a, x) => [igammaScalar(a, x, false)[1]]),
    tfjs: hostTfjs((ins, _p, outs) => mapMulti(ins, outs, (a, x) => [igammaScalar(a, x, false)[1]])),
    vjp: ([ct], [a, x]) => [
      unbroadcast(np.negative(np.multiply(ct, bind1(gammaincDaPrim, [a, x], null))), a.shape),
      unbroadcast(np.negative(np.multiply(ct, gammaDensity(a, x))), x.shape),
    ],
  }),
);

/** [dI/da, dI/db] of I_x(a, b) (second derivatives with respect to a and b are not implemented: NaN). */
export const betaincDabPrim: Primitive<null> = withBatch(
  definePrimitive<null>({
    name: "betaincDab",
    abstract: elementwiseAbstract("betaincDab", 2),
    js: (ins, _p, outs) => mapMulti(ins, outs, (a, b, x) => betaincScalar(a, b, x, true).slice(1)),
    tfjs: hostTfjs((ins, _p, outs) => mapMulti(ins, outs, (a, b, x) => betaincScalar(a, b, x, true).slice(1))),
    vjp: ([cta, ctb], [a, b, x]) => {
      const inside = np.logicalAnd(np.greater(x, 0), np.less(x, 1));
      const xs = np.where(inside, x, 0.5);
      const dens = betaDensity(a, b, xs);
      const psab = digamma(np.add(a, b));
      const ga = np.multiply(dens, np.add(np.subtract(np.log(xs), digamma(a)), psab));
      const gb = np.multiply(dens, np.add(np.subtract(np.log1p(np.negative(xs)), digamma(b)), psab));
      const dx = np.where(inside, np.add(np.multiply(cta, ga), np.multiply(ctb, gb)), 0);
      return [unbroadcast(nanLike(cta), a.shape), unbroadcast(nanLike(cta), b.shape), unbroadcast(dx, x.shape)];
    },
  }),
);

/** I_x(a, b), the regularized incomplete beta function. */
export const betaincPrim: Primitive<null> = withBatch(
  definePrimitive<null>({
    name: "betainc",
    abstract: elementwiseAbstract("betainc", 1),
    js: (ins, _p, outs) => mapMulti(ins, outs, (a, b, x) => [betaincScalar(a, b, x, false)[0]]),
    tfjs: hostTfjs((ins, _p, outs) => mapMulti(ins, outs, (a, b, x) => [betaincScalar(a, b, x, false)[0]])),
    vjp: ([ct], [a, b, x]) => {
      const [da, db] = bind(betaincDabPrim, [a, b, x], null);
      return [unbroadcast(np.multiply(ct, da), a.shape), unbroadcast(np.multiply(ct, db), b.shape), unbroadcast(np.multiply(ct, betaDensity(a, b, x)), x.shape)];
    },
  }),
);

/** Promotes operands to one float dtype (plain numbers follow the arrays, as in np ops). */
export function promoteFloat(...xs: ArrayLike[]): NDArray[] {
  let d: DType | null = null;
  for (const x of xs) {
    if (typeof x === "number" || typeof x === "boolean") continue;
    const a = asArray(x);
    d = d === null ? a.dtype : promote(d, a.dtype);
  }
  const target: DType = d !== null && isFloat(d) ? d : defaultFloat();
  return xs.map((x) => (typeof x === "number" || typeof x === "boolean" ? asArray(Number(x), target) : np.astype(x, target)));
}

for (const p of [gammaincDaPrim, gammaincPrim, gammainccPrim, betaincDabPrim, betaincPrim]) registerHostKernelAsync(p);
