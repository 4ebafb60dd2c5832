/**
 * The probs | logits parameterization shared by Bernoulli, Binomial, Categorical, Geometric,
 * Multinomial and NegativeBinomial: a positional `probs`, or an options object carrying
 * exactly one of `probs` and `logits` (and `validateArgs`), as NumPyro's keyword arguments;
 * its broadcasting with the other parameters, and the probabilities in both forms.
 */
import { np, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { real, realVector, simplex, unitInterval, type Constraint } from "../constraints.js";
import { broadcastParams, parseAlternatives, type DistributionOptions, type OneOf } from "../distribution.js";
import { toFloat } from "./numerics.js";

/** `{ probs }` or `{ logits }`, with the usual distribution options. */
export type ProbsOrLogits = OneOf<"probs" | "logits">;

/** Which parameterization a distribution was given, with its value, and the remaining options. */
export interface ParsedProbs {
  kind: "probs" | "logits";
  value: NDArray;
  opts: DistributionOptions;
}

/**
 * Reads `probs` (positional) or `{ probs }` / `{ logits }` (options object); `opts` is the
 * options object that may follow a positional `probs`. Throws, naming the distribution,
 * when both or neither are given.
 */
export function parseProbs(dist: string, arg: ArrayLike | ProbsOrLogits, opts: DistributionOptions = {}): ParsedProbs {
  const parsed = parseAlternatives(dist, arg, opts, ["probs", "logits"] as const);
  return { ...parsed, value: np.asarray(parsed.value) };
}

/** A parsed probs | logits parameter broadcast with the distribution's other parameters. */
export interface BroadcastProbs extends ParsedProbs {
  /** The other parameters as arrays (unchanged). */
  arrays: Record<string, NDArray>;
  batchShape: number[];
}

/**
 * `parseProbs`, then `broadcastParams` over `others` and the probs | logits parameter (whose
 * `eventDim` rightmost axes are not batch axes); that parameter comes back as a float array.
 */
export function broadcastProbs(dist: string, arg: ArrayLike | ProbsOrLogits, opts: DistributionOptions, others: Record<string, ArrayLike> = {}, eventDim = 0): BroadcastProbs {
  const parsed = parseProbs(dist, arg, opts);
  const { arrays, batchShape } = broadcastParams(dist, { ...others, [parsed.kind]: parsed.value }, { [parsed.kind]: eventDim });
  return { ...parsed, value: toFloat(arrays[parsed.kind]), arrays, batchShape };
}

/**
 * A success probability p given as `probs` or as `logits` (Bernoulli, Binomial, Geometric,
 * NegativeBinomial, the gate of a zero-inflated distribution): p and its log-odds, the
 * constraint the given parameter must satisfy, and log p, log(1 − p) and 1 − p, each computed
 * from the logits when those were given (accurate where p is close to 0 or 1).
 */
export interface SuccessProbs {
  /** p. */
  probs: NDArray;
  /** log(p / (1 − p)). */
  logits: NDArray;
  /** real for logits, unitInterval for probs. */
  constraint: Constraint;
  /** log p. */
  logP(): NDArray;
  /** log(1 − p). */
  logQ(): NDArray;
  /** 1 − p. */
  failProbs(): NDArray;
}

/** p in both forms from the given parameter (`kind` says which it is). */
export function successProbs(kind: "probs" | "logits", value: NDArray): SuccessProbs {
  if (kind === "logits") {
    return {
      probs: special.expit(value),
      logits: value,
      constraint: real,
      logP: () => special.logSigmoid(value),
      logQ: () => special.logSigmoid(np.negative(value)),
      failProbs: () => special.expit(np.negative(value)),
    };
  }
  return {
    probs: value,
    logits: special.logit(value),
    constraint: unitInterval,
    logP: () => np.log(value),
    logQ: () => np.log1p(np.negative(value)),
    failProbs: () => np.subtract(1, value),
  };
}

/**
 * Category probabilities over the last axis given as `probs` or as `logits` (Categorical,
 * Multinomial): `probs` are used as given (no renormalisation, as NumPyro), `logits` are
 * normalized by a log-sum-exp. `logPmf` is the normalized log-probabilities (log probs as
 * given for `probs`), `logits` log probs or the logits as given.
 */
export function categoryProbs(kind: "probs" | "logits", value: NDArray): { probs: NDArray; logits: NDArray; logPmf: NDArray; constraint: Constraint } {
  if (kind === "logits") {
    const logPmf = np.subtract(value, special.logsumexp(value, -1, true));
    return { probs: np.exp(logPmf), logits: value, logPmf, constraint: realVector };
  }
  const logits = np.log(value);
  return { probs: value, logits, logPmf: logits, constraint: simplex };
}
