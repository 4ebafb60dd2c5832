/**
 * The `np` namespace: the array functions models are written with, in jax.numpy style.
 * Every function accepts array-likes and returns tyche Arrays; all go through the primitives,
 * so they differentiate, batch and compile.
 */
import { asArray, Concrete, NDArray, type ArrayLike } from "./array.js";
import { allocate, coerce, defaultFloat, isFloat, type DType } from "./dtype.js";
import { bind1 } from "./interpreters/stack.js";
import * as ew from "./primitives/elementwise.js";
import * as lay from "./primitives/layout.js";
import { matmul2, swapLast } from "./primitives/matmul.js";
import * as red from "./primitives/reduce.js";
import { broadcastShapes as broadcastShapesOf, fmt, normAxes, normAxis, sizeOf, type Shape } from "./shape.js";

export type { ArrayLike } from "./array.js";
export type { DType } from "./dtype.js";
/** tyche's array type. */
export type Array = NDArray;

type Axis = number | readonly number[] | null | undefined;

// ---- creation ------------------------------------------------------------------------------

/** An array from numbers, nested lists, typed arrays or tensors (default float dtype for numbers). */
export function array(x: ArrayLike, dtype?: DType): NDArray {
  // a list holding arrays (possibly traced) is stacked, so gradients flow through its elements
  if (Array.isArray(x) && holdsArrays(x)) {
    const s = stack(x.map((e) => array(e as ArrayLike)));
    return dtype && s.dtype !== dtype ? astype(s, dtype) : s;
  }
  // plain JS values are read straight into `dtype` (not via float32, which would round large ints)
  const direct = dtype !== undefined && (typeof x === "number" || typeof x === "boolean" || Array.isArray(x) || ArrayBuffer.isView(x));
  const a = direct ? asArray(x, dtype) : asArray(x);
  return dtype && a.dtype !== dtype ? astype(a, dtype) : a;
}

function holdsArrays(x: readonly unknown[]): boolean {
  return x.some((e) => e instanceof NDArray || (Array.isArray(e) && holdsArrays(e)));
}

/** Like {@link array}; an Array passes through. */
export const asarray = array;

/** Casts to `dtype`. */
export function astype(x: ArrayLike, dtype: DType): NDArray {
  return ew.castTo(asArray(x), dtype);
}

/** An array of `shape` filled with `value`. */
export function full(shape: Shape | number, value: number | boolean, dtype?: DType): NDArray {
  const s = typeof shape === "number" ? [shape] : [...shape];
  const d = dtype ?? (typeof value === "boolean" ? "bool" : defaultFloat());
  const data = allocate(d, sizeOf(s));
  data.fill(coerce(d, Number(value)));
  return Concrete.fromHost(s, d, data);
}

/** Zeros of `shape`. */
export function zeros(shape: Shape | number, dtype?: DType): NDArray {
  return full(shape, 0, dtype);
}

/** Ones of `shape`. */
export function ones(shape: Shape | number, dtype?: DType): NDArray {
  return full(shape, 1, dtype);
}

/** Zeros with the shape and dtype of `x`. */
export function zerosLike(x: ArrayLike): NDArray {
  const a = asArray(x);
  return full(a.shape, 0, a.dtype);
}

/** Ones with the shape and dtype of `x`. */
export function onesLike(x: ArrayLike): NDArray {
  const a = asArray(x);
  return full(a.shape, 1, a.dtype);
}

/** `value` with the shape and dtype of `x`. */
export function fullLike(x: ArrayLike, value: number): NDArray {
  const a = asArray(x);
  return full(a.shape, value, a.dtype);
}

/** Evenly spaced values in [start, stop): `arange(n)` or `arange(start, stop, step)`; int32 when all are integers. */
export function arange(start: number, stop?: number, step = 1, dtype?: DType): NDArray {
  const [a, b] = stop === undefined ? [0, start] : [start, stop];
  if (step === 0) throw new Error("arange: step must not be zero");
  const n = Math.max(0, Math.ceil((b - a) / step));
  const d = dtype ?? ([a, b, step].every(Number.isInteger) ? "int32" : defaultFloat());
  const data = allocate(d, n);
  for (let i = 0; i < n; i++) data[i] = coerce(d, a + i * step);
  return Concrete.fromHost([n], d, data);
}

