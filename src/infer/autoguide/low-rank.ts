/**
 * `AutoLowRankMultivariateNormal`: a multivariate normal with low-rank-plus-diagonal covariance
 * over all unconstrained latent entries (NumPyro's `AutoLowRankMultivariateNormal`).
 */
import { np } from "../../core/index.js";
import { positive } from "../../distributions/constraints.js";
import { LowRankMultivariateNormal, type Distribution } from "../../distributions/index.js";
import { param, type Model } from "../../handlers/index.js";
import type { Params } from "../util.js";
import { AutoContinuous, type AutoContinuousOptions } from "./continuous.js";

/** Options of {@link AutoLowRankMultivariateNormal}. */
export interface AutoLowRankOptions extends AutoContinuousOptions {
  /** Rank of the covariance factor (default: √latentDim, rounded). */
  rank?: number;
}

/**
 * A guide drawing the unconstrained latent vector from a normal with covariance
 * `diag(s) (W Wᵀ + I) diag(s)`: params `${prefix}_loc` (the starting point),
 * `${prefix}_cov_factor` (W, `[latentDim, rank]`, zeros at first) and `${prefix}_scale`
 * (s, positive, `initScale`). Cheaper than the full-rank guide for many latent entries.
 */
export class AutoLowRankMultivariateNormal<A extends unknown[] = any[]> extends AutoContinuous<A> {
  private readonly requestedRank: number | undefined;

  constructor(model: Model<A>, opts: AutoLowRankOptions = {}) {
    super(model, opts);
    if (opts.rank !== undefined && !(Number.isInteger(opts.rank) && opts.rank > 0))
      throw new Error(`AutoLowRankMultivariateNormal: rank must be a positive integer, got ${opts.rank}`);
    this.requestedRank = opts.rank;
  }

  /** Rank of the covariance factor. */
  get rank(): number {
    return this.requestedRank ?? Math.max(1, Math.round(Math.sqrt(this.latentDim)));
  }

  protected declareParams(): Params {
    const p = this.prefix;
    const loc = param(`${p}_loc`, this.initLatent);
    const covFactor = param(`${p}_cov_factor`, np.zeros([this.latentDim, this.rank], loc.dtype));
    const scale = param(`${p}_scale`, np.full([this.latentDim], this.initScale, loc.dtype), { constraint: positive });
    return { [`${p}_loc`]: loc, [`${p}_cov_factor`]: covFactor, [`${p}_scale`]: scale };
  }

  /** `LowRankMultivariateNormal(loc, W·s, s²)` over the latent vector. */
  getPosterior(params: Params): Distribution {
    const p = this.prefix;
    const scale = params[`${p}_scale`];
    const covFactor = np.multiply(params[`${p}_cov_factor`], np.expandDims(scale, -1));
    return new LowRankMultivariateNormal(params[`${p}_loc`], covFactor, np.square(scale));
  }
}
