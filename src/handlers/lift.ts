/**
 * `lift`: turns parameters into random variables.
 */
import type { Array as NDArray } from "../core/index.js";
import { Distribution } from "../distributions/index.js";
import type { Message, SampleMessage } from "./messages.js";
import { withHandler, type Model } from "./stack.js";

/**
 * Makes the `param` statements of `model` that have a prior (`prior` itself, or
 * `prior[name]`) behave as `sample` statements from that prior. A param visited again in the
 * same run reuses the first draw.
 */
export function lift<A extends unknown[], R>(model: Model<A, R>, prior: Distribution | Readonly<Record<string, Distribution>>): Model<A, R> {
  return withHandler(model, () => {
    const lifted = new Set<string>();
    const drawn = new Map<string, NDArray>();
    return {
      process(msg: Message): Message {
        if (msg.type !== "param") return msg;
        const fn = prior instanceof Distribution ? prior : Object.hasOwn(prior, msg.name) ? prior[msg.name] : undefined;
        if (fn === undefined) return msg;
        lifted.add(msg.name);
        const again = drawn.get(msg.name);
        const site: SampleMessage = {
          type: "sample",
          name: msg.name,
          fn,
          value: again ?? msg.value,
          isObserved: again !== undefined,
          rngKey: null,
          sampleShape: [],
          scale: msg.scale,
          infer: {},
          condIndepStack: msg.condIndepStack,
          stop: again !== undefined,
        };
        return site;
      },
      postprocess(msg: Message): Message {
        if (msg.type === "sample" && lifted.has(msg.name) && !drawn.has(msg.name)) drawn.set(msg.name, msg.value!);
        return msg;
      },
    };
  });
}