/** `num` evenly spaced values from start to stop inclusive. */
export function linspace(start: number, stop: number, num = 50, dtype?: DType): NDArray {
  const d = dtype ?? defaultFloat();
  const data = allocate(d, num);
  for (let i = 0; i < num; i++) data[i] = num === 1 ? start : start + ((stop - start) * i) / (num - 1);
  return Concrete.fromHost([num], d, data);
}

/** The n x m identity (ones on diagonal k). */
export function eye(n: number, m = n, k = 0, dtype?: DType): NDArray {
  const d = dtype ?? defaultFloat();
  const data = allocate(d, n * m);
  for (let i = 0; i < n; i++) if (i + k >= 0 && i + k < m) data[i * m + i + k] = 1;
  return Concrete.fromHost([n, m], d, data);
}

// ---- elementwise ---------------------------------------------------------------------------

const u = (p: (typeof ew.unaryPrims)[keyof typeof ew.unaryPrims]) => (x: ArrayLike) => bind1(p, [asArray(x)], null);
const P = ew.unaryPrims;
/** -x */ export const negative = u(P.neg);
/** |x| */ export const abs = u(P.abs);
/** sign of x */ export const sign = u(P.sign);
/** e^x */ export const exp = u(P.exp);
/** e^x - 1, accurate near 0 */ export const expm1 = u(P.expm1);
/** natural log */ export const log = u(P.log);
/** log(1 + x), accurate near 0 */ export const log1p = u(P.log1p);
/** square root */ export const sqrt = u(P.sqrt);
/** sine */ export const sin = u(P.sin);
/** cosine */ export const cos = u(P.cos);
/** tangent */ export const tan = u(P.tan);
/** arcsine */ export const arcsin = u(P.asin);
/** arccosine */ export const arccos = u(P.acos);
/** arctangent */ export const arctan = u(P.atan);
/** hyperbolic sine */ export const sinh = u(P.sinh);
/** hyperbolic cosine */ export const cosh = u(P.cosh);
/** hyperbolic tangent */ export const tanh = u(P.tanh);
/** inverse hyperbolic sine */ export const arcsinh = u(P.asinh);
/** inverse hyperbolic cosine */ export const arccosh = u(P.acosh);
/** inverse hyperbolic tangent */ export const arctanh = u(P.atanh);
/** logistic sigmoid 1/(1+e^-x) */ export const sigmoid = u(P.sigmoid);
/** error function */ export const erf = u(P.erf);
/** complementary error function */ export const erfc = u(P.erfc);
/** round down */ export const floor = u(P.floor);
/** round up */ export const ceil = u(P.ceil);
/** round half to even */ export const round = u(P.round);
/** elementwise finiteness test */ export const isfinite = u(P.isFinite);
/** elementwise NaN test */ export const isnan = u(P.isNaN);
/** logical not */ export const logicalNot = (x: ArrayLike) => bind1(P.logicalNot, [asArray(x, "bool")], null);

/** x * x */
export function square(x: ArrayLike): NDArray {
  const a = asArray(x);
  return ew.mul(a, a);
}
/** 1 / x */
export function reciprocal(x: ArrayLike): NDArray {
  return ew.div(1, x);
}
/** log base 2 */
export function log2(x: ArrayLike): NDArray {
  return ew.mul(log(x), 1 / Math.LN2);
}
/** log base 10 */
export function log10(x: ArrayLike): NDArray {
  return ew.mul(log(x), 1 / Math.LN10);
}
/** 2^x */
export function exp2(x: ArrayLike): NDArray {
  return exp(ew.mul(x, Math.LN2));
}

