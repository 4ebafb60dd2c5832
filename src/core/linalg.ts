/**
 * Linear algebra for models (jax.numpy.linalg / jax.scipy.linalg style): Cholesky, triangular
 * and general solves, inverse, determinants. Everything acts on the last two axes and batches
 * over (broadcast) leading axes; everything is differentiable to any order.
 */
import { asArray, type ArrayLike, type NDArray } from "./array.js";
import { defaultFloat, isFloat } from "./dtype.js";
import { bind, bind1 } from "./interpreters/stack.js";
import { castTo, exp, log, mul, promoteArgs } from "./primitives/elementwise.js";
import { broadcastTo, reshape } from "./primitives/layout.js";
import * as P from "./primitives/linalg.js";
import { swapLast } from "./primitives/matmul.js";
import { sum } from "./primitives/reduce.js";
import { broadcastShapes, fmt } from "./shape.js";
import { diagonal, eye } from "./numpy.js";

function floatArg(x: ArrayLike): NDArray {
  const a = asArray(x);
  return isFloat(a.dtype) ? a : castTo(a, defaultFloat());
}

function floatPair(x: ArrayLike, y: ArrayLike): [NDArray, NDArray] {
  const [a, b] = promoteArgs(x, y);
  return [floatArg(a), floatArg(b)];
}

function square(op: string, a: NDArray, what = "a"): number {
  if (a.ndim < 2 || a.shape[a.ndim - 1] !== a.shape[a.ndim - 2]) throw new Error(`${op}: ${what} must be a (batch of) square matrices (..., n, n), got shape ${fmt(a.shape)}`);
  return a.shape[a.ndim - 1];
}

/**
 * Broadcasts the batch axes of a (..., n, n) and b (..., r, c); b is a vector (..., n) when
 * `vector` (returned as a column). Returns the broadcast operands.
 */
function broadcastBatch(op: string, a: NDArray, b: NDArray, vector: boolean): [NDArray, NDArray] {
  const bm = vector ? reshape(b, [...b.shape, 1]) : b;
  if (bm.ndim < 2) throw new Error(`${op}: b must have at least one axis, got shape ${fmt(b.shape)}`);
  const batch = broadcastShapes(op, a.shape.slice(0, -2), bm.shape.slice(0, -2));
  return [broadcastTo(a, [...batch, ...a.shape.slice(-2)]), broadcastTo(bm, [...batch, ...bm.shape.slice(-2)])];
}

/** JAX's rule: b is a stack of vectors when it has one axis fewer than a (or just one axis). */
function isVector(a: NDArray, b: NDArray): boolean {
  return b.ndim === 1 || b.ndim === a.ndim - 1;
}

/**
 * Lower Cholesky factor L (L Lᵀ = A) of symmetric positive-definite matrices (..., n, n).
 * Reads the symmetric part (A + Aᵀ)/2. A batch member that is not positive definite comes
 * out as all-NaN (as in JAX); the other members are unaffected.
 */
export function cholesky(a: ArrayLike): NDArray {
  const A = floatArg(a);
  square("cholesky", A);
  return bind1(P.choleskyPrim, [A], null);
}

/** Options of {@link triangularSolve} (jax.lax.linalg.triangular_solve, with lower defaulting to true). */
export interface TriangularSolveOptions {
  /** a is lower triangular (default true); only that triangle of a is read. */
  lower?: boolean;
  /** Solve with aᵀ in place of a (default false). */
  transposeA?: boolean;
  /** Solve op(a) x = b (default true) or x op(a) = b (false). */
  leftSide?: boolean;
  /** Assume a unit diagonal (default false); the diagonal of a is not read. */
  unitDiagonal?: boolean;
}

/**
 * Solves op(a) x = b (or x op(a) = b with `leftSide: false`) for triangular a (..., n, n).
 * b is (..., n, k) (left) or (..., k, n) (right), or a vector (..., n) when it has one axis
 * fewer than a; batch axes broadcast.
 */
export function triangularSolve(a: ArrayLike, b: ArrayLike, opts: TriangularSolveOptions = {}): NDArray {
  const [A, B] = floatPair(a, b);
  square("triangularSolve", A);
  const params: P.TriangularSolveParams = { lower: opts.lower ?? true, transposeA: opts.transposeA ?? false, leftSide: opts.leftSide ?? true, unitDiagonal: opts.unitDiagonal ?? false };
  const vec = isVector(A, B);
  if (!vec && B.ndim < 2) throw new Error(`triangularSolve: b must be a vector or a (batch of) matrices, got shape ${fmt(B.shape)}`);
  let [a2, b2] = broadcastBatch("triangularSolve", A, B, vec);
  if (vec && !params.leftSide) b2 = swapLast(b2);
  const x = bind1(P.triangularSolvePrim, [a2, b2], params);
  return vec ? reshape(x, x.shape.slice(0, -2).concat(A.shape[A.ndim - 1])) : x;
}

