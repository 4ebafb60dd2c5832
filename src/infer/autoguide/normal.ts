/**
 * `AutoNormal`: a mean-field normal guide, one independent normal per latent entry in
 * unconstrained space (NumPyro's `AutoNormal`).
 */
import { np, random, type Array as NDArray } from "../../core/index.js";
import { positive } from "../../distributions/constraints.js";
import { Normal, TransformedDistribution, type Distribution } from "../../distributions/index.js";
import { param, sample, type Model } from "../../handlers/index.js";
import type { Params } from "../util.js";
import { AutoGuide, isRealSupport, mapRecord, periodicRepeat, type AutoGuideOptions, type Prototype, type SamplePosteriorOptions } from "./base.js";

/** Options of {@link AutoNormal}. */
export interface AutoNormalOptions extends AutoGuideOptions {
  /** Initial standard deviation of each unconstrained latent entry (default 0.1). */
  initScale?: number;
}

/**
 * A guide with an independent `Normal(loc, scale)` for each entry of each latent site in
 * unconstrained space, pushed into the site's support by `bijectTo`. Its params are
 * `${site}_${prefix}_loc` and `${site}_${prefix}_scale` (positive), laid out like the site and
 * declared inside the site's plates, so latent sites of subsampled plates get local params that
 * are subsampled with the data. Works with `TraceMeanFieldELBO`'s analytic KL.
 */
export class AutoNormal<A extends unknown[] = any[]> extends AutoGuide<A> {
  /** Initial standard deviation of each unconstrained latent entry. */
  readonly initScale: number;
  private readonly eventDims = new Map<string, number>();
  private readonly locs = new Map<string, NDArray>();

  constructor(model: Model<A>, opts: AutoNormalOptions = {}) {
    super(model, opts);
    this.initScale = opts.initScale ?? 0.1;
    if (!(this.initScale > 0)) throw new Error(`AutoNormal: initScale must be positive, got ${this.initScale}`);
  }

  protected override prepare(proto: Prototype): void {
    for (const site of proto.latents) {
      let loc = proto.initLocs[site.name];
      const eventDim = site.fn.eventDim + loc.ndim - site.value!.ndim;
      for (const f of site.condIndepStack) loc = periodicRepeat(loc, f.size, f.dim - eventDim);
      this.eventDims.set(site.name, eventDim);
      this.locs.set(site.name, loc);
    }
  }

  protected sampleLatents(proto: Prototype): Params {
    const out: Params = {};
    const drawn = new Map<string, NDArray>();
    for (const site of proto.latents) {
      const eventDim = this.eventDims.get(site.name)!;
      const init = this.locs.get(site.name)!;
      out[site.name] = this.withinPlates(site.condIndepStack, drawn, () => {
        const loc = param(this.locName(site.name), init, { eventDim });
        const scale = param(this.scaleName(site.name), np.full(init.shape, this.initScale, init.dtype), { constraint: positive, eventDim });
        const normal = new Normal(loc, scale).toEvent(eventDim);
        const d: Distribution = isRealSupport(site.fn.support) ? normal : new TransformedDistribution(normal, proto.transforms[site.name]);
        return sample(site.name, d);
      });
    }
    return out;
  }

  /** The fitted normal of each latent site over its unconstrained values (full size along plates). */
  getPosterior(params: Params): Record<string, Normal> {
    return Object.fromEntries(this.prototypeInfo.latents.map((s) => [s.name, new Normal(params[this.locName(s.name)], params[this.scaleName(s.name)])]));
  }

  samplePosterior(key: random.Key, params: Params, opts: SamplePosteriorOptions = {}): Params {
    const sampleShape = opts.sampleShape ?? [];
    const posterior = this.getPosterior(params);
    const keys = random.splitList(key, Math.max(1, this.prototypeInfo.latents.length));
    const z = Object.fromEntries(this.prototypeInfo.latents.map((s, i) => [s.name, posterior[s.name].sample(keys[i], sampleShape)]));
    return this.constrain(z, params, sampleShape.length);
  }

  median(params: Params): Params {
    return this.constrain(mapRecord(this.getPosterior(params), (d) => d.loc), params, 0);
  }

  quantiles(params: Params, qs: readonly number[]): Params {
    const z = mapRecord(this.getPosterior(params), (d) => d.icdf(np.reshape(np.array([...qs]), [qs.length, ...d.loc.shape.map(() => 1)])));
    return this.constrain(z, params, 1);
  }

  private locName(site: string): string {
    return `${site}_${this.prefix}_loc`;
  }

  private scaleName(site: string): string {
    return `${site}_${this.prefix}_scale`;
  }
}
