/**
 * `replay`: runs a model with the values of another run (typically a guide's trace).
 */
import { update, type Message } from "./messages.js";
import { withHandler, type Model } from "./stack.js";
import type { Trace } from "./trace.js";

/**
 * Gives the latent sample sites and the plates of `model` the values (and infer hints) of the
 * sites of the same name in `guideTrace`. Observed sites keep their data; sites the trace does
 * not hold are left alone. A site that is latent in the model must be a latent sample site in
 * the trace, and a plate a plate.
 */
export function replay<A extends unknown[], R>(model: Model<A, R>, guideTrace: Trace): Model<A, R> {
  return withHandler(model, () => ({
    process(msg: Message): Message {
      if (msg.type !== "sample" && msg.type !== "plate") return msg;
      const g = guideTrace.get(msg.name);
      if (g === undefined) return msg;
      if (msg.type === "plate") {
        if (g.type !== "plate") throw new Error(`replay: site '${msg.name}' is a plate in the model but a ${g.type} site in the trace`);
        return update(msg, { value: g.value });
      }
      if (msg.isObserved) return msg;
      if (g.type !== "sample" || g.isObserved)
        throw new Error(`replay: site '${msg.name}' is latent in the model but ${g.type === "sample" ? "observed" : `a ${g.type} site`} in the trace`);
      return update(msg, { value: g.value, infer: { ...g.infer } });
    },
  }));
}
