/** The negative binomial distribution by number of failures and success probability. */
import { np, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive } from "../constraints.js";
import type { DistributionOptions } from "../distribution.js";
import { GammaPoisson } from "./gamma-poisson.js";
import { broadcastProbs, successProbs, type ProbsOrLogits } from "./params.js";

/**
 * NegativeBinomial(totalCount, probs) or NegativeBinomial(totalCount, { logits }): the number
 * of successes before the `totalCount`-th failure in trials of success probability p,
 * P(k) = Γ(k + r) / (Γ(r) k!) · p^k (1 − p)^r (NumPyro's convention). It is
 * GammaPoisson(totalCount, (1 − p)/p).
 */
export class NegativeBinomial extends GammaPoisson {
  /** The number of failures r (any positive real). */
  readonly totalCount: NDArray;
  /** The success probability p. */
  readonly probs: NDArray;
  /** The log-odds log(p / (1 − p)). */
  readonly logits: NDArray;

  constructor(totalCount: ArrayLike, probs: ArrayLike | ProbsOrLogits, opts: DistributionOptions = {}) {
    const { kind, value, arrays, opts: options } = broadcastProbs("NegativeBinomial", probs, opts, { totalCount });
    const rate = kind === "logits" ? np.exp(np.negative(value)) : np.divide(np.subtract(1, value), value);
    super(arrays.totalCount, rate, options);
    this.totalCount = this.concentration;
    const p = successProbs(kind, value);
    this.probs = p.probs;
    this.logits = p.logits;
    this.validate({ totalCount: [this.totalCount, positive], [kind]: [value, p.constraint] });
  }
}
