/**
 * Functional random numbers (jax.random style). A key is an int32 array of shape [2] holding
 * the two uint32 words of a Threefry-2x32 key (batches of keys: shape [..., 2]); nothing here
 * keeps state. Samplers take the key first and the shape last; their parameters broadcast
 * against the shape. Everything is written with core ops and random primitives, so samplers
 * trace under jit and batch under vmap (a vmapped key gives each member its own stream).
 *
 * Bits follow JAX's default Threefry scheme (`jax_threefry_partitionable`, the default since
 * JAX 0.5): `split(key, n)[i]` and `foldIn(key, i)` are Threefry(key, (0, i)), and
 * `bits(key, shape)` at flat index i is the xor of the two words of Threefry(key, (0, i)). So
 * `key`, `split`, `foldIn`, `bits` and `uniform` give JAX's values (checked against published
 * JAX outputs for key(0)); `normal` is JAX's transform (sqrt 2 erfinv u, equal up to erfinv's
 * last bits) and `randint` JAX's arithmetic. The rejection samplers (gamma, Poisson, binomial)
 * and the others use their own algorithms, so their values differ from JAX's.
 */
import { asArray, Concrete, type ArrayLike, type NDArray } from "./array.js";
import { defaultFloat, isFloat, type DType } from "./dtype.js";
import { bind1 } from "./interpreters/stack.js";
import { cholesky } from "./linalg.js";
import * as np from "./numpy.js";
import { stopGradientPrim } from "./primitives/elementwise.js";
import * as rp from "./primitives/random.js";
import { broadcastShapes, fmt, normAxis, sameShape, sizeOf, type Shape } from "./shape.js";
import { erfinv, logNdtr, ndtri } from "./special.js";

/** A PRNG key: an int32 array of shape [2] (uint32 bit patterns). */
export type Key = NDArray;

type ShapeArg = Shape | number;

function toShape(s: ShapeArg | undefined): number[] | undefined {
  if (s === undefined) return undefined;
  const out = typeof s === "number" ? [s] : [...s];
  for (const d of out) if (!Number.isInteger(d) || d < 0) throw new Error(`random: invalid shape ${fmt(out)}`);
  return out;
}

/** The default-float (or `dtype`) version of a parameter. */
function floatParam(x: ArrayLike, dtype?: DType): NDArray {
  const a = asArray(x);
  const d = dtype ?? (isFloat(a.dtype) ? a.dtype : defaultFloat());
  if (!isFloat(d)) throw new Error(`random: dtype must be a float dtype, got ${d}`);
  return a.dtype === d ? a : np.astype(a, d);
}

function floatDType(name: string, dtype: DType | undefined): DType {
  const d = dtype ?? defaultFloat();
  if (!isFloat(d)) throw new Error(`random.${name}: dtype must be float32 or float64, got ${d}`);
  return d;
}

/** The sample shape: `shape` when given (the parameters must broadcast to it), else their broadcast shape. */
function sampleShape(name: string, shape: ShapeArg | undefined, params: readonly NDArray[]): number[] {
  const ps = params.map((p) => p.shape);
  const s = toShape(shape);
  if (s === undefined) return broadcastShapes(`random.${name}`, ...ps);
  const b = broadcastShapes(`random.${name}`, s, ...ps);
  if (!sameShape(b, s)) throw new Error(`random.${name}: parameter shapes ${ps.map(fmt).join(", ")} do not broadcast to the sample shape ${fmt(s)}`);
  return s;
}

/** Checks that `key` is one key (shape [2], int32). */
function singleKey(name: string, key: NDArray): void {
  if (key.dtype !== "int32" || key.ndim !== 1 || key.shape[0] !== 2)
    throw new Error(`random.${name}: expects one key (an int32 array of shape [2]), got ${key.dtype} ${fmt(key.shape)}; use split, or vmap over a batch of keys`);
}

/** The two words of a (batch of) key(s): arrays of shape key.shape[:-1]. */
function keyWords(name: string, key: NDArray): [NDArray, NDArray] {
  if (key.dtype !== "int32" || key.ndim === 0 || key.shape[key.ndim - 1] !== 2)
    throw new Error(`random.${name}: a key is an int32 array of shape [..., 2], got ${key.dtype} ${fmt(key.shape)}`);
  const b = key.shape.slice(0, -1);
  const zeros = b.map(() => 0);
  const k0 = np.reshape(np.slice(key, [...zeros, 0], [...b, 1]), b);
  const k1 = np.reshape(np.slice(key, [...zeros, 1], [...b, 2]), b);
  return [k0, k1];
}

