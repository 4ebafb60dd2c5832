/**
 * Checkpoints of MCMC runs: the sampler state (`mcmc.lastState`) as plain JSON and back, so a
 * long run can be stopped (by an AbortSignal, or a process that ends) and continued elsewhere.
 *
 * What "continued" means (NumPyro's `post_warmup_state` semantics): a run resumed from a
 * checkpoint with {@link continuationKey} as its key draws exactly (bit for bit) what the
 * uninterrupted run would have drawn after that point, because each chain's state carries the key
 * of its next transition, and every transition is a pure function of the state. Chunking does not
 * matter: the draws do not depend on how the transitions are grouped into compiled chunks.
 *
 * ```ts
 * // first process: warm up and draw 1000, then save
 * await mcmc.run(random.key(0), data);
 * writeFileSync("ckpt.json", JSON.stringify(stateToJSON(mcmc.lastState)));
 * // later: a new MCMC configured as the first (same model, numWarmup, numChains, chainMethod)
 * const resumed = new MCMC(new NUTS(model), sameOptions);
 * resumed.postWarmupState = stateFromJSON(JSON.parse(readFileSync("ckpt.json", "utf8")));
 * await resumed.run(continuationKey(resumed.postWarmupState), data);   // the next draws
 * ```
 *
 * A resumed run does no warmup: checkpoint after warmup (a run's end, or an abort during sampling).
 *
 * {@link treeToJSON} and {@link treeFromJSON} do the same for any tree of arrays, such as an SVI
 * state: `svi.resume(treeFromJSON(saved) as SVIState, steps, ...args)` on an SVI that has been
 * initialized (`svi.init`) continues the fit exactly.
 */
import { Array as NDArray, np, type DType } from "../core/index.js";
import type { HMCState } from "./hmc/kernel.js";

/** A value JSON numbers cannot hold, as a string. */
type SpecialJSON = "NaN" | "Infinity" | "-Infinity" | "-0";

/** An array in JSON: dtype, shape and row-major values (NaN, infinities and -0 as strings). */
export interface ArrayJSON {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: readonly (number | SpecialJSON)[];
}

/** A tree of arrays in JSON: arrays marked `{ $array: ... }`, records and lists as they are. */
export type TreeJSON = { readonly $array: ArrayJSON } | { readonly [k: string]: TreeJSON } | readonly TreeJSON[] | number | boolean | string | null;

/** A checkpoint of MCMC sampler states, as {@link stateToJSON} writes it. */
export interface MCMCStateJSON {
  readonly format: "tyche.mcmc-state";
  readonly version: 1;
  /** One state per chain (sequential chains), or one state batched over chains (vectorized). */
  readonly states: readonly TreeJSON[];
}

const FORMAT = "tyche.mcmc-state";

/** The sampler states of an MCMC run (`mcmc.lastState`) as a JSON-safe object (`JSON.stringify` it to save). */
export function stateToJSON(states: readonly HMCState[]): MCMCStateJSON {
  if (!Array.isArray(states) || states.length === 0) throw new Error("stateToJSON: expected the states of a run (mcmc.lastState), got none; run the sampler first");
  return { format: FORMAT, version: 1, states: states.map((s, i) => toJSON(s, `states[${i}]`, "stateToJSON")) };
}

/** The sampler states saved by {@link stateToJSON} (the object, or its JSON text), to set as `mcmc.postWarmupState`. */
export function stateFromJSON(json: MCMCStateJSON | string): HMCState[] {
  const obj = (typeof json === "string" ? JSON.parse(json) : json) as MCMCStateJSON;
  if (typeof obj !== "object" || obj === null || obj.format !== FORMAT) throw new Error(`stateFromJSON: not an MCMC state checkpoint (expected format '${FORMAT}')`);
  if (obj.version !== 1) throw new Error(`stateFromJSON: unsupported checkpoint version ${String(obj.version)} (this tyche reads version 1)`);
  if (!Array.isArray(obj.states) || obj.states.length === 0) throw new Error("stateFromJSON: the checkpoint has no states");
  return obj.states.map((s, i) => {
    const state = fromJSON(s, `states[${i}]`, "stateFromJSON") as unknown as HMCState;
    for (const field of ["i", "z", "zGrad", "potentialEnergy", "adapt", "key"] as const)
      if (!(field in (state as object))) throw new Error(`stateFromJSON: states[${i}] has no '${field}': not a sampler state`);
    return state;
  });
}

