/**
 * `scope`: prefixes site names, so one model can be used twice in another.
 */
import { isSite, update, type Message } from "./messages.js";
import { withHandler, type Model } from "./stack.js";

/**
 * Renames every site of `model` (sample, param, plate, deterministic) to
 * `${prefix}${divider}${name}`, and the plates recorded in their `condIndepStack` alike.
 */
export function scope<A extends unknown[], R>(model: Model<A, R>, prefix: string, divider = "/"): Model<A, R> {
  const rename = (name: string) => `${prefix}${divider}${name}`;
  return withHandler(model, () => ({
    process(msg: Message): Message {
      if (!isSite(msg)) return msg;
      return update(msg, { name: rename(msg.name), condIndepStack: msg.condIndepStack.map((f) => ({ ...f, name: rename(f.name) })) });
    },
  }));
}
