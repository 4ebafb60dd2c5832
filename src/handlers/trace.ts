/**
 * `trace`: records every named site of a run, in execution order.
 */
import { isSite, type Site } from "./messages.js";
import { runWith, type Handler, type Model } from "./stack.js";

/** The sites of one run of a model, by name, in the order they ran. */
export type Trace = ReadonlyMap<string, Site>;

/** A model wrapped by {@link trace}: callable as the model, and able to return its trace. */
export interface TracedModel<A extends unknown[], R> {
  (...args: A): R;
  /** Runs the model and returns the sites it recorded. */
  getTrace(...args: A): Trace;
}

/**
 * Records the sites of `model` (sample, param, plate, deterministic) as the handlers outside
 * it leave them. Sample and deterministic sites must have unique names; a param or a plate may
 * be visited again (a shared parameter, a reused plate), keeping its last message.
 */
export function trace<A extends unknown[], R>(model: Model<A, R>): TracedModel<A, R> {
  const run = (args: A): [R, Trace] => {
    const sites = new Map<string, Site>();
    const record: Handler = {
      postprocess(msg) {
        if (!isSite(msg)) return msg;
        const prev = sites.get(msg.name);
        if (prev && !(prev.type === msg.type && (msg.type === "param" || msg.type === "plate")))
          throw new Error(`duplicate site name '${msg.name}': a ${msg.type} site has the name of an earlier ${prev.type} site (site names must be unique)`);
        sites.set(msg.name, msg);
        return msg;
      },
    };
    const result = runWith(record, () => model(...args));
    return [result, sites];
  };
  return Object.assign((...args: A) => run(args)[0], { getTrace: (...args: A) => run(args)[1] });
}