const b = (p: (typeof ew.binaryPrims)[keyof typeof ew.binaryPrims]) => (x: ArrayLike, y: ArrayLike) => {
  const [X, Y] = ew.promoteArgs(x, y);
  return bind1(p, [X, Y], null);
};
const B = ew.binaryPrims;
/** x + y */ export const add = b(B.add);
/** x - y */ export const subtract = b(B.sub);
/** x * y */ export const multiply = b(B.mul);
/** x / y (true division) */ export const divide = b(B.div);
/** x ** y */ export const power = b(B.pow);
/** elementwise maximum */ export const maximum = b(B.maximum);
/** elementwise minimum */ export const minimum = b(B.minimum);
/** atan2(y, x) */ export const arctan2 = b(B.atan2);
/** remainder with the sign of the divisor */ export const mod = b(B.mod);
/** x < y */ export const less = b(B.lt);
/** x <= y */ export const lessEqual = b(B.le);
/** x > y */ export const greater = b(B.gt);
/** x >= y */ export const greaterEqual = b(B.ge);
/** x == y */ export const equal = b(B.eq);
/** x != y */ export const notEqual = b(B.ne);
/** logical and */ export const logicalAnd = (x: ArrayLike, y: ArrayLike) => bind1(B.and, [asArray(x, "bool"), asArray(y, "bool")], null);
/** logical or */ export const logicalOr = (x: ArrayLike, y: ArrayLike) => bind1(B.or, [asArray(x, "bool"), asArray(y, "bool")], null);
/** logical xor */ export const logicalXor = (x: ArrayLike, y: ArrayLike) => bind1(B.xor, [asArray(x, "bool"), asArray(y, "bool")], null);

/** Short names, as in jax.numpy. */
export { add as plus, subtract as sub, multiply as mul, divide as div, negative as neg, power as pow };

/** floor(x / y) */
export function floorDivide(x: ArrayLike, y: ArrayLike): NDArray {
  const [X, Y] = ew.promoteArgs(x, y);
  const q = floor(ew.div(X, Y));
  return isFloat(X.dtype) ? q : astype(q, X.dtype);
}

/** Picks from `x` where `cond` holds and from `y` elsewhere (broadcasting). */
export function where(cond: ArrayLike, x: ArrayLike, y: ArrayLike): NDArray {
  return ew.select(cond, x, y);
}

/** Limits values to [lo, hi] (either may be omitted with null). */
export function clip(x: ArrayLike, lo: ArrayLike | null, hi: ArrayLike | null): NDArray {
  let r = asArray(x);
  if (lo !== null) r = maximum(r, lo);
  if (hi !== null) r = minimum(r, hi);
  return r;
}

// ---- reductions ----------------------------------------------------------------------------

