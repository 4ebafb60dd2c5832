/**
 * `inferConfig`: sets inference hints on sample sites.
 */
import { update, type InferConfig, type Message, type SampleMessage } from "./messages.js";
import { withHandler, type Model } from "./stack.js";

/** Merges `configFn(site)` into the `infer` hints of every sample site of `model`. */
export function inferConfig<A extends unknown[], R>(model: Model<A, R>, configFn: (site: SampleMessage) => InferConfig): Model<A, R> {
  return withHandler(model, () => ({
    process(msg: Message): Message {
      return msg.type === "sample" ? update(msg, { infer: { ...msg.infer, ...configFn(msg) } }) : msg;
    },
  }));
}
