/**
 * Variational objectives (NumPyro's `infer/elbo.py`): the negative evidence lower bound of a
 * model and a guide at given parameter values, estimated with particles. Each particle runs the
 * guide (seeded, params substituted) and the model replayed against the guide's trace; the
 * particles are vectorized with `vmap` over their keys (or run one after another with `scan`),
 * so the model is traced once. Site scales (plates with `subsampleSize`, `scale`) and masks
 * enter through each site's log density.
 *
 * - {@link TraceELBO}: `−mean over particles of Σ log p − Σ log q`.
 * - {@link TraceMeanFieldELBO}: as TraceELBO, with the analytic KL(q‖p) of latent sites where it is
 *   known (Normal–Normal, also inside `expand` and `toEvent`).
 * - {@link RenyiELBO}: Rényi's α-divergence bound (the importance-weighted bound at α = 0).
 */
import { np, random, scan, special, stopGradient, vmap, type Array as NDArray } from "../core/index.js";
import { sumRightmost } from "../distributions/distribution.js";
import { Distribution, ExpandedDistribution, Independent, Normal } from "../distributions/index.js";
import { replay, seed, substitute, trace, update, withHandler, type Key, type Message, type Model, type PlateFrame, type SampleMessage, type Trace } from "../handlers/index.js";
import { siteLogProb, type Params } from "./util.js";

/** Options of every ELBO. */
export interface ELBOOptions {
  /** Number of particles (draws from the guide) the estimate averages (default 1; RenyiELBO: 2). */
  numParticles?: number;
  /** Vectorize the particles with `vmap` (default), or run them one after another with `scan`. */
  vectorizeParticles?: boolean;
}

/** A variational objective: a loss to minimize, estimated with `numParticles` draws from the guide. */
export abstract class ELBO {
  /** Number of particles per estimate. */
  readonly numParticles: number;
  /** Whether particles are vectorized with `vmap` (else mapped sequentially with `scan`). */
  readonly vectorizeParticles: boolean;

  constructor(opts: ELBOOptions = {}, defaultParticles = 1) {
    this.numParticles = opts.numParticles ?? defaultParticles;
    this.vectorizeParticles = opts.vectorizeParticles ?? true;
    if (!(Number.isInteger(this.numParticles) && this.numParticles > 0))
      throw new Error(`${this.constructor.name}: numParticles must be a positive integer, got ${this.numParticles}`);
  }

  /**
   * The loss of `guide` against `model` at the (constrained) parameter values `params`, both
   * called with `args`, estimated with keys split from `key`. Pure, so it differentiates with
   * `grad`, batches with `vmap` and compiles with `jit`.
   */
  abstract loss<A extends unknown[]>(key: Key, params: Params, model: Model<A>, guide: Model<A>, ...args: A): NDArray;

  /** `f` at `numParticles` keys split from `key`, stacked along a leading axis. */
  protected mapParticles(key: Key, f: (k: Key) => NDArray): NDArray {
    const keys = random.split(key, this.numParticles);
    if (this.vectorizeParticles) return vmap(f)(keys);
    return scan((carry: null, k: Key) => [carry, f(k)] as const, null, keys)[1];
  }

  /** `−f(key)` with one particle, else `−mean(f)` over the particles. */
  protected negativeMean(key: Key, f: (k: Key) => NDArray): NDArray {
    return this.numParticles === 1 ? np.negative(f(key)) : np.negative(np.mean(this.mapParticles(key, f)));
  }
}

/**
 * The guide's trace (seeded with the second half of `key`, params substituted) and the model's
 * trace replayed against it (seeded with the first half), as one particle of every ELBO.
 */
export function particleTraces<A extends unknown[]>(key: Key, params: Params, model: Model<A>, guide: Model<A>, args: A): [Trace, Trace] {
  const [modelKey, guideKey] = random.splitList(key, 2);
  const guideTrace = trace(substitute(seed(guide, guideKey), params)).getTrace(...args);
  const modelTrace = trace(substitute(replay(seed(model, modelKey), guideTrace), params)).getTrace(...args);
  return [modelTrace, guideTrace];
}

/** Σ over the sample sites of a trace of their scaled, masked log densities. */
export function traceLogProb(tr: Trace): NDArray {
  let total: NDArray = np.array(0);
  for (const site of tr.values()) if (site.type === "sample") total = np.add(total, np.sum(siteLogProb(site)));
  return total;
}