const ZERO = () => Concrete.fromHost([], "int32", new Int32Array(1));

/** The counters 0 .. n-1 (int32) in `shape`. */
function iota(shape: Shape): NDArray {
  const n = sizeOf(shape);
  const d = new Int32Array(n);
  for (let i = 0; i < n; i++) d[i] = i;
  return Concrete.fromHost([...shape], "int32", d);
}

/** The [hi, lo] words of an integer up to 2^53 in magnitude (64-bit two's complement for large negatives). */
function words64(name: string, v: number): [number, number] {
  if (!Number.isSafeInteger(v)) throw new Error(`random.${name}: expects an integer of magnitude below 2^53, got ${v}`);
  const lo = v >>> 0;
  const hi = v >= -2147483648 && v < 4294967296 ? 0 : Math.floor(v / 4294967296) >>> 0;
  return [hi | 0, lo | 0];
}

// ---- keys ------------------------------------------------------------------------------------

/**
 * A key from an integer seed (JAX's `random.key` / `PRNGKey`): [0, seed] for 32-bit seeds
 * (negative 32-bit seeds as their uint32 pattern), [hi, lo] words for seeds up to 2^53.
 */
export function key(seed: number): Key {
  const [hi, lo] = words64("key", seed);
  return Concrete.fromHost([2], "int32", Int32Array.of(hi, lo));
}

/** Alias of {@link key} (JAX's legacy name). */
export const PRNGKey = key;

/** `num` new keys from a key: shape [num, 2] (a batch of keys [..., 2] gives [..., num, 2]). */
export function split(k: Key, num = 2): NDArray {
  if (!Number.isInteger(num) || num < 0) throw new Error(`random.split: num must be a non-negative integer, got ${num}`);
  const [k0, k1] = keyWords("split", k);
  const e0 = np.expandDims(k0, -1);
  const e1 = np.expandDims(k1, -1);
  const [y0, y1] = rp.threefry2x32(e0, e1, ZERO(), iota([num]));
  return np.stack([y0, y1], -1);
}

/** `num` keys split from `k`, as a list of keys of shape [2]. */
export function splitList(k: Key, num = 2): NDArray[] {
  singleKey("splitList", k);
  const ks = split(k, num);
  return Array.from({ length: num }, (_, i) => np.reshape(np.slice(ks, [i, 0], [i + 1, 2]), [2]));
}

/**
 * A new key from a key and integer data (JAX's fold_in): Threefry(key, (0, data)). `data` is
 * a number (up to 2^53) or an int32 array (broadcast against the key's batch shape).
 */
export function foldIn(k: Key, data: number | ArrayLike): NDArray {
  const [k0, k1] = keyWords("foldIn", k);
  let hi: NDArray;
  let lo: NDArray;
  if (typeof data === "number") {
    const [h, l] = words64("foldIn", data);
    hi = Concrete.fromHost([], "int32", Int32Array.of(h));
    lo = Concrete.fromHost([], "int32", Int32Array.of(l));
  } else {
    lo = asArray(data);
    if (lo.dtype !== "int32") throw new Error(`random.foldIn: data must be an integer or an int32 array, got ${lo.dtype}`);
    hi = ZERO();
  }
  const [y0, y1] = rp.threefry2x32(k0, k1, hi, lo);
  return np.stack([y0, y1], -1);
}

/** Random uint32 bits as int32 bit patterns, of `shape` (JAX's random.bits with 32-bit width). */
export function bits(k: Key, shape: ShapeArg = []): NDArray {
  const [y0, y1] = words(k, toShape(shape)!, "bits");
  return bind1(rp.bitsXorPrim, [y0, y1], null);
}

/** The two Threefry words at each position of `shape`: the hi and lo halves of 64 random bits. */
function words(k: Key, shape: Shape, name: string): [NDArray, NDArray] {
  singleKey(name, k);
  const [k0, k1] = keyWords(name, k);
  return rp.threefry2x32(k0, k1, ZERO(), iota(shape));
}

