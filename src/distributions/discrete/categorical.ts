/** The categorical distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { integerInterval, realVector, simplex, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { toFloat } from "./numerics.js";
import { parseProbs, type ProbsOrLogits } from "./params.js";

/**
 * Categorical(probs) or Categorical({ logits }) over the category indices 0, ..., K − 1 of the
 * last parameter axis. `probs` are used as given (no renormalisation, as NumPyro); `logits`
 * are normalized by a log-sum-exp. Draws are int32. Mean and variance are NaN (the categories
 * are unordered), as in NumPyro.
 */
export class Categorical extends Distribution {
  /** Category probabilities, shape [...batch, K]. */
  readonly probs: NDArray;
  /** Log-probabilities: log(probs), or the logits as given. */
  readonly logits: NDArray;
  /** Normalized log-probabilities, shape [...batch, K]. */
  private readonly logPmf: NDArray;
  private readonly supportConstraint: Constraint;

  constructor(probs: ArrayLike | ProbsOrLogits, opts: DistributionOptions = {}) {
    const parsed = parseProbs("Categorical", probs, opts);
    const { arrays, batchShape } = broadcastParams("Categorical", { [parsed.kind]: parsed.value }, { [parsed.kind]: 1 });
    super(batchShape, [], parsed.opts);
    const value = toFloat(arrays[parsed.kind]);
    if (parsed.kind === "logits") {
      this.logits = value;
      this.logPmf = np.subtract(value, special.logsumexp(value, -1, true));
      this.probs = np.exp(this.logPmf);
      this.validate({ logits: [value, realVector] });
    } else {
      this.probs = value;
      this.logits = np.log(value);
      this.logPmf = this.logits;
      // subclasses that compute the probabilities validate their own parameters
      if (new.target === Categorical) this.validate({ probs: [value, simplex] });
    }
    this.supportConstraint = integerInterval(0, this.numCategories - 1);
  }
  /** The number of categories K. */
  get numCategories(): number {
    return this.probs.shape[this.probs.ndim - 1];
  }
  get support(): Constraint {
    return this.supportConstraint;
  }
  override get hasEnumerateSupport(): boolean {
    return true;
  }
  protected logDensity(value: NDArray): NDArray {
    const shape = np.broadcastShapes(value.shape, this.batchShape);
    const index = np.broadcastTo(np.expandDims(np.astype(value, "int32"), -1), [...shape, 1]);
    const table = np.broadcastTo(this.logPmf, [...shape, this.numCategories]);
    return np.squeeze(np.takeAlongAxis(table, index, -1), -1);
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return random.categorical(key, this.logits, -1, this.shape(sampleShape));
  }
  override get mean(): NDArray {
    return np.full(this.batchShape, NaN);
  }
  override get variance(): NDArray {
    return np.full(this.batchShape, NaN);
  }
  /** −Σ p log p (categories of probability 0 add nothing). */
  override entropy(): NDArray {
    return np.negative(np.sum(special.xlogy(this.probs, this.probs), -1));
  }
  override enumerateSupport(expand = true): NDArray {
    const K = this.numCategories;
    const values = np.reshape(np.arange(K), [K, ...this.batchShape.map(() => 1)]);
    return expand ? np.broadcastTo(values, [K, ...this.batchShape]) : values;
  }
}
