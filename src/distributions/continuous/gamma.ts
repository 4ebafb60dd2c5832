/** The gamma, chi-squared and inverse-gamma distributions. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { digammaMinusLog, gammaincinv, logStdGammaDensity, stirlingCorr } from "./numerics.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** Whether the Stirling forms are used for a shape parameter (a ≥ 10). */
const large = (a: NDArray) => np.greaterEqual(a, 10);

/**
 * Gamma(concentration, rate): density rate^a x^{a−1} e^{−rate x} / Γ(a). Draws are
 * reparameterized (the core's gamma sampler has implicit gradients in the concentration).
 */
export class Gamma extends Distribution {
  readonly concentration: NDArray;
  readonly rate: NDArray;

  constructor(concentration: ArrayLike, rate: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Gamma", { concentration, rate });
    super(batchShape, [], opts);
    this.concentration = arrays.concentration;
    this.rate = arrays.rate;
    this.validateParams();
  }
  /** Checks the parameters (subclasses name their own). */
  protected validateParams(): void {
    this.validate({ concentration: [this.concentration, positive], rate: [this.rate, positive] });
  }
  get support(): Constraint {
    return positive;
  }
  override get hasRsample(): boolean {
    return true;
  }
  protected logDensity(x: NDArray): NDArray {
    return np.add(np.log(this.rate), logStdGammaDensity(this.concentration, np.multiply(this.rate, x)));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.divide(random.gamma(key, np.broadcastTo(this.concentration, this.batchShape), this.shape(sampleShape)), this.rate);
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.divide(this.concentration, this.rate), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.divide(this.concentration, np.square(this.rate)), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return special.gammainc(this.concentration, np.multiply(this.rate, np.maximum(x, 0)));
  }
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    const a = np.broadcastTo(this.concentration, np.broadcastShapes(Q.shape, this.concentration.shape));
    return np.divide(gammaincinv(a, Q, np.subtract(1, Q)), this.rate);
  }
  /**
   * a − log rate + log Γ(a) + (1 − a) ψ(a); for a ≥ 10 in Stirling form,
   * ½ log(2π a) + corr(a) + (1 − a)(ψ(a) − log a) − log rate, which does not cancel.
   */
  override entropy(): NDArray {
    const a = this.concentration;
    const big = large(a);
    const as = np.where(big, 1, a);
    const plain = np.add(np.add(as, special.lgamma(as)), np.multiply(np.subtract(1, as), special.digamma(as)));
    const al = np.where(big, a, 10);
    const stir = np.add(np.add(np.multiply(0.5, np.log(al)), HALF_LOG_2PI), np.add(stirlingCorr(al), np.multiply(np.subtract(1, al), digammaMinusLog(al))));
    return np.broadcastTo(np.subtract(np.where(big, stir, plain), np.log(this.rate)), this.batchShape);
  }
}

/** Chi2(df): the chi-squared distribution, Gamma(df/2, 1/2). */
export class Chi2 extends Gamma {
  readonly df: NDArray;

  constructor(df: ArrayLike, opts: DistributionOptions = {}) {
    const { arrays } = broadcastParams("Chi2", { df });
    super(np.multiply(0.5, arrays.df), 0.5, opts);
    this.df = arrays.df;
  }
  protected override validateParams(): void {
    this.validate({ df: [np.multiply(2, this.concentration), positive] });
  }
}

/**
 * InverseGamma(concentration, rate): 1/X for X ~ Gamma(concentration, rate), i.e. density
 * rate^a x^{−a−1} e^{−rate/x} / Γ(a) (as in NumPyro, `rate` acts as a scale of the inverse).
 * The mean is infinite for a ≤ 1 and the variance for a ≤ 2.
 */
export class InverseGamma extends Distribution {
  readonly concentration: NDArray;
  readonly rate: NDArray;

  constructor(concentration: ArrayLike, rate: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("InverseGamma", { concentration, rate });
    super(batchShape, [], opts);
    this.concentration = arrays.concentration;
    this.rate = arrays.rate;
    this.validate({ concentration: [this.concentration, positive], rate: [this.rate, positive] });
  }
  get support(): Constraint {
    return positive;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** The gamma density of rate/x times the Jacobian rate/x². */
  protected logDensity(x: NDArray): NDArray {
    const z = np.divide(this.rate, x);
    return np.add(logStdGammaDensity(this.concentration, z), np.subtract(np.log(z), np.log(x)));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.divide(this.rate, random.gamma(key, np.broadcastTo(this.concentration, this.batchShape), this.shape(sampleShape)));
  }
  override get mean(): NDArray {
    const a = this.concentration;
    return np.broadcastTo(np.where(np.lessEqual(a, 1), Infinity, np.divide(this.rate, np.subtract(a, 1))), this.batchShape);
  }
  override get variance(): NDArray {
    const a = this.concentration;
    const v = np.divide(np.square(np.divide(this.rate, np.subtract(a, 1))), np.subtract(a, 2));
    return np.broadcastTo(np.where(np.lessEqual(a, 2), Infinity, v), this.batchShape);
  }
  /** Q(a, rate/x). */
  override cdf(x: ArrayLike): NDArray {
    return special.gammaincc(this.concentration, np.divide(this.rate, np.maximum(x, 0)));
  }
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    const a = np.broadcastTo(this.concentration, np.broadcastShapes(Q.shape, this.concentration.shape));
    return np.divide(this.rate, gammaincinv(a, np.subtract(1, Q), Q));
  }
  /**
   * a + log rate + log Γ(a) − (1 + a) ψ(a); for a ≥ 10 in Stirling form,
   * log rate + ½ log 2π − 3/2 log a + corr(a) − (1 + a)(ψ(a) − log a).
   */
  override entropy(): NDArray {
    const a = this.concentration;
    const big = large(a);
    const as = np.where(big, 1, a);
    const plain = np.subtract(np.add(as, special.lgamma(as)), np.multiply(np.add(1, as), special.digamma(as)));
    const al = np.where(big, a, 10);
    const stir = np.subtract(np.add(HALF_LOG_2PI, np.subtract(stirlingCorr(al), np.multiply(1.5, np.log(al)))), np.multiply(np.add(1, al), digammaMinusLog(al)));
    return np.broadcastTo(np.add(np.where(big, stir, plain), np.log(this.rate)), this.batchShape);
  }
}
