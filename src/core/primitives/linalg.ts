/**
 * Dense linear-algebra primitives over the last two axes (leading axes are batch axes):
 * Cholesky factorization, triangular solve, and LU-based (partial pivoting) solve, inverse and
 * sign/log-determinant.
 *
 * JS kernels accumulate in float64 whatever the storage dtype. tfjs has no Cholesky, triangular
 * solve or LU, so the tfjs kernels are built from tf ops in a loop over columns (rows for the
 * solves): they never read values back to the host, so they run unchanged on every tfjs backend
 * (WebGPU included), at the price of O(n) small tf ops per call.
 *
 * Conventions (as JAX):
 * - `cholesky` factors the symmetric part (A + Aᵀ)/2; a batch member that is not positive
 *   definite (or holds NaN) comes out as all-NaN, the other members are unaffected.
 * - `triangularSolve` reads only the triangle named by `lower` (and not the diagonal with
 *   `unitDiagonal`); its gradient w.r.t. `a` is confined to that triangle.
 * - The LU-based ops divide by zero pivots on singular input (giving inf/NaN, log|det| = -inf).
 * All primitives require operands with equal batch shapes (the user API broadcasts first).
 */
import type * as TF from "@tensorflow/tfjs-core";
import { Concrete, type AVal, type NDArray } from "../array.js";
import type { Tf } from "../backend.js";
import { allocate, isFloat, type DType, type TypedArray } from "../dtype.js";
import { bind, bind1 } from "../interpreters/stack.js";
import { fmt, sameShape, sizeOf, type Shape } from "../shape.js";
import { definePrimitive, type Primitive } from "./primitive.js";
import { add, broadcastTo, mul, neg, select } from "./elementwise.js";
import { reshape, transpose } from "./layout.js";
import { matmul2, swapLast } from "./matmul.js";

// ---- shape helpers ---------------------------------------------------------------------------

function batchOf(s: Shape): Shape {
  return s.slice(0, s.length - 2);
}

function requireFloat(op: string, ...xs: AVal[]) {
  for (const x of xs) if (!isFloat(x.dtype)) throw new Error(`${op}: expected a float array, got ${x.dtype}`);
  for (const x of xs) if (x.dtype !== xs[0].dtype) throw new Error(`internal: ${op} got dtypes ${xs[0].dtype} and ${x.dtype}`);
}

function requireSquare(op: string, a: AVal, what = "a") {
  const r = a.shape.length;
  if (r < 2 || a.shape[r - 1] !== a.shape[r - 2]) throw new Error(`${op}: ${what} must be a (batch of) square matrices (..., n, n), got shape ${fmt(a.shape)}`);
}

function requireSameBatch(op: string, a: AVal, b: AVal) {
  if (b.shape.length < 2) throw new Error(`${op}: b must have rank >= 2, got shape ${fmt(b.shape)}`);
  if (!sameShape(batchOf(a.shape), batchOf(b.shape))) throw new Error(`internal: ${op} operands have batch shapes ${fmt(batchOf(a.shape))} and ${fmt(batchOf(b.shape))} (broadcast them first)`);
}

/** A constant bool mask (n, n) that keeps the lower (or upper) triangle, optionally without the diagonal. */
function triMask(n: number, lower: boolean, strict: boolean): NDArray {
  const d = new Uint8Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const keep = lower ? (strict ? j < i : j <= i) : strict ? j > i : j >= i;
      d[i * n + j] = keep ? 1 : 0;
    }
  return Concrete.fromHost([n, n], "bool", d);
}

/** Keeps one triangle of the last two axes of `x`, zeroing the rest. */
function keepTriangle(x: NDArray, lower: boolean, strict: boolean): NDArray {
  const n = x.shape[x.ndim - 1];
  return select(triMask(n, lower, strict), x, 0);
}

/** Φ: the lower triangle with the diagonal halved (as a constant weight matrix). */
function phiWeights(n: number, dtype: DType): NDArray {
  const d = allocate(dtype, n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) d[i * n + j] = i === j ? 0.5 : 1;
  return Concrete.fromHost([n, n], dtype, d);
}

/**
 * The batching rule shared by every primitive here: they act on the last two axes, so the
 * vmapped axis moves to the front (a leading batch axis); an unbatched operand is broadcast
 * along it, because the primitives require equal batch shapes.
 */
