/**
 * `block`: hides sites from the handlers outside it.
 */
import { update, type Message, type MessageType } from "./messages.js";
import { requestKey, withHandler, type Model } from "./stack.js";

/**
 * Which messages {@link block} hides. The first option given decides, in this order:
 * `hideFn`, `hide`, `exposeTypes`, `expose`; with none, everything is hidden.
 */
export interface BlockOptions {
  /** Hide the messages for which this is true. */
  hideFn?: (msg: Message) => boolean;
  /** Hide the sites with these names. */
  hide?: readonly string[];
  /** Hide every message except those of these types. */
  exposeTypes?: readonly MessageType[];
  /** Hide every message except the sites with these names. */
  expose?: readonly string[];
}

const nameOf = (msg: Message): string | undefined => ("name" in msg ? msg.name : undefined);

function hider(opts: BlockOptions): (msg: Message) => boolean {
  const { hideFn, hide, exposeTypes, expose } = opts;
  if (hideFn) return hideFn;
  if (hide) return (msg) => hide.includes(nameOf(msg) ?? "");
  if (exposeTypes) return (msg) => !exposeTypes.includes(msg.type);
  if (expose) return (msg) => !expose.includes(nameOf(msg) ?? "");
  return () => true;
}

/**
 * Hides the chosen messages of `model` from the handlers outside the block (they are not
 * traced, substituted, or seeded from outside). Requests for keys (`prngKey`) always pass, and
 * a hidden site that still needs a key gets one from them, so a seed outside a block still
 * drives the sites inside it.
 */
export function block<A extends unknown[], R>(model: Model<A, R>, opts: BlockOptions = {}): Model<A, R> {
  const hidden = hider(opts);
  return withHandler(model, () => ({
    process(msg: Message): Message {
      if (msg.type === "prngKey" || !hidden(msg)) return msg;
      const needsKey = (msg.type === "sample" || msg.type === "plate") && msg.value === null && msg.rngKey === null;
      return needsKey ? update(msg, { stop: true, rngKey: requestKey() }) : update(msg, { stop: true });
    },
  }));
}
