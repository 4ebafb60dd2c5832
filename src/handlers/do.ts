/**
 * `do`: interventions (Pearl's do-operator), as in NumPyro's `handlers.do`.
 */
import { asArray } from "../core/index.js";
import type { SiteValues } from "./condition.js";
import { update, type Message } from "./messages.js";
import { applyOutside, withHandler, type Handler, type Model } from "./stack.js";

/**
 * Intervenes on the sample sites named in `data`: the model receives the given value, as if
 * the statement were replaced by the constant, while a fresh site of the same name is still
 * drawn (or observed, under an outer `condition`) for the handlers outside, its value used by
 * nothing. Inside, the intervened site appears as `${name}__CF`, observed at the given value.
 * Exported as `do` too; `do` is a reserved word, so import it as `intervene` or use
 * `handlers.do` through a namespace import.
 */
export function intervene<A extends unknown[], R>(model: Model<A, R>, data: SiteValues): Model<A, R> {
  return withHandler(model, () => {
    const handler: Handler = {
      process(msg: Message): Message {
        if (msg.type !== "sample" || !Object.hasOwn(data, msg.name)) return msg;
        applyOutside(handler, msg);
        return update(msg, { name: `${msg.name}__CF`, value: asArray(data[msg.name]), isObserved: true, stop: true });
      },
    };
    return handler;
  });
}
