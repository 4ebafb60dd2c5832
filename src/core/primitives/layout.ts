/**
 * Primitives that move elements without arithmetic: reshape, broadcastTo, transpose,
 * concatenate, slice, pad, rev, gather (take along one axis), its scatter-add, and sort.
 */
import { Concrete, type NDArray } from "../array.js";
import { allocate, isFloat, type TypedArray } from "../dtype.js";
import { bind, bind1 } from "../interpreters/stack.js";
import { broadcastShapes, fmt, sameShape, sizeOf, stridesOf, type Shape } from "../shape.js";
import { broadcastCopy } from "./kernels.js";
import { exactMovement } from "./webgpu-exact.js";
import { definePrimitive, type Primitive } from "./primitive.js";
import { add, lt, maximum, minimum, select, unbroadcast, zerosLike } from "./elementwise.js";
import { alignBatched, batchFront, moveToFront } from "./batching.js";

/** Visits every multi-index of `shape` in row-major order, passing the flat offsets given by each stride set. */
function walk(shape: Shape, strides: readonly (readonly number[])[], f: (offs: number[]) => void) {
  const nd = shape.length;
  const n = sizeOf(shape);
  if (n === 0) return;
  const idx = new Array<number>(nd).fill(0);
  const offs = strides.map(() => 0);
  for (let i = 0; i < n; i++) {
    f(offs);
    for (let ax = nd - 1; ax >= 0; ax--) {
      idx[ax]++;
      for (let k = 0; k < strides.length; k++) offs[k] += strides[k][ax];
      if (idx[ax] < shape[ax]) break;
      for (let k = 0; k < strides.length; k++) offs[k] -= strides[k][ax] * shape[ax];
      idx[ax] = 0;
    }
  }
}

// ---- reshape -------------------------------------------------------------------------------

/** Reshape to a shape of the same size (data are shared: arrays are immutable). */
export const reshapePrim = definePrimitive<{ shape: number[] }>({
  name: "reshape",
  abstract: ([x], { shape }) => {
    if (sizeOf(shape) !== sizeOf(x.shape)) throw new Error(`reshape: cannot reshape an array of shape ${fmt(x.shape)} (size ${sizeOf(x.shape)}) to ${fmt(shape)}`);
    return [{ shape, dtype: x.dtype }];
  },
  js: ([x]) => [x.data],
  tfjs: (tf, [x], { shape }) => [tf.reshape(x, shape)],
  vjp: ([ct], [x]) => [reshape(ct, x.shape)],
});

/** Reshapes `x`; one entry of `shape` may be -1 (inferred). */
export function reshape(x: NDArray, shape: Shape): NDArray {
  const s = [...shape];
  const unknown = s.indexOf(-1);
  if (unknown >= 0) {
    const rest = sizeOf(s.filter((_, i) => i !== unknown));
    if (rest === 0 || x.size % rest !== 0) throw new Error(`reshape: cannot infer the -1 in ${fmt(shape)} for an array of shape ${fmt(x.shape)}`);
    s[unknown] = x.size / rest;
  }
  if (sameShape(s, x.shape)) return x;
  return bind1(reshapePrim, [x], { shape: s });
}

// ---- broadcastTo ---------------------------------------------------------------------------

/** Broadcast to a larger shape by NumPy rules. */
export const broadcastPrim = definePrimitive<{ shape: number[] }>({
  name: "broadcastTo",
  abstract: ([x], { shape }) => {
    const b = broadcastShapes("broadcastTo", x.shape, shape);
    if (!sameShape(b, shape)) throw new Error(`broadcastTo: cannot broadcast shape ${fmt(x.shape)} to ${fmt(shape)}`);
    return [{ shape, dtype: x.dtype }];
  },
  js: ([x], { shape }) => [broadcastCopy(x.data, x.shape, shape, x.dtype)],
  tfjs: exactMovement([0], (tf, [x], { shape }) => [tf.broadcastTo(x, shape)]),
  vjp: ([ct], [x]) => [unbroadcast(ct, x.shape)],
});

/** Broadcasts `x` to `shape`. */
export function broadcastTo(x: NDArray, shape: Shape): NDArray {
  if (sameShape(x.shape, shape)) return x;
  return bind1(broadcastPrim, [x], { shape: [...shape] });
}

// ---- transpose -----------------------------------------------------------------------------

