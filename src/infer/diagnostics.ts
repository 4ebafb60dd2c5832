/**
 * MCMC diagnostics on concrete draws, following NumPyro's `numpyro.diagnostics` and the
 * Stan/ArviZ conventions of Vehtari et al. (2021), "Rank-normalization, folding, and
 * localization: an improved R-hat for assessing convergence of MCMC".
 *
 * Chain statistics take draws grouped by chain, shape `[chains, draws, ...event]`, and return one
 * value per event element (an Array of shape `event`, 0-d for scalar sites). Everything is
 * computed host-side in float64; inputs may be tyche Arrays, nested number arrays or typed
 * arrays. Draws containing NaN are rejected with an error.
 */
import { Array as NDArray, type ArrayLike } from "../core/index.js";
import { erfc } from "../core/primitives/scalar-math.js";
import { fmt, sizeOf } from "../core/shape.js";
import { fromHost, toHost, type HostArray } from "./host-array.js";

// ---- public API: autocorrelation -----------------------------------------------------------

/** Options for {@link autocorrelation} and {@link autocovariance}. */
export interface AutocorrelationOptions {
  /** The draws axis (default 0; negative counts from the end). */
  axis?: number;
  /**
   * Biased estimator (default true): lag-k sums divided by N. The unbiased one divides by N − k,
   * which has wild tails at long lags (Geyer 1992).
   */
  bias?: boolean;
}

/**
 * Autocorrelation of `x` along `options.axis` at every lag 0..N−1 (same shape as `x`), computed
 * with a zero-padded FFT. A constant lane has no autocorrelation and gives NaN.
 */
export function autocorrelation(x: ArrayLike, options: AutocorrelationOptions = {}): NDArray {
  const bias = options.bias ?? true;
  const h = toHost(x, "autocorrelation");
  return fromHostArray(
    mapLanes(h, options.axis ?? 0, "autocorrelation", (lane) => {
      const acov = autocovarianceOf(lane, bias);
      const c0 = acov[0];
      return acov.map((v) => v / c0);
    }),
  );
}

/**
 * Autocovariance of `x` along `options.axis` at every lag 0..N−1 (same shape as `x`): the
 * lag-k sum of centred products divided by N (biased, the default) or by N − k.
 */
export function autocovariance(x: ArrayLike, options: AutocorrelationOptions = {}): NDArray {
  const bias = options.bias ?? true;
  const h = toHost(x, "autocovariance");
  return fromHostArray(mapLanes(h, options.axis ?? 0, "autocovariance", (lane) => autocovarianceOf(lane, bias)));
}

// ---- public API: R-hat ---------------------------------------------------------------------

/**
 * Classic (Gelman–Rubin) R-hat of `x` with shape `[chains, draws, ...event]`: needs at least 2
 * chains of 2 draws. Constant draws give NaN (the statistic is 0/0).
 */
export function gelmanRubin(x: ArrayLike): NDArray {
  return perElement(x, "gelmanRubin", 2, 2, gelmanRubinOf);
}

/**
 * Split R-hat: each chain is cut into its first and last halves (the middle draw of an odd
 * chain is dropped) and {@link gelmanRubin} is applied to the 2·chains half-chains. Needs at
 * least 4 draws; constant draws give NaN.
 */
export function splitGelmanRubin(x: ArrayLike): NDArray {
  return perElement(x, "splitGelmanRubin", 1, 4, (chains) => gelmanRubinOf(splitChains(chains)));
}

/**
 * Rank-normalized split R-hat (Vehtari et al. 2021; ArviZ's `rhat(method="rank")`): the larger
 * of the split R-hat of the rank-normalized draws (bulk) and of the rank-normalized folded draws
 * |x − median| (tail). Needs at least 4 draws; a single chain is allowed (split gives two).
 * Constant draws give NaN.
 */
export function rhat(x: ArrayLike): NDArray {
  return perElement(x, "rhat", 1, 4, rankRhatOf);
}

// ---- public API: effective sample size and MCSE --------------------------------------------