/** Floats uniform in [0, 1) of `shape`: 23 random bits for float32, 52 for float64. */
function unit(k: Key, shape: Shape, dtype: DType, name: string): NDArray {
  if (dtype === "float64") return bind1(rp.bitsToUnitPrim, words(k, shape, name), { dtype });
  const b = bind1(rp.bitsXorPrim, words(k, shape, name), null);
  return bind1(rp.bitsToUnitPrim, [b], { dtype });
}

function stopGradient(x: NDArray): NDArray {
  return bind1(stopGradientPrim, [x], null);
}

// ---- continuous samplers ---------------------------------------------------------------------

/** Smallest normal number and machine epsilon of each float dtype. */
const TINY: Record<string, number> = { float32: 1.1754943508222875e-38, float64: 2.2250738585072014e-308 };
const EPS: Record<string, number> = { float32: 1.1920928955078125e-7, float64: 2.220446049250313e-16 };


/** Uniform floats in [minval, maxval) of `shape` (JAX's algorithm and bits). */
export function uniform(k: Key, shape: ShapeArg = [], dtype?: DType, minval: ArrayLike = 0, maxval: ArrayLike = 1): NDArray {
  const d = floatDType("uniform", dtype);
  const lo = floatParam(minval, d);
  const hi = floatParam(maxval, d);
  const s = sampleShape("uniform", shape, [lo, hi]);
  const u = unit(k, s, d, "uniform");
  return np.maximum(lo, np.add(np.multiply(u, np.subtract(hi, lo)), lo));
}

/**
 * Standard normal floats of `shape`, as JAX draws them: sqrt(2) erfinv(u) for u uniform on
 * (-1, 1) (JAX's bits; values agree with JAX up to the last bits of erfinv).
 */
export function normal(k: Key, shape: ShapeArg = [], dtype?: DType): NDArray {
  const d = floatDType("normal", dtype);
  const u = uniform(k, shape, d, -1 + EPS[d] / 2, 1);
  return np.multiply(Math.SQRT2, erfinv(u));
}

/** Exponential(1) floats of `shape`. */
export function exponential(k: Key, shape: ShapeArg = [], dtype?: DType): NDArray {
  const d = floatDType("exponential", dtype);
  return np.negative(np.log1p(np.negative(unit(k, toShape(shape)!, d, "exponential"))));
}

/** Standard Gumbel floats of `shape`: -log(-log(u)). */
export function gumbel(k: Key, shape: ShapeArg = [], dtype?: DType): NDArray {
  const d = floatDType("gumbel", dtype);
  const u = uniform(k, shape, d, TINY[d], 1);
  return np.negative(np.log(np.negative(np.log(u))));
}

/** Standard Laplace floats of `shape`. */
export function laplace(k: Key, shape: ShapeArg = [], dtype?: DType): NDArray {
  const d = floatDType("laplace", dtype);
  const u = uniform(k, shape, d, -1 + EPS[d] / 2, 1);
  return np.multiply(np.sign(u), np.log1p(np.negative(np.abs(u))));
}

/** Standard Cauchy floats of `shape`. */
export function cauchy(k: Key, shape: ShapeArg = [], dtype?: DType): NDArray {
  const d = floatDType("cauchy", dtype);
  const u = uniform(k, shape, d, EPS[d], 1);
  return np.tan(np.multiply(Math.PI, np.subtract(u, 0.5)));
}

const LOG_SQRT_2PI = 0.9189385332046728;

/**
 * Φ⁻¹(exp(logp)) for log-probabilities down to the deepest tails: ndtri where exp(logp) is a
 * normal float, else the asymptotic x ≈ -sqrt(L - log L - log 2π) (L = -2 logp) refined by
 * Newton steps on logΦ(x) = logp. Each branch only ever sees safe inputs, so gradients stay finite.
 */
function ndtriLog(logp: NDArray): NDArray {
  const threshold = logp.dtype === "float64" ? -700 : -80;
  const deep = np.less(logp, threshold);
  const main = ndtri(np.exp(np.where(deep, -1, logp)));
  const lp = np.where(deep, logp, threshold);
  const L = np.multiply(-2, lp);
  let x = np.negative(np.sqrt(np.subtract(np.subtract(L, np.log(L)), 2 * LOG_SQRT_2PI)));
  for (let i = 0; i < 4; i++) {
    const lphi = np.subtract(np.multiply(-0.5, np.square(x)), LOG_SQRT_2PI);
    const ln = logNdtr(x);
    // Newton on g(x) = logΦ(x) - logp, g'(x) = φ(x)/Φ(x)
    x = np.subtract(x, np.multiply(np.subtract(ln, lp), np.exp(np.subtract(ln, lphi))));
  }
  return np.where(deep, x, main);
}

