/** The geometric distribution. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { nonnegativeInteger, type Constraint } from "../constraints.js";
import { Distribution, type DistributionOptions } from "../distribution.js";
import { toFloat } from "./numerics.js";
import { broadcastProbs, successProbs, type ProbsOrLogits } from "./params.js";

/**
 * Geometric(probs) or Geometric({ logits }): the number of failures before the first success
 * in trials of success probability p, P(k) = p (1 − p)^k on {0, 1, 2, ...}. Draws are floats
 * (as NumPyro's).
 */
export class Geometric extends Distribution {
  /** The success probability p. */
  readonly probs: NDArray;
  /** The log-odds log(p / (1 − p)). */
  readonly logits: NDArray;
  /** log p. */
  private readonly logP: NDArray;
  /** log(1 − p). */
  private readonly logQ: NDArray;

  constructor(probs: ArrayLike | ProbsOrLogits, opts: DistributionOptions = {}) {
    const { kind, value, batchShape, opts: options } = broadcastProbs("Geometric", probs, opts);
    super(batchShape, [], options);
    const p = successProbs(kind, value);
    this.probs = p.probs;
    this.logits = p.logits;
    this.logP = p.logP();
    this.logQ = p.logQ();
    this.validate({ [kind]: [value, p.constraint] });
  }
  get support(): Constraint {
    return nonnegativeInteger;
  }
  protected logDensity(value: NDArray): NDArray {
    const k = toFloat(value);
    return np.add(np.where(np.equal(k, 0), 0, np.multiply(k, this.logQ)), this.logP);
  }
  /** floor(log(U) / log(1 − p)) for U uniform on (0, 1]. */
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const u = random.uniform(key, this.shape(sampleShape), this.probs.dtype);
    return np.floor(np.divide(np.log1p(np.negative(u)), this.logQ));
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.subtract(np.reciprocal(this.probs), 1), this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.divide(np.subtract(np.reciprocal(this.probs), 1), this.probs), this.batchShape);
  }
  /** P(X ≤ x) = 1 − (1 − p)^(floor(x) + 1). */
  override cdf(value: ArrayLike): NDArray {
    const k = np.floor(toFloat(value));
    const c = np.negative(np.expm1(np.multiply(np.add(k, 1), this.logQ)));
    return np.where(np.less(k, 0), 0, c);
  }
  /** The smallest k with P(X ≤ k) ≥ q: ceil(log(1 − q) / log(1 − p)) − 1, at least 0. */
  override icdf(q: ArrayLike): NDArray {
    const Q = toFloat(q);
    const k = np.maximum(np.subtract(np.ceil(np.divide(np.log1p(np.negative(Q)), this.logQ)), 1), 0);
    const valid = np.logicalAnd(np.greaterEqual(Q, 0), np.lessEqual(Q, 1));
    return np.where(valid, k, NaN);
  }
  /** −((1 − p) log(1 − p) + p log p) / p. */
  override entropy(): NDArray {
    const q = np.subtract(1, this.probs);
    const qLogQ = np.where(np.equal(q, 0), 0, np.multiply(q, this.logQ));
    const h = np.negative(np.divide(np.add(qLogQ, np.multiply(this.probs, this.logP)), this.probs));
    return np.broadcastTo(h, this.batchShape);
  }
}