/** Sum over `axis` (all axes by default). */
export function sum(x: ArrayLike, axis?: Axis, keepdims = false): NDArray {
  return red.reduceWith(red.reducePrims.sum, asArray(x), axis, keepdims);
}
/** Product over `axis`. */
export function prod(x: ArrayLike, axis?: Axis, keepdims = false): NDArray {
  return red.reduceWith(red.reducePrims.prod, asArray(x), axis, keepdims);
}
/** Maximum over `axis`. */
export function max(x: ArrayLike, axis?: Axis, keepdims = false): NDArray {
  return red.reduceWith(red.reducePrims.max, asArray(x), axis, keepdims);
}
/** Minimum over `axis`. */
export function min(x: ArrayLike, axis?: Axis, keepdims = false): NDArray {
  return red.reduceWith(red.reducePrims.min, asArray(x), axis, keepdims);
}
/** True where any element along `axis` is true. */
export function any(x: ArrayLike, axis?: Axis, keepdims = false): NDArray {
  return red.reduceWith(red.reducePrims.max, astype(x, "bool"), axis, keepdims);
}
/** True where every element along `axis` is true. */
export function all(x: ArrayLike, axis?: Axis, keepdims = false): NDArray {
  return red.reduceWith(red.reducePrims.min, astype(x, "bool"), axis, keepdims);
}
/** Mean over `axis`. */
export function mean(x: ArrayLike, axis?: Axis, keepdims = false): NDArray {
  const a = asArray(x);
  const n = normAxes("mean", axis, a.ndim).reduce((acc, i) => acc * a.shape[i], 1);
  const s = sum(isFloat(a.dtype) ? a : astype(a, defaultFloat()), axis, keepdims);
  return ew.div(s, n);
}
/** Variance over `axis` with `ddof` delta degrees of freedom. */
export function variance(x: ArrayLike, axis?: Axis, keepdims = false, ddof = 0): NDArray {
  const a = asArray(x);
  const n = normAxes("var", axis, a.ndim).reduce((acc, i) => acc * a.shape[i], 1);
  const d = ew.sub(a, mean(a, axis, true));
  return ew.div(sum(ew.mul(d, d), axis, keepdims), n - ddof);
}
export { variance as var };
/** Standard deviation over `axis`. */
export function std(x: ArrayLike, axis?: Axis, keepdims = false, ddof = 0): NDArray {
  return sqrt(variance(x, axis, keepdims, ddof));
}
/** Index of the maximum along `axis` (of the flattened array when omitted). */
export function argmax(x: ArrayLike, axis?: number, keepdims = false): NDArray {
  return argReduce(red.argPrims.argmax, x, axis, keepdims);
}
/** Index of the minimum along `axis`. */
export function argmin(x: ArrayLike, axis?: number, keepdims = false): NDArray {
  return argReduce(red.argPrims.argmin, x, axis, keepdims);
}
function argReduce(p: typeof red.argPrims.argmax, x: ArrayLike, axis: number | undefined, keepdims: boolean): NDArray {
  const a0 = asArray(x);
  const a = axis === undefined ? lay.reshape(a0, [a0.size]) : a0;
  const ax = axis === undefined ? 0 : normAxis(p.name, axis, a.ndim);
  const r = bind1(p, [a], { axis: ax });
  // keepdims without an axis keeps every axis of the input as length 1 (NumPy)
  return keepdims ? lay.reshape(r, axis === undefined ? a0.shape.map(() => 1) : red.keptShape(a.shape, [ax])) : r;
}
/** Cumulative sum along `axis` (flattened when omitted). */
export function cumsum(x: ArrayLike, axis?: number, reverse = false): NDArray {
  const a = asArray(x);
  return axis === undefined ? red.cumsum(lay.reshape(a, [a.size]), 0, reverse) : red.cumsum(a, axis, reverse);
}

// ---- shapes --------------------------------------------------------------------------------

/** Reshape (one entry may be -1). */
export function reshape(x: ArrayLike, shape: Shape): NDArray {
  return lay.reshape(asArray(x), shape);
}
/** Flattens to one axis. */
export function ravel(x: ArrayLike): NDArray {
  const a = asArray(x);
  return lay.reshape(a, [a.size]);
}
/** The shape that `shapes` broadcast to (NumPy's broadcast_shapes); throws when they do not. */
export function broadcastShapes(...shapes: Shape[]): number[] {
  return broadcastShapesOf("broadcastShapes", ...shapes);
}

