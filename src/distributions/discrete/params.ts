/**
 * The probs | logits parameterization shared by Bernoulli, Binomial, Categorical, Geometric,
 * Multinomial and NegativeBinomial: a positional `probs`, or an options object carrying
 * exactly one of `probs` and `logits` (and `validateArgs`), as NumPyro's keyword arguments.
 */
import { np, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import type { DistributionOptions } from "../distribution.js";

/** `{ probs }` or `{ logits }`, with the usual distribution options. */
export type ProbsOrLogits = ({ probs: ArrayLike; logits?: undefined } | { logits: ArrayLike; probs?: undefined }) & DistributionOptions;

/** Whether `x` is an options object (`{ probs }`, `{ logits }`) rather than an array-like. */
function isProbsOrLogits(x: unknown): x is ProbsOrLogits {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x) && ("probs" in x || "logits" in x);
}

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
  if (!isProbsOrLogits(arg)) return { kind: "probs", value: np.asarray(arg), opts };
  const { probs, logits, ...rest } = arg;
  if ((probs === undefined) === (logits === undefined)) throw new Error(`${dist}: give exactly one of 'probs' and 'logits'`);
  return probs !== undefined ? { kind: "probs", value: np.asarray(probs), opts: { ...opts, ...rest } } : { kind: "logits", value: np.asarray(logits!), opts: { ...opts, ...rest } };
}
