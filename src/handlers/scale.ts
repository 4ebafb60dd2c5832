/**
 * `scale`: multiplies the log density of sites.
 */
import { asArray, np, type ArrayLike } from "../core/index.js";
import { update, type Message, type Scale } from "./messages.js";
import { withHandler, type Model } from "./stack.js";

/**
 * Multiplies the log density of every sample site (and the contribution of every param site)
 * of `model` by `factor`, a positive number or an array that broadcasts with the sites' log
 * densities. Nested scales multiply.
 */
export function scale<A extends unknown[], R>(model: Model<A, R>, factor: ArrayLike): Model<A, R> {
  const f: Scale = typeof factor === "number" ? factor : asArray(factor);
  const positive = typeof f === "number" ? f > 0 : !f.isConcrete || np.all(np.greater(f, 0)).item() === 1;
  if (!positive) throw new Error("scale: the factor must be positive");
  return withHandler(model, () => ({
    process(msg: Message): Message {
      if (msg.type !== "sample" && msg.type !== "param") return msg;
      return update(msg, { scale: multiply(f, msg.scale) });
    },
  }));
}

/** The product of two scales (a number when both are). */
function multiply(a: Scale, b: Scale): Scale {
  return typeof a === "number" && typeof b === "number" ? a * b : np.multiply(a, b);
}