/** Broadcasts `x` to `shape`. */
export function broadcastTo(x: ArrayLike, shape: Shape): NDArray {
  return lay.broadcastTo(asArray(x), shape);
}
/** Inserts a length-1 axis at `axis`. */
export function expandDims(x: ArrayLike, axis: number): NDArray {
  const a = asArray(x);
  const ax = normAxis("expandDims", axis, a.ndim + 1);
  const s = [...a.shape];
  s.splice(ax, 0, 1);
  return lay.reshape(a, s);
}
/** Removes length-1 axes (the given ones, or all). */
export function squeeze(x: ArrayLike, axis?: Axis): NDArray {
  const a = asArray(x);
  const axes = axis === undefined || axis === null ? a.shape.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0) : normAxes("squeeze", axis, a.ndim);
  for (const i of axes) if (a.shape[i] !== 1) throw new Error(`squeeze: axis ${i} has length ${a.shape[i]}, not 1 (shape ${fmt(a.shape)})`);
  return lay.reshape(
    a,
    a.shape.filter((_, i) => !axes.includes(i)),
  );
}
/** Permutes axes (reverses them by default). */
export function transpose(x: ArrayLike, axes?: readonly number[]): NDArray {
  return lay.transpose(asArray(x), axes);
}
/** Moves axes `source` to positions `destination`. */
export function moveaxis(x: ArrayLike, source: number | readonly number[], destination: number | readonly number[]): NDArray {
  const a = asArray(x);
  const src = (typeof source === "number" ? [source] : [...source]).map((s) => normAxis("moveaxis", s, a.ndim));
  const dst = (typeof destination === "number" ? [destination] : [...destination]).map((s) => normAxis("moveaxis", s, a.ndim));
  if (src.length !== dst.length) throw new Error("moveaxis: source and destination must have the same number of axes");
  const rest = a.shape.map((_, i) => i).filter((i) => !src.includes(i));
  const perm = new Array<number>(a.ndim).fill(-1);
  dst.forEach((d, i) => (perm[d] = src[i]));
  let r = 0;
  for (let i = 0; i < perm.length; i++) if (perm[i] < 0) perm[i] = rest[r++];
  return lay.transpose(a, perm);
}
/** Swaps two axes. */
export function swapaxes(x: ArrayLike, a1: number, a2: number): NDArray {
  const a = asArray(x);
  const p = a.shape.map((_, i) => i);
  const i = normAxis("swapaxes", a1, a.ndim);
  const j = normAxis("swapaxes", a2, a.ndim);
  [p[i], p[j]] = [p[j], p[i]];
  return lay.transpose(a, p);
}
/** Joins arrays along an existing axis. */
export function concatenate(xs: readonly ArrayLike[], axis = 0): NDArray {
  const arrs = xs.map((x) => asArray(x));
  if (arrs.length === 0) throw new Error("concatenate: needs at least one array");
  const d = arrs.reduce<DType>((acc, a) => (acc === a.dtype ? acc : isFloat(acc) || isFloat(a.dtype) ? (acc === "float64" || a.dtype === "float64" ? "float64" : defaultFloat()) : "int32"), arrs[0].dtype);
  const ax = normAxis("concatenate", axis, arrs[0].ndim);
  if (arrs.length === 1) return arrs[0];
  return bind1(
    lay.concatPrim,
    arrs.map((a) => ew.castTo(a, d)),
    { axis: ax },
  );
}
export { concatenate as concat };
/** Joins arrays along a new axis. */
export function stack(xs: readonly ArrayLike[], axis = 0): NDArray {
  const arrs = xs.map((x) => asArray(x));
  if (arrs.length === 0) throw new Error("stack: needs at least one array");
  const ax = normAxis("stack", axis, arrs[0].ndim + 1);
  return concatenate(
    arrs.map((a) => expandDims(a, ax)),
    ax,
  );
}
/**
 * `slice(x, begin, end)`: the box begin[i] <= index < end[i] on the first begin.length axes;
 * negative values count from the end, `end` defaults to the full length.
 */