/**
 * Standard normal floats truncated to [lower, upper] (broadcast against `shape`), by inverting
 * the cdf on the side where it is small (the interval is mirrored when it lies mostly above 0)
 * and in log space there: p = Φ(hi) (1 - (1 - u)(1 - Φ(lo)/Φ(hi))) from logΦ, then Φ⁻¹ from
 * log p. Accurate far in the tails (e.g. [-40, -39]); NaN where lower > upper.
 */
export function truncatedNormal(k: Key, lower: ArrayLike, upper: ArrayLike, shape?: ShapeArg, dtype?: DType): NDArray {
  const A = floatParam(lower, dtype);
  const B = floatParam(upper, dtype ?? A.dtype);
  const s = sampleShape("truncatedNormal", shape, [A, B]);
  const a = np.broadcastTo(A, s);
  const b = np.broadcastTo(B, s);
  const flip = np.greater(np.add(a, b), 0);
  const lo = np.where(flip, np.negative(b), a);
  const hi = np.where(flip, np.negative(a), b);
  const lhi = logNdtr(hi);
  const oneMinusR = np.negative(np.expm1(np.subtract(logNdtr(lo), lhi)));
  const u = uniform(k, s, A.dtype);
  const logp = np.add(lhi, np.log1p(np.negative(np.multiply(np.subtract(1, u), oneMinusR))));
  const x = np.clip(ndtriLog(logp), lo, hi);
  return np.where(np.greater(a, b), NaN, np.where(flip, np.negative(x), x));
}

/** One key per element of `shape`, as an array [...shape, 2]. */
function elementKeys(k: Key, shape: Shape, name: string): NDArray {
  singleKey(name, k);
  return np.reshape(split(k, sizeOf(shape)), [...shape, 2]);
}

function gammaImpl(name: string, k: Key, a: ArrayLike, shape: ShapeArg | undefined, dtype: DType | undefined, log: boolean): NDArray {
  const A = floatParam(a, dtype);
  const s = sampleShape(name, shape, [A]);
  return bind1(rp.randomGammaPrim, [elementKeys(k, s, name), np.broadcastTo(A, s)], { log });
}

/**
 * Gamma(a, 1) floats (shape parameter `a`, unit rate). Differentiable in `a` by implicit
 * reparameterization.
 */
export function gamma(k: Key, a: ArrayLike, shape?: ShapeArg, dtype?: DType): NDArray {
  return gammaImpl("gamma", k, a, shape, dtype, false);
}

/** log of Gamma(a, 1) draws, accurate where the draws underflow (tiny `a`); differentiable in `a`. */
export function loggamma(k: Key, a: ArrayLike, shape?: ShapeArg, dtype?: DType): NDArray {
  return gammaImpl("loggamma", k, a, shape, dtype, true);
}

/** Beta(a, b) floats, from two log-gamma draws (accurate for small a, b); differentiable in a and b. */
export function beta(k: Key, a: ArrayLike, b: ArrayLike, shape?: ShapeArg, dtype?: DType): NDArray {
  const A = floatParam(a, dtype);
  const B = floatParam(b, dtype ?? A.dtype);
  const s = sampleShape("beta", shape, [A, B]);
  const [ka, kb] = splitList(k, 2);
  const la = loggamma(ka, A, s);
  const lb = loggamma(kb, B, s);
  const m = stopGradient(np.maximum(la, lb));
  const ea = np.exp(np.subtract(la, m));
  const eb = np.exp(np.subtract(lb, m));
  return np.divide(ea, np.add(ea, eb));
}

/**
 * Dirichlet(alpha) vectors: `alpha` has shape [..., K], the result [...shape, K] (shape
 * defaults to alpha's batch shape). Normalized in log space, so small concentrations work.
 */
