/** The Bernoulli distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { boolean, type Constraint } from "../constraints.js";
import { Distribution, type DistributionOptions } from "../distribution.js";
import { enumerateRange, toFloat } from "./numerics.js";
import { broadcastProbs, successProbs, type ProbsOrLogits } from "./params.js";

/**
 * Bernoulli(probs) or Bernoulli({ logits }): 1 with probability p, 0 otherwise. Draws are
 * int32. `new Bernoulli(0.3)`, `new Bernoulli({ logits: 2 })`.
 */
export class Bernoulli extends Distribution {
  /** The probability of 1. */
  readonly probs: NDArray;
  /** The log-odds log(p / (1 − p)). */
  readonly logits: NDArray;
  private readonly byLogits: boolean;

  constructor(probs: ArrayLike | ProbsOrLogits, opts: DistributionOptions = {}) {
    const { kind, value, batchShape, opts: options } = broadcastProbs("Bernoulli", probs, opts);
    super(batchShape, [], options);
    const p = successProbs(kind, value);
    this.byLogits = kind === "logits";
    this.probs = p.probs;
    this.logits = p.logits;
    this.validate({ [kind]: [value, p.constraint] });
  }
  get support(): Constraint {
    return boolean;
  }
  override get hasEnumerateSupport(): boolean {
    return true;
  }
  protected logDensity(value: NDArray): NDArray {
    const x = toFloat(value);
    if (this.byLogits) return np.subtract(np.multiply(x, this.logits), special.softplus(this.logits));
    return np.add(special.xlogy(x, this.probs), special.xlog1py(np.subtract(1, x), np.negative(this.probs)));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return np.astype(random.bernoulli(key, this.probs, this.shape(sampleShape)), "int32");
  }
  override get mean(): NDArray {
    return np.broadcastTo(this.probs, this.batchShape);
  }
  override get variance(): NDArray {
    return np.broadcastTo(np.multiply(this.probs, np.subtract(1, this.probs)), this.batchShape);
  }
  /** P(X ≤ x): 0 below 0, 1 − p on [0, 1), 1 from 1 on. */
  override cdf(value: ArrayLike): NDArray {
    const x = toFloat(value);
    return np.where(np.less(x, 0), 0, np.where(np.less(x, 1), np.subtract(1, this.probs), 1));
  }
  /** The smallest k in {0, 1} with P(X ≤ k) ≥ q: 0 when q ≤ 1 − p. */
  override icdf(q: ArrayLike): NDArray {
    const Q = toFloat(q);
    const valid = np.logicalAnd(np.greaterEqual(Q, 0), np.lessEqual(Q, 1));
    return np.where(valid, np.where(np.lessEqual(Q, np.subtract(1, this.probs)), 0, 1), NaN);
  }
  override entropy(): NDArray {
    const p = this.probs;
    const h = np.negative(np.add(special.xlogy(p, p), special.xlog1py(np.subtract(1, p), np.negative(p))));
    return np.broadcastTo(h, this.batchShape);
  }
  override enumerateSupport(expand = true): NDArray {
    return enumerateRange(2, this.batchShape, expand);
  }
}