export function slice(x: ArrayLike, begin: readonly number[], end?: readonly (number | null)[]): NDArray {
  const a = asArray(x);
  const starts = a.shape.map((d, i) => (i < begin.length ? (begin[i] < 0 ? begin[i] + d : begin[i]) : 0));
  const limits = a.shape.map((d, i) => {
    const e = end && i < end.length ? end[i] : null;
    return e === null || e === undefined ? d : e < 0 ? e + d : Math.min(e, d);
  });
  return lay.slice(a, starts, limits);
}
/** Splits into `sections` equal parts (or at the given indices) along `axis`. */
export function split(x: ArrayLike, sections: number | readonly number[], axis = 0): NDArray[] {
  const a = asArray(x);
  const ax = normAxis("split", axis, a.ndim);
  const n = a.shape[ax];
  let cuts: number[];
  if (typeof sections === "number") {
    if (n % sections !== 0) throw new Error(`split: axis of length ${n} does not divide into ${sections} equal parts`);
    cuts = Array.from({ length: sections - 1 }, (_, i) => ((i + 1) * n) / sections);
  } else cuts = [...sections];
  const bounds = [0, ...cuts, n];
  return bounds.slice(1).map((e, i) =>
    lay.slice(
      a,
      a.shape.map((_, j) => (j === ax ? bounds[i] : 0)),
      a.shape.map((d, j) => (j === ax ? e : d)),
    ),
  );
}
/** Takes elements at `indices` along `axis` (of the flattened array when omitted); indices are clamped. */
export function take(x: ArrayLike, indices: ArrayLike, axis?: number): NDArray {
  let a = asArray(x);
  if (axis === undefined) a = lay.reshape(a, [a.size]);
  const idx = toIndex(indices);
  return bind1(lay.gatherPrim, [a, idx], { axis: axis === undefined ? 0 : normAxis("take", axis, a.ndim) });
}
/** Picks along `axis` with an index array of the same rank (NumPy's take_along_axis). */
export function takeAlongAxis(x: ArrayLike, indices: ArrayLike, axis: number): NDArray {
  const a = asArray(x);
  const idx = toIndex(indices);
  const ax = normAxis("takeAlongAxis", axis, a.ndim);
  if (idx.ndim !== a.ndim) throw new Error(`takeAlongAxis: indices of rank ${idx.ndim} for an array of rank ${a.ndim}`);
  const outShape = a.shape.map((d, i) => (i === ax ? idx.shape[i] : Math.max(d, idx.shape[i])));
  const full = lay.broadcastTo(idx, outShape);
  // linear index into the flattened array (a broadcast over the non-axis dims): sum of coordinate * stride
  const aShape = a.shape.map((d, i) => (i === ax ? d : outShape[i]));
  const st = aShape.map((_, i) => sizeOf(aShape.slice(i + 1)));
  const n = a.shape[ax];
  const wrapped = ew.select(ew.lt(full, 0), ew.add(full, n), full);
  const clamped = minimum(maximum(wrapped, 0), n - 1);
  let lin = ew.mul(clamped, st[ax]);
  for (let i = 0; i < a.ndim; i++) {
    if (i === ax) continue;
    const s = outShape.map((d, j) => (j === i ? d : 1));
    const coord = lay.reshape(arange(outShape[i]), s);
    lin = ew.add(lin, ew.mul(coord, st[i]));
  }
  const flat = bind1(lay.gatherPrim, [lay.reshape(lay.broadcastTo(a, aShape), [-1]), lin], { axis: 0 });
  return flat;
}
function toIndex(i: ArrayLike): NDArray {
  const a = typeof i === "number" ? asArray(i, "int32") : Array.isArray(i) ? asArray(i as number[], "int32") : asArray(i);
  if (a.dtype === "int32") return a;
  if (a.dtype === "bool") throw new Error("take: boolean masks are not indices (use where)");
  return ew.castTo(a, "int32");
}
/** Pads with zeros: `width` is a number, a [before, after] pair, or one pair per axis. */
export function pad(x: ArrayLike, width: number | readonly [number, number] | readonly (readonly [number, number])[]): NDArray {
  const a = asArray(x);
  const pairs: (readonly [number, number])[] =
    typeof width === "number" ? a.shape.map(() => [width, width] as const) : typeof width[0] === "number" ? a.shape.map(() => width as readonly [number, number]) : [...(width as (readonly [number, number])[])];
  if (pairs.length !== a.ndim) throw new Error(`pad: ${pairs.length} pad pairs for an array of rank ${a.ndim}`);
  return lay.pad(
    a,
    pairs.map((p) => p[0]),
    pairs.map((p) => p[1]),
  );
}
/** Repeats the whole array `reps` times along each axis. */
export function tile(x: ArrayLike, reps: number | readonly number[]): NDArray {
  const a0 = asArray(x);
  const r = typeof reps === "number" ? [reps] : [...reps];
  const nd = Math.max(a0.ndim, r.length);
  const shape = [...new Array(nd - a0.ndim).fill(1), ...a0.shape];
  const rr = [...new Array(nd - r.length).fill(1), ...r];
  const a = lay.reshape(a0, shape);
  const inter = shape.flatMap((d) => [1, d]);
  const big = shape.flatMap((d, i) => [rr[i], d]);
  return lay.reshape(lay.broadcastTo(lay.reshape(a, inter), big), shape.map((d, i) => d * rr[i]));
}
/** Reverses the order of elements along `axis` (all axes by default). */
export function flip(x: ArrayLike, axis?: Axis): NDArray {
  const a = asArray(x);
  return bind1(lay.revPrim, [a], { axes: normAxes("flip", axis, a.ndim) });
}
/** Sorts along `axis` (last by default). */
export function sort(x: ArrayLike, axis = -1): NDArray {
  const a = asArray(x);
  const ax = normAxis("sort", axis, a.ndim);
  const moved = moveaxis(a, ax, -1);
  return moveaxis(lay.sortLast(moved)[0], -1, ax);
}
/** Indices that sort along `axis` (stable). */
export function argsort(x: ArrayLike, axis = -1): NDArray {
  const a = asArray(x);
  const ax = normAxis("argsort", axis, a.ndim);
  return moveaxis(lay.sortLast(moveaxis(a, ax, -1))[1], -1, ax);
}

