/**
 * `mask`: removes entries of sample sites from the log density.
 */
import { asArray, type ArrayLike } from "../core/index.js";
import { update, type Message } from "./messages.js";
import { withHandler, type Model } from "./stack.js";

/**
 * Masks the log density of every sample site of `model` elementwise: where `mask` (a boolean,
 * or a bool array that broadcasts with the sites' batch shapes) is false, the site contributes
 * nothing. Values are still drawn.
 */
export function mask<A extends unknown[], R>(model: Model<A, R>, mask: ArrayLike | boolean): Model<A, R> {
  const m = typeof mask === "boolean" ? mask : asArray(mask);
  if (typeof m !== "boolean" && m.dtype !== "bool") throw new Error(`mask: the mask must be a boolean or a bool array, got a ${m.dtype} array`);
  return withHandler(model, () => ({
    process(msg: Message): Message {
      return msg.type === "sample" ? update(msg, { fn: msg.fn.mask(m) }) : msg;
    },
  }));
}
