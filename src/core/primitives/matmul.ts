/** Batched matrix product: (..., m, k) @ (..., k, n) with broadcast batch dimensions. */
import type { NDArray } from "../array.js";
import { allocate } from "../dtype.js";
import { bind1 } from "../interpreters/stack.js";
import { broadcastShapes, fmt, sizeOf, stridesOf, type Shape } from "../shape.js";
import { definePrimitive } from "./primitive.js";
import { unbroadcast } from "./elementwise.js";
import { transpose } from "./layout.js";
import { alignBatched, exampleRank } from "./batching.js";

function batchOf(s: Shape): Shape {
  return s.slice(0, s.length - 2);
}

/** Offsets of each batch element of an operand broadcast to `batch`. */
function batchOffsets(s: Shape, batch: Shape): Int32Array {
  const own = batchOf(s);
  const mat = s[s.length - 1] * s[s.length - 2];
  const st = stridesOf(own);
  const off = batch.length - own.length;
  const n = sizeOf(batch);
  const out = new Int32Array(n);
  const idx = new Array<number>(batch.length).fill(0);
  for (let b = 0; b < n; b++) {
    let o = 0;
    for (let i = 0; i < own.length; i++) if (own[i] !== 1) o += idx[off + i] * st[i];
    out[b] = o * mat;
    for (let ax = batch.length - 1; ax >= 0; ax--) {
      if (++idx[ax] < batch[ax]) break;
      idx[ax] = 0;
    }
  }
  return out;
}

/** The matrix product primitive (operands of rank >= 2 with equal dtypes). */
export const matmulPrim = definePrimitive<null>({
  name: "matmul",
  abstract: ([a, b]) => {
    if (a.shape.length < 2 || b.shape.length < 2) throw new Error(`internal: matmul operands need rank >= 2, got ${fmt(a.shape)} and ${fmt(b.shape)}`);
    const k = a.shape[a.shape.length - 1];
    if (k !== b.shape[b.shape.length - 2]) throw new Error(`matmul: inner dimensions differ: ${fmt(a.shape)} @ ${fmt(b.shape)}`);
    if (a.dtype !== b.dtype) throw new Error(`internal: matmul got dtypes ${a.dtype} and ${b.dtype}`);
    const batch = broadcastShapes("matmul", batchOf(a.shape), batchOf(b.shape));
    return [{ shape: [...batch, a.shape[a.shape.length - 2], b.shape[b.shape.length - 1]], dtype: a.dtype }];
  },
  js: ([a, b], _p, [o]) => {
    const m = a.shape[a.shape.length - 2];
    const k = a.shape[a.shape.length - 1];
    const n = b.shape[b.shape.length - 1];
    const batch = batchOf(o.shape);
    const ao = batchOffsets(a.shape, batch);
    const bo = batchOffsets(b.shape, batch);
    const out = allocate(o.dtype, sizeOf(o.shape));
    const row = new Float64Array(n);
    for (let t = 0; t < ao.length; t++) {
      const A = ao[t];
      const B = bo[t];
      const O = t * m * n;
      for (let i = 0; i < m; i++) {
        row.fill(0);
        for (let p = 0; p < k; p++) {
          const av = a.data[A + i * k + p];
          if (av === 0) continue;
          const bb = B + p * n;
          for (let j = 0; j < n; j++) row[j] += av * b.data[bb + j];
        }
        for (let j = 0; j < n; j++) out[O + i * n + j] = row[j];
      }
    }
    return [out];
  },
  tfjs: (tf, [a, b], _p, [o]) => {
    const batch = batchOf(o.shape) as number[];
    const A = tf.broadcastTo(a, [...batch, ...a.shape.slice(-2)]);
    const B = tf.broadcastTo(b, [...batch, ...b.shape.slice(-2)]);
    return [tf.matMul(A, B)];
  },
  vjp: ([ct], [a, b]) => [unbroadcast(matmul2(ct, swapLast(b)), a.shape), unbroadcast(matmul2(swapLast(a), ct), b.shape)],
});

matmulPrim.batch = (ins, dims) => {
  const rank = Math.max(...ins.map((x, i) => exampleRank(x, dims[i])));
  const aligned = ins.map((x, i) => (dims[i] === null ? x : alignBatched(x, dims[i]!, rank)));
  return [[bind1(matmulPrim, aligned, null)], [0]];
};

/** Swaps the last two axes. */
export function swapLast(x: NDArray): NDArray {
  const p = Array.from({ length: x.ndim }, (_, i) => i);
  [p[x.ndim - 2], p[x.ndim - 1]] = [p[x.ndim - 1], p[x.ndim - 2]];
  return transpose(x, p);
}

/** Matrix product of operands of rank >= 2. */
export function matmul2(a: NDArray, b: NDArray): NDArray {
  return bind1(matmulPrim, [a, b], null);
}
