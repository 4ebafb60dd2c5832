/**
 * Callbacks of `SVI.run` and `SVI.resume`. A run executes its steps in compiled chunks; a
 * callback sees the run between chunks (`onChunk`, which may stop the run early) and may ask
 * for a function of the parameters to be evaluated after every step inside the compiled chunks
 * (`track`). `every` makes chunks end at multiples of that many steps, so a callback sees the
 * run at a fixed cadence.
 *
 * - {@link convergenceCheck}: stops when the parameters stop moving.
 * - {@link tracker}: records a function of the parameters at every step.
 */
import { np, tree, type Array as NDArray, type PyTree } from "../core/index.js";
import type { Params } from "./util.js";

/** What a callback is told when a run or a resume starts. */
export interface StartInfo {
  /** Steps the run will take unless stopped. */
  readonly numSteps: number;
  /** Whether this continues an earlier fit (`resume`) rather than starting one (`run`). */
  readonly resumed: boolean;
  /** The constrained parameters before the first step. */
  readonly params: Params;
}

/** What a callback is told after each chunk of steps. */
export interface ChunkInfo {
  /** Steps taken so far in this run. */
  readonly step: number;
  /** Steps the run will take unless stopped. */
  readonly numSteps: number;
  /** The constrained parameters after the chunk. */
  readonly params: Params;
  /** The loss at each step of the chunk, shape `[chunkSteps]`. */
  readonly losses: NDArray;
  /** This callback's `track` values at each step of the chunk (leading axis `chunkSteps`), or null without `track`. */
  readonly tracked: PyTree<NDArray> | null;
}

/** A callback of `SVI.run` / `SVI.resume`. Every member is optional. */
export interface SVICallback {
  /**
   * A function of the constrained parameters, evaluated after every step inside the compiled
   * run (so it must be written with array ops and not read values); its values reach
   * `onChunk` as `tracked`.
   */
  readonly track?: (params: Params) => PyTree<NDArray>;
  /** Call `onChunk` at every multiple of this many steps (chunks end there). */
  readonly every?: number;
  /** Called when a run starts. */
  onStart?(info: StartInfo): void;
  /** Called after each chunk of steps; return true to stop the run there. */
  onChunk?(info: ChunkInfo): boolean | void;
}

/** Options of {@link convergenceCheck}. */
export interface ConvergenceCheckOptions {
  /** The largest change of the parameters that counts as converged (default 1e-4). */
  tol?: number;
  /** Measure the change relative to the norm of the earlier parameters (default true). */
  relative?: boolean;
  /** The norm of the change: Euclidean (`"l2"`, default) or largest absolute entry (`"linf"`). */
  norm?: "l2" | "linf";
  /** Compare the parameters every this many steps (default 100). */
  every?: number;
}

/** A {@link convergenceCheck} callback, which also reports where it stopped the run. */
export interface ConvergenceCheck extends SVICallback {
  /** The step of the last run at which the parameters had converged, or null when they never did. */
  readonly convergedAt: number | null;
}

/**
 * Stops a run once the constrained parameters move less than `tol` over `every` steps: with
 * `relative`, `‖θ_t − θ_{t−every}‖ ≤ tol · ‖θ_{t−every}‖`, else `‖θ_t − θ_{t−every}‖ ≤ tol`, in the
 * chosen norm over all parameters flattened together.
 */
export function convergenceCheck(opts: ConvergenceCheckOptions = {}): ConvergenceCheck {
  const tol = opts.tol ?? 1e-4;
  const every = opts.every ?? 100;
  const relative = opts.relative ?? true;
  const norm = opts.norm ?? "l2";
  if (!(tol >= 0)) throw new Error(`convergenceCheck: tol must be non-negative, got ${tol}`);
  if (!(Number.isInteger(every) && every > 0)) throw new Error(`convergenceCheck: every must be a positive integer, got ${every}`);
  if (norm !== "l2" && norm !== "linf") throw new Error(`convergenceCheck: norm must be 'l2' or 'linf', got '${norm}'`);
  const measure = (v: Float64Array) => (norm === "l2" ? Math.sqrt(v.reduce((s, x) => s + x * x, 0)) : v.reduce((m, x) => Math.max(m, Math.abs(x)), 0));
  let previous: Float64Array | null = null;
  const check: ConvergenceCheck & { convergedAt: number | null } = {
    every,
    convergedAt: null,
    onStart(info) {
      previous = flatten(info.params);
      check.convergedAt = null;
    },
    onChunk(info) {
      if (info.step % every !== 0) return false;
      const current = flatten(info.params);
      const before = previous!;
      previous = current;
      const change = measure(current.map((x, i) => x - before[i]));
      const converged = change <= (relative ? tol * measure(before) : tol);
      if (converged) check.convergedAt = info.step;
      return converged;
    },
  };
  return check;
}

/** All entries of a record of arrays, in key order, as one vector. */
function flatten(params: Params): Float64Array {
  const parts = tree.leaves(params as PyTree<NDArray>).map((x) => x.dataSync());
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A {@link tracker} callback: its recorded values. */
export interface Tracker<T extends PyTree<NDArray>> extends SVICallback {
  /** The tracked values of every step since the last `run` started (leading axis: steps), or null before any step. */
  readonly values: T | null;
}

/**
 * Records `fn(params)` (constrained parameters) after every step of a run, and keeps
 * recording across `resume`; a new `run` starts a new record. `fn` runs inside the compiled
 * steps, so it must be written with array ops.
 */
export function tracker<T extends PyTree<NDArray>>(fn: (params: Params) => T): Tracker<T> {
  let chunks: PyTree<NDArray>[] = [];
  return {
    track: fn,
    onStart(info) {
      if (!info.resumed) chunks = [];
    },
    onChunk(info) {
      chunks.push(info.tracked);
    },
    get values(): T | null {
      if (chunks.length === 0) return null;
      return tree.map((...parts: NDArray[]) => np.concatenate(parts, 0), chunks[0], ...chunks.slice(1)) as T;
    },
  };
}
