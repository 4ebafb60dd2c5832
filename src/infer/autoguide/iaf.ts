/**
 * `AutoIAF`: a normalizing flow over all unconstrained latent entries, a standard normal pushed
 * through inverse autoregressive transforms (NumPyro's `AutoIAF`). It fits posteriors a normal
 * cannot: skewed, heavy-tailed or curved ones such as the scale of a hierarchical model.
 */
import { np, random, type Array as NDArray } from "../../core/index.js";
import { AutoregressiveNN, type AutoregressiveNNParams } from "../../distributions/autoregressive-nn.js";
import { InverseAutoregressiveTransform, PermuteTransform } from "../../distributions/flows.js";
import { Delta, Normal, TransformedDistribution, type Distribution, type Transform } from "../../distributions/index.js";
import { param, sample, type Model } from "../../handlers/index.js";
import type { Params } from "../util.js";
import { AutoContinuous, type AutoContinuousOptions } from "./continuous.js";

/** Options of {@link AutoIAF}. */
export interface AutoIAFOptions extends AutoContinuousOptions {
  /** Number of inverse autoregressive transforms (default 3); the entries are reversed between them. */
  numFlows?: number;
  /** Widths of each network's hidden layers (default `[latentDim, latentDim]`). */
  hiddenDims?: readonly number[];
  /** The networks' nonlinearity (default ELU). */
  nonlinearity?: (x: NDArray) => NDArray;
  /** Number of draws behind `median` and `quantiles` (default 10,000). */
  quantileDraws?: number;
}

/**
 * A guide drawing the unconstrained latent vector as `f_K ∘ … ∘ f_1 (ε)`, ε ~ N(0, I), each `f_k`
 * an {@link InverseAutoregressiveTransform} whose shift and log scale come from a masked
 * autoregressive network ({@link AutoregressiveNN}) with params
 * `${prefix}_arn__${k}_w${l}` and `${prefix}_arn__${k}_b${l}`, and the entries reversed between
 * flows. The flows start as the identity except the last, which starts as
 * `initLatent + initScale · x`, so the guide starts where the Gaussian guides do (NumPyro's
 * starts near the origin). While fitting, the base draw is the site `_${prefix}_latent_base` and
 * the latent vector a Delta site carrying minus the flows' log |det J|, so the density of a draw
 * costs no inversion. `median` and `quantiles` are estimated from `quantileDraws` draws at a fixed key.
 */
export class AutoIAF<A extends unknown[] = any[]> extends AutoContinuous<A> {
  /** Number of inverse autoregressive transforms. */
  readonly numFlows: number;
  /** Number of draws behind `median` and `quantiles`. */
  readonly quantileDraws: number;
  private readonly hiddenDims: readonly number[] | undefined;
  private readonly nonlinearity: ((x: NDArray) => NDArray) | undefined;
  private network: AutoregressiveNN | null = null;
  private reversal: PermuteTransform | null = null;

  constructor(model: Model<A>, opts: AutoIAFOptions = {}) {
    super(model, opts);
    this.numFlows = opts.numFlows ?? 3;
    if (!(Number.isInteger(this.numFlows) && this.numFlows >= 1)) throw new Error(`AutoIAF: numFlows must be a positive integer, got ${opts.numFlows}`);
    this.quantileDraws = opts.quantileDraws ?? 10_000;
    if (!(Number.isInteger(this.quantileDraws) && this.quantileDraws >= 2)) throw new Error(`AutoIAF: quantileDraws must be an integer of at least 2, got ${opts.quantileDraws}`);
    this.hiddenDims = opts.hiddenDims;
    this.nonlinearity = opts.nonlinearity;
  }

  /** The network shape every flow shares (built once the latent dimension is known). */
  private get arn(): AutoregressiveNN {
    this.network ??= new AutoregressiveNN(this.latentDim, { hiddenDims: this.hiddenDims, nonlinearity: this.nonlinearity });
    return this.network;
  }

  private paramName(k: number, part: "w" | "b", l: number): string {
    return `${this.prefix}_arn__${k}_${part}${l}`;
  }

