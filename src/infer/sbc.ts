/**
 * Simulation-based calibration (Talts, Betancourt, Simpson, Vehtari and Gelman 2018): checks an
 * inference algorithm against its own model. Each simulation draws parameters θ̃ from the prior
 * and data ỹ from the model given θ̃, runs inference on ỹ, and records the rank of θ̃ among L
 * posterior draws (the number of draws below it, 0..L). When the inference is exact, the ranks
 * are uniform on 0..L; a sampler that is too narrow gives a U-shaped histogram, one too wide a
 * hump, a biased one a slope. Uniformity is tested with a chi-square test over B bins of ranks.
 *
 * ```ts
 * const mcmc = new MCMC(new NUTS(model), { numWarmup: 200, numSamples: 200, progressBar: false });
 * const result = await sbc(model, {
 *   key: random.key(0),
 *   numSimulations: 100,
 *   numDraws: 99,
 *   observed: "y",
 *   modelArgs: [10],
 *   infer: async (key, data, n) => { await mcmc.run(key, n, data.y); return mcmc.getSamples(); },
 * });
 * result.pValue;            // Bonferroni-adjusted over all parameter elements
 * ```
 */
import { np, random, type Array as NDArray } from "../core/index.js";
import { seed, trace, type Key, type Model, type Trace } from "../handlers/index.js";

/** Posterior draws by site name, each with a leading draws axis: `[draws, ...siteShape]`. */
export type SBCDraws = Readonly<Record<string, NDArray>>;

/**
 * Inference on one simulated data set: `key` (a fresh key per simulation), `data` (the simulated
 * values of the observed sites, by site name) and the model's arguments (`modelArgs`, untouched).
 * Returns posterior draws of at least the checked sites, with a leading draws axis.
 */
export type SBCInfer<A extends unknown[]> = (key: Key, data: Readonly<Record<string, NDArray>>, ...args: A) => Promise<SBCDraws> | SBCDraws;

/** One simulated problem: parameters drawn from the prior and data drawn given them. */
export interface Simulation {
  /** The values of the latent sites (and deterministic sites) of the simulation, by name. */
  readonly params: Readonly<Record<string, NDArray>>;
  /** The simulated values of the observed sites, by name. */
  readonly data: Readonly<Record<string, NDArray>>;
  /** The whole trace of the simulation. */
  readonly trace: Trace;
}

/**
 * Draws one problem from `model` seeded with `key`: every latent site from its prior, and the
 * `observed` sites (run without their data, so the model samples them) given those. The
 * building block of {@link sbc}, and of property tests of an inference method: with fast-check,
 * let the runner choose the seed and the model's size arguments, and a failing case shrinks to
 * a small data set.
 *
 * ```ts
 * fc.assert(fc.property(fc.nat(), fc.integer({ min: 1, max: 50 }), (s, n) => {
 *   const { params, data } = simulate(model, random.key(s), { observed: "y", modelArgs: [n] });
 *   return checkMyInference(params, data.y, n);
 * }));
 * ```
 */
export function simulate<A extends unknown[]>(model: Model<A>, key: Key, options: { observed: string | readonly string[]; modelArgs?: A }): Simulation {
  return simulateAs("simulate", model, key, options);
}

function simulateAs<A extends unknown[]>(who: string, model: Model<A>, key: Key, options: { observed: string | readonly string[]; modelArgs?: A }): Simulation {
  const observed = typeof options.observed === "string" ? [options.observed] : [...options.observed];
  const tr = trace(seed(model, key)).getTrace(...((options.modelArgs ?? []) as A));
  const data: Record<string, NDArray> = {};
  for (const name of observed) {
    const site = tr.get(name);
    if (!site || site.type !== "sample") throw new Error(`${who}: the model has no sample site '${name}' to simulate data from (options.observed)`);
    if (site.isObserved) throw new Error(`${who}: site '${name}' is already observed in the simulation: pass modelArgs without the data, so the model samples it`);
    data[name] = site.value!;
  }
  const params: Record<string, NDArray> = {};
  for (const site of tr.values())
    if ((site.type === "sample" && !site.isObserved && !observed.includes(site.name)) || site.type === "deterministic") params[site.name] = site.value!;
  return { params, data, trace: tr };
}

