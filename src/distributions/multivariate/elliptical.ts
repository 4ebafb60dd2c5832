/** The frame of MultivariateNormal and MultivariateStudentT. */
import { np, random, type Array as NDArray } from "../../core/index.js";
import { realVector, type Constraint } from "../constraints.js";
import { Distribution } from "../distribution.js";
import { toFloat } from "../discrete/numerics.js";
import { gram, solveLower } from "./matrix.js";

/**
 * A distribution on real vectors given by a location `loc` [..., n] and the lower Cholesky
 * factor L = `scaleTril` [..., n, n] of its scale: x = loc + L z for a standard z, so the
 * density depends on x through L⁻¹(x − loc), and draws are reparameterized.
 */
export abstract class EllipticalDistribution extends Distribution {
  abstract readonly loc: NDArray;
  abstract readonly scaleTril: NDArray;

  get support(): Constraint {
    return realVector;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** L Lᵀ: the covariance of the normal; the shape matrix of the Student t (whose covariance is df/(df − 2) times it). */
  get covarianceMatrix(): NDArray {
    return gram(this.scaleTril);
  }
  /** L⁻¹(x − loc). */
  protected whiten(value: NDArray): NDArray {
    return solveLower(this.scaleTril, np.subtract(toFloat(value), this.loc));
  }
  /** L ε for standard normal ε, of shape `shape` ([...sample, ...batch, n]). */
  protected correlatedNormal(key: random.Key, shape: number[]): NDArray {
    return np.squeeze(np.matmul(this.scaleTril, random.normal(key, [...shape, 1], this.loc.dtype)), -1);
  }
}