  protected declareParams(): Params {
    const arn = this.arn;
    const d = this.latentDim;
    const out: Params = {};
    for (let k = 0; k < this.numFlows; k++)
      for (let l = 0; l < arn.numLayers; l++) {
        const w = this.paramName(k, "w", l);
        const b = this.paramName(k, "b", l);
        const width = arn.layerSizes[l + 1];
        const lastOfLast = k + 1 === this.numFlows && l + 1 === arn.numLayers;
        out[w] = param(w, (key: random.Key) => arn.initWeight(key, l));
        out[b] = param(b, lastOfLast ? np.concatenate([this.initLatent, np.full([d], Math.log(this.initScale))], 0) : np.zeros([width]));
      }
    return out;
  }

  /** The reversal of the latent entries between flows (built once the latent dimension is known). */
  private get reverse(): PermuteTransform {
    this.reversal ??= new PermuteTransform(Array.from({ length: this.latentDim }, (_, i) => this.latentDim - 1 - i));
    return this.reversal;
  }

  /** The flows at `params`, first to last (permutations between the autoregressive transforms). */
  private flows(params: Params): Transform[] {
    const arn = this.arn;
    const flows: Transform[] = [];
    for (let k = 0; k < this.numFlows; k++) {
      const weights: AutoregressiveNNParams = {
        w: Array.from({ length: arn.numLayers }, (_, l) => params[this.paramName(k, "w", l)]),
        b: Array.from({ length: arn.numLayers }, (_, l) => params[this.paramName(k, "b", l)]),
      };
      if (k > 0) flows.push(this.reverse);
      flows.push(new InverseAutoregressiveTransform((x) => arn.apply(weights, x)));
    }
    return flows;
  }

  private get base(): Distribution {
    return new Normal(0, 1).expand([this.latentDim]).toEvent(1);
  }

  /** The base draw as `_${prefix}_latent_base`, then the latent vector as a Delta site with density log N(ε) − Σ log |det J|. */
  protected override drawLatent(params: Params): NDArray {
    let x = sample(`_${this.prefix}_latent_base`, this.base, { infer: { isAuxiliary: true } });
    let logDet: NDArray = np.zeros([]);
    for (const t of this.flows(params)) {
      if (t instanceof InverseAutoregressiveTransform) {
        const [y, ld] = t.forwardWithLogDet(x);
        x = y;
        logDet = np.add(logDet, ld);
      } else x = t.forward(x);
    }
    return sample(`_${this.prefix}_latent`, new Delta(x, np.negative(logDet), 1), { infer: { isAuxiliary: true } });
  }

  /** The flow distribution over the latent vector (its `logProb` inverts the flows, D network passes each). */
  getPosterior(params: Params): Distribution {
    return new TransformedDistribution(this.base, this.flows(params));
  }

  /** Quantiles of each unconstrained entry estimated from `quantileDraws` draws (key 0), mapped into the supports. */
  override quantiles(params: Params, qs: readonly number[]): Params {
    return this.constrain(this.unpackLatent(this.latentQuantiles(params, qs)), params, 1);
  }

  /** The entrywise median estimated from `quantileDraws` draws (key 0), mapped into the supports. */
  override median(params: Params): Params {
    return this.constrain(this.unpackLatent(np.squeeze(this.latentQuantiles(params, [0.5]), 0)), params, 0);
  }

  /** Entrywise quantiles `[qs.length, latentDim]` of draws of the latent vector, interpolated linearly between order statistics. */
  private latentQuantiles(params: Params, qs: readonly number[]): NDArray {
    const n = this.quantileDraws;
    for (const q of qs) if (!(q >= 0 && q <= 1)) throw new Error(`AutoIAF: quantile levels must lie in [0, 1], got ${q}`);
    const sorted = np.sort(this.getPosterior(params).sample(random.key(0), [n]), 0);
    const pos = qs.map((q) => q * (n - 1));
    const lo = np.take(sorted, np.array(pos.map(Math.floor), "int32"), 0);
    const hi = np.take(sorted, np.array(pos.map((p) => Math.min(Math.floor(p) + 1, n - 1)), "int32"), 0);
    const frac = np.reshape(np.array(pos.map((p) => p - Math.floor(p))), [qs.length, 1]);
    return np.add(lo, np.multiply(frac, np.subtract(hi, lo)));
  }
}
