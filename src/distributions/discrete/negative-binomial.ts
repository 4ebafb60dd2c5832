/** The negative binomial distribution by number of failures and success probability. */
import { np, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, real, unitInterval } from "../constraints.js";
import { broadcastParams, type DistributionOptions } from "../distribution.js";
import { GammaPoisson } from "./gamma-poisson.js";
import { toFloat } from "./numerics.js";
import { parseProbs, type ProbsOrLogits } from "./params.js";

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
    const parsed = parseProbs("NegativeBinomial", probs, opts);
    const { arrays } = broadcastParams("NegativeBinomial", { totalCount, [parsed.kind]: parsed.value });
    const value = toFloat(arrays[parsed.kind]);
    const byLogits = parsed.kind === "logits";
    const rate = byLogits ? np.exp(np.negative(value)) : np.divide(np.subtract(1, value), value);
    super(arrays.totalCount, rate, parsed.opts);
    this.totalCount = this.concentration;
    this.probs = byLogits ? special.expit(value) : value;
    this.logits = byLogits ? value : special.logit(value);
    this.validate({ totalCount: [this.totalCount, positive], ...(byLogits ? { logits: [value, real] } : { probs: [value, unitInterval] }) });
  }
}
