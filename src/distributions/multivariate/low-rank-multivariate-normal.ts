/** The multivariate normal with a low-rank-plus-diagonal covariance. */
import { linalg, np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { independent, positiveVector, real, realVector, type Constraint } from "../constraints.js";
import { Distribution, type DistributionOptions } from "../distribution.js";
import { toFloat } from "../discrete/numerics.js";
import { halfLogDet, solveLower } from "./matrix.js";

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * LowRankMultivariateNormal(loc, covFactor, covDiag): a multivariate normal with covariance
 * W Wᵀ + diag(D), W = covFactor of shape [..., n, r] and D = covDiag of shape [..., n]; event
 * shape [n]. The log density uses the Woodbury identity and the matrix determinant lemma
 * through the r × r capacitance matrix I + Wᵀ D⁻¹ W, so it costs O(n r²). Draws are
 * loc + W z + √D ε (reparameterized).
 */
export class LowRankMultivariateNormal extends Distribution {
  /** The mean, shape [..., n]. */
  readonly loc: NDArray;
  /** W, shape [..., n, r]. */
  readonly covFactor: NDArray;
  /** D, shape [..., n]. */
  readonly covDiag: NDArray;
  /** The lower Cholesky factor of the capacitance matrix I + Wᵀ D⁻¹ W. */
  private readonly capacitanceTril: NDArray;

  constructor(loc: ArrayLike, covFactor: ArrayLike, covDiag: ArrayLike, opts: DistributionOptions = {}) {
    const W = toFloat(covFactor);
    const D = toFloat(covDiag);
    const fmt = (a: NDArray) => `[${a.shape.join(", ")}]`;
    if (W.ndim < 2) throw new Error(`LowRankMultivariateNormal: parameter 'covFactor' must have shape [..., n, r], got ${fmt(W)}`);
    const n = W.shape[W.ndim - 2];
    let l = toFloat(loc);
    if (l.ndim === 0) l = np.broadcastTo(l, [n]);
    if (l.shape[l.ndim - 1] !== n || D.ndim < 1 || D.shape[D.ndim - 1] !== n)
      throw new Error(`LowRankMultivariateNormal: shapes of loc ${fmt(l)}, covFactor ${fmt(W)} and covDiag ${fmt(D)} do not agree on the event size (expected [..., ${n}], [..., ${n}, r], [..., ${n}])`);
    let batchShape: number[];
    try {
      batchShape = np.broadcastShapes(l.shape.slice(0, -1), W.shape.slice(0, -2), D.shape.slice(0, -1));
    } catch {
      throw new Error(`LowRankMultivariateNormal: parameter shapes do not broadcast: loc ${fmt(l)}, covFactor ${fmt(W)}, covDiag ${fmt(D)}`);
    }
    super(batchShape, [n], opts);
    this.loc = l;
    this.covFactor = W;
    this.covDiag = D;
    this.validate({ loc: [l, realVector], covFactor: [W, independent(real, 2)], covDiag: [D, positiveVector] });
    const r = W.shape[W.ndim - 1];
    const scaled = np.divide(W, np.expandDims(D, -1));
    const capacitance = np.add(np.eye(r, r, 0, W.dtype), np.matmul(np.matrixTranspose(W), scaled));
    this.capacitanceTril = linalg.cholesky(capacitance);
  }
  get support(): Constraint {
    return realVector;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** The covariance W Wᵀ + diag(D). */
  get covarianceMatrix(): NDArray {
    return np.add(np.matmul(this.covFactor, np.matrixTranspose(this.covFactor)), np.diag(this.covDiag));
  }
  /** The lower Cholesky factor of the covariance. */
  get scaleTril(): NDArray {
    return linalg.cholesky(this.covarianceMatrix);
  }
  /** log det(W Wᵀ + D) = log det(I + Wᵀ D⁻¹ W) + Σ log D. */
  private logDet(): NDArray {
    return np.add(np.multiply(halfLogDet(this.capacitanceTril), 2), np.sum(np.log(this.covDiag), -1));
  }
  /** −½ (n log 2π + log det Σ + dᵀ Σ⁻¹ d), with dᵀΣ⁻¹d = dᵀD⁻¹d − ‖C⁻¹ Wᵀ D⁻¹ d‖² (Woodbury; C the capacitance factor). */
  protected logDensity(value: NDArray): NDArray {
    const n = this.eventShape[0];
    const d = np.subtract(toFloat(value), this.loc);
    const dOverD = np.divide(d, this.covDiag);
    const projected = np.squeeze(np.matmul(np.expandDims(dOverD, -2), this.covFactor), -2);
    const correction = np.sum(np.square(solveLower(this.capacitanceTril, projected)), -1);
    const maha = np.subtract(np.sum(np.multiply(d, dOverD), -1), correction);
    return np.multiply(np.add(np.add(maha, this.logDet()), n * LOG_2PI), -0.5);
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const shape = this.shape(sampleShape);
    const r = this.covFactor.shape[this.covFactor.ndim - 1];
    const [kFactor, kDiag] = random.splitList(key, 2);
    const zFactor = random.normal(kFactor, [...shape.slice(0, -1), r, 1], this.loc.dtype);
    const zDiag = random.normal(kDiag, shape, this.loc.dtype);
    const lowRank = np.squeeze(np.matmul(this.covFactor, zFactor), -1);
    return np.add(np.add(this.loc, lowRank), np.multiply(np.sqrt(this.covDiag), zDiag));
  }
  override get mean(): NDArray {
    return np.broadcastTo(this.loc, this.shape());
  }
  /** The marginal variances Σ_j W_ij² + D_i. */
  override get variance(): NDArray {
    return np.broadcastTo(np.add(np.sum(np.square(this.covFactor), -1), this.covDiag), this.shape());
  }
  /** ½ n (1 + log 2π) + ½ log det Σ. */
  override entropy(): NDArray {
    const n = this.eventShape[0];
    return np.broadcastTo(np.add(np.multiply(this.logDet(), 0.5), 0.5 * n * (1 + LOG_2PI)), this.batchShape);
  }
}