// ---- linear algebra ------------------------------------------------------------------------

/** Matrix product with NumPy's rules for 1-D operands and broadcast batch dimensions. */
export function matmul(x: ArrayLike, y: ArrayLike): NDArray {
  const [a0, b0] = ew.promoteArgs(x, y);
  if (a0.ndim === 0 || b0.ndim === 0) throw new Error(`matmul: operands must have at least one axis, got ${fmt(a0.shape)} and ${fmt(b0.shape)}`);
  // checked here so that 1-D operands are named by their own shapes, not the reshaped ones
  if (a0.shape[a0.ndim - 1] !== b0.shape[Math.max(0, b0.ndim - 2)]) throw new Error(`matmul: inner dimensions differ: ${fmt(a0.shape)} @ ${fmt(b0.shape)}`);
  const a = a0.ndim === 1 ? lay.reshape(a0, [1, a0.shape[0]]) : a0;
  const b = b0.ndim === 1 ? lay.reshape(b0, [b0.shape[0], 1]) : b0;
  let r = matmul2(a, b);
  if (a0.ndim === 1) r = squeeze(r, -2);
  if (b0.ndim === 1) r = squeeze(r, -1);
  return r;
}
/** Dot product of vectors, or matmul for higher ranks. */
export function dot(x: ArrayLike, y: ArrayLike): NDArray {
  const a = asArray(x);
  const c = asArray(y);
  if (a.ndim === 0 || c.ndim === 0) return ew.mul(a, c);
  return matmul(a, c);
}
/** Outer product of two vectors (flattened). */
export function outer(x: ArrayLike, y: ArrayLike): NDArray {
  const a = ravel(x);
  const c = ravel(y);
  return ew.mul(lay.reshape(a, [a.size, 1]), lay.reshape(c, [1, c.size]));
}
/** Sum of the diagonal of the last two axes. */
export function trace(x: ArrayLike): NDArray {
  return sum(diagonal(x), -1);
}
/** The diagonal of the last two axes. */
export function diagonal(x: ArrayLike): NDArray {
  const a = asArray(x);
  const n = Math.min(a.shape[a.ndim - 2], a.shape[a.ndim - 1]);
  const m = a.shape[a.ndim - 1];
  const flat = lay.reshape(a, [...a.shape.slice(0, -2), a.shape[a.ndim - 2] * m]);
  return take(flat, arange(n).dataSync().map((i) => i * (m + 1)) as Int32Array, -1);
}
/** A square matrix with `v` on its diagonal (batched over leading axes of v). */
export function diag(v: ArrayLike): NDArray {
  const a = asArray(v);
  const n = a.shape[a.ndim - 1];
  return ew.mul(expandDims(a, -1), eye(n, n, 0, a.dtype));
}
/** Lower triangle (below diagonal k) of the last two axes. */
export function tril(x: ArrayLike, k = 0): NDArray {
  const a = asArray(x);
  return where(triMask(a.shape[a.ndim - 2], a.shape[a.ndim - 1], k, true), a, 0);
}
/** Upper triangle (above diagonal k) of the last two axes. */
export function triu(x: ArrayLike, k = 0): NDArray {
  const a = asArray(x);
  return where(triMask(a.shape[a.ndim - 2], a.shape[a.ndim - 1], k - 1, false), a, 0);
}
function triMask(n: number, m: number, k: number, lower: boolean): NDArray {
  const d = new Uint8Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) d[i * m + j] = (lower ? j - i <= k : j - i > k) ? 1 : 0;
  return Concrete.fromHost([n, m], "bool", d);
}
/** Swaps the last two axes (matrix transpose of a batch). */
export function matrixTranspose(x: ArrayLike): NDArray {
  return swapLast(asArray(x));
}

