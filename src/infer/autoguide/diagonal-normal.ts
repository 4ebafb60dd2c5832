/**
 * `AutoDiagonalNormal`: a normal with diagonal covariance over all unconstrained latent entries
 * (NumPyro's `AutoDiagonalNormal`).
 */
import { np } from "../../core/index.js";
import { positive } from "../../distributions/constraints.js";
import { Normal, type Distribution } from "../../distributions/index.js";
import { param } from "../../handlers/index.js";
import type { Params } from "../util.js";
import { AutoContinuous } from "./continuous.js";

/**
 * A guide drawing the unconstrained latent vector from `Normal(loc, scale)` with params
 * `${prefix}_loc` (the starting point) and `${prefix}_scale` (positive, `initScale`).
 */
export class AutoDiagonalNormal<A extends unknown[] = any[]> extends AutoContinuous<A> {
  protected declareParams(): Params {
    const loc = param(`${this.prefix}_loc`, this.initLatent);
    const scale = param(`${this.prefix}_scale`, np.full([this.latentDim], this.initScale, loc.dtype), { constraint: positive });
    return { [`${this.prefix}_loc`]: loc, [`${this.prefix}_scale`]: scale };
  }

  /** `Normal(loc, scale)` over the latent vector (event shape `[latentDim]`). */
  getPosterior(params: Params): Distribution {
    return new Normal(params[`${this.prefix}_loc`], params[`${this.prefix}_scale`]).toEvent(1);
  }
}