function batchAtFront<P>(prim: () => Primitive<P>) {
  return (ins: NDArray[], dims: (number | null)[], params: P): [NDArray[], (number | null)[]] => {
    const k = dims.findIndex((d) => d !== null);
    if (k < 0) {
      const outs = bind(prim(), ins, params);
      return [outs, outs.map(() => null)];
    }
    const size = ins[k].shape[dims[k]!];
    const moved = ins.map((x, i) => {
      const d = dims[i];
      if (d === null) return broadcastTo(x, [size, ...x.shape]);
      if (d === 0) return x;
      const perm = [d, ...x.shape.map((_, j) => j).filter((j) => j !== d)];
      return transpose(x, perm);
    });
    const outs = bind(prim(), moved, params);
    return [outs, outs.map(() => 0)];
  };
}

// ---- tfjs helpers ----------------------------------------------------------------------------

/** Flattens the batch axes: (..., r, c) to (B, r, c). */
function to3(tf: Tf, x: TF.Tensor): TF.Tensor3D {
  const r = x.shape[x.shape.length - 2];
  const c = x.shape[x.shape.length - 1];
  return tf.reshape(x, [sizeOf(batchOf(x.shape)), r, c]) as TF.Tensor3D;
}

/** Row indices 0..n-1 as an (n, 1) int32 column, for masks that select rows. */
function rowIds(tf: Tf, n: number): TF.Tensor2D {
  return tf.reshape(tf.range(0, n, 1, "int32"), [n, 1]) as TF.Tensor2D;
}

// ---- cholesky --------------------------------------------------------------------------------

/** Lower Cholesky factor of the symmetric part of each matrix; non-PD members become NaN. */
export const choleskyPrim: Primitive<null> = definePrimitive<null>({
  name: "cholesky",
  abstract: ([a]) => {
    requireSquare("cholesky", a);
    requireFloat("cholesky", a);
    return [{ shape: a.shape, dtype: a.dtype }];
  },
  js: ([a], _p, [o]) => {
    const n = a.shape[a.shape.length - 1];
    const nn = n * n;
    const out = allocate(o.dtype, a.data.length);
    const w = new Float64Array(nn);
    const x = a.data;
    for (let base = 0; base < x.length; base += nn) {
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) w[i * n + j] = 0.5 * (x[base + i * n + j] + x[base + j * n + i]);
      let ok = true;
      for (let j = 0; j < n && ok; j++) {
        const rj = j * n;
        let s = w[rj + j];
        for (let k = 0; k < j; k++) s -= w[rj + k] * w[rj + k];
        if (!(s > 0) || s === Infinity) {
          ok = false;
          break;
        }
        const d = Math.sqrt(s);
        w[rj + j] = d;
        for (let i = j + 1; i < n; i++) {
          const ri = i * n;
          let t = w[ri + j];
          for (let k = 0; k < j; k++) t -= w[ri + k] * w[rj + k];
          w[ri + j] = t / d;
        }
      }
      if (!ok) out.fill(NaN, base, base + nn);
      else for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) out[base + i * n + j] = w[i * n + j];
    }
    return [out];
  },
  tfjs: (tf, [a0]) => {
    const n = a0.shape[a0.shape.length - 1];
    if (n === 0 || a0.size === 0) return [tf.zeros(a0.shape)];
    const a = to3(tf, a0);
    const B = a.shape[0];
    const s = tf.mul(tf.add(a, tf.transpose(a, [0, 2, 1])), 0.5);
    const rows = rowIds(tf, n);
    let L: TF.Tensor3D | null = null;
    let ok: TF.Tensor = tf.ones([B], "bool");
    for (let j = 0; j < n; j++) {
      let v = tf.slice(s, [0, 0, j], [B, n, 1]) as TF.Tensor3D;
      if (L) v = tf.sub(v, tf.matMul(L, tf.slice(L, [0, j, 0], [B, 1, j]), false, true));
      const d = tf.slice(v, [0, j, 0], [B, 1, 1]);
      ok = tf.logicalAnd(ok, tf.logicalAnd(tf.greater(tf.reshape(d, [B]), 0), tf.isFinite(tf.reshape(d, [B]))));
      const col = tf.where(tf.greaterEqual(rows, j), tf.div(v, tf.sqrt(tf.maximum(d, 1e-30))), tf.zerosLike(v));
      L = L ? (tf.concat([L, col], 2) as TF.Tensor3D) : (col as TF.Tensor3D);
    }
    const res = tf.where(tf.reshape(ok, [B, 1, 1]), L!, tf.fill(L!.shape, NaN));
    return [tf.reshape(res, a0.shape)];
  },
  vjp: ([ct], _ins, [L]) => {
    // Murray (2016) / JAX's cholesky_jvp transposed: P = Φ(Lᵀ L̄), S = L⁻ᵀ P L⁻¹, Ā = (S + Sᵀ)/2
    const n = L.shape[L.ndim - 1];
    const P = mul(matmul2(swapLast(L), ct), phiWeights(n, L.dtype));
    const T = triangularSolve(L, P, { lower: true, transposeA: true, leftSide: true, unitDiagonal: false });
    const S = triangularSolve(L, T, { lower: true, transposeA: false, leftSide: false, unitDiagonal: false });
    return [mul(add(S, swapLast(S)), 0.5)];
  },
  batch: batchAtFront(() => choleskyPrim),
});

