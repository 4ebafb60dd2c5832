/** The gamma, chi-squared and inverse-gamma distributions. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { digammaMinusLog, gammaincinv, logStdGammaDensity, stirlingCorr } from "./numerics.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * `plain(a)` where a < 10 and `stirling(a)` where a ≥ 10 (the Stirling forms of the entropies);
 * each side is evaluated at a stand-in on the other's entries, so neither produces NaN there.
 */
function byStirling(a: NDArray, plain: (a: NDArray) => NDArray, stirling: (a: NDArray) => NDArray): NDArray {
  const big = np.greaterEqual(a, 10);
  return np.where(big, stirling(np.where(big, a, 10)), plain(np.where(big, 1, a)));
}

/**
 * What Gamma and InverseGamma share: the parameters (concentration, rate), the positive
 * support, and draws and quantiles through the standard gamma Gamma(concentration, 1).
 */
abstract class GammaFamily extends Distribution {
  readonly concentration: NDArray;
  readonly rate: NDArray;

  /** `name` is the distribution's name in parameter errors. */
  protected constructor(name: string, concentration: ArrayLike, rate: ArrayLike, opts: DistributionOptions) {
    const { arrays, batchShape } = broadcastParams(name, { concentration, rate });
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
  /** A draw of Gamma(concentration, 1). */
  protected standardSample(key: random.Key, sampleShape: readonly number[]): NDArray {
    return random.gamma(key, np.broadcastTo(this.concentration, this.batchShape), this.shape(sampleShape));
  }
  /** The x with P(concentration, x) = p, given p and q = 1 − p (each tail from its own level). */
  protected standardQuantile(p: NDArray, q: NDArray): NDArray {
    const a = np.broadcastTo(this.concentration, np.broadcastShapes(p.shape, this.concentration.shape));
    return gammaincinv(a, p, q);
  }
}

/**
 * Gamma(concentration, rate): density rate^a x^{a−1} e^{−rate x} / Γ(a). Draws are
 * reparameterized (the core's gamma sampler has implicit gradients in the concentration).
 */
export class Gamma extends GammaFamily {
  constructor(concentration: ArrayLike, rate: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("Gamma", concentration, rate, opts);
  }
  protected logDensity(x: NDArray): NDArray {
    return np.add(np.log(this.rate), logStdGammaDensity(this.concentration, np.multiply(this.rate, x)));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.divide(this.standardSample(key, sampleShape), this.rate);
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
    return np.divide(this.standardQuantile(Q, np.subtract(1, Q)), this.rate);
  }
  /**
   * a − log rate + log Γ(a) + (1 − a) ψ(a); for a ≥ 10 in Stirling form,
   * ½ log(2π a) + corr(a) + (1 − a)(ψ(a) − log a) − log rate, which does not cancel.
   */
  override entropy(): NDArray {
    const h = byStirling(
      this.concentration,
      (a) => np.add(np.add(a, special.lgamma(a)), np.multiply(np.subtract(1, a), special.digamma(a))),
      (a) => np.add(np.add(np.multiply(0.5, np.log(a)), HALF_LOG_2PI), np.add(stirlingCorr(a), np.multiply(np.subtract(1, a), digammaMinusLog(a)))),
    );
    return np.broadcastTo(np.subtract(h, np.log(this.rate)), this.batchShape);
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
export class InverseGamma extends GammaFamily {
  constructor(concentration: ArrayLike, rate: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("InverseGamma", concentration, rate, opts);
  }
  /** The gamma density of rate/x times the Jacobian rate/x². */
  protected logDensity(x: NDArray): NDArray {
    const z = np.divide(this.rate, x);
    return np.add(logStdGammaDensity(this.concentration, z), np.subtract(np.log(z), np.log(x)));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.divide(this.rate, this.standardSample(key, sampleShape));
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
    return np.divide(this.rate, this.standardQuantile(np.subtract(1, Q), Q));
  }
  /**
   * a + log rate + log Γ(a) − (1 + a) ψ(a); for a ≥ 10 in Stirling form,
   * log rate + ½ log 2π − 3/2 log a + corr(a) − (1 + a)(ψ(a) − log a).
   */
  override entropy(): NDArray {
    const h = byStirling(
      this.concentration,
      (a) => np.subtract(np.add(a, special.lgamma(a)), np.multiply(np.add(1, a), special.digamma(a))),
      (a) => np.subtract(np.add(HALF_LOG_2PI, np.subtract(stirlingCorr(a), np.multiply(1.5, np.log(a)))), np.multiply(np.add(1, a), digammaMinusLog(a))),
    );
    return np.broadcastTo(np.add(h, np.log(this.rate)), this.batchShape);
  }
}
