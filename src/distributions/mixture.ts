/**
 * Finite mixtures (NumPyro's `MixtureSameFamily`, `MixtureGeneral` and the `Mixture` factory):
 * a Categorical picks one of K components. The log density is a log-sum-exp over components;
 * mean and variance follow from the component moments (the variance by the law of total
 * variance), the cdf is the weighted component cdf.
 */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../core/index.js";
import type { Constraint } from "./constraints.js";
import { Distribution, type DistributionOptions } from "./distribution.js";
import { Categorical } from "./discrete/categorical.js";

const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;

/** Shared logic of the mixtures; subclasses say how to evaluate and draw their components. */
abstract class MixtureBase extends Distribution {
  /** The number of components K. */
  readonly mixtureSize: number;

  protected constructor(
    /** The Categorical over the components. */
    readonly mixingDistribution: Categorical,
    batchShape: readonly number[],
    eventShape: readonly number[],
    opts: DistributionOptions,
  ) {
    super(batchShape, eventShape, opts);
    this.mixtureSize = mixingDistribution.numCategories;
  }
  /** Component log densities at `value`, shape [...sample, ...batch, K]. */
  protected abstract componentLogProbs(value: NDArray): NDArray;
  /** Component means (or variances), shape [...batch, K, ...event]. */
  protected abstract componentMoment(which: "mean" | "variance"): NDArray;
  /** Component cdfs at `value`, shape [...sample, ...batch, K]. */
  protected abstract componentCdf(value: NDArray): NDArray;
  /** One draw from every component, shape [...sampleShape, ...batch, K, ...event]. */
  protected abstract componentSample(key: random.Key, sampleShape: readonly number[]): NDArray;

  /** The axis of the components in [..., K, ...event]. */
  private get mixtureAxis(): number {
    return -this.eventShape.length - 1;
  }
  /** Normalized log mixing weights, shape [...batch, K]. */
  private logWeights(): NDArray {
    const logits = this.mixingDistribution.logits;
    return np.subtract(logits, special.logsumexp(logits, -1, true));
  }
  /** The mixing weights with trailing axes for the event, to weight component moments. */
  private weights(): NDArray {
    let w = np.exp(this.logWeights());
    for (let i = 0; i < this.eventShape.length; i++) w = np.expandDims(w, -1);
    return w;
  }
  protected logDensity(value: NDArray): NDArray {
    return special.logsumexp(np.add(this.logWeights(), this.componentLogProbs(value)), -1);
  }
  /** Draws every component and keeps the one the mixing distribution picks. */
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const [kComponents, kMixing] = random.splitList(key, 2);
    const draws = this.componentSample(kComponents, sampleShape);
    const picked = this.mixingDistribution.expand(this.batchShape).sample(kMixing, sampleShape);
    const index = np.reshape(picked, [...picked.shape, 1, ...this.eventShape.map(() => 1)]);
    const axis = sampleShape.length + this.batchShape.length;
    return np.squeeze(np.takeAlongAxis(draws, index, axis), axis);
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.sum(np.multiply(this.weights(), this.componentMoment("mean")), this.mixtureAxis), this.shape());
  }
  /** Law of total variance: E[Var(X | k)] + Var(E[X | k]). */
  override get variance(): NDArray {
    const w = this.weights();
    const means = this.componentMoment("mean");
    const within = np.sum(np.multiply(w, this.componentMoment("variance")), this.mixtureAxis);
    const mixMean = np.expandDims(np.sum(np.multiply(w, means), this.mixtureAxis), this.mixtureAxis);
    const between = np.sum(np.multiply(w, np.square(np.subtract(means, mixMean))), this.mixtureAxis);
    return np.broadcastTo(np.add(within, between), this.shape());
  }
  /** Σ_k w_k F_k(value). */
  override cdf(value: ArrayLike): NDArray {
    return np.sum(np.multiply(np.exp(this.logWeights()), this.componentCdf(np.asarray(value))), -1);
  }
}

/**
 * MixtureSameFamily(mixingDistribution, componentDistribution): K components given as one
 * distribution whose rightmost batch dimension has size K. A two-component normal mixture:
 * `new MixtureSameFamily(new Categorical([0.3, 0.7]), new Normal([-1, 2], [0.5, 1]))`.
 */
export class MixtureSameFamily extends MixtureBase {
  /** The K components, batched along the rightmost batch dimension. */
  readonly componentDistribution: Distribution;