/**
 * The standard ELBO estimator (NumPyro's `Trace_ELBO`): per particle, the log joint density of
 * the model at the guide's draw minus the guide's log density there, all sites (observed ones
 * and factors included) with their scales and masks. The loss is minus its mean over the
 * particles. Gradients flow through reparameterized guide draws.
 */
export class TraceELBO extends ELBO {
  constructor(opts: ELBOOptions = {}) {
    super(opts);
  }

  loss<A extends unknown[]>(key: Key, params: Params, model: Model<A>, guide: Model<A>, ...args: A): NDArray {
    return this.negativeMean(key, (k) => {
      const [modelTrace, guideTrace] = particleTraces(k, params, model, guide, args);
      return np.subtract(traceLogProb(modelTrace), traceLogProb(guideTrace));
    });
  }
}

/**
 * The ELBO with analytic KL divergences (NumPyro's `TraceMeanField_ELBO`): for each latent
 * site, `−KL(q‖p)` (times the guide site's scale) where the pair of distributions has a known
 * KL, else the sampled `log p − log q`; observed sites contribute their log density and guide
 * sites absent from the model (auxiliary) `−log q`. Correct when the guide is mean-field with
 * respect to the model (each latent's model parents are not its guide descendants).
 */
export class TraceMeanFieldELBO extends ELBO {
  constructor(opts: ELBOOptions = {}) {
    super(opts);
  }

  loss<A extends unknown[]>(key: Key, params: Params, model: Model<A>, guide: Model<A>, ...args: A): NDArray {
    return this.negativeMean(key, (k) => {
      const [modelTrace, guideTrace] = particleTraces(k, params, model, guide, args);
      let elbo: NDArray = np.array(0);
      const sum = (site: SampleMessage) => np.sum(siteLogProb(site));
      for (const [name, site] of modelTrace) {
        if (site.type !== "sample") continue;
        const g = guideTrace.get(name);
        if (site.isObserved || g === undefined || g.type !== "sample") {
          elbo = np.add(elbo, sum(site));
          continue;
        }
        const kl = klDivergence(g.fn, site.fn);
        const term = kl === null ? np.subtract(sum(site), sum(g)) : np.negative(np.sum(g.scale === 1 ? kl : np.multiply(g.scale, kl)));
        elbo = np.add(elbo, term);
      }
      for (const [name, site] of guideTrace) if (site.type === "sample" && !modelTrace.has(name)) elbo = np.subtract(elbo, sum(site));
      return elbo;
    });
  }
}

/**
 * KL(q‖p) over the batch of two distributions, where an analytic form is known: Normal–Normal,
 * and pairs of `Independent` (same reinterpreted dimensions) or `expand`ed distributions whose
 * bases have one. Null otherwise.
 */
export function klDivergence(q: Distribution, p: Distribution): NDArray | null {
  if (q instanceof Independent && p instanceof Independent) {
    if (q.reinterpretedBatchNdims !== p.reinterpretedBatchNdims) return null;
    const kl = klDivergence(q.base, p.base);
    return kl === null ? null : sumRightmost(kl, q.reinterpretedBatchNdims);
  }
  if (q instanceof ExpandedDistribution || p instanceof ExpandedDistribution) {
    const kl = klDivergence(q instanceof ExpandedDistribution ? q.base : q, p instanceof ExpandedDistribution ? p.base : p);
    return kl === null ? null : np.broadcastTo(kl, np.broadcastShapes(q.batchShape, p.batchShape));
  }
  if (q instanceof Normal && p instanceof Normal) {
    const varRatio = np.square(np.divide(q.scale, p.scale));
    const t1 = np.square(np.divide(np.subtract(q.loc, p.loc), p.scale));
    return np.multiply(0.5, np.subtract(np.add(varRatio, t1), np.add(1, np.log(varRatio))));
  }
  return null;
}

/** Options of {@link RenyiELBO}. */
export interface RenyiELBOOptions extends ELBOOptions {
  /** The order α of the divergence, ≠ 1 (default 0: the importance-weighted bound). */
  alpha?: number;
}