/** Binds the Cholesky primitive. */
export function cholesky(a: NDArray): NDArray {
  return bind1(choleskyPrim, [a], null);
}

// ---- triangular solve ------------------------------------------------------------------------

/** Parameters of {@link triangularSolvePrim}. */
export interface TriangularSolveParams {
  /** `a` is lower triangular (else upper); only that triangle is read. */
  readonly lower: boolean;
  /** Use aᵀ in place of a. */
  readonly transposeA: boolean;
  /** Solve op(a) x = b (true) or x op(a) = b (false). */
  readonly leftSide: boolean;
  /** Assume ones on the diagonal of a (its diagonal is not read). */
  readonly unitDiagonal: boolean;
}

/** Solves op(a) x = b (leftSide) or x op(a) = b for triangular a, batched over leading axes. */
export const triangularSolvePrim: Primitive<TriangularSolveParams> = definePrimitive<TriangularSolveParams>({
  name: "triangularSolve",
  abstract: ([a, b], p) => {
    requireSquare("triangularSolve", a);
    requireFloat("triangularSolve", a, b);
    requireSameBatch("triangularSolve", a, b);
    const n = a.shape[a.shape.length - 1];
    const axis = p.leftSide ? b.shape.length - 2 : b.shape.length - 1;
    if (b.shape[axis] !== n)
      throw new Error(`triangularSolve: a of shape ${fmt(a.shape)} does not match b of shape ${fmt(b.shape)} (${p.leftSide ? "rows" : "columns"} of b must be ${n} for ${p.leftSide ? "op(a) x = b" : "x op(a) = b"})`);
    return [{ shape: b.shape, dtype: b.dtype }];
  },
  js: ([a, b], p, [o]) => {
    const n = a.shape[a.shape.length - 1];
    const rb = b.shape[b.shape.length - 2];
    const cb = b.shape[b.shape.length - 1];
    // Reduce to T y = c with T = op(a) (left) or op(a)ᵀ (right, on c = bᵀ).
    const trans = p.transposeA !== !p.leftSide;
    const lowerEff = p.lower !== trans;
    const r = p.leftSide ? cb : rb; // right-hand sides
    const out = allocate(o.dtype, b.data.length);
    const y = new Float64Array(n * r);
    const A = a.data;
    const Bd = b.data;
    const nn = n * n;
    const mb = rb * cb;
    const batches = nn === 0 ? sizeOf(batchOf(a.shape)) : A.length / nn;
    for (let t = 0; t < batches; t++) {
      const ab = t * nn;
      const bb = t * mb;
      if (p.leftSide) for (let q = 0; q < n * r; q++) y[q] = Bd[bb + q];
      else for (let i = 0; i < n; i++) for (let c = 0; c < r; c++) y[i * r + c] = Bd[bb + c * n + i];
      const T = (i: number, j: number) => (trans ? A[ab + j * n + i] : A[ab + i * n + j]);
      for (let s = 0; s < n; s++) {
        const i = lowerEff ? s : n - 1 - s;
        const yi = i * r;
        const j0 = lowerEff ? 0 : i + 1;
        const j1 = lowerEff ? i : n;
        for (let j = j0; j < j1; j++) {
          const tij = T(i, j);
          if (tij === 0) continue;
          const yj = j * r;
          for (let c = 0; c < r; c++) y[yi + c] -= tij * y[yj + c];
        }
        if (!p.unitDiagonal) {
          const d = T(i, i);
          for (let c = 0; c < r; c++) y[yi + c] /= d;
        }
      }
      if (p.leftSide) for (let q = 0; q < n * r; q++) out[bb + q] = y[q];
      else for (let i = 0; i < n; i++) for (let c = 0; c < r; c++) out[bb + c * n + i] = y[i * r + c];
    }
    return [out];
  },
  tfjs: (tf, [a0, b0], p) => {
    const n = a0.shape[a0.shape.length - 1];
    if (n === 0 || b0.size === 0) return [tf.zeros(b0.shape)];
    let T = to3(tf, a0);
    let C = to3(tf, b0);
    const Bn = T.shape[0];
    const trans = p.transposeA !== !p.leftSide;
    let lowerEff = p.lower !== trans;
    if (trans) T = tf.transpose(T, [0, 2, 1]);
    if (!p.leftSide) C = tf.transpose(C, [0, 2, 1]);
    // an upper system U y = c is the lower system (J U J)(J y) = J c, J the reversal
    const flip = !lowerEff;
    if (flip) {
      T = tf.reverse(T, [1, 2]);
      C = tf.reverse(C, [1]);
      lowerEff = true;
    }
    const r = C.shape[2];
    let Y: TF.Tensor3D | null = null;
    for (let i = 0; i < n; i++) {
      let yi = tf.slice(C, [0, i, 0], [Bn, 1, r]) as TF.Tensor3D;
      if (Y) yi = tf.sub(yi, tf.matMul(tf.slice(T, [0, i, 0], [Bn, 1, i]) as TF.Tensor3D, Y));
      if (!p.unitDiagonal) yi = tf.div(yi, tf.slice(T, [0, i, i], [Bn, 1, 1]));
      Y = Y ? (tf.concat([Y, yi], 1) as TF.Tensor3D) : yi;
    }
    let X: TF.Tensor = Y!;
    if (flip) X = tf.reverse(X, [1]);
    if (!p.leftSide) X = tf.transpose(X, [0, 2, 1]);
    return [tf.reshape(X, b0.shape)];
  },
  vjp: ([ct], [a], [x], p) => {
    // b̄ = op(a)⁻ᵀ x̄ (left) or x̄ op(a)⁻ᵀ (right); op(a)‾ = -b̄ xᵀ (left) or -xᵀ b̄ (right)
    const bbar = triangularSolve(a, ct, { ...p, transposeA: !p.transposeA });
    const opBar = p.leftSide ? neg(matmul2(bbar, swapLast(x))) : neg(matmul2(swapLast(x), bbar));
    const abar = keepTriangle(p.transposeA ? swapLast(opBar) : opBar, p.lower, p.unitDiagonal);
    return [abar, bbar];
  },
  batch: batchAtFront(() => triangularSolvePrim),
});