/** Permute axes: output axis i is input axis perm[i]. */
export const transposePrim = definePrimitive<{ perm: number[] }>({
  name: "transpose",
  abstract: ([x], { perm }) => {
    const ok = perm.length === x.shape.length && [...perm].sort((a, b) => a - b).every((p, i) => p === i);
    if (!ok) throw new Error(`transpose: ${JSON.stringify(perm)} is not a permutation of the axes of an array of shape ${fmt(x.shape)}`);
    return [{ shape: perm.map((p) => x.shape[p]), dtype: x.dtype }];
  },
  js: ([x], { perm }, [o]) => {
    const st = stridesOf(x.shape);
    const out = allocate(x.dtype, x.data.length);
    let i = 0;
    walk(
      o.shape,
      [perm.map((p) => st[p])],
      (offs) => {
        out[i++] = x.data[offs[0]];
      },
    );
    return [out];
  },
  tfjs: exactMovement([0], (tf, [x], { perm }) => [tf.transpose(x, perm)]),
  vjp: ([ct], _x, _o, { perm }) => {
    const inv = new Array<number>(perm.length);
    perm.forEach((p, i) => (inv[p] = i));
    return [transpose(ct, inv)];
  },
});

/** Permutes axes (reverses them when `perm` is omitted). */
export function transpose(x: NDArray, perm?: readonly number[]): NDArray {
  const p = perm ? perm.map((a) => (a < 0 ? a + x.ndim : a)) : Array.from({ length: x.ndim }, (_, i) => x.ndim - 1 - i);
  if (p.every((a, i) => a === i)) return x;
  return bind1(transposePrim, [x], { perm: p });
}

// ---- concatenate ---------------------------------------------------------------------------

/** Joins arrays along an existing axis. */
export const concatPrim: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: "concatenate",
  abstract: (xs, { axis }) => {
    if (xs.length === 0) throw new Error("concatenate: needs at least one array");
    const s0 = xs[0].shape;
    for (const x of xs) {
      if (x.dtype !== xs[0].dtype) throw new Error(`internal: concatenate got dtypes ${xs[0].dtype} and ${x.dtype}`);
      if (x.shape.length !== s0.length || x.shape.some((d, i) => i !== axis && d !== s0[i]))
        throw new Error(`concatenate: shapes ${xs.map((x) => fmt(x.shape)).join(", ")} differ off axis ${axis}`);
    }
    const shape = [...s0];
    shape[axis] = xs.reduce((a, x) => a + x.shape[axis], 0);
    return [{ shape, dtype: xs[0].dtype }];
  },
  js: (xs, { axis }, [o]) => {
    const out = allocate(o.dtype, sizeOf(o.shape));
    const outer = sizeOf(o.shape.slice(0, axis));
    const inner = sizeOf(o.shape.slice(axis + 1));
    const rowOut = o.shape[axis] * inner;
    let col = 0;
    for (const x of xs) {
      const row = x.shape[axis] * inner;
      for (let r = 0; r < outer; r++) out.set(x.data.subarray(r * row, (r + 1) * row), r * rowOut + col);
      col += row;
    }
    return [out];
  },
  tfjs: exactMovement("all", (tf, xs, { axis }) => [tf.concat(xs, axis)]),
  vjp: ([ct], xs, _o, { axis }) => {
    let start = 0;
    return xs.map((x) => {
      const starts = x.shape.map((_, i) => (i === axis ? start : 0));
      const limits = x.shape.map((d, i) => (i === axis ? start + d : ct.shape[i]));
      start += x.shape[axis];
      return slice(ct, starts, limits);
    });
  },
});

// ---- slice and pad -------------------------------------------------------------------------

/** A contiguous box: `starts` inclusive, `limits` exclusive, per axis. */
export const slicePrim = definePrimitive<{ starts: number[]; limits: number[] }>({
  name: "slice",
  abstract: ([x], { starts, limits }) => {
    const ok = starts.length === x.shape.length && limits.length === x.shape.length && starts.every((s, i) => s >= 0 && s <= limits[i] && limits[i] <= x.shape[i]);
    if (!ok) throw new Error(`slice: start ${fmt(starts)} and limit ${fmt(limits)} do not fit an array of shape ${fmt(x.shape)}`);
    return [{ shape: starts.map((s, i) => limits[i] - s), dtype: x.dtype }];
  },
  js: ([x], { starts }, [o]) => {
    const st = stridesOf(x.shape);
    const base = starts.reduce((a, s, i) => a + s * st[i], 0);
    const out = allocate(x.dtype, sizeOf(o.shape));
    let i = 0;
    walk(o.shape, [st], (offs) => {
      out[i++] = x.data[base + offs[0]];
    });
    return [out];
  },
  tfjs: exactMovement([0], (tf, [x], { starts, limits }) => [tf.slice(x, starts, limits.map((l, i) => l - starts[i]))]),
  vjp: ([ct], [x], _o, { starts, limits }) => [pad(ct, starts, limits.map((l, i) => x.shape[i] - l))],
});

