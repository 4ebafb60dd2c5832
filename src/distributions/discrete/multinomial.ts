/** The multinomial distribution. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { multinomial, nonnegativeInteger, type Constraint } from "../constraints.js";
import { Distribution, type DistributionOptions } from "../distribution.js";
import { bd0, integerGrid, logBinomialTerm, stirlerr, toFloat } from "./numerics.js";
import { broadcastProbs, categoryProbs, type ProbsOrLogits } from "./params.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log x! − (x log x − x): ½ log(2πx) + stirlerr(x) for x > 0, and 0 at x = 0. The part of
 * log x! that is left once the large terms x log x − x have been cancelled analytically.
 */
function logFactorialRest(x: NDArray): NDArray {
  const pos = np.greater(x, 0);
  const xs = np.where(pos, x, 1);
  return np.where(pos, np.add(np.add(np.multiply(np.log(xs), 0.5), HALF_LOG_2PI), stirlerr(xs)), 0);
}

/**
 * Multinomial(totalCount, probs) or Multinomial(totalCount, { logits }): counts of K categories
 * in `totalCount` independent draws, event shape [K]. `probs` are used as given (no
 * renormalisation, as NumPyro); `logits` are normalized. Draws are int32 (by conditional
 * binomials, one per category).
 *
 * The log mass log n! − Σ log x_i! + Σ x_i log p_i is evaluated in Loader's form
 * Σ_i [−bd0(x_i, n p_i) − r(x_i)] + r(n) + n (Σ p_i − 1), r(x) = log x! − x log x + x, which
 * has no cancellation between large terms when n is in the thousands.
 */
export class Multinomial extends Distribution {
  /** The number of draws n. */
  readonly totalCount: NDArray;
  /** Category probabilities, shape [...batch, K]. */
  readonly probs: NDArray;
  /** log(probs), or the logits as given. */
  readonly logits: NDArray;
  /** n (Σ p − 1): what unnormalized `probs` add to the log mass (0 for logits). */
  private readonly normCorrection: NDArray;
  private readonly supportConstraint: Constraint;

  constructor(totalCount: ArrayLike, probs: ArrayLike | ProbsOrLogits, opts: DistributionOptions = {}) {
    const { kind, value, arrays, batchShape, opts: options } = broadcastProbs("Multinomial", probs, opts, { totalCount }, 1);
    super(batchShape, [value.shape[value.ndim - 1]], options);
    this.totalCount = toFloat(arrays.totalCount);
    const p = categoryProbs(kind, value);
    this.probs = p.probs;
    this.logits = p.logits;
    this.normCorrection = kind === "logits" ? np.zerosLike(this.totalCount) : np.multiply(this.totalCount, np.subtract(np.sum(value, -1), 1));
    this.validate({ totalCount: [this.totalCount, nonnegativeInteger], [kind]: [value, p.constraint] });
    this.supportConstraint = multinomial(this.totalCount);
  }
  get support(): Constraint {
    return this.supportConstraint;
  }
  protected logDensity(value: NDArray): NDArray {
    const x = toFloat(value);
    const n = this.totalCount;
    const deviance = np.sum(bd0(x, np.multiply(np.expandDims(n, -1), this.probs)), -1);
    const rest = np.subtract(logFactorialRest(n), np.sum(logFactorialRest(x), -1));
    return np.add(np.subtract(rest, deviance), this.normCorrection);
  }
  /** Conditional binomials: x_j ~ Binomial(n − Σ_{i<j} x_i, p_j / Σ_{i≥j} p_i); the last takes the rest. */
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const shape = [...sampleShape, ...this.batchShape];
    const K = this.eventShape[0];
    const p = np.broadcastTo(this.probs, [...shape, K]);
    const tailMass = np.cumsum(p, -1, true);
    const conditional = np.clip(np.divide(p, tailMass), 0, 1);
    const keys = random.splitList(key, Math.max(K - 1, 1));
    let left = np.broadcastTo(np.astype(this.totalCount, "int32"), shape);
    const counts: NDArray[] = [];
    for (let j = 0; j < K - 1; j++) {
      const pj = np.squeeze(np.slice(conditional, [...shape.map(() => 0), j], [...shape, j + 1]), -1);
      const xj = random.binomial(keys[j], left, pj, shape);
      counts.push(xj);
      left = np.subtract(left, xj);
    }
    counts.push(left);
    return np.stack(counts, -1);
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.multiply(np.expandDims(this.totalCount, -1), this.probs), this.shape());
  }
  override get variance(): NDArray {
    const n = np.expandDims(this.totalCount, -1);
    return np.broadcastTo(np.multiply(np.multiply(n, this.probs), np.subtract(1, this.probs)), this.shape());
  }
  /**
   * The entropy −E[log P(X)] = Σ_i E[bd0(X_i, n p_i) + r(X_i)] − r(n), with X_i ~ Binomial(n, p_i)
   * the marginals (see the class comment for r): sums over 0..n (needs a concrete totalCount).
   */
  override entropy(): NDArray {
    const n = np.expandDims(np.broadcastTo(this.totalCount, this.batchShape), -1);
    const p = np.broadcastTo(this.probs, this.shape());
    const { k, inRange } = integerGrid("Multinomial.entropy", np.zerosLike(p), np.broadcastTo(n, p.shape));
    const logPmf = logBinomialTerm(np.minimum(k, n), n, np.log(p), np.log1p(np.negative(p)));
    const weight = np.where(inRange, np.exp(logPmf), 0);
    const term = np.add(bd0(k, np.multiply(n, p)), logFactorialRest(k));
    const expected = np.sum(np.sum(np.where(np.greater(weight, 0), np.multiply(weight, term), 0), 0), -1);
    return np.subtract(expected, logFactorialRest(np.squeeze(n, -1)));
  }
}
