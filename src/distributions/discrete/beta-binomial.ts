/** The beta-binomial distribution. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { nonnegativeInteger, positive } from "../constraints.js";
import { broadcastParams, type DistributionOptions } from "../distribution.js";
import { BoundedCountDistribution } from "./bounded-count.js";
import { bd0, entropyFromGrid, integerGrid, logBinomialTerm, stirlerr, toFloat } from "./numerics.js";

/**
 * BetaBinomial(concentration1, concentration0, totalCount): a binomial count whose success
 * probability is drawn from Beta(concentration1, concentration0),
 * P(k) = C(n, k) B(k + α, n − k + β) / B(α, β). Draws are int32. The log mass is evaluated in
 * a saddle-point form that stays accurate for counts in the thousands.
 */
export class BetaBinomial extends BoundedCountDistribution {
  /** α, the first Beta concentration (successes). */
  readonly concentration1: NDArray;
  /** β, the second Beta concentration (failures). */
  readonly concentration0: NDArray;

  constructor(concentration1: ArrayLike, concentration0: ArrayLike, totalCount: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("BetaBinomial", { concentration1, concentration0, totalCount });
    super(batchShape, toFloat(arrays.totalCount), opts);
    this.concentration1 = toFloat(arrays.concentration1);
    this.concentration0 = toFloat(arrays.concentration0);
    this.validate({
      concentration1: [this.concentration1, positive],
      concentration0: [this.concentration0, positive],
      totalCount: [this.totalCount, nonnegativeInteger],
    });
  }
  /**
   * log C(n, k) + log B(k + α, n − k + β) − log B(α, β) with both log-beta functions in
   * Stirling form (log Γ(z) = (z − ½) log z − z + ½ log 2π + stirlerr(z)) around π = (k + α)/(n + α + β):
   * logBinomial(k; n, π) − bd0(α, (α + β)π) − bd0(β, (α + β)(1 − π))
   * + ½ log(S αβ / (X Y (α + β))) + c(X) + c(Y) − c(S) − c(α) − c(β) + c(α + β),
   * X = k + α, Y = n − k + β, S = n + α + β, c = stirlerr; exact, and free of the cancellation
   * between terms of order n log n when n is in the thousands.
   */
  protected logDensity(value: NDArray): NDArray {
    const k = toFloat(value);
    const n = this.totalCount;
    const a = this.concentration1;
    const b = this.concentration0;
    const X = np.add(k, a);
    const Y = np.add(np.subtract(n, k), b);
    const S = np.add(n, np.add(a, b));
    const ab = np.add(a, b);
    // log π and log(1 − π), the one near 0 by log1p
    const small = np.less(X, Y);
    const logPi = np.where(small, np.log(np.divide(X, S)), np.log1p(np.negative(np.divide(Y, S))));
    const log1mPi = np.where(small, np.log1p(np.negative(np.divide(X, S))), np.log(np.divide(Y, S)));
    const binomial = logBinomialTerm(k, n, logPi, log1mPi);
    const deviance = np.add(bd0(a, np.multiply(ab, np.exp(logPi))), bd0(b, np.multiply(ab, np.exp(log1mPi))));
    const logs = np.multiply(np.log(np.divide(np.multiply(S, np.multiply(a, b)), np.multiply(np.multiply(X, Y), ab))), 0.5);
    const stirling = np.add(np.subtract(np.add(stirlerr(X), stirlerr(Y)), stirlerr(S)), np.subtract(stirlerr(ab), np.add(stirlerr(a), stirlerr(b))));
    return np.add(np.subtract(binomial, deviance), np.add(logs, stirling));
  }
  /** A binomial draw at a Beta(α, β) success probability. */
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const [kBeta, kBinomial] = random.splitList(key, 2);
    const shape = this.shape(sampleShape);
    const p = random.beta(kBeta, this.concentration1, this.concentration0, shape);
    return random.binomial(kBinomial, np.broadcastTo(this.totalCount, shape), p, shape);
  }
  override get mean(): NDArray {
    const s = np.add(this.concentration1, this.concentration0);
    return np.broadcastTo(np.divide(np.multiply(this.totalCount, this.concentration1), s), this.batchShape);
  }
  override get variance(): NDArray {
    const a = this.concentration1;
    const b = this.concentration0;
    const n = this.totalCount;
    const s = np.add(a, b);
    const num = np.multiply(np.multiply(np.multiply(n, a), b), np.add(s, n));
    return np.broadcastTo(np.divide(num, np.multiply(np.square(s), np.add(s, 1))), this.batchShape);
  }
  /**
   * P(X ≤ x) by summing the mass over 0..n: from below where that sum is at most ½, else as
   * 1 − the sum above (needs a concrete totalCount).
   */
  override cdf(value: ArrayLike): NDArray {
    const x = np.floor(toFloat(value));
    const table = this.cdfTable("BetaBinomial.cdf");
    const L = table.shape[table.ndim - 1];
    const shape = np.broadcastShapes(x.shape, this.batchShape);
    const index = np.broadcastTo(np.expandDims(np.astype(np.clip(x, 0, L - 1), "int32"), -1), [...shape, 1]);
    const c = np.squeeze(np.takeAlongAxis(np.broadcastTo(table, [...shape, L]), index, -1), -1);
    return np.where(np.less(x, 0), 0, np.where(np.greaterEqual(x, this.totalCount), 1, c));
  }
  /** The smallest k with P(X ≤ k) ≥ q: the number of k in 0..n with P(X ≤ k) < q (needs a concrete totalCount). */
  override icdf(q: ArrayLike): NDArray {
    const Q = toFloat(q);
    const table = this.cdfTable("BetaBinomial.icdf");
    const below = np.less(table, np.expandDims(Q, -1));
    const k = np.minimum(np.sum(np.astype(below, Q.dtype), -1), this.totalCount);
    const valid = np.logicalAnd(np.greaterEqual(Q, 0), np.lessEqual(Q, 1));
    return np.where(valid, k, NaN);
  }
  /** −Σ p log p over 0..n (needs a concrete totalCount). */
  override entropy(): NDArray {
    const { k, inRange } = this.grid("BetaBinomial.entropy");
    return entropyFromGrid(this.logProb(k), inRange);
  }
  private grid(what: string) {
    return integerGrid(what, np.zeros(this.batchShape), np.broadcastTo(this.totalCount, this.batchShape));
  }
  /** P(X ≤ k) for k = 0..max n, shape [...batch, max n + 1]. */
  private cdfTable(what: string): NDArray {
    const { k, inRange } = this.grid(what);
    const pmf = np.moveaxis(np.where(inRange, np.exp(this.logProb(k)), 0), 0, -1);
    const lower = np.cumsum(pmf, -1);
    const atOrAbove = np.cumsum(pmf, -1, true);
    const above = np.concatenate([np.slice(atOrAbove, [...this.batchShape.map(() => 0), 1]), np.zeros([...this.batchShape, 1])], -1);
    return np.where(np.lessEqual(lower, 0.5), lower, np.subtract(1, above));
  }
}