/** Options for {@link effectiveSampleSize}. */
export interface EffectiveSampleSizeOptions {
  /** Use the biased autocovariance estimator (default true), as NumPyro. */
  bias?: boolean;
}

/**
 * NumPyro's effective sample size of `x` with shape `[chains, draws, ...event]` (no split, no
 * rank normalization): the multi-chain autocorrelation of the Stan reference manual, summed over
 * Geyer's initial monotone sequence of lag pairs. Needs at least 2 draws; constant draws give
 * chains·draws.
 */
export function effectiveSampleSize(x: ArrayLike, options: EffectiveSampleSizeOptions = {}): NDArray {
  const bias = options.bias ?? true;
  return perElement(x, "effectiveSampleSize", 1, 2, (chains) => numpyroEssOf(chains, bias));
}

/**
 * Bulk effective sample size (ArviZ's `ess(method="bulk")`): Stan's split-chain ESS of the
 * rank-normalized draws. Needs at least 4 draws.
 */
export function essBulk(x: ArrayLike): NDArray {
  return perElement(x, "essBulk", 1, 4, essBulkOf);
}

/** Options for {@link essTail}. */
export interface EssTailOptions {
  /** The tail probability: the ESS of the `prob` and `1 − prob` quantiles (default 0.05). */
  prob?: number;
}

/**
 * Tail effective sample size (ArviZ's `ess(method="tail")`): the smaller split-chain ESS of the
 * indicators `x ≤ q` at the `prob` and `1 − prob` quantiles. Needs at least 4 draws.
 */
export function essTail(x: ArrayLike, options: EssTailOptions = {}): NDArray {
  const prob = options.prob ?? 0.05;
  checkProb(prob, "essTail");
  return perElement(x, "essTail", 1, 4, (chains) => essTailOf(chains, prob));
}

/**
 * Monte Carlo standard error of the mean (ArviZ's `mcse(method="mean")`): the standard
 * deviation of all draws over the square root of the split-chain ESS. Needs at least 4 draws.
 */
export function mcse(x: ArrayLike): NDArray {
  return perElement(x, "mcse", 1, 4, mcseOf);
}

// ---- public API: intervals -----------------------------------------------------------------

/**
 * Highest posterior density interval: the narrowest interval holding a fraction `prob` of the
 * draws along `axis` (NumPyro's definition). The result has the shape of `x` with the `axis`
 * dimension replaced by 2: lower bound first, upper bound second.
 */
export function hpdi(x: ArrayLike, prob = 0.9, axis = 0): NDArray {
  checkProb(prob, "hpdi");
  const h = toHost(x, "hpdi");
  return fromHostArray(mapLanes(h, axis, "hpdi", (lane) => hpdiOf(sorted(lane), prob)));
}

/**
 * Quantiles of `x` along `axis` with linear interpolation (NumPy's default method). The result
 * has the shape of `x` with the `axis` dimension replaced by `probs.length`.
 */
export function quantiles(x: ArrayLike, probs: readonly number[], axis = 0): NDArray {
  for (const p of probs) {
    if (!(p >= 0 && p <= 1)) throw new Error(`quantiles: probabilities must lie in [0, 1], got ${p}`);
  }
  const h = toHost(x, "quantiles");
  return fromHostArray(
    mapLanes(h, axis, "quantiles", (lane) => {
      const s = sorted(lane);
      return Float64Array.from(probs, (p) => quantileOfSorted(s, p));
    }),
  );
}

// ---- public API: summary -------------------------------------------------------------------

/** Options for {@link summary}. */
export interface SummaryOptions {
  /** Probability mass of the HPD interval (default 0.9). */
  prob?: number;
  /**
   * Whether each site has shape `[chains, draws, ...event]` (default true); when false it has
   * shape `[draws, ...event]` and is treated as a single chain.
   */
  groupByChain?: boolean;
}