/**
 * Einstein summation over explicit subscripts, e.g. `einsum("ij,jk->ik", a, b)`,
 * `einsum("bi,bi->b", x, y)`, `einsum("ii->i", m)` is not supported (repeated letters in one
 * operand); `...` stands for leading broadcast axes.
 */
export function einsum(spec: string, ...operands: ArrayLike[]): NDArray {
  const arrs = operands.map((o) => asArray(o));
  const [lhs, rhsRaw] = spec.replace(/\s+/g, "").split("->");
  const ins = lhs.split(",");
  if (ins.length !== arrs.length) throw new Error(`einsum: '${spec}' names ${ins.length} operands, got ${arrs.length}`);
  const ell = Math.max(0, ...ins.map((s, i) => (s.includes("...") ? arrs[i].ndim - (s.length - 3) : 0)));
  const ellLetters = Array.from({ length: ell }, (_, i) => String.fromCharCode(0x3b1 + i));
  const subs = ins.map((s, i) => {
    const n = s.includes("...") ? arrs[i].ndim - (s.length - 3) : 0;
    return s.replace("...", ellLetters.slice(ell - n).join("")).split("");
  });
  subs.forEach((s, i) => {
    if (s.length !== arrs[i].ndim) throw new Error(`einsum: operand ${i} has rank ${arrs[i].ndim} but '${ins[i]}' names ${s.length} axes`);
    if (new Set(s).size !== s.length) throw new Error(`einsum: repeated index in '${ins[i]}' is not supported`);
  });
  const counts = new Map<string, number>();
  subs.flat().forEach((c) => counts.set(c, (counts.get(c) ?? 0) + 1));
  const out =
    rhsRaw === undefined
      ? [...ellLetters, ...[...counts.keys()].filter((c) => counts.get(c) === 1 && !ellLetters.includes(c)).sort()]
      : rhsRaw.replace("...", ellLetters.join("")).split("");
  const all = [...out, ...[...counts.keys()].filter((c) => !out.includes(c))];
  const size = new Map<string, number>();
  subs.forEach((s, i) =>
    s.forEach((c, j) => {
      const d = arrs[i].shape[j];
      const prev = size.get(c);
      if (prev !== undefined && prev !== d && prev !== 1 && d !== 1) throw new Error(`einsum: index '${c}' has lengths ${prev} and ${d}`);
      size.set(c, Math.max(prev ?? 1, d));
    }),
  );
  let acc: NDArray | null = null;
  subs.forEach((s, i) => {
    const present = all.filter((c) => s.includes(c));
    const t = lay.transpose(
      arrs[i],
      present.map((c) => s.indexOf(c)),
    );
    const shaped = lay.reshape(
      t,
      all.map((c) => (s.includes(c) ? arrs[i].shape[s.indexOf(c)] : 1)),
    );
    acc = acc === null ? shaped : ew.mul(acc, shaped);
  });
  const contracted = all.map((_, i) => i).filter((i) => i >= out.length);
  const r = contracted.length ? red.reduceWith(red.reducePrims.sum, acc!, contracted, false) : acc!;
  return lay.broadcastTo(
    r,
    out.map((c) => size.get(c)!),
  );
}
