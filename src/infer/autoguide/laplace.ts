/**
 * `AutoLaplaceApproximation`: a MAP fit in unconstrained space, then a normal with the inverse
 * Hessian of the loss at the mode as covariance (NumPyro's `AutoLaplaceApproximation`).
 */
import { hessian, random, type Array as NDArray } from "../../core/index.js";
import { Delta, MultivariateNormal, type Distribution } from "../../distributions/index.js";
import { param, sample } from "../../handlers/index.js";
import { TraceELBO } from "../elbo.js";
import type { Params } from "../util.js";
import { AutoContinuous } from "./continuous.js";

/**
 * A guide fitted as a point mass at `${prefix}_loc` in unconstrained space (so SVI finds the
 * mode of the density of the unconstrained latent vector, log |det J| included), whose posterior
 * is then `MultivariateNormal(loc, precision = H)`, H the Hessian of the loss (minus that log
 * density) at `loc`. The Hessian is computed with the model's arguments of the guide's first
 * call; it must be positive definite (an error says when it is not).
 */
export class AutoLaplaceApproximation<A extends unknown[] = any[]> extends AutoContinuous<A> {
  protected declareParams(): Params {
    return { [`${this.prefix}_loc`]: param(`${this.prefix}_loc`, this.initLatent) };
  }

  /** Fits a point mass at `loc` (the MAP fit). */
  protected override drawLatent(params: Params): NDArray {
    return sample(`_${this.prefix}_latent`, new Delta(params[`${this.prefix}_loc`], 0, 1), { infer: { isAuxiliary: true } });
  }

  /** The Hessian of the loss with respect to the unconstrained latent vector at `loc` (the posterior precision). */
  precision(params: Params): NDArray {
    const name = `${this.prefix}_loc`;
    const elbo = new TraceELBO();
    const loss = (z: NDArray) => elbo.loss(random.key(0), { ...params, [name]: z }, this.model, this, ...(this.prototypeInfo.args as A));
    return hessian(loss)(params[name]);
  }

  /** `MultivariateNormal(loc, { precisionMatrix: H })` over the latent vector. */
  getPosterior(params: Params): Distribution {
    const precision = this.precision(params);
    try {
      return new MultivariateNormal(params[`${this.prefix}_loc`], { precisionMatrix: precision });
    } catch (e) {
      throw new Error(`AutoLaplaceApproximation: the Hessian of the loss at the MAP point is not a valid precision matrix (${(e as Error).message}); fit longer, or use AutoNormal`);
    }
  }

  /** The constrained values at `loc` (the mode, which is the median of the normal approximation). */
  override median(params: Params): Params {
    return this.constrain(this.unpackLatent(params[`${this.prefix}_loc`]), params, 0);
  }
}