/** Diagnostics of one scalar element of a site. */
export interface SummaryRow {
  /** Row label: the site name, with the element index for non-scalar sites (`theta[0]`, `L[1,0]`). */
  name: string;
  /** The element's index within the site's event shape (empty for scalar sites). */
  index: number[];
  mean: number;
  /** Standard deviation over all draws (ddof 1). */
  std: number;
  median: number;
  /** Lower end of the HPD interval (column label {@link Summary.hpdiLabels}[0]). */
  hpdiLow: number;
  /** Upper end of the HPD interval (column label {@link Summary.hpdiLabels}[1]). */
  hpdiHigh: number;
  /** Monte Carlo standard error of the mean ({@link mcse}). */
  mcse: number;
  /** Bulk effective sample size ({@link essBulk}). */
  nEff: number;
  /** Tail effective sample size at the 5% and 95% quantiles ({@link essTail}). */
  essTail: number;
  /** Rank-normalized split R-hat ({@link rhat}). */
  rHat: number;
}

/** Result of {@link summary}. */
export interface Summary {
  /** Probability mass of the HPD interval. */
  prob: number;
  /** Column labels of the HPD bounds, as NumPyro prints them (`["5.0%", "95.0%"]` for 0.9). */
  hpdiLabels: [string, string];
  /** Per site, one row per event element in row-major order. */
  sites: Record<string, SummaryRow[]>;
}

/** Posterior draws by site name (or a single array, which is named `Param:0` as in NumPyro). */
export type SummaryInput = Record<string, ArrayLike> | NDArray;

/**
 * Per-site, per-element posterior summary: mean, std, median, HPD interval, MCSE of the mean,
 * bulk and tail ESS and rank-normalized split R-hat. Each site needs at least 4 draws per chain.
 */
export function summary(samples: SummaryInput, options: SummaryOptions = {}): Summary {
  const prob = options.prob ?? 0.9;
  checkProb(prob, "summary");
  const groupByChain = options.groupByChain ?? true;
  const sites: Record<string, SummaryRow[]> = {};
  for (const [name, value] of Object.entries(namedSites(samples))) {
    const what = `summary: site "${name}"`;
    const h = toHost(value, what);
    const grouped = groupByChain ? h : { data: h.data, shape: [1, ...h.shape] };
    const { eventShape, elements } = chainsOf(grouped, what, 1, 4);
    sites[name] = elements.map((chains, e) => {
      const index = unravel(e, eventShape);
      const pooled = sorted(concat(chains));
      const [hpdiLow, hpdiHigh] = hpdiOf(pooled, prob);
      return {
        name: index.length === 0 ? name : `${name}[${index.join(",")}]`,
        index,
        mean: meanOf(pooled),
        std: Math.sqrt(sampleVariance(pooled)),
        median: quantileOfSorted(pooled, 0.5),
        hpdiLow,
        hpdiHigh,
        mcse: mcseOf(chains),
        nEff: essBulkOf(chains),
        essTail: essTailOf(chains, 0.05),
        rHat: rankRhatOf(chains),
      };
    });
  }
  return { prob, hpdiLabels: hpdiLabels(prob), sites };
}

/** Options for {@link formatSummary} and {@link printSummary}. */
export interface PrintSummaryOptions extends SummaryOptions {
  /** When given, a final line `Number of divergences: N` is added (as NumPyro's MCMC prints). */
  numDivergences?: number;
}

/**
 * The {@link summary} as a NumPyro-style table: a right-aligned name column (at least 10 wide),
 * then `mean std median <lo>% <hi>% mcse n_eff ess_tail r_hat`, each 9 wide with 2 decimals,
 * one row per scalar element, framed by blank lines as NumPyro prints it.
 */