/** Binds the triangular-solve primitive (operands with equal batch shapes). */
export function triangularSolve(a: NDArray, b: NDArray, p: TriangularSolveParams): NDArray {
  return bind1(triangularSolvePrim, [a, b], { lower: p.lower, transposeA: p.transposeA, leftSide: p.leftSide, unitDiagonal: p.unitDiagonal });
}

// ---- LU with partial pivoting: solve, inv, slogdet -------------------------------------------

/**
 * Factors the n×n matrix at `src[off..]` in place into `w` (packed LU, unit lower L) with
 * partial pivoting; `perm[i]` is the source row of row i. Returns the permutation's sign.
 */
function luFactor(src: TypedArray, off: number, n: number, w: Float64Array, perm: Int32Array): number {
  for (let q = 0; q < n * n; q++) w[q] = src[off + q];
  for (let i = 0; i < n; i++) perm[i] = i;
  let sign = 1;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(w[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(w[i * n + k]);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = w[k * n + j];
        w[k * n + j] = w[p * n + j];
        w[p * n + j] = t;
      }
      const t = perm[k];
      perm[k] = perm[p];
      perm[p] = t;
      sign = -sign;
    }
    const d = w[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const f = w[i * n + k] / d;
      w[i * n + k] = f;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) w[i * n + j] -= f * w[k * n + j];
    }
  }
  return sign;
}

