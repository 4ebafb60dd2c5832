/**
 * Predictive distributions (NumPyro's `Predictive` and `log_likelihood`): run a model once per
 * draw of its latent variables (from the prior, from posterior samples, or from a guide), all
 * draws at once with `vmap`. Inside, the model sees abstract values: it must not read them
 * (use np.where / cond for data-dependent choices), as under `jit`.
 */
import { np, random, vmap, type ArrayLike } from "../core/index.js";
import { seed, substitute, trace, type Key, type Model, type Site, type Trace } from "../handlers/index.js";
import type { Params } from "./util.js";

/** Options of {@link Predictive}. Give `posteriorSamples`, or `guide` (with its `params`), or neither (the prior). */
export interface PredictiveOptions {
  /** Draws of latent sites, each of shape `[...batch, ...siteShape]` with `batchNdims` batch dimensions. */
  posteriorSamples?: Readonly<Record<string, ArrayLike>>;
  /** A guide to draw the latent sites from (with `params` fixed). */
  guide?: Model;
  /** Values of param sites of the model and the guide (e.g. SVI's fitted params). */
  params?: Readonly<Record<string, ArrayLike>>;
  /** Number of draws; needed without `posteriorSamples` (with them, it must agree). */
  numSamples?: number;
  /**
   * Sites to return (any kind: latent, observed, deterministic). Default: the sample sites not
   * in `posteriorSamples`, factors excepted, and the deterministic sites.
   */
  returnSites?: readonly string[];
  /** Leading batch dimensions of `posteriorSamples` (default 1; 2 for `[chains, draws, ...]`). */
  batchNdims?: number;
}

/**
 * The predictive distribution of a model: `new Predictive(model, { posteriorSamples })` for
 * the posterior predictive, `{ guide, params, numSamples }` for draws through a guide,
 * `{ numSamples }` for the prior predictive. `call(key, ...args)` returns the chosen sites,
 * each of shape `[...batch, ...siteShape]`. Observed sites are resampled only where the model
 * is called without their data (pass `undefined` for the observations).
 */
export class Predictive<A extends unknown[]> {
  private readonly samples: Params;
  private readonly batchShape: number[];
  private readonly params: Params;

  constructor(
    private readonly model: Model<A>,
    private readonly opts: PredictiveOptions = {},
  ) {
    if (opts.posteriorSamples && opts.guide) throw new Error("Predictive: give posteriorSamples or a guide, not both");
    const batchNdims = opts.batchNdims ?? 1;
    if (!(Number.isInteger(batchNdims) && batchNdims >= 0)) throw new Error(`Predictive: batchNdims must be a non-negative integer, got ${batchNdims}`);
    this.params = asArrays(opts.params ?? {});
    this.samples = asArrays(opts.posteriorSamples ?? {});
    const shape = commonBatchShape("Predictive", this.samples, batchNdims);
    if (shape === null) {
      const n = opts.numSamples;
      if (n === undefined || !(Number.isInteger(n) && n > 0)) throw new Error("Predictive: numSamples (a positive integer) is needed without posteriorSamples");
      this.batchShape = [n];
    } else {
      const n = shape.reduce((a, b) => a * b, 1);
      if (opts.numSamples !== undefined && opts.numSamples !== n)
        throw new Error(`Predictive: numSamples is ${opts.numSamples} but posteriorSamples hold ${n} draws (batch shape [${shape.join(", ")}])`);
      this.batchShape = shape;
    }
  }

