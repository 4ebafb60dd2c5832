/**
 * `AutoMultivariateNormal`: a full-rank multivariate normal over all unconstrained latent
 * entries (NumPyro's `AutoMultivariateNormal`).
 */
import { np } from "../../core/index.js";
import { lowerCholesky } from "../../distributions/constraints.js";
import { MultivariateNormal, type Distribution } from "../../distributions/index.js";
import { param } from "../../handlers/index.js";
import type { Params } from "../util.js";
import { AutoContinuous } from "./continuous.js";

/**
 * A guide drawing the unconstrained latent vector from `MultivariateNormal(loc, { scaleTril })`
 * with params `${prefix}_loc` (the starting point) and `${prefix}_scale_tril` (a lower Cholesky
 * factor, `initScale · I` at first), so it captures correlations between all latent entries.
 */
export class AutoMultivariateNormal<A extends unknown[] = any[]> extends AutoContinuous<A> {
  protected declareParams(): Params {
    const loc = param(`${this.prefix}_loc`, this.initLatent);
    const d = this.latentDim;
    const scaleTril = param(`${this.prefix}_scale_tril`, np.multiply(np.eye(d, d, 0, loc.dtype), this.initScale), { constraint: lowerCholesky });
    return { [`${this.prefix}_loc`]: loc, [`${this.prefix}_scale_tril`]: scaleTril };
  }

  /** `MultivariateNormal(loc, { scaleTril })` over the latent vector. */
  getPosterior(params: Params): Distribution {
    return new MultivariateNormal(params[`${this.prefix}_loc`], { scaleTril: params[`${this.prefix}_scale_tril`] });
  }
}