/** Slices `x[starts[i]:limits[i]]` on every axis. */
export function slice(x: NDArray, starts: readonly number[], limits: readonly number[]): NDArray {
  if (starts.every((s) => s === 0) && limits.every((l, i) => l === x.shape[i])) return x;
  return bind1(slicePrim, [x], { starts: [...starts], limits: [...limits] });
}

/** Zero padding: `lo[i]` before and `hi[i]` after axis i. */
export const padPrim = definePrimitive<{ lo: number[]; hi: number[] }>({
  name: "pad",
  abstract: ([x], { lo, hi }) => {
    if (lo.length !== x.shape.length || hi.length !== x.shape.length || lo.some((v) => v < 0) || hi.some((v) => v < 0))
      throw new Error(`pad: widths ${fmt(lo)}/${fmt(hi)} do not fit an array of shape ${fmt(x.shape)} (non-negative, one per axis)`);
    return [{ shape: x.shape.map((d, i) => d + lo[i] + hi[i]), dtype: x.dtype }];
  },
  js: ([x], { lo }, [o]) => {
    const st = stridesOf(o.shape);
    const base = lo.reduce((a, s, i) => a + s * st[i], 0);
    const out = allocate(x.dtype, sizeOf(o.shape));
    let i = 0;
    walk(x.shape, [st], (offs) => {
      out[base + offs[0]] = x.data[i++];
    });
    return [out];
  },
  tfjs: exactMovement([0], (tf, [x], { lo, hi }) => [tf.pad(x, lo.map((l, i) => [l, hi[i]] as [number, number]))]),
  vjp: ([ct], [x], _o, { lo }) => [slice(ct, lo, lo.map((l, i) => l + x.shape[i]))],
});

/** Pads with zeros. */
export function pad(x: NDArray, lo: readonly number[], hi: readonly number[]): NDArray {
  if (lo.every((v) => v === 0) && hi.every((v) => v === 0)) return x;
  return bind1(padPrim, [x], { lo: [...lo], hi: [...hi] });
}

// ---- rev -----------------------------------------------------------------------------------

/** Reverses the order of elements along `axes`. */
export const revPrim: Primitive<{ axes: number[] }> = definePrimitive<{ axes: number[] }>({
  name: "rev",
  abstract: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  js: ([x], { axes }) => {
    const st = stridesOf(x.shape).map((s, i) => (axes.includes(i) ? -s : s));
    const base = axes.reduce((a, ax) => a + (x.shape[ax] - 1) * stridesOf(x.shape)[ax], 0);
    const out = allocate(x.dtype, x.data.length);
    let i = 0;
    walk(x.shape, [st], (offs) => {
      out[i++] = x.data[base + offs[0]];
    });
    return [out];
  },
  tfjs: exactMovement([0], (tf, [x], { axes }) => [tf.reverse(x, axes)]),
  vjp: ([ct], _x, _o, { axes }) => [bind1(revPrim, [ct], { axes })],
});

// ---- gather / scatter-add ------------------------------------------------------------------

function clampIndex(i: number, n: number): number {
  const j = i < 0 ? i + n : i;
  return j < 0 ? 0 : j >= n ? n - 1 : j;
}

/** Loops for gather and scatter-add: calls f(srcOffset, outerIndex, idxPosition, inner) per moved row. */
function gatherLoop(xShape: Shape, idx: TypedArray, axis: number, f: (xBase: number, outBase: number, inner: number) => void) {
  const outer = sizeOf(xShape.slice(0, axis));
  const n = xShape[axis];
  const inner = sizeOf(xShape.slice(axis + 1));
  const m = idx.length;
  for (let o = 0; o < outer; o++)
    for (let k = 0; k < m; k++) {
      const j = clampIndex(idx[k], n);
      f((o * n + j) * inner, (o * m + k) * inner, inner);
    }
}