/** Solves (P⁻¹ L U) x = b for r right-hand sides held in `y` (n×r, overwritten with x). */
function luSolveInPlace(w: Float64Array, perm: Int32Array, n: number, rhs: (i: number, c: number) => number, r: number, y: Float64Array) {
  for (let i = 0; i < n; i++) for (let c = 0; c < r; c++) y[i * r + c] = rhs(perm[i], c);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++) {
      const f = w[i * n + j];
      if (f !== 0) for (let c = 0; c < r; c++) y[i * r + c] -= f * y[j * r + c];
    }
  for (let i = n - 1; i >= 0; i--) {
    for (let j = i + 1; j < n; j++) {
      const f = w[i * n + j];
      if (f !== 0) for (let c = 0; c < r; c++) y[i * r + c] -= f * y[j * r + c];
    }
    const d = w[i * n + i];
    for (let c = 0; c < r; c++) y[i * r + c] /= d;
  }
}

/**
 * Gauss–Jordan elimination with partial pivoting in tf ops on (B, n, n) `a` and optional
 * (B, n, r) right-hand sides: returns the solution and the sign and log|det| of `a`.
 */
function tfGaussJordan(tf: Tf, a: TF.Tensor3D, rhs: TF.Tensor3D | null): { x: TF.Tensor3D | null; sign: TF.Tensor1D; logabs: TF.Tensor1D } {
  const [B, n] = a.shape;
  const m = n + (rhs ? rhs.shape[2] : 0);
  let M: TF.Tensor3D = rhs ? (tf.concat([a, rhs], 2) as TF.Tensor3D) : a;
  const rows = tf.range(0, n, 1, "int32");
  const rowCol = rowIds(tf, n);
  let sign: TF.Tensor1D = tf.ones([B]);
  let logabs: TF.Tensor1D = tf.zeros([B]);
  for (let k = 0; k < n; k++) {
    const col = tf.reshape(tf.slice(M, [0, 0, k], [B, n, 1]), [B, n]);
    const cand = tf.where(tf.greaterEqual(rows, k), tf.abs(col), tf.fill([B, n], -1));
    const p = tf.reshape(tf.argMax(cand, 1), [B, 1]) as TF.Tensor2D;
    const idx = tf.where(tf.equal(rows, k), tf.broadcastTo(p, [B, n]), tf.where(tf.equal(rows, p), tf.fill([B, n], k, "int32"), tf.broadcastTo(rows, [B, n])));
    M = tf.gather(M, idx, 1, 1) as TF.Tensor3D;
    sign = tf.mul(sign, tf.where(tf.equal(tf.reshape(p, [B]), k), tf.ones([B]), tf.fill([B], -1))) as TF.Tensor1D;
    const piv = tf.slice(M, [0, k, k], [B, 1, 1]);
    const pv = tf.reshape(piv, [B]);
    sign = tf.mul(sign, tf.sign(pv)) as TF.Tensor1D;
    logabs = tf.add(logabs, tf.log(tf.abs(pv))) as TF.Tensor1D;
    const r = tf.div(tf.slice(M, [0, k, 0], [B, 1, m]), piv);
    const f = tf.where(tf.equal(rowCol, k), tf.zeros([B, n, 1]), tf.slice(M, [0, 0, k], [B, n, 1]));
    M = tf.where(tf.equal(rowCol, k), tf.broadcastTo(r, [B, n, m]), tf.sub(M, tf.mul(f, r))) as TF.Tensor3D;
  }
  const x = rhs ? (tf.slice(M, [0, 0, n], [B, n, m - n]) as TF.Tensor3D) : null;
  return { x, sign, logabs };
}

/** Solves a x = b for general square a (LU with partial pivoting), b of shape (..., n, k). */
export const solvePrim: Primitive<null> = definePrimitive<null>({
  name: "solve",
  abstract: ([a, b]) => {
    requireSquare("solve", a);
    requireFloat("solve", a, b);
    requireSameBatch("solve", a, b);
    const n = a.shape[a.shape.length - 1];
    if (b.shape[b.shape.length - 2] !== n) throw new Error(`solve: a of shape ${fmt(a.shape)} does not match b of shape ${fmt(b.shape)} (b needs ${n} rows)`);
    return [{ shape: b.shape, dtype: b.dtype }];
  },
  js: ([a, b], _p, [o]) => {
    const n = a.shape[a.shape.length - 1];
    const r = b.shape[b.shape.length - 1];
    const out = allocate(o.dtype, b.data.length);
    const w = new Float64Array(n * n);
    const perm = new Int32Array(n);
    const y = new Float64Array(n * r);
    const batches = sizeOf(batchOf(a.shape));
    for (let t = 0; t < batches; t++) {
      luFactor(a.data, t * n * n, n, w, perm);
      const bb = t * n * r;
      luSolveInPlace(w, perm, n, (i, c) => b.data[bb + i * r + c], r, y);
      for (let q = 0; q < n * r; q++) out[bb + q] = y[q];
    }
    return [out];
  },
  tfjs: (tf, [a, b]) => {
    if (a.shape[a.shape.length - 1] === 0 || b.size === 0) return [tf.zeros(b.shape)];
    const { x } = tfGaussJordan(tf, to3(tf, a), to3(tf, b));
    return [tf.reshape(x!, b.shape)];
  },
  vjp: ([ct], [a], [x]) => {
    const bbar = bind1(solvePrim, [swapLast(a), ct], null);
    return [neg(matmul2(bbar, swapLast(x))), bbar];
  },
  batch: batchAtFront(() => solvePrim),
});

