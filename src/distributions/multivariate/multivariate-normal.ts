/** The multivariate normal distribution. */
import { linalg, np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { lowerCholesky, positiveDefinite, realVector, type Constraint } from "../constraints.js";
import { Distribution, type DistributionOptions } from "../distribution.js";
import { toFloat } from "../discrete/numerics.js";
import { gram, halfLogDet, locAndMatrix, precisionToScaleTril, solveLower } from "./matrix.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** One of the three ways to give the covariance of a multivariate normal, with the usual options. */
export type CovarianceOptions = (
  | { covarianceMatrix: ArrayLike; precisionMatrix?: undefined; scaleTril?: undefined }
  | { precisionMatrix: ArrayLike; covarianceMatrix?: undefined; scaleTril?: undefined }
  | { scaleTril: ArrayLike; covarianceMatrix?: undefined; precisionMatrix?: undefined }
) &
  DistributionOptions;

const KINDS = ["covarianceMatrix", "precisionMatrix", "scaleTril"] as const;

function isCovarianceOptions(x: unknown): x is CovarianceOptions {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x) && KINDS.some((k) => k in x);
}

/**
 * MultivariateNormal(loc, covarianceMatrix) or MultivariateNormal(loc, { covarianceMatrix |
 * precisionMatrix | scaleTril }): event shape [n]. Everything goes through the lower Cholesky
 * factor L of the covariance; draws are loc + L z (reparameterized).
 */
export class MultivariateNormal extends Distribution {
  /** The mean, shape [..., n]. */
  readonly loc: NDArray;
  /** The lower Cholesky factor of the covariance, shape [..., n, n]. */
  readonly scaleTril: NDArray;

  constructor(loc: ArrayLike, covariance: ArrayLike | CovarianceOptions, opts: DistributionOptions = {}) {
    let kind: (typeof KINDS)[number] = "covarianceMatrix";
    let matrix: ArrayLike;
    let options = opts;
    if (isCovarianceOptions(covariance)) {
      const { covarianceMatrix, precisionMatrix, scaleTril, ...rest } = covariance;
      const given = KINDS.filter((k) => covariance[k] !== undefined);
      if (given.length !== 1) throw new Error(`MultivariateNormal: give exactly one of 'covarianceMatrix', 'precisionMatrix' and 'scaleTril'`);
      kind = given[0];
      matrix = (covarianceMatrix ?? precisionMatrix ?? scaleTril)!;
      options = { ...opts, ...rest };
    } else matrix = covariance;
    const { loc: l, matrix: M, batchShape } = locAndMatrix("MultivariateNormal", loc, matrix, kind);
    super(batchShape, [M.shape[M.ndim - 1]], options);
    this.loc = l;
    this.validate({ loc: [l, realVector], [kind]: [M, kind === "scaleTril" ? lowerCholesky : positiveDefinite] });
    this.scaleTril = kind === "scaleTril" ? M : kind === "covarianceMatrix" ? linalg.cholesky(M) : precisionToScaleTril(M);
  }
  get support(): Constraint {
    return realVector;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** The covariance L Lᵀ. */
  get covarianceMatrix(): NDArray {
    return gram(this.scaleTril);
  }
  /** The precision (L Lᵀ)⁻¹. */
  get precisionMatrix(): NDArray {
    const n = this.eventShape[0];
    return linalg.choleskySolve(this.scaleTril, np.broadcastTo(np.eye(n, n, 0, this.scaleTril.dtype), this.scaleTril.shape));
  }
  protected logDensity(value: NDArray): NDArray {
    const z = solveLower(this.scaleTril, np.subtract(toFloat(value), this.loc));
    const n = this.eventShape[0];
    return np.subtract(np.multiply(np.sum(np.square(z), -1), -0.5), np.add(halfLogDet(this.scaleTril), 0.5 * n * LOG_2PI));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const eps = random.normal(key, [...this.shape(sampleShape), 1], this.loc.dtype);
    return np.add(this.loc, np.squeeze(np.matmul(this.scaleTril, eps), -1));
  }
  override get mean(): NDArray {
    return np.broadcastTo(this.loc, this.shape());
  }
  /** The marginal variances diag(L Lᵀ). */
  override get variance(): NDArray {
    return np.broadcastTo(np.sum(np.square(this.scaleTril), -1), this.shape());
  }
  /** ½ n (1 + log 2π) + ½ log det Σ. */
  override entropy(): NDArray {
    const n = this.eventShape[0];
    return np.broadcastTo(np.add(halfLogDet(this.scaleTril), 0.5 * n * (1 + LOG_2PI)), this.batchShape);
  }
}
