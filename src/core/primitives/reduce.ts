/** Reductions (sum, max, min, prod over axes), arg-reductions and cumulative sums. */
import { Concrete, type NDArray } from "../array.js";
import { allocate, isFloat, type DType, type TypedArray } from "../dtype.js";
import { bind1 } from "../interpreters/stack.js";
import { normAxes, normAxis, sizeOf, stridesOf, type Shape } from "../shape.js";
import { definePrimitive, type HostIn, type Primitive } from "./primitive.js";
import { castTo, div, eq, mul, zerosLike } from "./elementwise.js";
import { broadcastTo, concatPrim, reshape, slice, transpose } from "./layout.js";
import { batchFront } from "./batching.js";

interface AxesParams {
  axes: number[];
}

function reducedShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.filter((_, i) => !axes.includes(i));
}

/** Shape with reduced axes kept as length 1. */
export function keptShape(shape: Shape, axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** Folds every element of `x` into its output slot with `combine`, starting from `init`. */
function reduceJS(x: HostIn, axes: readonly number[], outDtype: DType, init: number, combine: (acc: number, v: number) => number): TypedArray {
  const outShape = reducedShape(x.shape, axes);
  const acc = new Float64Array(sizeOf(outShape)).fill(init);
  const outStrides = stridesOf(keptShape(x.shape, axes)).map((s, i) => (axes.includes(i) ? 0 : s));
  const nd = x.shape.length;
  const idx = new Array<number>(nd).fill(0);
  let off = 0;
  const n = x.data.length;
  for (let i = 0; i < n; i++) {
    acc[off] = combine(acc[off], x.data[i]);
    for (let ax = nd - 1; ax >= 0; ax--) {
      idx[ax]++;
      off += outStrides[ax];
      if (idx[ax] < x.shape[ax]) break;
      off -= outStrides[ax] * x.shape[ax];
      idx[ax] = 0;
    }
  }
  const out = allocate(outDtype, acc.length);
  out.set(acc);
  return out;
}

function checkAxes(name: string, shape: Shape, axes: readonly number[]) {
  for (const a of axes) if (a < 0 || a >= shape.length) throw new Error(`${name}: axis ${a} out of range for rank ${shape.length}`);
}

function defineReduce(
  name: string,
  outDtype: (d: DType) => DType,
  init: (d: DType) => number,
  combine: (acc: number, v: number) => number,
  tfk: Primitive<AxesParams>["tfjs"],
  vjp: Primitive<AxesParams>["vjp"],
): Primitive<AxesParams> {
  const prim = definePrimitive<AxesParams>({
    name,
    abstract: ([x], { axes }) => {
      checkAxes(name, x.shape, axes);
      return [{ shape: reducedShape(x.shape, axes), dtype: outDtype(x.dtype) }];
    },
    js: ([x], { axes }, [o]) => [reduceJS(x, axes, o.dtype, init(x.dtype), combine)],
    tfjs: tfk,
    vjp,
  });
  prim.batch = batchFront(prim, ({ axes }) => ({ axes: axes.map((a) => a + 1) }));
  return prim;
}

const sumDtype = (d: DType): DType => (isFloat(d) ? d : "int32");

/** Expands a reduced cotangent back over the reduced axes. */
function expandBack(ct: NDArray, x: NDArray, axes: readonly number[]): NDArray {
  return broadcastTo(reshape(ct, keptShape(x.shape, axes)), x.shape);
}

/** Gradient of max/min: split evenly among the elements that attain the extremum. */
function extremumVjp(cts: NDArray[], [x]: NDArray[], [y]: NDArray[], { axes }: AxesParams): (NDArray | null)[] {
  if (!isFloat(x.dtype)) return [null];
  const hit = castTo(eq(x, broadcastTo(reshape(y, keptShape(x.shape, axes)), x.shape)), x.dtype);
  const count = sum(hit, axes, true);
  return [mul(expandBack(cts[0], x, axes), div(hit, broadcastTo(count, x.shape)))];
}

/** The reduction primitives. */
export const reducePrims = {
  sum: defineReduce(
    "sum",
    sumDtype,
    () => 0,
    (a, v) => a + v,
    (tf, [x], { axes }) => [tf.sum(x.dtype === "bool" ? tf.cast(x, "int32") : x, axes)],
    (cts, [x], _o, { axes }) => [isFloat(x.dtype) ? expandBack(cts[0], x, axes) : null],
  ),
  max: defineReduce(
    "max",
    (d) => d,
    () => -Infinity,
    (a, v) => (v > a || Number.isNaN(v) ? v : a),
    (tf, [x], { axes }) => [x.dtype === "bool" ? tf.any(x, axes) : tf.max(x, axes)],
    extremumVjp,
  ),
  min: defineReduce(
    "min",
    (d) => d,
    (d) => (d === "bool" ? 1 : Infinity),
    (a, v) => (v < a || Number.isNaN(v) ? v : a),
    // all() of an empty slice is true; tfjs's all gives false there, its any gives false correctly
    (tf, [x], { axes }) => [x.dtype === "bool" ? tf.logicalNot(tf.any(tf.logicalNot(x), axes)) : tf.min(x, axes)],
    extremumVjp,
  ),
  prod: defineReduce(
    "prod",
    sumDtype,
    () => 1,
    (a, v) => a * v,
    (tf, [x], { axes }) => [tf.prod(x.dtype === "bool" ? tf.cast(x, "int32") : x, axes)],
    (cts, [x], _o, { axes }) => [isFloat(x.dtype) ? mul(expandBack(cts[0], x, axes), prodOthers(x, axes)) : null],
  ),
};

/**
 * d prod / d x_i, the product of the other elements of its slice, as exclusive prefix times
 * exclusive suffix products (Hillis-Steele scans: log2(n) steps of slice, concatenate, mul).
 * Only multiplications: exact with zeros in the slice, and differentiable again (a hessian of
 * prod is right at zeros too, where prod/x_i with special cases for zeros is not).
 */
function prodOthers(x: NDArray, axes: number[]): NDArray {
  const n = axes.reduce((a, i) => a * x.shape[i], 1);
  if (x.size === 0) return zerosLike(x);
  const k = x.size / n;
  const perm = [...x.shape.map((_, i) => i).filter((i) => !axes.includes(i)), ...axes];
  const xt = transpose(x, perm);
  const m = reshape(xt, [k, n]);
  // p shifted by s along the slice (towards the end, or towards the start), filled with ones
  const shift = (p: NDArray, s: number, back: boolean): NDArray => {
    const ones = Concrete.fromHost([k, s], x.dtype, allocate(x.dtype, k * s).fill(1));
    const kept = back ? slice(p, [0, s], [k, n]) : slice(p, [0, 0], [k, n - s]);
    return bind1(concatPrim, back ? [kept, ones] : [ones, kept], { axis: 1 });
  };
  const exclusive = (back: boolean): NDArray => {
    let p = m;
    for (let s = 1; s < n; s *= 2) p = mul(p, shift(p, s, back));
    return shift(p, 1, back);
  };
  const others = reshape(mul(exclusive(false), exclusive(true)), xt.shape);
  const inv = new Array<number>(perm.length);
  perm.forEach((p, i) => (inv[p] = i));
  return transpose(others, inv);
}

/** Sums over `axes` (all when omitted). */
export function sum(x: NDArray, axes?: number | readonly number[] | null, keepdims = false): NDArray {
  return reduceWith(reducePrims.sum, x, axes, keepdims);
}

/** Applies a reduction primitive with NumPy's axis/keepdims conventions. */
export function reduceWith(p: Primitive<AxesParams>, x: NDArray, axes: number | readonly number[] | null | undefined, keepdims: boolean): NDArray {
  const ax = normAxes(p.name, axes, x.ndim);
  const y = bind1(p, [x], { axes: ax });
  return keepdims ? reshape(y, keptShape(x.shape, ax)) : y;
}

interface AxisParams {
  axis: number;
}

/** Iterates (outer, inner) around one axis of length n, calling `f(base, stride)`. */
function aroundAxis(shape: Shape, axis: number, f: (base: number, stride: number, outBase: number) => void) {
  const n = shape[axis];
  const inner = sizeOf(shape.slice(axis + 1));
  const outer = sizeOf(shape.slice(0, axis));
  for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) f(o * n * inner + j, inner, o * inner + j);
  return n;
}