/**
 * `take(x, indices, axis)`: out shape is x.shape[:axis] + indices.shape + x.shape[axis+1:].
 * Negative indices count from the end; out-of-range indices are clamped (as in JAX).
 */
export const gatherPrim: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: "gather",
  abstract: ([x, idx], { axis }) => {
    if (idx.dtype !== "int32") throw new Error(`take: indices must be int32, got ${idx.dtype}`);
    if (x.shape[axis] === 0) throw new Error(`take: cannot index an empty axis (shape ${fmt(x.shape)})`);
    return [{ shape: [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)], dtype: x.dtype }];
  },
  js: ([x, idx], { axis }, [o]) => {
    const out = allocate(x.dtype, sizeOf(o.shape));
    gatherLoop(x.shape, idx.data, axis, (xb, ob, inner) => {
      for (let t = 0; t < inner; t++) out[ob + t] = x.data[xb + t];
    });
    return [out];
  },
  tfjs: exactMovement([0], (tf, [x, idx], { axis }) => {
    const n = x.shape[axis];
    const fixed = tf.clipByValue(tf.where(tf.less(idx, 0), tf.add(idx, n), idx), 0, n - 1);
    return [tf.gather(x, tf.cast(fixed, "int32"), axis)];
  }),
  vjp: ([ct], [x, idx], _o, { axis }) => [isFloat(x.dtype) ? bind1(scatterAddPrim, [zerosLike(x), idx, ct], { axis }) : null, null],
});

/** Adds `updates` into `x` at `indices` along `axis` (the transpose of gather); repeated indices accumulate. */
export const scatterAddPrim: Primitive<{ axis: number }> = definePrimitive<{ axis: number }>({
  name: "scatterAdd",
  abstract: ([x, idx, upd], { axis }) => {
    const want = [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)];
    if (!sameShape(want, upd.shape)) throw new Error(`scatterAdd: updates of shape ${fmt(upd.shape)} where ${fmt(want)} was expected`);
    return [{ shape: x.shape, dtype: x.dtype }];
  },
  js: ([x, idx, upd], { axis }) => {
    const out = allocate(x.dtype, x.data.length);
    out.set(x.data);
    gatherLoop(x.shape, idx.data, axis, (xb, ob, inner) => {
      for (let t = 0; t < inner; t++) out[xb + t] += upd.data[ob + t];
    });
    return [out];
  },
  tfjs: (tf, [x, idx, upd], { axis }) => {
    // move `axis` first, scatter rows with scatterND, move it back
    const n = x.shape[axis];
    const perm = [axis, ...x.shape.map((_, i) => i).filter((i) => i !== axis)];
    const inv = perm.map((_, i) => perm.indexOf(i));
    const xt = tf.transpose(x, perm);
    const m = idx.size;
    const updAxes = upd.shape.length;
    const idxRank = idx.shape.length;
    const updPerm = [...Array.from({ length: idxRank }, (_, i) => axis + i), ...Array.from({ length: axis }, (_, i) => i), ...Array.from({ length: updAxes - axis - idxRank }, (_, i) => axis + idxRank + i)];
    const ut = tf.reshape(tf.transpose(upd, updPerm), [m, ...xt.shape.slice(1)]);
    const fixed = tf.clipByValue(tf.where(tf.less(idx, 0), tf.add(idx, n), idx), 0, n - 1);
    const s = tf.scatterND(tf.reshape(tf.cast(fixed, "int32"), [m, 1]), ut, xt.shape);
    return [tf.add(x, tf.transpose(s, inv))];
  },
  vjp: ([ct], [, idx], _o, { axis }) => [ct, null, bind1(gatherPrim, [ct, idx], { axis })],
});

// ---- sort ----------------------------------------------------------------------------------

/** Rows up to this length sort as packed (key, index) doubles: 32 key bits times 2^21 plus the index stay exact. */
const INDEX_SPAN = 2 ** 21;
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * Stable sort of one row through the engine's native numeric sort: each element becomes the
 * double key·2^21 + index, where the 32-bit key orders the values (float32 bits made
 * monotone, -0 as +0, NaN last; int32 and bool shifted to unsigned).
 */
