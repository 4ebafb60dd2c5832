/** Zero-inflated discrete distributions. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, type Constraint } from "../constraints.js";
import { Distribution, type DistributionOptions, type OneOf } from "../distribution.js";
import { toFloat } from "./numerics.js";
import { successProbs } from "./params.js";
import { Poisson } from "./poisson.js";

/** The extra-zero probability of a zero-inflated distribution: `{ gate }` or `{ gateLogits }`. */
export type GateOptions = OneOf<"gate" | "gateLogits">;

/**
 * ZeroInflatedDistribution(base, { gate }) or (base, { gateLogits }): 0 with probability
 * `gate`, otherwise a draw from the discrete scalar distribution `base`:
 * P(0) = gate + (1 − gate) base(0), P(k) = (1 − gate) base(k) for k ≠ 0.
 */
export class ZeroInflatedDistribution extends Distribution {
  /** The base distribution, expanded to the batch shape. */
  readonly base: Distribution;
  /** The probability of an extra zero. */
  readonly gate: NDArray;
  /** The log-odds of an extra zero. */
  readonly gateLogits: NDArray;
  private readonly byLogits: boolean;

  constructor(base: Distribution, params: GateOptions) {
    const { gate: g, gateLogits: gl, ...opts } = params;
    const name = new.target.name;
    if ((g === undefined) === (gl === undefined)) throw new Error(`${name}: give exactly one of 'gate' and 'gateLogits'`);
    if (!base.isDiscrete || base.eventShape.length > 0) throw new Error(`${name}: the base distribution must be discrete and scalar, got ${base}`);
    const value = toFloat(g ?? gl!);
    let batchShape: number[];
    try {
      batchShape = np.broadcastShapes(value.shape, base.batchShape);
    } catch {
      throw new Error(`${name}: parameter shapes do not broadcast: ${g === undefined ? "gateLogits" : "gate"} [${value.shape.join(", ")}], base batch shape [${base.batchShape.join(", ")}]`);
    }
    super(batchShape, [], opts);
    this.base = base.expand(batchShape);
    this.byLogits = g === undefined;
    const p = successProbs(this.byLogits ? "logits" : "probs", value);
    this.gate = p.probs;
    this.gateLogits = p.logits;
    this.validate({ [this.byLogits ? "gateLogits" : "gate"]: [value, p.constraint] });
  }
  get support(): Constraint {
    return this.base.support;
  }
  override get hasEnumerateSupport(): boolean {
    return this.base.hasEnumerateSupport;
  }
  protected logDensity(value: NDArray): NDArray {
    const baseLp = this.base.logProb(value);
    const isZero = np.equal(value, 0);
    if (this.byLogits) {
      // log(1 − gate) = log gate − logits; P(0) = gate (1 + e^(−logits) base(0))
      const logGate = special.logSigmoid(this.gateLogits);
      const rel = np.subtract(baseLp, this.gateLogits);
      return np.where(isZero, np.add(special.softplus(rel), logGate), np.add(rel, logGate));
    }
    const lp = np.add(np.log1p(np.negative(this.gate)), baseLp);
    return np.where(isZero, np.log(np.add(this.gate, np.exp(lp))), lp);
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const [kGate, kBase] = random.splitList(key, 2);
    const extraZero = random.bernoulli(kGate, this.gate, this.shape(sampleShape));
    const draw = this.base.sample(kBase, sampleShape);
    return np.where(extraZero, np.zerosLike(draw), draw);
  }
  override get mean(): NDArray {
    return np.multiply(np.subtract(1, this.gate), this.base.mean);
  }
  /** (1 − gate)(μ² + σ²) − mean², with μ and σ² the base's. */
  override get variance(): NDArray {
    const m = this.base.mean;
    const second = np.multiply(np.subtract(1, this.gate), np.add(np.square(m), this.base.variance));
    return np.subtract(second, np.square(this.mean));
  }
  override enumerateSupport(expand = true): NDArray {
    return this.base.enumerateSupport(expand);
  }
}

/** ZeroInflatedPoisson(gate, rate): Poisson(rate) with extra zeros of probability `gate`. */
export class ZeroInflatedPoisson extends ZeroInflatedDistribution {
  /** The Poisson rate. */
  readonly rate: NDArray;

  constructor(gate: ArrayLike, rate: ArrayLike = 1, opts: DistributionOptions = {}) {
    const poisson = new Poisson(rate, { validateArgs: false });
    super(poisson, { gate, ...opts });
    this.rate = poisson.rate;
    this.validate({ rate: [this.rate, positive] });
  }
}
