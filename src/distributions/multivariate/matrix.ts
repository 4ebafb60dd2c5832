/**
 * Helpers shared by the multivariate distributions: reading a location and a matrix parameter,
 * triangular solves against batches, precision-to-Cholesky, and an accurate log z − ψ(z).
 */
import { linalg, np, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { lowerCholesky, positiveDefinite, type Constraint } from "../constraints.js";
import { toFloat } from "../discrete/numerics.js";

/**
 * L⁻¹ B for lower-triangular L [..., n, n] and matrices B [..., n, k], batch axes broadcast
 * (both are broadcast first, so the solve never mistakes B for a batch of vectors).
 */
export function solveLowerMatrix(L: NDArray, B: NDArray): NDArray {
  const batch = np.broadcastShapes(L.shape.slice(0, -2), B.shape.slice(0, -2));
  const Lb = np.broadcastTo(L, [...batch, ...L.shape.slice(-2)]);
  const Bb = np.broadcastTo(B, [...batch, ...B.shape.slice(-2)]);
  return linalg.triangularSolve(Lb, Bb, { lower: true });
}

/** L⁻¹ d for lower-triangular L [..., n, n] and vectors d [..., n], batch axes broadcast. */
export function solveLower(L: NDArray, d: NDArray): NDArray {
  return np.squeeze(solveLowerMatrix(L, np.expandDims(d, -1)), -1);
}

/** Σ log diag(L) over the last axis of the diagonal: ½ log det(L Lᵀ). */
export function halfLogDet(L: NDArray): NDArray {
  return np.sum(np.log(np.diagonal(L)), -1);
}

/** L Lᵀ. */
export function gram(L: NDArray): NDArray {
  return np.matmul(L, np.matrixTranspose(L));
}

/**
 * The lower Cholesky factor of P⁻¹ from a precision matrix P, without forming the inverse
 * (NumPyro's construction): with the reversal J, J P J = Lf Lfᵀ gives P = U Uᵀ with
 * U = J Lf J upper triangular, so P⁻¹ = U⁻ᵀ U⁻¹ and its factor is L = (Uᵀ)⁻¹.
 */
export function precisionToScaleTril(P: NDArray): NDArray {
  const n = P.shape[P.ndim - 1];
  const axes = [P.ndim - 2, P.ndim - 1];
  const Lf = linalg.cholesky(np.flip(P, axes));
  const LInv = np.matrixTranspose(np.flip(Lf, axes));
  return linalg.triangularSolve(LInv, np.broadcastTo(np.eye(n, n, 0, P.dtype), P.shape), { lower: true });
}

/** Coefficients B_2k / (2k) of the asymptotic series of log z − ψ(z) in 1/z². */
const DIGAMMA_SERIES = [1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12, -3617 / 8160];

/**
 * log z − ψ(z) for z > 0, accurate for large z (where log z and ψ(z) nearly cancel): its
 * asymptotic series 1/(2z) + Σ B_2k/(2k z^2k) from 10 up, the plain difference below.
 */
export function logMinusDigamma(z: NDArray): NDArray {
  const T = 10;
  const terms = DIGAMMA_SERIES.slice(0, z.dtype === "float64" ? 8 : 4);
  const big = np.greaterEqual(z, T);
  const zb = np.where(big, z, T);
  const w = np.reciprocal(np.square(zb));
  let series: NDArray = np.fullLike(zb, terms[terms.length - 1]);
  for (let i = terms.length - 2; i >= 0; i--) series = np.add(np.multiply(series, w), terms[i]);
  const asymptotic = np.add(np.divide(0.5, zb), np.multiply(series, w));
  const zs = np.where(big, 1, z);
  return np.where(big, asymptotic, np.subtract(np.log(zs), special.digamma(zs)));
}

/**
 * A matrix parameter as a float array, checked to be a (batch of) square matrices
 * [..., size, size]; the error names the distribution and the parameter.
 */
export function squareMatrices(dist: string, matrixName: string, matrix: ArrayLike, size = "n"): NDArray {
  const M = toFloat(matrix);
  if (M.ndim < 2 || M.shape[M.ndim - 1] !== M.shape[M.ndim - 2])
    throw new Error(`${dist}: parameter '${matrixName}' must be a (batch of) square matrices [..., ${size}, ${size}], got shape [${M.shape.join(", ")}]`);
  return M;
}

/**
 * A scale matrix given as one of three forms: itself (`direct`, e.g. a covariance), its inverse
 * (a precision or rate matrix) or its lower Cholesky factor (`scaleTril`). `matrixConstraint`
 * is what the given form must satisfy, `scaleTrilOf` the Cholesky factor of the scale.
 */
export function matrixConstraint(kind: string): Constraint {
  return kind === "scaleTril" ? lowerCholesky : positiveDefinite;
}

/** The lower Cholesky factor of a scale matrix given as `kind` (see {@link matrixConstraint}). */
export function scaleTrilOf(kind: string, M: NDArray, direct: string): NDArray {
  return kind === "scaleTril" ? M : kind === direct ? linalg.cholesky(M) : precisionToScaleTril(M);
}

/**
 * Reads a location vector and a matrix parameter [..., n, n] (a scalar location is broadcast to
 * [n]); checks that the matrix is square and matches the location, naming the distribution and
 * the parameter; returns both with the batch shape.
 */
export function locAndMatrix(dist: string, loc: ArrayLike, matrix: ArrayLike, matrixName: string): { loc: NDArray; matrix: NDArray; batchShape: number[] } {
  const M = squareMatrices(dist, matrixName, matrix);
  const n = M.shape[M.ndim - 1];
  let L = toFloat(loc);
  if (L.ndim === 0) L = np.broadcastTo(L, [n]);
  if (L.shape[L.ndim - 1] !== n) throw new Error(`${dist}: parameter 'loc' of shape [${L.shape.join(", ")}] does not match '${matrixName}' of shape [${M.shape.join(", ")}] (expected [..., ${n}])`);
  let batchShape: number[];
  try {
    batchShape = np.broadcastShapes(L.shape.slice(0, -1), M.shape.slice(0, -2));
  } catch {
    throw new Error(`${dist}: parameter shapes do not broadcast: loc [${L.shape.join(", ")}], ${matrixName} [${M.shape.join(", ")}]`);
  }
  return { loc: L, matrix: M, batchShape };
}
