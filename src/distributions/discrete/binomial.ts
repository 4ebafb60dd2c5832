/** The binomial distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { nonnegativeInteger } from "../constraints.js";
import type { DistributionOptions } from "../distribution.js";
import { BoundedCountDistribution } from "./bounded-count.js";
import { bisectIcdf, entropyFromGrid, integerGrid, logBinomialTerm, toFloat } from "./numerics.js";
import { broadcastProbs, successProbs, type ProbsOrLogits } from "./params.js";

/**
 * Binomial(totalCount, probs) or Binomial(totalCount, { logits }): the number of successes in
 * `totalCount` independent trials of success probability p. Draws are int32.
 *
 * The log mass uses Loader's saddle-point form, accurate for counts in the thousands where
 * log Γ(n + 1) − log Γ(k + 1) − log Γ(n − k + 1) would cancel.
 */
export class Binomial extends BoundedCountDistribution {
  /** The success probability p. */
  readonly probs: NDArray;
  /** The log-odds log(p / (1 − p)). */
  readonly logits: NDArray;
  /** 1 − p, computed from the logits when given (accurate when p is close to 1). */
  private readonly failProbs: NDArray;
  /** log p. */
  private readonly logP: NDArray;
  /** log(1 − p). */
  private readonly logQ: NDArray;

  constructor(totalCount: ArrayLike, probs: ArrayLike | ProbsOrLogits, opts: DistributionOptions = {}) {
    const { kind, value, arrays, batchShape, opts: options } = broadcastProbs("Binomial", probs, opts, { totalCount });
    super(batchShape, toFloat(arrays.totalCount), options);
    const p = successProbs(kind, value);
    this.probs = p.probs;
    this.logits = p.logits;
    this.failProbs = p.failProbs();
    this.logP = p.logP();
    this.logQ = p.logQ();
    this.validate({ totalCount: [this.totalCount, nonnegativeInteger], [kind]: [value, p.constraint] });
  }
  protected logDensity(value: NDArray): NDArray {
    return logBinomialTerm(toFloat(value), this.totalCount, this.logP, this.logQ);
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return random.binomial(key, this.totalCount, this.probs, this.shape(sampleShape));
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.multiply(this.totalCount, this.probs), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.multiply(np.multiply(this.totalCount, this.probs), this.failProbs), this.batchShape);
  }
  /**
   * P(X ≤ x) = I_{1−p}(n − k, k + 1) with k = floor(x), the regularized incomplete beta
   * function, evaluated as 1 − I_p(k + 1, n − k) when p < ½ (so that its argument is exact).
   */
  override cdf(value: ArrayLike): NDArray {
    const k = np.floor(toFloat(value));
    const n = this.totalCount;
    const inside = np.logicalAnd(np.greaterEqual(k, 0), np.less(k, n));
    const ks = np.where(inside, k, 0);
    const ns = np.where(inside, n, 1);
    const a = np.subtract(ns, ks);
    const b = np.add(ks, 1);
    const lowP = np.less(this.probs, 0.5);
    const viaP = np.subtract(1, special.betainc(b, a, np.where(lowP, this.probs, 0.5)));
    const viaQ = special.betainc(a, b, np.where(lowP, 0.5, this.failProbs));
    return np.where(np.less(k, 0), 0, np.where(inside, np.where(lowP, viaP, viaQ), 1));
  }
  override icdf(q: ArrayLike): NDArray {
    return bisectIcdf((k) => this.cdf(k), toFloat(q), this.totalCount);
  }
  /** −Σ p log p over the support (summed over a window of ±(8σ + 30) about the mean; needs concrete parameters). */
  override entropy(): NDArray {
    const mean = np.multiply(this.totalCount, this.probs);
    const halfWidth = np.add(np.multiply(np.sqrt(np.multiply(mean, this.failProbs)), 8), 30);
    const lo = np.maximum(np.floor(np.subtract(mean, halfWidth)), 0);
    const hi = np.minimum(np.ceil(np.add(mean, halfWidth)), this.totalCount);
    const { k, inRange } = integerGrid("Binomial.entropy", np.broadcastTo(lo, this.batchShape), np.broadcastTo(hi, this.batchShape));
    return entropyFromGrid(this.logProb(k), inRange);
  }
}

