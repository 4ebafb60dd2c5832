/** The gamma–Poisson (negative binomial) distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { nonnegativeInteger, positive, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { bisectIcdf, entropyFromGrid, integerGrid, logBinomialTerm, toFloat } from "./numerics.js";

/**
 * GammaPoisson(concentration, rate): a Poisson count whose rate is drawn from
 * Gamma(concentration, rate), P(k) = Γ(k + α) / (Γ(α) k!) · (β/(1 + β))^α · (1/(1 + β))^k.
 * Draws are int32. NegativeBinomial and NegativeBinomial2 are this distribution with other
 * parameters.
 *
 * The log mass is α/(α + k) times a binomial term in Loader's form (as R's dnbinom), so it
 * stays accurate for concentrations in the millions, where log Γ(k + α) − log Γ(α) cancels.
 */
export class GammaPoisson extends Distribution {
  /** The gamma shape α. */
  readonly concentration: NDArray;
  /** The gamma rate β. */
  readonly rate: NDArray;
  /** β/(1 + β): the weight of the concentration in the binomial form. */
  private readonly p0: NDArray;
  /** 1/(1 + β): the weight of the count. */
  private readonly p1: NDArray;
  /** log p0 = −log(1 + 1/β). */
  private readonly logP0: NDArray;
  /** log p1 = −log(1 + β). */
  private readonly logP1: NDArray;

  constructor(concentration: ArrayLike, rate: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("GammaPoisson", { concentration, rate });
    super(batchShape, [], opts);
    this.concentration = toFloat(arrays.concentration);
    this.rate = toFloat(arrays.rate);
    const onePlusRate = np.add(this.rate, 1);
    this.p0 = np.divide(this.rate, onePlusRate);
    this.p1 = np.reciprocal(onePlusRate);
    this.logP0 = np.negative(np.log1p(np.reciprocal(this.rate)));
    this.logP1 = np.negative(np.log1p(this.rate));
    // subclasses validate their own parameters
    if (new.target === GammaPoisson) this.validate({ concentration: [this.concentration, positive], rate: [this.rate, positive] });
  }
  get support(): Constraint {
    return nonnegativeInteger;
  }
  protected logDensity(value: NDArray): NDArray {
    const k = toFloat(value);
    const a = this.concentration;
    return np.subtract(logBinomialTerm(a, np.add(a, k), this.logP0, this.logP1), np.log1p(np.divide(k, a)));
  }
  /** A Poisson draw at a Gamma(α, β) rate. */
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const [kGamma, kPoisson] = random.splitList(key, 2);
    const shape = this.shape(sampleShape);
    const lambda = np.divide(random.gamma(kGamma, this.concentration, shape), this.rate);
    return random.poisson(kPoisson, lambda, shape);
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.divide(this.concentration, this.rate), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.multiply(np.divide(this.concentration, np.square(this.rate)), np.add(this.rate, 1)), this.batchShape);
  }
  /**
   * P(X ≤ x) = I_{β/(1+β)}(α, floor(x) + 1), the regularized incomplete beta function; as
   * 1 − I_{1/(1+β)}(k + 1, α) when β > 1, so that its argument keeps its relative accuracy.
   */
  override cdf(value: ArrayLike): NDArray {
    const k = np.floor(toFloat(value));
    const nonneg = np.greaterEqual(k, 0);
    const b = np.add(np.where(nonneg, k, 0), 1);
    const small = np.lessEqual(this.rate, 1);
    const direct = special.betainc(this.concentration, b, np.where(small, this.p0, 0.5));
    const complement = np.subtract(1, special.betainc(b, this.concentration, np.where(small, 0.5, this.p1)));
    return np.where(nonneg, np.where(small, direct, complement), 0);
  }
  /** The smallest k with P(X ≤ k) ≥ q (+∞ at q = 1). */
  override icdf(q: ArrayLike): NDArray {
    const Q = toFloat(q);
    return np.where(np.equal(Q, 1), Infinity, bisectIcdf((k) => this.cdf(k), Q, this.upperBound()));
  }
  /** −Σ p log p, summed over the counts that carry all but e^−30 of the mass (needs concrete parameters). */
  override entropy(): NDArray {
    const m = this.mean;
    const lo = np.maximum(np.floor(np.subtract(m, np.multiply(np.sqrt(this.variance), 8))), 0);
    const { k, inRange } = integerGrid(`${this.name}.entropy`, lo, this.upperBound());
    return entropyFromGrid(this.logProb(k), inRange);
  }
  /**
   * A count above which the mass is negligible: mean + 8 sd + 30, plus 30 decay lengths
   * 1/log(1 + β) of the geometric tail that dominates when α is small.
   */
  private upperBound(): NDArray {
    const tail = np.divide(30, np.log1p(this.rate));
    return np.ceil(np.add(np.add(this.mean, np.multiply(np.sqrt(this.variance), 8)), np.add(tail, 30)));
  }
}
