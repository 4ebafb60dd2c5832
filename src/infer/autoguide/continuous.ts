/**
 * `AutoContinuous`: the base of the guides over one flat vector of all latent entries in
 * unconstrained space (NumPyro's `AutoContinuous`, ADVI of Kucukelbir et al.).
 */
import { np, random, type Array as NDArray } from "../../core/index.js";
import { sumRightmost } from "../../distributions/distribution.js";
import { Delta, Normal, type Distribution } from "../../distributions/index.js";
import { sample, type Model } from "../../handlers/index.js";
import type { Params } from "../util.js";
import { AutoGuide, type AutoGuideOptions, type Prototype, type SamplePosteriorOptions } from "./base.js";

/** Options of the autoguides with an initial scale. */
export interface AutoContinuousOptions extends AutoGuideOptions {
  /** Initial standard deviation of each unconstrained latent entry (default 0.1). */
  initScale?: number;
}

/**
 * A guide that draws the vector of all unconstrained latent entries (the sites raveled in model
 * order) from `getPosterior(params)` as the auxiliary site `_${prefix}_latent`, then gives each
 * latent site its slice mapped into the support (a Delta site whose log density is minus the
 * log |det J| of that map, so the ELBO sees the density of the constrained values). Latent
 * sites in subsampled plates are not supported (use AutoNormal).
 */
export abstract class AutoContinuous<A extends unknown[] = any[]> extends AutoGuide<A> {
  /** Initial standard deviation of each unconstrained latent entry. */
  readonly initScale: number;
  private layout: { name: string; shape: number[]; offset: number; size: number }[] = [];
  private initVector: NDArray | null = null;

  constructor(model: Model<A>, opts: AutoContinuousOptions = {}) {
    super(model, opts);
    this.initScale = opts.initScale ?? 0.1;
    if (!(this.initScale > 0)) throw new Error(`${new.target.name}: initScale must be positive, got ${this.initScale}`);
  }

  /** Number of unconstrained latent entries. */
  get latentDim(): number {
    const last = this.layout[this.layout.length - 1];
    return last === undefined ? 0 : last.offset + last.size;
  }

  /** The unconstrained starting point, all latent sites raveled. */
  protected get initLatent(): NDArray {
    return this.initVector!;
  }

  protected override prepare(proto: Prototype): void {
    let offset = 0;
    for (const site of proto.latents) {
      for (const f of site.condIndepStack)
        if (f.subsampleSize < f.size)
          throw new Error(`${this.constructor.name}: site '${site.name}' is local to the subsampled plate '${f.name}'; this guide does not support local latent variables (use AutoNormal)`);
      const shape = [...proto.initLocs[site.name].shape];
      const size = shape.reduce((a, b) => a * b, 1);
      this.layout.push({ name: site.name, shape, offset, size });
      offset += size;
    }
    if (offset === 0) throw new Error(`${this.constructor.name}: the model has no latent variables`);
    this.initVector = np.concatenate(this.layout.map((l) => np.reshape(proto.initLocs[l.name], [l.size])), 0);
  }

  /** Declares the guide's params (with `param`) and returns their values. */
  protected abstract declareParams(): Params;

  /** The distribution of the unconstrained latent vector (event shape `[latentDim]`) at `params`. */
  abstract getPosterior(params: Params): Distribution;

  /**
   * Samples the latent vector while fitting, as auxiliary guide sites: by default the site
   * `_${prefix}_latent` drawn from the posterior (subclasses that fit otherwise, or that know
   * the density of their draws more cheaply, override this).
   */
  protected drawLatent(params: Params): NDArray {
    return sample(`_${this.prefix}_latent`, this.getPosterior(params), { infer: { isAuxiliary: true } });
  }

  protected sampleLatents(proto: Prototype): Params {
    const latent = this.drawLatent(this.declareParams());
    const out: Params = {};
    for (const [name, u] of Object.entries(this.unpackLatent(latent))) {
      const site = proto.trace.get(name)!;
      const eventDim = site.type === "sample" ? site.fn.eventDim : 0;
      const t = proto.transforms[name];
      const value = t.forward(u);
      const logDet = t.logAbsDetJacobian(u, value);
      const logDensity = np.negative(sumRightmost(logDet, logDet.ndim - value.ndim + eventDim));
      out[name] = sample(name, new Delta(value, logDensity, eventDim));
    }
    return out;
  }

  /** Splits latent vectors (shape `[...batch, latentDim]`) into unconstrained site values `[...batch, ...siteShape]`. */
  unpackLatent(latent: NDArray): Params {
    const batch = latent.shape.slice(0, -1);
    const lead = batch.map(() => 0);
    return Object.fromEntries(
      this.layout.map((l) => [l.name, np.reshape(np.slice(latent, [...lead, l.offset], [...batch, l.offset + l.size]), [...batch, ...l.shape])]),
    );
  }

  samplePosterior(key: random.Key, params: Params, opts: SamplePosteriorOptions = {}): Params {
    const sampleShape = opts.sampleShape ?? [];
    return this.constrain(this.unpackLatent(this.getPosterior(params).sample(key, sampleShape)), params, sampleShape.length);
  }

  /** The constrained values at the posterior's mean in unconstrained space (its median there, all families here being normal). */
  median(params: Params): Params {
    return this.constrain(this.unpackLatent(this.getPosterior(params).mean), params, 0);
  }

  /** Quantiles of each entry's marginal normal in unconstrained space, mapped into the supports. */
  quantiles(params: Params, qs: readonly number[]): Params {
    const posterior = this.getPosterior(params);
    const marginal = new Normal(posterior.mean, np.sqrt(posterior.variance));
    const latent = marginal.icdf(np.reshape(np.array([...qs]), [qs.length, 1]));
    return this.constrain(this.unpackLatent(latent), params, 1);
  }
}