  constructor(mixingDistribution: Categorical, componentDistribution: Distribution, opts: DistributionOptions = {}) {
    checkMixing("MixtureSameFamily", mixingDistribution);
    const cb = componentDistribution.batchShape;
    const K = mixingDistribution.numCategories;
    if (cb.length === 0 || cb[cb.length - 1] !== K)
      throw new Error(`MixtureSameFamily: the component distribution's rightmost batch dimension must be the mixture size ${K}, got batch shape ${fmt(cb)}`);
    let batchShape: number[];
    try {
      batchShape = np.broadcastShapes(mixingDistribution.batchShape, cb.slice(0, -1));
    } catch {
      throw new Error(`MixtureSameFamily: mixing batch shape ${fmt(mixingDistribution.batchShape)} does not broadcast with component batch shape ${fmt(cb.slice(0, -1))}`);
    }
    super(mixingDistribution, batchShape, componentDistribution.eventShape, opts);
    this.componentDistribution = componentDistribution;
  }
  get support(): Constraint {
    return this.componentDistribution.support;
  }
  protected componentLogProbs(value: NDArray): NDArray {
    return this.componentDistribution.logProb(np.expandDims(value, value.ndim - this.eventShape.length));
  }
  protected componentMoment(which: "mean" | "variance"): NDArray {
    return this.componentDistribution[which];
  }
  protected componentCdf(value: NDArray): NDArray {
    return this.componentDistribution.cdf(np.expandDims(value, value.ndim - this.eventShape.length));
  }
  protected componentSample(key: random.Key, sampleShape: readonly number[]): NDArray {
    return this.componentDistribution.expand([...this.batchShape, this.mixtureSize]).sample(key, sampleShape);
  }
}

/**
 * MixtureGeneral(mixingDistribution, componentDistributions): K components of any families
 * with the same event shape and support, e.g.
 * `new MixtureGeneral(new Categorical([0.5, 0.5]), [new Normal(0, 1), new Laplace(3, 1)])`.
 */
export class MixtureGeneral extends MixtureBase {
  /** The K components. */
  readonly componentDistributions: readonly Distribution[];

  constructor(mixingDistribution: Categorical, componentDistributions: readonly Distribution[], opts: DistributionOptions = {}) {
    checkMixing("MixtureGeneral", mixingDistribution);
    const K = mixingDistribution.numCategories;
    if (componentDistributions.length !== K) throw new Error(`MixtureGeneral: expected ${K} component distributions (the mixture size), got ${componentDistributions.length}`);
    const eventShape = componentDistributions[0].eventShape;
    for (const d of componentDistributions)
      if (fmt(d.eventShape) !== fmt(eventShape)) throw new Error(`MixtureGeneral: all components must have the same event shape, got ${fmt(eventShape)} and ${fmt(d.eventShape)}`);
    let batchShape: number[];
    try {
      batchShape = np.broadcastShapes(mixingDistribution.batchShape, ...componentDistributions.map((d) => d.batchShape));
    } catch {
      throw new Error(`MixtureGeneral: batch shapes do not broadcast: mixing ${fmt(mixingDistribution.batchShape)}, components ${componentDistributions.map((d) => fmt(d.batchShape)).join(", ")}`);
    }
    super(mixingDistribution, batchShape, eventShape, opts);
    this.componentDistributions = componentDistributions;
  }
  get support(): Constraint {
    return this.componentDistributions[0].support;
  }
  /** Stacks one array per component on the mixture axis. */
  private stackComponents(f: (d: Distribution) => NDArray, axis: number): NDArray {
    return np.stack(
      this.componentDistributions.map((d) => f(d.expand(this.batchShape))),
      axis,
    );
  }
  protected componentLogProbs(value: NDArray): NDArray {
    return this.stackComponents((d) => d.logProb(value), -1);
  }
  protected componentMoment(which: "mean" | "variance"): NDArray {
    return this.stackComponents((d) => d[which], -this.eventShape.length - 1);
  }
  protected componentCdf(value: NDArray): NDArray {
    return this.stackComponents((d) => d.cdf(value), -1);
  }
  protected componentSample(key: random.Key, sampleShape: readonly number[]): NDArray {
    const keys = random.splitList(key, this.mixtureSize);
    return np.stack(
      this.componentDistributions.map((d, i) => d.expand(this.batchShape).sample(keys[i], sampleShape)),
      -this.eventShape.length - 1,
    );
  }
}

function checkMixing(dist: string, mixing: Distribution): void {
  if (!(mixing instanceof Categorical)) throw new Error(`${dist}: the mixing distribution must be a Categorical, got ${mixing.name}`);
}

/**
 * A finite mixture (NumPyro's `Mixture`): {@link MixtureSameFamily} for a single batched
 * component distribution, {@link MixtureGeneral} for a list of components.
 */
export function Mixture(mixingDistribution: Categorical, components: Distribution | readonly Distribution[], opts: DistributionOptions = {}): MixtureSameFamily | MixtureGeneral {
  return components instanceof Distribution ? new MixtureSameFamily(mixingDistribution, components, opts) : new MixtureGeneral(mixingDistribution, components, opts);
}