function sortPacked(data: ArrayLike<number>, base: number, n: number, out: Float64Array, isFloat32: boolean): void {
  for (let k = 0; k < n; k++) {
    const v = data[base + k];
    let key: number;
    if (!isFloat32) key = v + 2147483648;
    else if (v !== v) key = 4294967295;
    else {
      f32[0] = v === 0 ? 0 : v;
      const bits = u32[0];
      key = bits >= 2147483648 ? 4294967295 - bits : bits + 2147483648;
    }
    out[k] = key * INDEX_SPAN + k;
  }
  out.sort();
}

/** Sorts along the last axis (NaNs last); returns the sorted values and the int32 permutation. */
export const sortPrim = definePrimitive<null>({
  name: "sort",
  abstract: ([x]) => {
    if (x.shape.length === 0) throw new Error("sort: needs at least one axis");
    return [
      { shape: x.shape, dtype: x.dtype },
      { shape: x.shape, dtype: "int32" },
    ];
  },
  js: ([x]) => {
    const n = x.shape[x.shape.length - 1];
    const rows = n === 0 ? 0 : x.data.length / n;
    const vals = allocate(x.dtype, x.data.length);
    const perm = allocate("int32", x.data.length);
    const order = new Array<number>(n);
    const packed = x.dtype !== "float64" && n <= INDEX_SPAN ? new Float64Array(n) : null;
    for (let r = 0; r < rows; r++) {
      const b = r * n;
      if (packed) {
        sortPacked(x.data, b, n, packed, x.dtype === "float32");
        for (let k = 0; k < n; k++) order[k] = packed[k] % INDEX_SPAN;
      } else {
        for (let k = 0; k < n; k++) order[k] = k;
        order.sort((i, j) => {
          const a = x.data[b + i];
          const c = x.data[b + j];
          if (Number.isNaN(a)) return Number.isNaN(c) ? i - j : 1;
          if (Number.isNaN(c)) return -1;
          return a < c ? -1 : a > c ? 1 : i - j;
        });
      }
      for (let k = 0; k < n; k++) {
        vals[b + k] = x.data[b + order[k]];
        perm[b + k] = order[k];
      }
    }
    return [vals, perm];
  },
  tfjs: (tf, [x]) => {
    const n = x.shape[x.shape.length - 1];
    if (x.dtype !== "float32") {
      const { values, indices } = tf.topk(tf.neg(x.dtype === "bool" ? tf.cast(x, "int32") : x), n, true);
      return [tf.neg(values), indices];
    }
    // topk (stable: ties keep index order) compares NaN inconsistently: sort with NaN as +inf,
    // then stably move the NaNs after the +infs, and compose the two permutations
    const last = x.shape.length - 1;
    const nan = tf.isNaN(x);
    const first = tf.topk(tf.where(nan, tf.fill(x.shape, -Infinity), tf.neg(x)), n, true).indices;
    const second = tf.topk(tf.neg(tf.gather(tf.cast(nan, "float32"), first, last, last)), n, true).indices;
    const perm = tf.gather(first, second, last, last);
    return [tf.gather(x, perm, last, last), perm];
  },
  vjp: ([ct], [x], [, perm]) => {
    if (!isFloat(x.dtype)) return [null];
    // scatter each cotangent back to the position its value came from
    const n = x.shape[x.ndim - 1];
    const rows = x.size / Math.max(n, 1);
    const rowBase = Concrete.fromHost([rows, 1], "int32", Int32Array.from({ length: rows }, (_, r) => r * n));
    const flatIdx = reshape(add(reshape(perm, [rows, n]), rowBase), [x.size]);
    const flat = bind1(scatterAddPrim, [zerosLike({ shape: [x.size], dtype: x.dtype }), flatIdx, reshape(ct, [x.size])], { axis: 0 });
    return [reshape(flat, x.shape)];
  },
});

/** Sorts along the last axis: [values, indices]. */
export function sortLast(x: NDArray): [NDArray, NDArray] {
  const [v, i] = bind(sortPrim, [x], null);
  return [v, i];
}

// ---- batching rules ------------------------------------------------------------------------

const range = (a: number, b: number) => Array.from({ length: Math.max(0, b - a) }, (_, i) => a + i);