export function formatSummary(samples: SummaryInput, options: PrintSummaryOptions = {}): string {
  const s = summary(samples, options);
  const rows = Object.values(s.sites).flat();
  const width = Math.max(10, ...rows.map((r) => r.name.length));
  const columns = ["mean", "std", "median", ...s.hpdiLabels, "mcse", "n_eff", "ess_tail", "r_hat"];
  const lines = ["", "".padStart(width) + columns.map((c) => " " + c.padStart(9)).join("")];
  for (const r of rows) {
    const values = [r.mean, r.std, r.median, r.hpdiLow, r.hpdiHigh, r.mcse, r.nEff, r.essTail, r.rHat];
    lines.push(r.name.padStart(width) + values.map((v) => " " + fixed2(v).padStart(9)).join(""));
  }
  lines.push("");
  if (options.numDivergences !== undefined) lines.push(`Number of divergences: ${options.numDivergences}`);
  return lines.join("\n");
}

/** Prints {@link formatSummary}'s table with `console.log` and returns it. */
export function printSummary(samples: SummaryInput, options: PrintSummaryOptions = {}): string {
  const text = formatSummary(samples, options);
  console.log(text);
  return text;
}

// ---- layout helpers ------------------------------------------------------------------------

/** The draws of each event element, as one Float64Array per chain. */
interface ChainElements {
  eventShape: number[];
  elements: Float64Array[][];
}

/** Splits `[chains, draws, ...event]` draws into per-element chain arrays, validating the layout. */
function chainsOf(h: HostArray, what: string, minChains: number, minDraws: number): ChainElements {
  if (h.shape.length < 2) {
    throw new Error(`${what}: expected draws of shape [chains, draws, ...event], got ${fmt(h.shape)}`);
  }
  const [numChains, numDraws, ...eventShape] = h.shape;
  if (numChains < minChains) throw new Error(`${what}: needs at least ${minChains} chains, got ${numChains} (shape ${fmt(h.shape)})`);
  if (numDraws < minDraws) throw new Error(`${what}: needs at least ${minDraws} draws per chain, got ${numDraws} (shape ${fmt(h.shape)})`);
  const nan = h.data.findIndex(Number.isNaN);
  if (nan >= 0) throw new Error(`${what}: draws contain NaN (flat index ${nan} of shape ${fmt(h.shape)})`);
  const size = sizeOf(eventShape);
  const elements = Array.from({ length: size }, (_, e) =>
    Array.from({ length: numChains }, (_, c) => Float64Array.from({ length: numDraws }, (_, n) => h.data[(c * numDraws + n) * size + e])),
  );
  return { eventShape, elements };
}

/** Applies a chain statistic to every event element of `x`, giving an Array of the event shape. */
function perElement(x: ArrayLike, what: string, minChains: number, minDraws: number, stat: (chains: Float64Array[]) => number): NDArray {
  const { eventShape, elements } = chainsOf(toHost(x, what), what, minChains, minDraws);
  return fromHost(Float64Array.from(elements, stat), eventShape);
}

/**
 * Maps every 1-D lane of `h` along `axis` through `fn`; the output lanes may have another
 * length, which replaces the axis' size in the result shape.
 */
function mapLanes(h: HostArray, axis: number, what: string, fn: (lane: Float64Array) => Float64Array): HostArray {
  const ndim = h.shape.length;
  const ax = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= ndim) throw new Error(`${what}: axis ${axis} is out of range for shape ${fmt(h.shape)}`);
  const n = h.shape[ax];
  if (n === 0) throw new Error(`${what}: no draws along axis ${axis} (shape ${fmt(h.shape)})`);
  const outer = sizeOf(h.shape.slice(0, ax));
  const inner = sizeOf(h.shape.slice(ax + 1));
  let outShape: number[] | undefined;
  let out = new Float64Array(0);
  const lane = new Float64Array(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      for (let t = 0; t < n; t++) lane[t] = h.data[(o * n + t) * inner + i];
      const r = fn(lane);
      if (!outShape) {
        outShape = h.shape.map((d, k) => (k === ax ? r.length : d));
        out = new Float64Array(sizeOf(outShape));
      }
      for (let t = 0; t < r.length; t++) out[(o * r.length + t) * inner + i] = r[t];
    }
  }
  return { data: out, shape: outShape ?? h.shape.map((d, k) => (k === ax ? 0 : d)) };
}

