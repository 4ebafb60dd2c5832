/** The categorical distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { integerInterval, type Constraint } from "../constraints.js";
import { Distribution, type DistributionOptions } from "../distribution.js";
import { enumerateRange } from "./numerics.js";
import { broadcastProbs, categoryProbs, type ProbsOrLogits } from "./params.js";

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
    const { kind, value, batchShape, opts: options } = broadcastProbs("Categorical", probs, opts, {}, 1);
    super(batchShape, [], options);
    const p = categoryProbs(kind, value);
    this.probs = p.probs;
    this.logits = p.logits;
    this.logPmf = p.logPmf;
    // subclasses that compute the probabilities validate their own parameters
    if (kind === "logits" || new.target === Categorical) this.validate({ [kind]: [value, p.constraint] });
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
    return enumerateRange(this.numCategories, this.batchShape, expand);
  }
}