reshapePrim.batch = batchFront(reshapePrim, ({ shape }, b) => ({ shape: [b, ...shape] }));
transposePrim.batch = batchFront(transposePrim, ({ perm }) => ({ perm: [0, ...perm.map((p) => p + 1)] }));
slicePrim.batch = batchFront(slicePrim, ({ starts, limits }, b) => ({ starts: [0, ...starts], limits: [b, ...limits] }));
padPrim.batch = batchFront(padPrim, ({ lo, hi }) => ({ lo: [0, ...lo], hi: [0, ...hi] }));
revPrim.batch = batchFront(revPrim, ({ axes }) => ({ axes: axes.map((a) => a + 1) }));
sortPrim.batch = batchFront(sortPrim, (p) => p);
broadcastPrim.batch = ([x], [d], { shape }) => {
  const m = alignBatched(x, d!, shape.length);
  return [[broadcastTo(m, [m.shape[0], ...shape])], [0]];
};
concatPrim.batch = (xs, dims, { axis }) => {
  const b = xs[dims.findIndex((d) => d !== null)].shape[dims.find((d) => d !== null)!];
  const front = xs.map((x, i) => (dims[i] === null ? broadcastTo(reshape(x, [1, ...x.shape]), [b, ...x.shape]) : moveToFront(x, dims[i]!)));
  return [[bind1(concatPrim, front, { axis: axis + 1 })], [0]];
};

/** Batch size of the first batched operand. */
function batchSize(xs: NDArray[], dims: (number | null)[]): number {
  const i = dims.findIndex((d) => d !== null);
  return xs[i].shape[dims[i]!];
}

/** Every operand batched along axis 0 (unbatched ones broadcast). */
function allFront(xs: NDArray[], dims: (number | null)[]): NDArray[] {
  const b = batchSize(xs, dims);
  return xs.map((x, i) => (dims[i] === null ? broadcastTo(reshape(x, [1, ...x.shape]), [b, ...x.shape]) : moveToFront(x, dims[i]!)));
}

/**
 * For gather/scatter with both operands batched: folds the batch into the indexed axis.
 * `x` [B, pre, n, post] becomes [B*n, pre, post] and indices [B, ...] are offset by b*n.
 */
function foldBatch(x: NDArray, idx: NDArray, axis: number) {
  const B = x.shape[0];
  const n = x.shape[axis + 1];
  const pre = x.shape.slice(1, axis + 1);
  const post = x.shape.slice(axis + 2);
  const xt = transpose(x, [0, axis + 1, ...range(1, axis + 1), ...range(axis + 2, x.ndim)]);
  const xf = reshape(xt, [B * n, ...pre, ...post]);
  const wrapped = select(lt(idx, 0), add(idx, n), idx);
  const clamped = minimum(maximum(wrapped, 0), n - 1);
  const offsets = Concrete.fromHost([B, ...idx.shape.slice(1).map(() => 1)], "int32", Int32Array.from(range(0, B), (b) => b * n));
  return { B, n, pre, post, xf, flatIdx: add(clamped, offsets) };
}

gatherPrim.batch = ([x, idx], [dx, di], { axis }) => {
  if (di === null) return [[bind1(gatherPrim, [moveToFront(x, dx!), idx], { axis: axis + 1 })], [0]];
  if (dx === null) return [[bind1(gatherPrim, [x, moveToFront(idx, di)], { axis })], [axis]];
  const [xm, im] = [moveToFront(x, dx), moveToFront(idx, di)];
  const { pre, xf, flatIdx } = foldBatch(xm, im, axis);
  const g = bind1(gatherPrim, [xf, flatIdx], { axis: 0 }); // [B, ...ishape, ...pre, ...post]
  const ir = im.ndim - 1;
  const perm = [0, ...range(1 + ir, 1 + ir + pre.length), ...range(1, 1 + ir), ...range(1 + ir + pre.length, g.ndim)];
  return [[transpose(g, perm)], [0]];
};

scatterAddPrim.batch = (ins, dims, { axis }) => {
  const [x, idx, upd] = allFront(ins, dims);
  const { B, n, pre, post, xf, flatIdx } = foldBatch(x, idx, axis);
  const ir = idx.ndim - 1;
  // updates per member are [pre, ishape, post]; arrange them as [B, ishape, pre, post]
  const ut = transpose(upd, [0, ...range(1 + pre.length, 1 + pre.length + ir), ...range(1, 1 + pre.length), ...range(1 + pre.length + ir, upd.ndim)]);
  const s = bind1(scatterAddPrim, [xf, flatIdx, ut], { axis: 0 }); // [B*n, pre, post]
  const back = reshape(s, [B, n, ...pre, ...post]);
  return [[transpose(back, [0, ...range(2, 2 + pre.length), 1, ...range(2 + pre.length, back.ndim)])], [0]];
};