/** {@link fromHost} for a {@link HostArray}. */
function fromHostArray(h: HostArray): NDArray {
  return fromHost(h.data, h.shape);
}

/** The sites of a summary input, naming a bare array `Param:0`. */
function namedSites(samples: SummaryInput): Record<string, ArrayLike> {
  return samples instanceof NDArray ? { "Param:0": samples } : samples;
}

/** Row-major multi-index of flat position `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    index[k] = flat % shape[k];
    flat = Math.floor(flat / shape[k]);
  }
  return index;
}

function checkProb(prob: number, what: string): void {
  if (!(prob > 0 && prob < 1)) throw new Error(`${what}: prob must lie in (0, 1), got ${prob}`);
}

/** NumPyro's HPD column labels: `50(1 − prob)%` and `50(1 + prob)%` with one decimal. */
function hpdiLabels(prob: number): [string, string] {
  return [`${(50 * (1 - prob)).toFixed(1)}%`, `${(50 * (1 + prob)).toFixed(1)}%`];
}

/** Python's `{:.2f}` for table cells (`nan`, `inf`, `-inf` for non-finite values). */
function fixed2(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return v.toFixed(2);
}

// ---- elementary statistics -----------------------------------------------------------------

function meanOf(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

/** Variance with ddof 1. */
function sampleVariance(x: Float64Array): number {
  const m = meanOf(x);
  let s = 0;
  for (const v of x) s += (v - m) * (v - m);
  return s / (x.length - 1);
}

function concat(chains: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(chains.reduce((n, c) => n + c.length, 0));
  let k = 0;
  for (const c of chains) {
    out.set(c, k);
    k += c.length;
  }
  return out;
}

function sorted(x: Float64Array): Float64Array {
  return Float64Array.from(x).sort();
}

/** Quantile of sorted data with linear interpolation (NumPy's "linear", H&F type 7). */
function quantileOfSorted(s: Float64Array, p: number): number {
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}

/** NumPyro's HPDI on sorted data: the narrowest window spanning ⌊prob·N⌋ positions. */
function hpdiOf(s: Float64Array, prob: number): Float64Array {
  const span = Math.floor(prob * s.length);
  let best = 0;
  for (let i = 1; i < s.length - span; i++) if (s[i + span] - s[i] < s[best + span] - s[best]) best = i;
  return Float64Array.of(s[best], s[best + span]);
}

/** True when all draws are equal to within 1e-15 (ArviZ's test for a constant variable). */
function isConstant(chains: readonly Float64Array[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of chains) {
    for (const v of c) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  return hi - lo < 1e-15;
}

// ---- autocovariance by FFT -----------------------------------------------------------------

/**
 * Lag-k sums of centred products, Σ_t (x_t − x̄)(x_{t+k} − x̄) for k = 0..N−1, by a radix-2
 * FFT of the series zero-padded to at least 2N (so no circular wrap-around).
 */
function laggedProducts(x: Float64Array): Float64Array {
  const n = x.length;
  let m = 1;
  while (m < 2 * n) m *= 2;
  const re = new Float64Array(m);
  const im = new Float64Array(m);
  const mean = meanOf(x);
  for (let t = 0; t < n; t++) re[t] = x[t] - mean;
  fft(re, im, false);
  for (let k = 0; k < m; k++) {
    re[k] = re[k] * re[k] + im[k] * im[k];
    im[k] = 0;
  }
  fft(re, im, true);
  return re.slice(0, n);
}

/** NumPyro's autocovariance of one lane: lag sums over N (biased) or over N − k. */
function autocovarianceOf(x: Float64Array, bias: boolean): Float64Array {
  const n = x.length;
  return laggedProducts(x).map((v, k) => v / (bias ? n : n - k));
}

/** In-place iterative radix-2 complex FFT (length a power of two); the inverse is scaled by 1/m. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const m = re.length;
  for (let i = 1, j = 0; i < m; i++) {
    let bit = m >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= m; len *= 2) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let start = 0; start < m; start += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = start + k;
        const b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        [cr, ci] = [cr * wr - ci * wi, cr * wi + ci * wr];
      }
    }
  }
  if (inverse) {
    for (let k = 0; k < m; k++) {
      re[k] /= m;
      im[k] /= m;
    }
  }
}

// ---- chain statistics ----------------------------------------------------------------------

/**
 * Within-chain variance W and the pooled variance estimate var⁺ = W(N−1)/N + B/N of the Stan
 * reference manual (for one chain, both are the chain's ddof-0 variance).
 */
function chainVarianceStats(chains: readonly Float64Array[]): { varWithin: number; varEstimator: number } {
  const n = chains[0].length;
  const varWithin = meanOf(Float64Array.from(chains, sampleVariance));
  const varEstimator = (varWithin * (n - 1)) / n;
  if (chains.length === 1) return { varWithin: varEstimator, varEstimator };
  return { varWithin, varEstimator: varEstimator + sampleVariance(Float64Array.from(chains, meanOf)) };
}

/** R-hat = sqrt(var⁺ / W). */
function gelmanRubinOf(chains: readonly Float64Array[]): number {
  const { varWithin, varEstimator } = chainVarianceStats(chains);
  return Math.sqrt(varEstimator / varWithin);
}

/** The first and last ⌊N/2⌋ draws of every chain, as separate chains. */
function splitChains(chains: readonly Float64Array[]): Float64Array[] {
  const n = chains[0].length;
  const half = Math.floor(n / 2);
  return [...chains.map((c) => c.subarray(0, half)), ...chains.map((c) => c.subarray(n - half))];
}

/**
 * Rank normalization: pooled average ranks r (ties share their mean rank) mapped to normal
 * scores Φ⁻¹((r − 3/8) / (S + 1/4)) (Blom's offsets), keeping the chain layout.
 */
function zScale(chains: readonly Float64Array[]): Float64Array[] {
  const pooled = concat(chains);
  const size = pooled.length;
  const order = Array.from({ length: size }, (_, i) => i).sort((a, b) => pooled[a] - pooled[b]);
  const z = new Float64Array(size);
  for (let i = 0; i < size; ) {
    let j = i + 1;
    while (j < size && pooled[order[j]] === pooled[order[i]]) j++;
    const rank = (i + 1 + j) / 2;
    const score = normalQuantile((rank - 3 / 8) / (size + 1 / 4));
    for (let k = i; k < j; k++) z[order[k]] = score;
    i = j;
  }
  const n = chains[0].length;
  return chains.map((_, c) => z.subarray(c * n, (c + 1) * n));
}

/** Vehtari et al.'s R-hat: max of the bulk and folded-tail rank-normalized split R-hats. */
function rankRhatOf(chains: readonly Float64Array[]): number {
  const split = splitChains(chains);
  const median = quantileOfSorted(sorted(concat(split)), 0.5);
  const folded = split.map((c) => c.map((v) => Math.abs(v - median)));
  return Math.max(gelmanRubinOf(zScale(split)), gelmanRubinOf(zScale(folded)));
}

/** NumPyro's ESS: pair sums of the multi-chain autocorrelation, clipped and made monotone. */
function numpyroEssOf(chains: readonly Float64Array[], bias: boolean): number {
  const m = chains.length;
  const n = chains[0].length;
  if (isConstant(chains)) return m * n;
  const { varWithin, varEstimator } = chainVarianceStats(chains);
  const acovs = chains.map((c) => autocovarianceOf(c, bias));
  const rho = (k: number): number => (k === 0 ? 1 : 1 - (varWithin - acovs.reduce((s, a) => s + a[k], 0) / m) / varEstimator);
  let pairSum = rho(0) + rho(1);
  let total = pairSum;
  let running = Infinity;
  for (let j = 1; j < Math.floor(n / 2); j++) {
    pairSum = rho(2 * j) + rho(2 * j + 1);
    running = Math.min(running, Math.max(pairSum, 0));
    total += running;
  }
  return (m * n) / (2 * total - 1);
}

/**
 * Stan's (and ArviZ's `_ess`) effective sample size of chains: Geyer's initial positive
 * sequence, then the initial monotone sequence, with τ bounded below by 1/log10(M·N).
 */
function stanEssOf(chains: readonly Float64Array[]): number {
  const m = chains.length;
  const n = chains[0].length;
  if (isConstant(chains)) return m * n;
  const acovs = chains.map((c) => autocovarianceOf(c, true));
  const meanAcov = (k: number): number => acovs.reduce((s, a) => s + a[k], 0) / m;
  const meanVar = (meanAcov(0) * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += sampleVariance(Float64Array.from(chains, meanOf));
  const rhoAt = (k: number): number => 1 - (meanVar - meanAcov(k)) / varPlus;

  const rho = new Float64Array(n);
  let rhoEven = 1;
  let rhoOdd = rhoAt(1);
  rho[0] = rhoEven;
  rho[1] = rhoOdd;
  let t = 1;
  while (t < n - 3 && rhoEven + rhoOdd > 0) {
    rhoEven = rhoAt(t + 1);
    rhoOdd = rhoAt(t + 2);
    if (rhoEven + rhoOdd >= 0) {
      rho[t + 1] = rhoEven;
      rho[t + 2] = rhoOdd;
    }
    t += 2;
  }
  const maxT = t - 2;
  if (rhoEven > 0) rho[maxT + 1] = rhoEven;
  for (let u = 1; u <= maxT - 2; u += 2) {
    if (rho[u + 1] + rho[u + 2] > rho[u - 1] + rho[u]) {
      rho[u + 1] = (rho[u - 1] + rho[u]) / 2;
      rho[u + 2] = rho[u + 1];
    }
  }
  let sum = 0;
  for (let k = 0; k <= maxT; k++) sum += rho[k];
  const tail = maxT + 1 < n ? rho[maxT + 1] : 0;
  const size = m * n;
  return size / Math.max(-1 + 2 * sum + tail, 1 / Math.log10(size));
}

function essBulkOf(chains: readonly Float64Array[]): number {
  return stanEssOf(zScale(splitChains(chains)));
}

/** Smaller split ESS of the indicators x ≤ q at the `prob` and `1 − prob` quantiles. */
function essTailOf(chains: readonly Float64Array[], prob: number): number {
  const pooled = sorted(concat(chains));
  const quantileEss = (p: number): number => {
    const q = quantileOfSorted(pooled, p);
    return stanEssOf(splitChains(chains.map((c) => c.map((v) => (v <= q ? 1 : 0)))));
  };
  return Math.min(quantileEss(prob), quantileEss(1 - prob));
}

/** sd(all draws) / sqrt(split ESS). */
function mcseOf(chains: readonly Float64Array[]): number {
  return Math.sqrt(sampleVariance(concat(chains)) / stanEssOf(splitChains(chains)));
}

// ---- normal quantile -----------------------------------------------------------------------

const ACKLAM_A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const ACKLAM_B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1, 1];
const ACKLAM_C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const ACKLAM_D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416, 1];

/** Horner evaluation of a polynomial with coefficients from the highest power down. */
function horner(coefs: readonly number[], x: number): number {
  return coefs.reduce((acc, c) => acc * x + c, 0);
}

/**
 * Φ⁻¹(p) for p in (0, 1): Acklam's rational approximation (relative error below 1.2e-9) refined
 * by one Halley step on Φ(x) − p, which brings it to near double precision.
 */
function normalQuantile(p: number): number {
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = horner(ACKLAM_C, q) / horner(ACKLAM_D, q);
  } else if (p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x = -horner(ACKLAM_C, q) / horner(ACKLAM_D, q);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = (horner(ACKLAM_A, r) * q) / horner(ACKLAM_B, r);
  }
  const u = (0.5 * erfc(-x / Math.SQRT2) - p) * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