/**
 * The key that continues the chains of `states` exactly where they stopped: the state's own key
 * for one chain, the chains' keys stacked (`[chains, 2]`) for several. Pass it to `mcmc.run`
 * with `mcmc.postWarmupState = states`.
 */
export function continuationKey(states: readonly HMCState[]): NDArray {
  if (states.length === 0) throw new Error("continuationKey: no states");
  return states.length === 1 ? states[0].key : np.stack(states.map((s) => s.key));
}

/**
 * Any tree of arrays (records, lists, numbers, strings, booleans, null; an SVI state, fitted
 * params, draws) as JSON-safe values, exactly: float32 and float64 values survive the round trip
 * through `JSON.stringify` and {@link treeFromJSON} bit for bit.
 */
export function treeToJSON(tree: unknown): TreeJSON {
  return toJSON(tree, "tree", "treeToJSON");
}

/** The tree of arrays written by {@link treeToJSON}. */
export function treeFromJSON(json: TreeJSON | string): unknown {
  return fromJSON(typeof json === "string" ? (JSON.parse(json) as TreeJSON) : json, "tree", "treeFromJSON");
}

function toJSON(x: unknown, path: string, who: string): TreeJSON {
  if (x instanceof NDArray) {
    if (!x.isConcrete) throw new Error(`${who}: ${path} is an abstract array (inside jit or vmap)`);
    const data = Array.from(x.dataSync(), (v): number | SpecialJSON => (Object.is(v, -0) ? "-0" : Number.isFinite(v) ? v : Number.isNaN(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity"));
    return { $array: { dtype: x.dtype, shape: [...x.shape], data } };
  }
  if (Array.isArray(x)) return x.map((v, i) => toJSON(v, `${path}[${i}]`, who));
  if (x === null || typeof x === "boolean" || typeof x === "string") return x;
  if (typeof x === "number") {
    if (!Number.isFinite(x)) throw new Error(`${who}: ${path} is ${x}, which JSON cannot hold (put it in an array)`);
    return x;
  }
  if (typeof x === "object" && (Object.getPrototypeOf(x) === Object.prototype || Object.getPrototypeOf(x) === null))
    return Object.fromEntries(Object.entries(x as object).map(([k, v]) => [k, toJSON(v, `${path}.${k}`, who)]));
  throw new Error(`${who}: ${path} is ${typeof x === "object" ? `a ${(x as object).constructor?.name ?? "object"}` : `a ${typeof x}`}, which JSON cannot hold`);
}

function fromJSON(x: TreeJSON, path: string, who: string): unknown {
  if (Array.isArray(x)) return x.map((v, i) => fromJSON(v, `${path}[${i}]`, who));
  if (x !== null && typeof x === "object") {
    if ("$array" in x) return arrayFromJSON((x as { $array: ArrayJSON }).$array, path, who);
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, fromJSON(v as TreeJSON, `${path}.${k}`, who)]));
  }
  return x;
}

const DTYPES: readonly DType[] = ["float32", "float64", "int32", "bool"];

function arrayFromJSON(a: ArrayJSON, path: string, who: string): NDArray {
  if (typeof a !== "object" || a === null || !DTYPES.includes(a.dtype)) throw new Error(`${who}: ${path} has dtype '${String(a?.dtype)}', expected one of ${DTYPES.join(", ")}`);
  if (!Array.isArray(a.shape) || !a.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`${who}: ${path} has an invalid shape`);
  const size = a.shape.reduce((p, d) => p * d, 1);
  if (!Array.isArray(a.data) || a.data.length !== size) throw new Error(`${who}: ${path} has ${Array.isArray(a.data) ? a.data.length : "no"} values, its shape [${a.shape.join(", ")}] needs ${size}`);
  const bad = (v: unknown): never => {
    throw new Error(`${who}: ${path} holds ${JSON.stringify(v)}, not a number`);
  };
  const special: Record<SpecialJSON, number> = { NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, "-0": -0 };
  const values = a.data.map((v) => (typeof v === "number" ? v : typeof v === "string" && Object.hasOwn(special, v) ? special[v as SpecialJSON] : bad(v)));
  return np.reshape(np.array(values, a.dtype), [...a.shape]);
}
