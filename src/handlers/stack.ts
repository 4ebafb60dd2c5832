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

/** The number of handlers installed now (0 outside any model run). */
export function stackDepth(): number {
  return stack.length;
}

/** The name of the last site sent through the stack in the current outermost model run. */
let lastSite: string | null = null;

/** Errors already given their place (or found to name it). */
const annotated = new WeakSet<Error>();

/**
 * Adds where an error arose to its message, once (the innermost place wins): `[${context}]`,
 * unless the message already names `site`. Errors keep their class and stack.
 */
function annotate(e: unknown, context: string, site: string | null): void {
  if (!(e instanceof Error) || annotated.has(e)) return;
  annotated.add(e);
  // reading the stack formats it now: until then the error holds its frames' receivers and
  // closures, and with them the arrays of the failed run, alive as long as the error lives
  const stackText = e.stack;
  if (site !== null && e.message.includes(`'${site}'`)) return;
  const before = e.message;
  e.message = `${before} [${context}]`;
  // the stack text was written when the error was made: show the new message there too
  const head = `${e.name}: ${before}`;
  if (typeof stackText === "string" && stackText.startsWith(head)) e.stack = `${e.name}: ${e.message}${stackText.slice(head.length)}`;
}

/** Sends `msg` through the handlers `stack[top]`, ..., `stack[0]`; an error names the site. */
function applyFrom(msg: Message, top: number): Message {
  const name = "name" in msg ? msg.name : null;
  if (name !== null) lastSite = name;
  try {
    return applyHandlers(msg, top);
  } catch (e) {
    annotate(e, name === null ? `while handling a ${msg.type} message` : `at ${msg.type} site '${name}'`, name);
    throw e;
  }
}

function applyHandlers(msg: Message, top: number): Message {
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

/**
 * Runs `body` with `handler` installed innermost; the stack is restored even when `body` throws.
 * An error thrown by the model itself (not by a site, which names itself) gets the last site
 * reached appended to its message, so that it says where in the model it arose.
 */
export function runWith<T>(handler: Handler, body: () => T): T {
  const depth = stack.length;
  if (depth === 0) lastSite = null;
  stack.push(handler);
  try {
    return body();
  } catch (e) {
    if (depth === 0) annotate(e, lastSite === null ? "raised in the model before its first site" : `raised in the model after site '${lastSite}'`, lastSite);
    throw e;
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