export function dirichlet(k: Key, alpha: ArrayLike, shape?: ShapeArg, dtype?: DType): NDArray {
  const A = floatParam(alpha, dtype);
  if (A.ndim < 1) throw new Error(`random.dirichlet: alpha must have at least one axis, got shape ${fmt(A.shape)}`);
  const K = A.shape[A.ndim - 1];
  const batch = A.shape.slice(0, -1);
  const s = toShape(shape) ?? batch;
  if (!sameShape(broadcastShapes("random.dirichlet", s, batch), s)) throw new Error(`random.dirichlet: alpha's batch shape ${fmt(batch)} does not broadcast to the sample shape ${fmt(s)}`);
  const lg = loggamma(k, A, [...s, K]);
  const m = stopGradient(np.max(lg, -1, true));
  const e = np.exp(np.subtract(lg, m));
  return np.divide(e, np.sum(e, -1, true));
}

/**
 * Multivariate normal vectors N(mean, cov): `mean` [..., n], `cov` [..., n, n]; the result
 * has shape [...shape, n] (shape defaults to the broadcast batch shape). Uses the Cholesky factor.
 */
export function multivariateNormal(k: Key, mean: ArrayLike, cov: ArrayLike, shape?: ShapeArg, dtype?: DType): NDArray {
  const M = floatParam(mean, dtype);
  const C = floatParam(cov, dtype ?? M.dtype);
  if (M.ndim < 1) throw new Error(`random.multivariateNormal: mean must have at least one axis, got shape ${fmt(M.shape)}`);
  const n = M.shape[M.ndim - 1];
  if (C.ndim < 2 || C.shape[C.ndim - 1] !== n || C.shape[C.ndim - 2] !== n)
    throw new Error(`random.multivariateNormal: cov of shape ${fmt(C.shape)} does not match mean of shape ${fmt(M.shape)} (expected [..., ${n}, ${n}])`);
  const batch = broadcastShapes("random.multivariateNormal", M.shape.slice(0, -1), C.shape.slice(0, -2));
  const s = toShape(shape) ?? batch;
  if (!sameShape(broadcastShapes("random.multivariateNormal", s, batch), s))
    throw new Error(`random.multivariateNormal: the batch shape ${fmt(batch)} of mean and cov does not broadcast to the sample shape ${fmt(s)}`);
  const L = cholesky(C);
  const z = normal(k, [...s, n, 1], M.dtype);
  return np.add(M, np.squeeze(np.matmul(L, z), -1));
}

// ---- discrete samplers -----------------------------------------------------------------------

/** Uniform int32 integers in [minval, maxval) of `shape` (JAX's algorithm and bits). */
export function randint(k: Key, shape: ShapeArg, minval: ArrayLike, maxval: ArrayLike): NDArray {
  const toInt = (v: ArrayLike, what: string): NDArray => {
    if (typeof v === "number") {
      if (!Number.isInteger(v)) throw new Error(`random.randint: ${what} must be an integer, got ${v}`);
      return asArray(Math.max(-2147483648, Math.min(2147483647, v)), "int32");
    }
    const a = asArray(v);
    return a.dtype === "int32" ? a : np.astype(np.floor(a), "int32");
  };
  const lo = toInt(minval, "minval");
  const hi = toInt(maxval, "maxval");
  const s = sampleShape("randint", shape, [lo, hi]);
  const [k1, k2] = splitList(k, 2);
  return bind1(rp.bitsToIntPrim, [bits(k1, s), bits(k2, s), lo, hi], null);
}

/** Booleans, true with probability `p` (default 1/2), of `shape` (default p's shape). */
export function bernoulli(k: Key, p: ArrayLike = 0.5, shape?: ShapeArg): NDArray {
  const P = floatParam(p);
  const s = sampleShape("bernoulli", shape, [P]);
  return np.less(uniform(k, s, P.dtype), P);
}

/**
 * Category indices (int32) drawn from unnormalized log-probabilities `logits` along `axis`,
 * by the Gumbel-max trick. `shape` defaults to the logits' batch shape (the other axes).
 */
export function categorical(k: Key, logits: ArrayLike, axis = -1, shape?: ShapeArg): NDArray {
  const L = floatParam(logits);
  if (L.ndim < 1) throw new Error("random.categorical: logits must have at least one axis");
  const ax = normAxis("random.categorical", axis, L.ndim);
  const moved = np.moveaxis(L, ax, -1);
  const K = moved.shape[moved.ndim - 1];
  const batch = moved.shape.slice(0, -1);
  const s = toShape(shape) ?? batch;
  if (!sameShape(broadcastShapes("random.categorical", s, batch), s)) throw new Error(`random.categorical: the logits' batch shape ${fmt(batch)} does not broadcast to the sample shape ${fmt(s)}`);
  const g = gumbel(k, [...s, K], L.dtype);
  return np.argmax(np.add(g, moved), -1);
}

