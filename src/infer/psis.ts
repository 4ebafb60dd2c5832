/**
 * Pareto smoothed importance sampling (Vehtari, Simpson, Gelman, Yao and Gabry 2024, "Pareto
 * smoothed importance sampling", JMLR): the largest importance ratios are replaced by quantiles
 * of a generalized Pareto distribution fitted to them, and the fitted shape k̂ says how far the
 * estimate can be trusted (k̂ < 0.7 reliable for the usual sample sizes; k̂ > 0.7 the proposal
 * misses mass of the target). Used to check and correct draws from a fitted guide, as Stan's
 * Pathfinder does.
 *
 * Computed on the host in float64.
 */
import type { ArrayLike } from "../core/index.js";
import { toHost } from "./host-array.js";

/** The result of {@link psis}. */
export interface PsisResult {
  /** Smoothed log weights, normalized (they log-sum-exp to 0), in the order of the input. */
  readonly logWeights: Float64Array;
  /** The fitted Pareto shape k̂ of the largest ratios (Infinity when the tail is too short to fit). */
  readonly paretoK: number;
  /** Effective sample size of the smoothed weights, 1 / Σ w². */
  readonly ess: number;
}

/**
 * Pareto-smooths the log importance ratios `logRatios` (log p − log q of draws from q, one per
 * draw, any additive constant): the M = ⌈min(S/5, 3√S)⌉ largest ratios are replaced by the
 * expected order statistics of the generalized Pareto distribution fitted to their excess over
 * the next largest, capped at the largest raw ratio. Non-finite ratios are an error, except
 * −Infinity (a draw outside the target's support), which keeps weight 0.
 */
export function psis(logRatios: ArrayLike): PsisResult {
  const raw = toHost(logRatios, "psis").data;
  const s = raw.length;
  if (s < 2) throw new Error(`psis: needs at least 2 log ratios, got ${s}`);
  for (let i = 0; i < s; i++)
    if (Number.isNaN(raw[i]) || raw[i] === Infinity) throw new Error(`psis: log ratio ${i} is ${raw[i]}; the target's or the proposal's log density is not finite there`);
  let max = -Infinity;
  for (const v of raw) max = Math.max(max, v);
  if (max === -Infinity) throw new Error("psis: every log ratio is -Infinity (no draw lies in the target's support)");
  const lw = Float64Array.from(raw, (v) => v - max);
  const order = Array.from({ length: s }, (_, i) => i).sort((a, b) => lw[a] - lw[b]);
  const tail = Math.ceil(Math.min(0.2 * s, 3 * Math.sqrt(s)));
  const cutIndex = s - tail - 1;
  let paretoK = Infinity;
  if (cutIndex >= 0 && tail >= 5) {
    const cutoff = Math.max(lw[order[cutIndex]], Math.log(Number.MIN_VALUE));
    const tailIdx = order.slice(cutIndex + 1).filter((i) => lw[i] > cutoff);
    if (tailIdx.length >= 5) {
      const expCut = Math.exp(cutoff);
      const excess = tailIdx.map((i) => Math.exp(lw[i]) - expCut);
      const fit = fitGeneralizedPareto(excess);
      paretoK = fit.k;
      if (Number.isFinite(fit.k) && fit.sigma > 0) {
        const m = tailIdx.length;
        tailIdx.forEach((i, j) => (lw[i] = Math.min(0, Math.log(gpQuantile((j + 0.5) / m, fit.k, fit.sigma) + expCut))));
      }
    }
  }
  const lse = logSumExp(lw);
  for (let i = 0; i < s; i++) lw[i] -= lse;
  let sumSq = 0;
  for (const v of lw) sumSq += Math.exp(2 * v);
  return { logWeights: lw, paretoK, ess: 1 / sumSq };
}

/**
 * The generalized Pareto shape k and scale σ of positive exceedances `x` (ascending), by the
 * empirical Bayes estimate of Zhang and Stephens (2009), with k shrunk towards 0.5 by a weak
 * prior worth 10 observations (as in the PSIS paper and the loo package).
 */
export function fitGeneralizedPareto(x: readonly number[]): { k: number; sigma: number } {
  const n = x.length;
  if (n < 2) throw new Error(`fitGeneralizedPareto: needs at least 2 exceedances, got ${n}`);
  for (let i = 1; i < n; i++) if (!(x[i] >= x[i - 1])) throw new Error("fitGeneralizedPareto: the exceedances must be ascending");
  const m = 30 + Math.floor(Math.sqrt(n));
  const quartile = x[Math.floor(n / 4 + 0.5) - 1];
  const last = x[n - 1];
  const theta = Array.from({ length: m }, (_, j) => 1 / last + (1 - Math.sqrt(m / (j + 0.5))) / (3 * quartile));
  const kOf = (t: number) => x.reduce((acc, v) => acc + Math.log1p(-t * v), 0) / n;
  const profile = theta.map((t) => {
    const k = kOf(t);
    return n * (Math.log(-t / k) - k - 1);
  });
  // posterior weights of the grid, w_j = 1 / Σ_i exp(l_i − l_j), negligible ones dropped
  const weights = profile.map((lj) => 1 / profile.reduce((acc, li) => acc + Math.exp(li - lj), 0));
  let total = 0;
  let thetaHat = 0;
  weights.forEach((w, j) => {
    if (w >= 10 * Number.EPSILON) {
      total += w;
      thetaHat += w * theta[j];
    }
  });
  thetaHat /= total;
  const k = kOf(thetaHat);
  const sigma = -k / thetaHat;
  return { k: (n * k + 10 * 0.5) / (n + 10), sigma };
}

/** The quantile at p of the generalized Pareto distribution with shape k, scale σ and location 0. */
function gpQuantile(p: number, k: number, sigma: number): number {
  return Math.abs(k) < Number.EPSILON ? -sigma * Math.log1p(-p) : (sigma * Math.expm1(-k * Math.log1p(-p))) / k;
}

function logSumExp(v: Float64Array): number {
  let max = -Infinity;
  for (const x of v) max = Math.max(max, x);
  if (max === -Infinity) return max;
  let sum = 0;
  for (const x of v) sum += Math.exp(x - max);
  return max + Math.log(sum);
}