function defineArg(name: string, better: (v: number, best: number) => boolean, tfk: "argMax" | "argMin"): Primitive<AxisParams> {
  const prim = definePrimitive<AxisParams>({
    name,
    abstract: ([x], { axis }) => {
      if (x.shape[axis] === 0) throw new Error(`${name}: cannot take it over an empty axis`);
      return [{ shape: x.shape.filter((_, i) => i !== axis), dtype: "int32" }];
    },
    js: ([x], { axis }, [o]) => {
      const out = allocate("int32", sizeOf(o.shape));
      const n = x.shape[axis];
      aroundAxis(x.shape, axis, (base, stride, ob) => {
        let best = x.data[base];
        let bi = 0;
        for (let k = 1; k < n; k++) {
          const v = x.data[base + k * stride];
          if (!Number.isNaN(best) && (better(v, best) || Number.isNaN(v))) {
            best = v;
            bi = k;
          }
        }
        out[ob] = bi;
      });
      return [out];
    },
    tfjs: (tf, [x], { axis }) => {
      // tfjs skips NaN; NumPy (and the JS kernel) return the index of the first NaN
      const i = tf[tfk](x, axis);
      if (x.dtype !== "float32") return [i];
      const nan = tf.isNaN(x);
      return [tf.where(tf.any(nan, axis), tf.argMax(tf.cast(nan, "int32"), axis), i)];
    },
    vjp: () => [null],
  });
  prim.batch = batchFront(prim, ({ axis }) => ({ axis: axis + 1 }));
  return prim;
}

