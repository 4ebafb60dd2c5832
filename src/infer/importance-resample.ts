/**
 * Importance resampling of a fitted guide's draws (sampling importance resampling with Pareto
 * smoothed weights, as in Stan's Pathfinder): draws from the guide are weighted by
 * p(x, z) / q(z), the weights are smoothed with {@link psis}, and draws are resampled by weight.
 * Where the guide covers the posterior (k̂ < 0.7), the resampled draws correct what the guide's
 * family cannot express (a skewed or heavy tail); k̂ above 0.7 says the guide misses posterior
 * mass that reweighting cannot restore.
 */
import { np, random, vmap, type Array as NDArray } from "../core/index.js";
import type { Key, Model } from "../handlers/index.js";
import { particleTraces, traceLogProb } from "./elbo.js";
import { psis } from "./psis.js";
import type { Params } from "./util.js";

/** Options of {@link importanceResample}. */
export interface ImportanceResampleOptions<A extends unknown[]> {
  /** Draws from the guide to weight (default 4000). */
  numProposals?: number;
  /** Draws to resample from them (default 1000). */
  numDraws?: number;
  /** The arguments of the model and the guide (default none). */
  modelArgs?: A;
}

/** The result of {@link importanceResample}. */
export interface ImportanceResampleResult {
  /** The resampled values of the model's latent and deterministic sites, each `[numDraws, ...siteShape]`. */
  readonly samples: Params;
  /** The Pareto shape k̂ of the largest importance ratios (below 0.7: the draws can be trusted). */
  readonly paretoK: number;
  /** Effective sample size of the smoothed weights. */
  readonly ess: number;
  /** The smoothed, normalized log weights of the proposals, `[numProposals]`. */
  readonly logWeights: NDArray;
}

/**
 * Draws `numProposals` times from `guide` at `params` (its fitted params and the model's, e.g.
 * `svi.getParams(state)`), weights each draw by log p(x, z) − log q(z) (the model replayed on the
 * guide's draw, every site with its scale and mask, as in an ELBO particle), Pareto-smooths the
 * weights and resamples `numDraws` draws with replacement. The proposals are vectorized with
 * `vmap`. Models with subsampled plates give weights from the subsample (an estimate).
 */
export function importanceResample<A extends unknown[]>(model: Model<A>, guide: Model<A>, params: Params, key: Key, opts: ImportanceResampleOptions<A> = {}): ImportanceResampleResult {
  const numProposals = opts.numProposals ?? 4000;
  const numDraws = opts.numDraws ?? 1000;
  for (const [name, v] of [["numProposals", numProposals], ["numDraws", numDraws]] as const)
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`importanceResample: ${name} must be a positive integer, got ${v}`);
  const args = (opts.modelArgs ?? []) as A;
  const [proposalKey, resampleKey] = random.splitList(key, 2);
  const one = (k: Key): [NDArray, Params] => {
    const [modelTrace, guideTrace] = particleTraces(k, params, model, guide, args);
    const values: Params = {};
    for (const [name, site] of modelTrace)
      if ((site.type === "sample" && !site.isObserved && !site.infer.isAuxiliary) || site.type === "deterministic") values[name] = site.value!;
    return [np.subtract(traceLogProb(modelTrace), traceLogProb(guideTrace)), values];
  };
  one(proposalKey); // unbatched first: an autoguide finds its prototype on its first call
  const [logRatios, proposals] = vmap(one)(random.split(proposalKey, numProposals));
  const { logWeights, paretoK, ess } = psis(logRatios);
  const idx = np.array(resampleIndices(logWeights, random.uniform(resampleKey, [numDraws]).dataSync()), "int32");
  const samples = Object.fromEntries(Object.entries(proposals).map(([name, v]) => [name, np.take(v, idx, 0)]));
  return { samples, paretoK, ess, logWeights: np.array(logWeights, logRatios.dtype) };
}

/** Multinomial resampling: for each uniform u, the first index whose cumulative weight exceeds u (binary search). */
function resampleIndices(logWeights: Float64Array, uniforms: ArrayLike<number>): number[] {
  const cumulative = new Float64Array(logWeights.length);
  let total = 0;
  logWeights.forEach((lw, i) => (cumulative[i] = total += Math.exp(lw)));
  return Array.from(uniforms, (u) => {
    const target = u * total;
    let [lo, hi] = [0, cumulative.length - 1];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  });
}
