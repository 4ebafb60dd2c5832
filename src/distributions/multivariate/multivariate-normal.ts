/** The multivariate normal distribution. */
import { linalg, np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { realVector } from "../constraints.js";
import { parseAlternatives, type DistributionOptions, type OneOf } from "../distribution.js";
import { EllipticalDistribution } from "./elliptical.js";
import { halfLogDet, locAndMatrix, matrixConstraint, scaleTrilOf } from "./matrix.js";

const LOG_2PI = Math.log(2 * Math.PI);

/** One of the three ways to give the covariance of a multivariate normal, with the usual options. */
export type CovarianceOptions = OneOf<"covarianceMatrix" | "precisionMatrix" | "scaleTril">;

const KINDS = ["covarianceMatrix", "precisionMatrix", "scaleTril"] as const;

/**
 * MultivariateNormal(loc, covarianceMatrix) or MultivariateNormal(loc, { covarianceMatrix |
 * precisionMatrix | scaleTril }): event shape [n]. Everything goes through the lower Cholesky
 * factor L of the covariance; draws are loc + L z (reparameterized).
 */
export class MultivariateNormal extends EllipticalDistribution {
  /** The mean, shape [..., n]. */
  readonly loc: NDArray;
  /** The lower Cholesky factor of the covariance, shape [..., n, n]. */
  readonly scaleTril: NDArray;

  constructor(loc: ArrayLike, covariance: ArrayLike | CovarianceOptions, opts: DistributionOptions = {}) {
    const { kind, value: matrix, opts: options } = parseAlternatives("MultivariateNormal", covariance, opts, KINDS);
    const { loc: l, matrix: M, batchShape } = locAndMatrix("MultivariateNormal", loc, matrix, kind);
    super(batchShape, [M.shape[M.ndim - 1]], options);
    this.loc = l;
    this.validate({ loc: [l, realVector], [kind]: [M, matrixConstraint(kind)] });
    this.scaleTril = scaleTrilOf(kind, M, "covarianceMatrix");
  }
  /** The precision (L Lᵀ)⁻¹. */
  get precisionMatrix(): NDArray {
    const n = this.eventShape[0];
    return linalg.choleskySolve(this.scaleTril, np.broadcastTo(np.eye(n, n, 0, this.scaleTril.dtype), this.scaleTril.shape));
  }
  protected logDensity(value: NDArray): NDArray {
    const z = this.whiten(value);
    const n = this.eventShape[0];
    return np.subtract(np.multiply(np.sum(np.square(z), -1), -0.5), np.add(halfLogDet(this.scaleTril), 0.5 * n * LOG_2PI));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.add(this.loc, this.correlatedNormal(key, this.shape(sampleShape)));
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
