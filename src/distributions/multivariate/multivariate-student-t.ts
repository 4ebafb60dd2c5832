/** The multivariate Student's t distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { lowerCholesky, positive, realVector } from "../constraints.js";
import type { DistributionOptions } from "../distribution.js";
import { toFloat } from "../discrete/numerics.js";
import { EllipticalDistribution } from "./elliptical.js";
import { halfLogDet, locAndMatrix, logMinusDigamma } from "./matrix.js";

const LOG_PI = Math.log(Math.PI);

/**
 * MultivariateStudentT(df, loc, scaleTril): loc + L z √(df / w) with z standard normal and
 * w ~ χ²(df), event shape [n]; the shape matrix is L Lᵀ. Draws are reparameterized (the χ²
 * draw through the gamma sampler's implicit gradients). The mean is NaN for df ≤ 1; the
 * variance is +∞ for 1 < df ≤ 2 and NaN for df ≤ 1.
 */
export class MultivariateStudentT extends EllipticalDistribution {
  /** The degrees of freedom ν. */
  readonly df: NDArray;
  /** The location, shape [..., n]. */
  readonly loc: NDArray;
  /** The lower Cholesky factor of the shape matrix, shape [..., n, n]. */
  readonly scaleTril: NDArray;

  constructor(df: ArrayLike, loc: ArrayLike, scaleTril: ArrayLike, opts: DistributionOptions = {}) {
    const { loc: l, matrix, batchShape } = locAndMatrix("MultivariateStudentT", loc, scaleTril, "scaleTril");
    const nu = toFloat(df);
    let batch: number[];
    try {
      batch = np.broadcastShapes(nu.shape, batchShape);
    } catch {
      throw new Error(`MultivariateStudentT: parameter shapes do not broadcast: df [${nu.shape.join(", ")}], loc and scaleTril batch [${batchShape.join(", ")}]`);
    }
    super(batch, [matrix.shape[matrix.ndim - 1]], opts);
    this.df = nu;
    this.loc = l;
    this.scaleTril = matrix;
    this.validate({ df: [nu, positive], loc: [l, realVector], scaleTril: [matrix, lowerCholesky] });
  }
  /**
   * log Γ((ν + n)/2) − log Γ(ν/2) − (n/2) log(νπ) − log det L − ((ν + n)/2) log(1 + M/ν), with the
   * log-gamma difference as log Γ(n/2) − log B(ν/2, n/2) (no cancellation at large ν).
   */
  protected logDensity(value: NDArray): NDArray {
    const n = this.eventShape[0];
    const nu = this.df;
    const z = this.whiten(value);
    const maha = np.sum(np.square(z), -1);
    const norm = np.subtract(special.lgamma(n / 2), special.lbeta(np.multiply(nu, 0.5), n / 2));
    const scale = np.add(np.multiply(np.add(np.log(nu), LOG_PI), n / 2), halfLogDet(this.scaleTril));
    const kernel = np.multiply(np.multiply(np.add(nu, n), 0.5), np.log1p(np.divide(maha, nu)));
    return np.subtract(np.subtract(norm, scale), kernel);
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const [kNormal, kChi2] = random.splitList(key, 2);
    const shape = this.shape(sampleShape);
    const batch = shape.slice(0, -1);
    const z = this.correlatedNormal(kNormal, shape);
    const w = np.multiply(random.gamma(kChi2, np.multiply(np.broadcastTo(this.df, batch), 0.5), batch), 2);
    return np.add(this.loc, np.multiply(z, np.expandDims(np.sqrt(np.divide(np.broadcastTo(this.df, batch), w)), -1)));
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.where(np.expandDims(np.greater(this.df, 1), -1), this.loc, NaN), this.shape());
  }
  override get variance(): NDArray {
    const nu = np.expandDims(this.df, -1);
    const v = np.multiply(np.sum(np.square(this.scaleTril), -1), np.divide(nu, np.subtract(nu, 2)));
    return np.broadcastTo(np.where(np.greater(nu, 2), v, np.where(np.greater(nu, 1), Infinity, NaN)), this.shape());
  }
  /**
   * log B(ν/2, n/2) − log Γ(n/2) + (n/2) log(νπ) + log det L + ((ν + n)/2)(ψ((ν + n)/2) − ψ(ν/2)),
   * the digamma difference as log(1 + n/ν) − ε((ν + n)/2) + ε(ν/2) with ε(z) = log z − ψ(z).
   */
  override entropy(): NDArray {
    const n = this.eventShape[0];
    const nu = this.df;
    const a = np.multiply(nu, 0.5);
    const b = np.add(a, n / 2);
    const psiDiff = np.add(np.subtract(np.log1p(np.divide(n, nu)), logMinusDigamma(b)), logMinusDigamma(a));
    const norm = np.subtract(special.lbeta(a, n / 2), special.lgamma(n / 2));
    const scale = np.add(np.multiply(np.add(np.log(nu), LOG_PI), n / 2), halfLogDet(this.scaleTril));
    return np.broadcastTo(np.add(np.add(norm, scale), np.multiply(b, psiDiff)), this.batchShape);
  }
}