  /** Draws from the predictive distribution with `key`, the model called with `args`. */
  call(key: Key, ...args: A): Params {
    const n = this.batchShape.reduce((a, b) => a * b, 1);
    const nb = this.batchShape.length;
    let samples = mapValues(this.samples, (v) => np.reshape(v, [n, ...v.shape.slice(nb)]));
    let modelKey = key;
    if (this.opts.guide) {
      const [k, guideKey] = random.splitList(key, 2);
      modelKey = k;
      samples = drawSites(guideKey, substitute(this.opts.guide, this.params), args, samples, n, (site) => site.type !== "plate");
    }
    const returnSites = this.opts.returnSites;
    const select = returnSites
      ? (site: Site) => returnSites.includes(site.name)
      : (site: Site) => (site.type === "sample" && !Object.hasOwn(samples, site.name) && !site.infer.isAuxiliary) || site.type === "deterministic";
    const out = drawSites(modelKey, substitute(this.model, this.params), args, samples, n, select, returnSites);
    return mapValues(out, (v) => np.reshape(v, [...this.batchShape, ...v.shape.slice(1)]));
  }
}

/**
 * Runs `model(...args)` once per row of `samples` (latent values substituted, deterministic
 * sites recomputed) and once per key split from `key`, vectorized with vmap; returns the
 * values of the sites `select` accepts, each with a leading axis of `n`.
 */
function drawSites(
  key: Key,
  model: Model,
  args: readonly unknown[],
  samples: Params,
  n: number,
  select: (site: Site) => boolean,
  required: readonly string[] = [],
): Params {
  const one = (k: Key, draw: Params): Params => {
    const fixed = substitute(model, (site) => (site.type !== "deterministic" && Object.hasOwn(draw, site.name) ? draw[site.name] : null));
    const tr = trace(seed(fixed, k)).getTrace(...args);
    for (const name of required) if (!tr.has(name)) throw new Error(`Predictive: returnSites names '${name}', which is not a site of the model (its sites: ${[...tr.keys()].join(", ")})`);
    return siteValues(tr, select);
  };
  return vmap(one)(random.split(key, n), samples);
}

/** The values of the sites of `tr` that `select` accepts. */
function siteValues(tr: Trace, select: (site: Site) => boolean): Params {
  const out: Params = {};
  for (const [name, site] of tr) if (site.value !== null && select(site)) out[name] = site.value;
  return out;
}

/**
 * The log likelihood of each observed site of `model(...args)` (factors excepted) at each draw
 * of `posteriorSamples` (a leading axis of draws): `fn.logProb(value)`, unscaled and not
 * summed, of shape `[draws, ...batchShape]`. Vectorized over the draws with vmap.
 */
export function logLikelihood<A extends unknown[]>(model: Model<A>, posteriorSamples: Readonly<Record<string, ArrayLike>>, ...args: A): Params {
  const samples = asArrays(posteriorSamples);
  if (commonBatchShape("logLikelihood", samples, 1) === null) throw new Error("logLikelihood: posteriorSamples is empty");
  const one = (draw: Params): Params => {
    const tr = trace(substitute(model, draw)).getTrace(...args);
    const out: Params = {};
    for (const [name, site] of tr) if (site.type === "sample" && site.isObserved && !site.infer.isAuxiliary) out[name] = site.fn.logProb(site.value!);
    return out;
  };
  return vmap(one)(samples);
}

/** The leading `batchNdims` dimensions all samples share (null when there are none); an error naming two sites that disagree. */
function commonBatchShape(who: string, samples: Params, batchNdims: number): number[] | null {
  let first: [string, number[]] | null = null;
  for (const [name, v] of Object.entries(samples)) {
    if (v.ndim < batchNdims) throw new Error(`${who}: posterior samples of site '${name}' have shape [${v.shape.join(", ")}], fewer than the ${batchNdims} batch dimension(s)`);
    const b = v.shape.slice(0, batchNdims);
    if (first === null) first = [name, b];
    else if (b.join() !== first[1].join())
      throw new Error(`${who}: posterior samples disagree on the batch shape: [${b.join(", ")}] at site '${name}', [${first[1].join(", ")}] at site '${first[0]}'`);
  }
  return first && first[1];
}

const asArrays = (r: Readonly<Record<string, ArrayLike>>): Params => mapValues(r, (v) => np.asarray(v));

function mapValues<T, U>(r: Readonly<Record<string, T>>, f: (v: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const [k, v] of Object.entries(r)) out[k] = f(v);
  return out;
}