/** Poisson(rate) counts (int32); -1 where the rate is negative or NaN. */
export function poisson(k: Key, rate: ArrayLike, shape?: ShapeArg): NDArray {
  const R = floatParam(rate);
  const s = sampleShape("poisson", shape, [R]);
  return bind1(rp.randomPoissonPrim, [elementKeys(k, s, "poisson"), np.broadcastTo(R, s)], null);
}

/**
 * Binomial(n, p) counts (int32); -1 where n is not a non-negative integer or p is outside
 * [0, 1]. Plain numbers for n become float32 (exact to 2^24): pass an int32 array for larger counts.
 */
export function binomial(k: Key, n: ArrayLike, p: ArrayLike, shape?: ShapeArg): NDArray {
  const N = asArray(n);
  const P = floatParam(p);
  const s = sampleShape("binomial", shape, [N, P]);
  return bind1(rp.randomBinomialPrim, [elementKeys(k, s, "binomial"), np.broadcastTo(N, s), np.broadcastTo(P, s)], null);
}

/**
 * A random permutation: of 0..n-1 for a number, else of `x` along `axis` (by sorting on
 * random 32-bit keys, repeated as JAX does so that ties do not bias it).
 */
export function permutation(k: Key, x: number | ArrayLike, axis = 0): NDArray {
  singleKey("permutation", k);
  const isN = typeof x === "number";
  const arr = isN ? null : asArray(x);
  if (arr && arr.ndim === 0) throw new Error("random.permutation: x must be a number or an array with at least one axis");
  const ax = arr ? normAxis("random.permutation", axis, arr.ndim) : 0;
  const n = isN ? (x as number) : arr!.shape[ax];
  if (!Number.isInteger(n) || n < 0) throw new Error(`random.permutation: n must be a non-negative integer, got ${n}`);
  if (n <= 1) return arr ?? iota([n]);
  const rounds = Math.max(1, Math.ceil((3 * Math.log(Math.max(1, n))) / Math.log(4294967295)));
  let perm: NDArray = iota([n]);
  let cur = k;
  for (let r = 0; r < rounds; r++) {
    const [next, sub] = splitList(cur, 2);
    cur = next;
    perm = np.take(perm, np.argsort(bits(sub, [n])));
  }
  return arr ? np.take(arr, perm, ax) : perm;
}

/**
 * Draws from `a` (a number n: 0..n-1; an array: its entries along `axis`): `shape` draws with
 * or without replacement, with probabilities `p` (default uniform).
 */
export function choice(k: Key, a: number | ArrayLike, shape: ShapeArg = [], replace = true, p?: ArrayLike, axis = 0): NDArray {
  singleKey("choice", k);
  const s = toShape(shape)!;
  const isN = typeof a === "number";
  const arr = isN ? null : asArray(a);
  if (arr && arr.ndim === 0) throw new Error("random.choice: a must be a number or an array with at least one axis");
  const ax = arr ? normAxis("random.choice", axis, arr.ndim) : 0;
  const n = isN ? (a as number) : arr!.shape[ax];
  if (!Number.isInteger(n) || n < 0) throw new Error(`random.choice: a must be a non-negative integer, got ${n}`);
  const draws = sizeOf(s);
  if (draws > 0 && n === 0) throw new Error("random.choice: cannot draw from an empty population");
  if (!replace && draws > n) throw new Error(`random.choice: cannot take ${draws} draws without replacement from ${n} entries`);
  let ind: NDArray;
  if (p === undefined) {
    ind = replace ? randint(k, s, 0, n) : np.reshape(np.slice(permutation(k, n), [0], [draws]), s);
  } else {
    const P = floatParam(p);
    if (P.ndim !== 1 || P.shape[0] !== n) throw new Error(`random.choice: p must have shape [${n}], got ${fmt(P.shape)}`);
    const logp = np.log(P);
    if (replace) ind = categorical(k, logp, -1, s);
    else {
      // Gumbel-top-k: the `draws` largest perturbed log-probabilities
      const g = np.add(gumbel(k, [n], P.dtype), logp);
      ind = np.reshape(np.slice(np.argsort(np.negative(g)), [0], [draws]), s);
    }
  }
  return arr ? np.take(arr, ind, ax) : ind;
}