/** Options of {@link solveTriangular} (jax.scipy.linalg.solve_triangular). */
export interface SolveTriangularOptions {
  /** a is lower triangular; default **false** (upper), as in SciPy. */
  lower?: boolean;
  /** 0 or "N": a x = b; 1 or "T" (or 2 / "C" for real input): aᵀ x = b. Default 0. */
  trans?: 0 | 1 | 2 | "N" | "T" | "C";
  /** Assume a unit diagonal (default false). */
  unitDiagonal?: boolean;
}

/**
 * jax.scipy.linalg.solve_triangular: solves a x = b (or aᵀ x = b) with SciPy's conventions:
 * `lower` defaults to false. b is (..., n) or (..., n, k).
 */
export function solveTriangular(a: ArrayLike, b: ArrayLike, opts: SolveTriangularOptions = {}): NDArray {
  const t = opts.trans ?? 0;
  const transposeA = t === 1 || t === 2 || t === "T" || t === "C";
  return triangularSolve(a, b, { lower: opts.lower ?? false, transposeA, leftSide: true, unitDiagonal: opts.unitDiagonal ?? false });
}

/** Solves (L Lᵀ) x = b given the lower Cholesky factor L; b is (..., n) or (..., n, k). */
export function choleskySolve(L: ArrayLike, b: ArrayLike): NDArray {
  const y = triangularSolve(L, b, { lower: true });
  return triangularSolve(L, y, { lower: true, transposeA: true });
}

/** log det(L Lᵀ) = 2 Σ log diag(L) from a Cholesky factor L (..., n, n): shape (...). */
export function choleskyLogdet(L: ArrayLike): NDArray {
  const l = floatArg(L);
  square("choleskyLogdet", l, "L");
  return mul(sum(log(diagonal(l)), -1), 2);
}

/** Alias of {@link choleskyLogdet}. */
export const logdetFromCholesky = choleskyLogdet;

/** log det A of symmetric positive-definite matrices (via Cholesky; NaN where A is not PD). */
export function logdet(a: ArrayLike): NDArray {
  return choleskyLogdet(cholesky(a));
}

/** Sign and natural log of |det A| of general square matrices (LU with partial pivoting). */
export function slogdet(a: ArrayLike): [NDArray, NDArray] {
  const A = floatArg(a);
  square("slogdet", A);
  const [s, l] = bind(P.slogdetPrim, [A], null);
  return [s, l];
}

/** Determinant of general square matrices (sign · exp(log|det|), from LU). */
export function det(a: ArrayLike): NDArray {
  const [s, l] = slogdet(a);
  return mul(s, exp(l));
}

/** Options of {@link inv} and {@link solve}. */
export interface SolveOptions {
  /** a is symmetric positive definite: use Cholesky instead of LU (default false). */
  assumeSpd?: boolean;
}

/** Inverse of square matrices (..., n, n): LU with partial pivoting, or Cholesky with `assumeSpd`. */
export function inv(a: ArrayLike, opts: SolveOptions = {}): NDArray {
  const A = floatArg(a);
  const n = square("inv", A);
  if (opts.assumeSpd) return choleskySolve(cholesky(A), broadcastTo(eye(n, n, 0, A.dtype), A.shape));
  return bind1(P.invPrim, [A], null);
}

/**
 * Solves a x = b for square a (..., n, n); b is (..., n) or (..., n, k), batch axes broadcast.
 * LU with partial pivoting, or Cholesky with `assumeSpd`.
 */
export function solve(a: ArrayLike, b: ArrayLike, opts: SolveOptions = {}): NDArray {
  const [A, B] = floatPair(a, b);
  const n = square("solve", A);
  if (opts.assumeSpd) return choleskySolve(cholesky(A), B);
  const vec = isVector(A, B);
  const [a2, b2] = broadcastBatch("solve", A, B, vec);
  const x = bind1(P.solvePrim, [a2, b2], null);
  return vec ? reshape(x, [...x.shape.slice(0, -2), n]) : x;
}