/** Options of {@link sbc}. */
export interface SBCOptions<A extends unknown[]> {
  /** The inference to check (see {@link SBCInfer}). */
  infer: SBCInfer<A>;
  /** The key of the whole check: simulation `i` uses `random.foldIn(key, i)`. */
  key: Key;
  /** Number of simulated data sets (at least 2; 100 or more for a test with power). */
  numSimulations: number;
  /**
   * L, the number of posterior draws each rank is taken among (the draws inference returns are
   * thinned to L, evenly spaced). Default: the number of draws of the first simulation. Ranks
   * take the values 0..L, so L + 1 a multiple of `bins` gives bins of equal width.
   */
  numDraws?: number;
  /** The sites whose values are the data (sampled from the model in the simulation, passed to `infer`). */
  observed: string | readonly string[];
  /** The sites to check (default: every latent sample site of the model, auxiliary sites excepted). Deterministic sites may be named. */
  params?: readonly string[];
  /** The model's arguments when simulating (without the data: observed sites must be sampled). */
  modelArgs?: A;
  /** Number of bins of ranks for the chi-square test (default: min(20, max(2, numSimulations / 10)), at most L + 1). */
  bins?: number;
  /** Called after each simulation with its index and the ranks of its sites. */
  onSimulation?: (i: number, ranks: Readonly<Record<string, NDArray>>) => void;
  /** Stops the check after the current simulation; the result covers the simulations done. */
  signal?: AbortSignal;
}

/** The uniformity test of one scalar element of a checked site. */
export interface SBCElement {
  /** Site name with the element's index, e.g. `theta[3]` (the site name for a scalar site). */
  readonly label: string;
  readonly site: string;
  /** Index of the element within the site's value. */
  readonly index: readonly number[];
  /** Chi-square statistic of the rank counts against uniform, with `bins - 1` degrees of freedom. */
  readonly chiSquare: number;
  /** Its p-value (small: the ranks are not uniform). */
  readonly pValue: number;
}

/** What {@link sbc} returns. */
export interface SBCResult {
  /** Number of simulations done (fewer than asked when aborted). */
  readonly numSimulations: number;
  /** L: each rank is in 0..L. */
  readonly numDraws: number;
  /** Number of rank bins of the chi-square test. */
  readonly bins: number;
  /** Bin edges: bin b holds the ranks r with `binEdges[b] <= r < binEdges[b + 1]` (`binEdges[bins] = L + 1`). */
  readonly binEdges: readonly number[];
  /** The count a bin would have on average under uniform ranks, per bin. */
  readonly expected: readonly number[];
  /** Ranks by site, int32 `[numSimulations, ...siteShape]`. */
  readonly ranks: Readonly<Record<string, NDArray>>;
  /** The parameter values drawn from the prior, by site: `[numSimulations, ...siteShape]`. */
  readonly priorDraws: Readonly<Record<string, NDArray>>;
  /** Rank counts per bin by site, int32 `[bins, ...siteShape]`. */
  readonly counts: Readonly<Record<string, NDArray>>;
  /** Chi-square p-value of each element of each site: `siteShape`. */
  readonly pValues: Readonly<Record<string, NDArray>>;
  /** Every scalar element checked, with its statistic and p-value. */
  readonly elements: readonly SBCElement[];
  /** The smallest element p-value times the number of elements, at most 1 (Bonferroni): one number for "calibrated or not". */
  readonly pValue: number;
}

/**
 * Simulation-based calibration of `infer` on `model`: for each of `numSimulations` simulations,
 * draws the parameters and the `observed` sites from the model (seeded with a key folded from
 * `key`), calls `infer` with another key and the simulated data, and ranks each checked
 * parameter's prior draw among L posterior draws. Returns the ranks, their counts in bins, and
 * chi-square uniformity p-values per element and overall (Bonferroni).
 *
 * Errors name the simulation and the site: a site missing from the draws, draws of the wrong
 * shape, fewer draws than L, non-finite draws.
 */