/** Inverse of general square matrices (LU with partial pivoting). */
export const invPrim: Primitive<null> = definePrimitive<null>({
  name: "inv",
  abstract: ([a]) => {
    requireSquare("inv", a);
    requireFloat("inv", a);
    return [{ shape: a.shape, dtype: a.dtype }];
  },
  js: ([a], _p, [o]) => {
    const n = a.shape[a.shape.length - 1];
    const out = allocate(o.dtype, a.data.length);
    const w = new Float64Array(n * n);
    const perm = new Int32Array(n);
    const y = new Float64Array(n * n);
    const batches = sizeOf(batchOf(a.shape));
    const eye = (i: number, c: number) => (i === c ? 1 : 0);
    for (let t = 0; t < batches; t++) {
      luFactor(a.data, t * n * n, n, w, perm);
      luSolveInPlace(w, perm, n, eye, n, y);
      for (let q = 0; q < n * n; q++) out[t * n * n + q] = y[q];
    }
    return [out];
  },
  tfjs: (tf, [a]) => {
    const n = a.shape[a.shape.length - 1];
    if (n === 0 || a.size === 0) return [tf.zeros(a.shape)];
    const a3 = to3(tf, a);
    const I = tf.broadcastTo(tf.eye(n), [a3.shape[0], n, n]) as TF.Tensor3D;
    const { x } = tfGaussJordan(tf, a3, I);
    return [tf.reshape(x!, a.shape)];
  },
  vjp: ([ct], _ins, [ainv]) => {
    const t = swapLast(ainv);
    return [neg(matmul2(matmul2(t, ct), t))];
  },
  batch: batchAtFront(() => invPrim),
});

/** Sign and log|det| of general square matrices (LU with partial pivoting): two outputs of shape (...). */
export const slogdetPrim: Primitive<null> = definePrimitive<null>({
  name: "slogdet",
  abstract: ([a]) => {
    requireSquare("slogdet", a);
    requireFloat("slogdet", a);
    const s = batchOf(a.shape);
    return [
      { shape: s, dtype: a.dtype },
      { shape: s, dtype: a.dtype },
    ];
  },
  js: ([a], _p, [o]) => {
    const n = a.shape[a.shape.length - 1];
    const batches = sizeOf(o.shape);
    const sg = allocate(o.dtype, batches);
    const la = allocate(o.dtype, batches);
    const w = new Float64Array(n * n);
    const perm = new Int32Array(n);
    for (let t = 0; t < batches; t++) {
      let s = luFactor(a.data, t * n * n, n, w, perm);
      let l = 0;
      for (let i = 0; i < n; i++) {
        const d = w[i * n + i];
        if (Number.isNaN(d)) s = NaN;
        else if (d < 0) s = -s;
        else if (d === 0) s = 0;
        l += Math.log(Math.abs(d));
      }
      sg[t] = s;
      la[t] = l;
    }
    return [sg, la];
  },
  tfjs: (tf, [a]) => {
    const s = batchOf(a.shape) as number[];
    if (a.shape[a.shape.length - 1] === 0) return [tf.ones(s), tf.zeros(s)];
    if (a.size === 0) return [tf.zeros(s), tf.zeros(s)];
    const { sign, logabs } = tfGaussJordan(tf, to3(tf, a), null);
    return [tf.reshape(sign, s), tf.reshape(logabs, s)];
  },
  vjp: ([, ctLog], [a]) => {
    // d log|det a| = tr(a⁻¹ da): ā = ct · a⁻ᵀ; the sign is piecewise constant
    const ainvT = swapLast(bind1(invPrim, [a], null));
    return [mul(reshape(ctLog, [...ctLog.shape, 1, 1]), ainvT)];
  },
  batch: batchAtFront(() => slogdetPrim),
});
