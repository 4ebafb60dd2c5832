/**
 * The handler stack (NumPyro's `_PYRO_STACK` and `apply_stack`). A message goes down the stack
 * from the innermost handler outwards, each handler's `process` returning an updated message;
 * a handler that sets `stop` hides the message from the handlers outside it. The default
 * behaviour then runs (draw a sample, initialize a param, ...), and `postprocess` runs on every
 * handler that processed the message, outermost first, as in NumPyro: so `trace` records a param
 * before an inner plate subsamples the value the model gets.
 *
 * Handlers are installed for the duration of one call of the function they wrap, and removed
 * when it returns or throws.
 */
import { asArray, np, random } from "../core/index.js";
import { update, type Key, type Message, type PrngKeyMessage } from "./messages.js";

/**
 * An effect handler. Each method returns the message to pass on: the one it was given, or an
 * updated copy (see `update`), never an edited one. State a handler keeps (the sites `trace`
 * records, `seed`'s current key) lives for one call of the model it wraps. Either method may be
 * omitted.
 */
export interface Handler {
  /** Called on the way down, before the default behaviour. */
  process?(msg: Message): Message;
  /** Called after the default behaviour (outermost handler first). */
  postprocess?(msg: Message): Message;
}

/** A model: any function that calls tyche's primitives. */
export type Model<A extends unknown[] = any[], R = unknown> = (...args: A) => R;

const stack: Handler[] = [];

/** Sends `msg` through the handlers `stack[top]`, `stack[top - 1]`, ..., `stack[0]`. */
function applyFrom(msg: Message, top: number): Message {
  let m = msg;
  let lowest = 0;
  for (let i = top; i >= 0; i--) {
    const h = stack[i];
    if (h.process) m = h.process(m);
    if (m.stop) {
      lowest = i;
      break;
    }
  }
  m = defaultProcess(m);
  for (let i = lowest; i <= top; i++) {
    const h = stack[i];
    if (h.postprocess) m = h.postprocess(m);
  }
  return m;
}

/**
 * Sends a message through every installed handler and the default behaviour, and returns the
 * final message. A handler may return a message of another kind (`lift` turns a param into a
 * sample, `reparam` a sample into a deterministic), so the result is any `Message`.
 */
export function applyStack(msg: Message): Message {
  return applyFrom(msg, stack.length - 1);
}

/**
 * Sends `msg` through the handlers outside `handler` only, as if it continued from there
 * (used by `do`, which splits a site in two at its own position in the stack).
 */
export function applyOutside(handler: Handler, msg: Message): Message {
  const at = stack.lastIndexOf(handler);
  if (at < 0) throw new Error("internal: applyOutside called by a handler that is not installed");
  return applyFrom(msg, at - 1);
}

/** Runs `body` with `handler` installed innermost; the stack is restored even when `body` throws. */
export function runWith<T>(handler: Handler, body: () => T): T {
  const depth = stack.length;
  stack.push(handler);
  try {
    return body();
  } finally {
    stack.length = depth;
  }
}

/**
 * Wraps `model` so that each call runs under a fresh handler from `makeHandler` (state a
 * handler keeps, such as `seed`'s current key, lives for one call only).
 */
export function withHandler<A extends unknown[], R>(model: Model<A, R>, makeHandler: () => Handler): Model<A, R> {
  return (...args: A) => runWith(makeHandler(), () => model(...args));
}

/** Asks the stack for a fresh key (a `prngKey` message); null when no `seed` supplies one. */
export function requestKey(): Key | null {
  const msg: PrngKeyMessage = { type: "prngKey", value: null, rngKey: null, stop: false };
  return (applyStack(msg) as PrngKeyMessage).value;
}

/** What happens to a message that no handler has settled. */
function defaultProcess(msg: Message): Message {
  switch (msg.type) {
    case "sample": {
      if (msg.value !== null) return msg;
      if (msg.rngKey === null)
        throw new Error(
          `sample site '${msg.name}' (${msg.fn.name}) has no random key: run the model under seed(model, key), pass { rngKey }, or give the site a value (obs, condition, substitute)`,
        );
      return update(msg, { value: msg.fn.sample(msg.rngKey, msg.sampleShape) });
    }
    case "param": {
      if (msg.value !== null || msg.init === null) return msg;
      if (typeof msg.init !== "function") return update(msg, { value: msg.init });
      const key = requestKey();
      if (key === null) throw new Error(`param site '${msg.name}' has an initializer that needs a random key: run the model under seed(model, key)`);
      return update(msg, { value: asArray(msg.init(key)) });
    }
    case "plate": {
      if (msg.value !== null) return msg;
      if (msg.rngKey === null)
        throw new Error(
          `plate '${msg.name}' needs a random key to draw a subsample of ${msg.subsampleSize} from ${msg.size}: run the model under seed(model, key) (samplers such as NUTS do not support subsampling)`,
        );
      return update(msg, { value: np.slice(random.permutation(msg.rngKey, msg.size), [0], [msg.subsampleSize]) });
    }
    case "prngKey":
      return update(msg, { value: msg.rngKey });
    default:
      return msg;
  }
}