export async function sbc<A extends unknown[]>(model: Model<A>, options: SBCOptions<A>): Promise<SBCResult> {
  const { infer, key, numSimulations } = options;
  const modelArgs = (options.modelArgs ?? []) as A;
  const observed = typeof options.observed === "string" ? [options.observed] : [...options.observed];
  if (typeof infer !== "function") throw new Error("sbc: options.infer must be a function (key, data, ...modelArgs) => draws");
  if (!(Number.isInteger(numSimulations) && numSimulations >= 2)) throw new Error(`sbc: numSimulations must be an integer >= 2, got ${numSimulations}`);
  if (observed.length === 0) throw new Error("sbc: options.observed must name at least one site");
  if (options.numDraws !== undefined && !(Number.isInteger(options.numDraws) && options.numDraws >= 1))
    throw new Error(`sbc: numDraws must be a positive integer, got ${options.numDraws}`);
  if (options.bins !== undefined && !(Number.isInteger(options.bins) && options.bins >= 2)) throw new Error(`sbc: bins must be an integer >= 2, got ${options.bins}`);

  let L = options.numDraws ?? 0;
  let params: string[] = options.params ? [...options.params] : [];
  const shapes: Record<string, number[]> = {};
  const truths: Record<string, Float64Array[]> = {};
  const ranks: Record<string, Int32Array[]> = {};
  let done = 0;
  for (let i = 0; i < numSimulations; i++) {
    if (options.signal?.aborted) break;
    const [priorKey, inferKey, tieKey] = random.splitList(random.foldIn(key, i), 3);
    const { trace: tr, data } = simulateAs("sbc", model, priorKey, { observed, modelArgs });
    if (i === 0) {
      if (!options.params)
        params = [...tr.values()].filter((s) => s.type === "sample" && !s.isObserved && !observed.includes(s.name) && !s.infer.isAuxiliary).map((s) => s.name);
      if (params.length === 0) throw new Error("sbc: the model has no latent sites to check");
      for (const p of params) {
        const site = tr.get(p);
        if (!site || (site.type !== "sample" && site.type !== "deterministic")) throw new Error(`sbc: the model has no sample or deterministic site '${p}' to check (options.params)`);
        if (observed.includes(p)) throw new Error(`sbc: site '${p}' is both observed and checked`);
        shapes[p] = [...site.value!.shape];
        truths[p] = [];
        ranks[p] = [];
      }
    }
    const truth: Record<string, Float64Array> = {};
    for (const p of params) {
      const v = tr.get(p)?.value;
      if (!v) throw new Error(`sbc: simulation ${i}: the model has no site '${p}'`);
      if (!sameShape(v.shape, shapes[p])) throw new Error(`sbc: simulation ${i}: site '${p}' has shape [${v.shape.join(", ")}], the first simulation had [${shapes[p].join(", ")}]`);
      truth[p] = Float64Array.from(v.dataSync());
    }
    const draws = await infer(inferKey, data, ...modelArgs);
    if (typeof draws !== "object" || draws === null) throw new Error(`sbc: simulation ${i}: infer returned ${draws === null ? "null" : typeof draws}, expected draws by site name`);
    const simRanks: Record<string, NDArray> = {};
    const ties = Float64Array.from(random.uniform(tieKey, [params.reduce((a, p) => a + truth[p].length, 0)]).dataSync());
    let tieAt = 0;
    for (const p of params) {
      const d = draws[p];
      if (d === undefined) throw new Error(`sbc: simulation ${i}: the draws have no site '${p}' (they have ${Object.keys(draws).map((k) => `'${k}'`).join(", ") || "none"})`);
      const shape = shapes[p];
      if (d.ndim !== shape.length + 1 || !sameShape(d.shape.slice(1), shape))
        throw new Error(`sbc: simulation ${i}: the draws of site '${p}' have shape [${d.shape.join(", ")}], expected [draws, ${shape.join(", ")}]`);
      const m = d.shape[0];
      if (L === 0) L = m;
      if (m < L) throw new Error(`sbc: simulation ${i}: ${m} draws of site '${p}', fewer than numDraws = ${L}`);
      const values = d.dataSync();
      const size = truth[p].length;
      const r = new Int32Array(size);
      for (let e = 0; e < size; e++) {
        let below = 0;
        let equal = 0;
        for (let j = 0; j < L; j++) {
          const x = values[Math.floor((j * m) / L) * size + e];
          if (!Number.isFinite(x)) throw new Error(`sbc: simulation ${i}: a draw of site '${p}' is ${x}; inference returned non-finite draws`);
          if (x < truth[p][e]) below++;
          else if (x === truth[p][e]) equal++;
        }
        // ties (discrete sites) are broken at random, so ranks stay uniform
        r[e] = below + Math.min(equal, Math.floor(ties[tieAt++] * (equal + 1)));
      }
      ranks[p].push(r);
      truths[p].push(truth[p]);
      simRanks[p] = np.reshape(np.array(r, "int32"), shape);
    }
    done++;
    options.onSimulation?.(i, simRanks);
  }
  if (done === 0) throw new Error("sbc: aborted before the first simulation finished");

  const bins = Math.min(options.bins ?? Math.min(20, Math.max(2, Math.floor(done / 10))), L + 1);
  const binEdges = Array.from({ length: bins + 1 }, (_, b) => Math.floor((b * (L + 1)) / bins));
  const expected = Array.from({ length: bins }, (_, b) => (done * (binEdges[b + 1] - binEdges[b])) / (L + 1));
  const binOf = new Int32Array(L + 1);
  for (let b = 0; b < bins; b++) for (let r = binEdges[b]; r < binEdges[b + 1]; r++) binOf[r] = b;

  const out = { ranks: {} as Record<string, NDArray>, priorDraws: {} as Record<string, NDArray>, counts: {} as Record<string, NDArray>, pValues: {} as Record<string, NDArray> };
  const elements: SBCElement[] = [];
  for (const p of params) {
    const shape = shapes[p];
    const size = ranks[p][0].length;
    const counts = new Int32Array(bins * size);
    for (const r of ranks[p]) for (let e = 0; e < size; e++) counts[binOf[r[e]] * size + e]++;
    const pv = new Float64Array(size);
    for (let e = 0; e < size; e++) {
      let chi = 0;
      for (let b = 0; b < bins; b++) chi += (counts[b * size + e] - expected[b]) ** 2 / expected[b];
      pv[e] = chiSquareSurvival(chi, bins - 1);
      const index = unravelIndex(e, shape);
      elements.push({ label: shape.length === 0 ? p : `${p}[${index.join(",")}]`, site: p, index, chiSquare: chi, pValue: pv[e] });
    }
    out.ranks[p] = np.reshape(np.array(concat(ranks[p], Int32Array), "int32"), [done, ...shape]);
    out.priorDraws[p] = np.reshape(np.array(concat(truths[p], Float64Array)), [done, ...shape]);
    out.counts[p] = np.reshape(np.array(counts, "int32"), [bins, ...shape]);
    out.pValues[p] = np.reshape(np.array(pv), shape);
  }
  const minP = Math.min(...elements.map((e) => e.pValue));
  return { numSimulations: done, numDraws: L, bins, binEdges, expected, ...out, elements, pValue: Math.min(1, minP * elements.length) };
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

function unravelIndex(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    idx[k] = flat % shape[k];
    flat = Math.floor(flat / shape[k]);
  }
  return idx;
}

function concat<T extends Int32Array | Float64Array>(parts: readonly T[], ctor: { new (n: number): T }): T {
  const out = new ctor(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** P(X > x) for X ~ chi-square with `df` degrees of freedom: the regularized upper incomplete gamma Q(df/2, x/2), in float64. */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new Error(`chiSquareSurvival: df must be positive, got ${df}`);
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return gammaQ(df / 2, x / 2);
}

/** ln Γ(a) for a > 0 (Lanczos, g = 7, n = 9; about 15 digits). */
function lnGamma(a: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (a < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * a)) - lnGamma(1 - a);
  const z = a - 1;
  let s = c[0];
  for (let i = 1; i < 9; i++) s += c[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/** The regularized upper incomplete gamma function Q(a, x): a series for x < a + 1, else a continued fraction (Numerical Recipes). */
function gammaQ(a: number, x: number): number {
  const front = Math.exp(-x + a * Math.log(x) - lnGamma(a));
  if (x < a + 1) {
    let sum = 1 / a;
    let term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return Math.max(0, 1 - sum * front);
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.min(1, front * h);
}