/**
 * Rényi's α-divergence bound (Li & Turner): `1/(1−α) log mean_k w_k^(1−α)` with importance
 * weights `w_k = p(x, z_k)/q(z_k)` over the particles (NumPyro's `RenyiELBO`). The bound is
 * computed separately along plates that enclose every model site and then summed, so data
 * subsampling works when the subsampled plate encloses the whole model; all particles of one
 * estimate share the subsample.
 */
export class RenyiELBO extends ELBO {
  /** The order α. */
  readonly alpha: number;

  constructor(opts: RenyiELBOOptions = {}) {
    super(opts, 2);
    this.alpha = opts.alpha ?? 0;
    if (this.alpha === 1) throw new Error("RenyiELBO: alpha must not be 1 (that is the ordinary ELBO: use TraceELBO)");
  }

  loss<A extends unknown[]>(key: Key, params: Params, model: Model<A>, guide: Model<A>, ...args: A): NDArray {
    const [plateKey, particleKey] = random.splitList(key, 2);
    const plateSeededModel = seedPlates(model, plateKey);
    const plateSeededGuide = seedPlates(guide, plateKey);
    let plateScale = 1;
    const particle = (k: Key) => {
      const [modelTrace, guideTrace] = particleTraces(k, params, plateSeededModel, plateSeededGuide, args);
      const [elbo, scale] = independentElbo(modelTrace, guideTrace);
      plateScale = scale;
      return elbo;
    };
    const elbos = this.mapParticles(particleKey, particle);
    const a = this.alpha;
    const scaled = np.multiply(1 - a, elbos);
    const avgLogExp = np.subtract(special.logsumexp(scaled, 0), Math.log(this.numParticles));
    const weights = np.exp(np.subtract(scaled, avgLogExp));
    const renyi = np.divide(avgLogExp, 1 - a);
    const weighted = np.mean(np.multiply(stopGradient(weights), elbos), 0);
    const loss = np.negative(np.add(stopGradient(np.subtract(renyi, weighted)), weighted));
    return np.multiply(np.sum(loss), plateScale);
  }
}

/** `model` with the subsample of every plate drawn from keys split from `key` (and nothing else seeded). */
function seedPlates<A extends unknown[], R>(model: Model<A, R>, key: Key): Model<A, R> {
  return withHandler(model, () => {
    let current = key;
    return {
      process(msg: Message): Message {
        if (msg.type !== "plate" || msg.value !== null || msg.rngKey !== null) return msg;
        const [next, sub] = random.splitList(current, 2);
        current = next;
        return update(msg, { rngKey: sub });
      },
    };
  });
}

/**
 * One particle's `log p − log q`, kept separate along the plates that enclose every model
 * sample site (summed over all other dimensions) and divided by the subsampling scale of those
 * plates; returns it with that scale. Subsampling a plate that does not enclose every site is
 * an error.
 */
function independentElbo(modelTrace: Trace, guideTrace: Trace): [NDArray, number] {
  const sites = [...modelTrace.values()].filter((s): s is SampleMessage => s.type === "sample");
  const frames = new Map<string, PlateFrame>();
  for (const s of sites) for (const f of s.condIndepStack) frames.set(f.name, f);
  const common = [...frames.values()].filter((f) => sites.every((s) => s.condIndepStack.some((g) => g.name === f.name)));
  for (const f of frames.values())
    if (f.subsampleSize < f.size && !common.includes(f))
      throw new Error(`RenyiELBO: plate '${f.name}' is subsampled but does not enclose every sample site; subsample only a plate that encloses the whole model`);
  const scale = common.reduce((acc, f) => acc * (f.size / f.subsampleSize), 1);
  const keptDims = new Set(common.map((f) => f.dim));
  let total: NDArray = np.array(0);
  for (const [sign, tr] of [[1, modelTrace], [-1, guideTrace]] as const) {
    for (const site of tr.values()) {
      if (site.type !== "sample") continue;
      const lp = siteLogProb(site);
      const summed = Array.from({ length: lp.ndim }, (_, i) => i).filter((i) => !keptDims.has(i - lp.ndim));
      const reduced = summed.length === 0 ? lp : np.sum(lp, summed);
      total = sign === 1 ? np.add(total, reduced) : np.subtract(total, reduced);
    }
  }
  return [np.divide(total, scale), scale];
}