/** Index of the largest / smallest element along an axis. */
export const argPrims = {
  argmax: defineArg("argmax", (v, b) => v > b, "argMax"),
  argmin: defineArg("argmin", (v, b) => v < b, "argMin"),
};

interface CumParams {
  axis: number;
  reverse: boolean;
}

/** Cumulative sum along an axis (from the end when `reverse`). */
export const cumsumPrim: Primitive<CumParams> = definePrimitive<CumParams>({
  name: "cumsum",
  abstract: ([x]) => [{ shape: x.shape, dtype: sumDtype(x.dtype) }],
  js: ([x], { axis, reverse }, [o]) => {
    const out = allocate(o.dtype, x.data.length);
    const n = x.shape[axis];
    aroundAxis(x.shape, axis, (base, stride) => {
      let acc = 0;
      for (let t = 0; t < n; t++) {
        const k = reverse ? n - 1 - t : t;
        acc += x.data[base + k * stride];
        out[base + k * stride] = acc;
      }
    });
    return [out];
  },
  tfjs: (tf, [x], { axis, reverse }) => [tf.cumsum(x.dtype === "bool" ? tf.cast(x, "int32") : x, axis, false, reverse)],
  vjp: ([ct], [x], _o, { axis, reverse }) => [isFloat(x.dtype) ? bind1(cumsumPrim, [ct], { axis, reverse: !reverse }) : null],
});

cumsumPrim.batch = batchFront(cumsumPrim, ({ axis, reverse }) => ({ axis: axis + 1, reverse }));

/** Cumulative sum along `axis`. */
export function cumsum(x: NDArray, axis = -1, reverse = false): NDArray {
  return bind1(cumsumPrim, [x], { axis: normAxis("cumsum", axis, x.ndim), reverse });
}
