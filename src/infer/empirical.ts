/**
 * Empirical approximations (Pyro's `Empirical`): a posterior represented by a finite set of
 * draws, such as MCMC samples or SVGD particles, optionally weighted.
 *
 * - {@link Empirical}: a distribution over the draws of one array (the draws along the leading
 *   axis, the rest an event): sampling picks draws by weight; mean and variance are the
 *   weighted moments.
 * - {@link EmpiricalPosterior}: the same over draws of several sites (`mcmc.getSamples()`,
 *   `svgd.getPosteriorSamples(params)`), sampled jointly so that sites keep their dependence.
 */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../core/index.js";
import { independent, real, type Constraint } from "../distributions/constraints.js";
import { Distribution, type DistributionOptions } from "../distributions/index.js";
import type { Params } from "./util.js";

/** Options of {@link Empirical}. */
export interface EmpiricalOptions extends DistributionOptions {
  /** Unnormalized log weights of the draws, shape `[numSamples]` (default: equal weights). */
  logWeights?: ArrayLike;
}

/** The normalized log weights of `n` draws: `logWeights − logsumexp(logWeights)`, or `−log n` each. */
function normalizedLogWeights(who: string, n: number, logWeights: ArrayLike | undefined): NDArray {
  if (logWeights === undefined) return np.full([n], -Math.log(n));
  const w = np.asarray(logWeights);
  if (w.ndim !== 1 || w.shape[0] !== n) throw new Error(`${who}: logWeights must have shape [${n}] (one per draw), got [${w.shape.join(", ")}]`);
  return np.subtract(w, special.logsumexp(w));
}

/**
 * The empirical distribution of `samples` (shape `[numSamples, ...eventShape]`): a draw is one
 * of the samples, picked with probability proportional to its weight. `mean` and `variance`
 * are the weighted mean and (population) variance over the draws, elementwise; `logProb(x)` is
 * the log of the total weight of the draws equal to `x` (−Infinity where none is).
 */
export class Empirical extends Distribution {
  /** The draws, shape `[numSamples, ...eventShape]`. */
  readonly samples: NDArray;
  /** The normalized log weights of the draws, shape `[numSamples]`. */
  readonly logWeights: NDArray;
  private readonly eventSupport: Constraint;

  constructor(samples: ArrayLike, opts: EmpiricalOptions = {}) {
    const s = np.asarray(samples);
    if (s.ndim === 0 || s.shape[0] === 0) throw new Error(`Empirical: samples need a leading axis of at least one draw, got shape [${s.shape.join(", ")}]`);
    super([], s.shape.slice(1), opts);
    this.samples = s;
    this.logWeights = normalizedLogWeights("Empirical", s.shape[0], opts.logWeights);
    this.eventSupport = independent(real, this.eventDim);
  }

  /** Number of draws. */
  get numSamples(): number {
    return this.samples.shape[0];
  }

  get support(): Constraint {
    return this.eventSupport;
  }

  protected logDensity(value: NDArray): NDArray {
    const eventAxes = this.eventShape.map((_, i) => -1 - i);
    const x = np.expandDims(value, -1 - this.eventDim);
    const matches = eventAxes.length === 0 ? np.equal(x, this.samples) : np.all(np.equal(x, this.samples), eventAxes);
    return special.logsumexp(np.where(matches, this.logWeights, -Infinity), -1);
  }

  /** Draws of shape `[...sampleShape, ...eventShape]`: samples picked by weight, with replacement. */
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.take(this.samples, random.categorical(key, this.logWeights, -1, sampleShape), 0);
  }

  /** The weighted mean of the draws, shape `eventShape`. */
  override get mean(): NDArray {
    return np.sum(np.multiply(this.weights(), this.samples), 0);
  }

  /** The weighted variance of the draws, `Σ w_i (x_i − mean)²`, shape `eventShape`. */
  override get variance(): NDArray {
    return np.sum(np.multiply(this.weights(), np.square(np.subtract(this.samples, this.mean))), 0);
  }

  /** The weights with trailing axes for the event, shape `[numSamples, 1, ...]`. */
  private weights(): NDArray {
    return np.reshape(np.exp(this.logWeights), [this.numSamples, ...this.eventShape.map(() => 1)]);
  }
}

/**
 * An empirical posterior over several sites: `samples` holds the draws of each site with a
 * common leading axis of draws (`[numSamples, ...siteShape]`, as `mcmc.getSamples()` and
 * `svgd.getPosteriorSamples(params)` return them), optionally weighted. `sample` picks whole
 * draws, so the sites keep their joint distribution.
 */
export class EmpiricalPosterior {
  /** The draws by site, each `[numSamples, ...siteShape]`. */
  readonly samples: Params;
  /** The normalized log weights of the draws, shape `[numSamples]`. */
  readonly logWeights: NDArray;
  /** Number of draws. */
  readonly numSamples: number;

  constructor(samples: Readonly<Record<string, ArrayLike>>, opts: { logWeights?: ArrayLike } = {}) {
    const entries = Object.entries(samples).map(([k, v]) => [k, np.asarray(v)] as const);
    if (entries.length === 0) throw new Error("EmpiricalPosterior: no sites given");
    const [first, firstValue] = entries[0];
    for (const [name, v] of entries)
      if (v.ndim === 0 || v.shape[0] !== firstValue.shape[0])
        throw new Error(`EmpiricalPosterior: every site needs the same number of draws along its leading axis: site '${name}' has shape [${v.shape.join(", ")}], site '${first}' [${firstValue.shape.join(", ")}]`);
    this.samples = Object.fromEntries(entries);
    this.numSamples = firstValue.shape[0];
    this.logWeights = normalizedLogWeights("EmpiricalPosterior", this.numSamples, opts.logWeights);
  }

  /** Joint draws by site, each `[...sampleShape, ...siteShape]`: whole draws picked by weight, with replacement. */
  sample(key: random.Key, sampleShape: readonly number[] = []): Params {
    const index = random.categorical(key, this.logWeights, -1, sampleShape);
    return this.mapSites((v) => np.take(v, index, 0));
  }

  /** The weighted posterior mean of each site. */
  get mean(): Params {
    return this.mapSites((_, name) => this.marginal(name).mean);
  }

  /** The weighted posterior variance of each site (elementwise). */
  get variance(): Params {
    return this.mapSites((_, name) => this.marginal(name).variance);
  }

  /** The {@link Empirical} distribution of one site, with the same weights. */
  marginal(name: string): Empirical {
    if (!Object.hasOwn(this.samples, name)) throw new Error(`EmpiricalPosterior: no site '${name}' (its sites: ${Object.keys(this.samples).join(", ")})`);
    return new Empirical(this.samples[name], { logWeights: this.logWeights });
  }

  private mapSites(f: (v: NDArray, name: string) => NDArray): Params {
    return Object.fromEntries(Object.entries(this.samples).map(([name, v]) => [name, f(v, name)]));
  }
}
