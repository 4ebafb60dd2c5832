/**
 * Welford's streaming estimate of a variance (diagonal) or covariance (dense), with Stan's
 * regularization towards a small multiple of the identity.
 */
import { np, type Array as NDArray } from "../../core/index.js";

/** Running mean, sum of squared deviations (vector or matrix) and count. */
export interface WelfordState {
  readonly mean: NDArray;
  readonly m2: NDArray;
  readonly n: NDArray;
}

/** An empty accumulator for vectors of length `dim`. */
export function welfordInit(dim: number, dense: boolean): WelfordState {
  return { mean: np.zeros([dim]), m2: dense ? np.zeros([dim, dim]) : np.zeros([dim]), n: np.array(0) };
}

/** Adds one vector `x`. */
export function welfordUpdate(s: WelfordState, x: NDArray): WelfordState {
  const n = np.add(s.n, 1);
  const pre = np.subtract(x, s.mean);
  const mean = np.add(s.mean, np.divide(pre, n));
  const post = np.subtract(x, mean);
  const m2 = s.m2.ndim === 1 ? np.add(s.m2, np.multiply(pre, post)) : np.add(s.m2, np.outer(post, pre));
  return { mean, m2, n };
}

/**
 * The estimate M2/(n-1); regularized (Stan): (n/(n+5))·cov + 1e-3·(5/(n+5))·I.
 */
export function welfordCovariance(s: WelfordState, regularize = true): NDArray {
  const cov = np.divide(s.m2, np.subtract(s.n, 1));
  if (!regularize) return cov;
  const shrink = np.divide(s.n, np.add(s.n, 5));
  const jitter = np.multiply(1e-3, np.divide(5, np.add(s.n, 5)));
  const eye = s.m2.ndim === 1 ? np.onesLike(s.mean) : np.eye(s.mean.shape[0]);
  return np.add(np.multiply(shrink, cov), np.multiply(jitter, eye));
}
