/**
 * `seed`: supplies PRNG keys to the sites that need one.
 */
import { random } from "../core/index.js";
import { fmtShape, update, type Key, type Message } from "./messages.js";
import { withHandler, type Model } from "./stack.js";

/**
 * Runs `model` with `key` (or `random.key(key)` for a number) split into a fresh key for each
 * sample site, subsampled plate and `prngKey()` call that has neither a value nor a key of its
 * own. Every call starts again from `key`, so the same key gives identical traces. With nested
 * seeds, the innermost one supplies the keys.
 */
export function seed<A extends unknown[], R>(model: Model<A, R>, key: Key | number): Model<A, R> {
  const k0 = typeof key === "number" ? random.key(key) : key;
  if (k0.dtype !== "int32" || k0.ndim !== 1 || k0.shape[0] !== 2)
    throw new Error(`seed: expected a key (an int32 array of shape [2], from random.key) or a number, got ${k0.dtype} ${fmtShape(k0.shape)}`);
  return withHandler(model, () => {
    let current = k0;
    return {
      process(msg: Message): Message {
        if (msg.type !== "sample" && msg.type !== "plate" && msg.type !== "prngKey") return msg;
        if (msg.value !== null || msg.rngKey !== null) return msg;
        const [next, sub] = random.splitList(current, 2);
        current = next;
        return update(msg, { rngKey: sub });
      },
    };
  });
}
