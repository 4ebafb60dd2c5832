/**
 * `AutoDelta`: a point-mass guide, for MAP estimation (NumPyro's `AutoDelta`).
 */
import { np, random, type Array as NDArray } from "../../core/index.js";
import { Delta } from "../../distributions/index.js";
import { param, sample, type Model } from "../../handlers/index.js";
import { initToMedian } from "../init-strategies.js";
import { transformFn, type Params } from "../util.js";
import { AutoGuide, mapRecord, periodicRepeat, type AutoGuideOptions, type Prototype, type SamplePosteriorOptions } from "./base.js";

/**
 * A guide that puts a point mass at `${site}_${prefix}_loc` for each latent site, a param in
 * the site's support (optimized in unconstrained space). With an ELBO, SVI then finds the MAP
 * estimate in constrained space (the prior density, not the density of the unconstrained
 * values). Starts at the prior median (`initToMedian()`) by default.
 */
export class AutoDelta<A extends unknown[] = any[]> extends AutoGuide<A> {
  private readonly locs = new Map<string, NDArray>();

  constructor(model: Model<A>, opts: AutoGuideOptions = {}) {
    super(model, opts, initToMedian());
  }

  protected override prepare(proto: Prototype): void {
    const constrained = transformFn(proto.transforms, proto.initLocs);
    for (const site of proto.latents) {
      let loc = constrained[site.name];
      for (const f of site.condIndepStack) loc = periodicRepeat(loc, f.size, f.dim - site.fn.eventDim);
      this.locs.set(site.name, loc);
    }
  }

  protected sampleLatents(proto: Prototype): Params {
    const out: Params = {};
    const drawn = new Map<string, NDArray>();
    for (const site of proto.latents) {
      const eventDim = site.fn.eventDim;
      out[site.name] = this.withinPlates(site.condIndepStack, drawn, () => {
        const loc = param(this.locName(site.name), this.locs.get(site.name)!, { constraint: site.fn.support, eventDim });
        return sample(site.name, new Delta(loc, 0, eventDim));
      });
    }
    return out;
  }

  /** The point estimates broadcast to `sampleShape` (the key is unused: the posterior is a point mass). */
  samplePosterior(key: random.Key, params: Params, opts: SamplePosteriorOptions = {}): Params {
    const sampleShape = opts.sampleShape ?? [];
    const locs = mapRecord(this.pointEstimates(params), (v) => np.broadcastTo(v, [...sampleShape, ...v.shape]));
    return this.withDeterministic(locs, params, sampleShape.length);
  }

  median(params: Params): Params {
    return this.withDeterministic(this.pointEstimates(params), params, 0);
  }

  /** Every quantile of a point mass is the point: the estimates stacked `qs.length` times. */
  quantiles(params: Params, qs: readonly number[]): Params {
    const locs = mapRecord(this.pointEstimates(params), (v) => np.broadcastTo(v, [qs.length, ...v.shape]));
    return this.withDeterministic(locs, params, 1);
  }

  private pointEstimates(params: Params): Params {
    return Object.fromEntries(this.prototypeInfo.latents.map((s) => [s.name, params[this.locName(s.name)]]));
  }

  private locName(site: string): string {
    return `${site}_${this.prefix}_loc`;
  }
}
