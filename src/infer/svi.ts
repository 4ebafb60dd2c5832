/**
 * Stochastic variational inference (NumPyro's `SVI`): fits the params of a guide (and of the
 * model) by stochastic gradient descent on an ELBO loss. Params are optimized in unconstrained
 * space: each param site's value is mapped through `bijectTo(constraint)` (NumPyro semantics).
 *
 * `update` is a pure step, compiled with `jit` once per signature of the model arguments: the
 * arrays among them (tyche Arrays, also inside plain arrays and objects) are inputs of the
 * compiled program, so new data of the same shapes reuses it; every other value (numbers,
 * strings, JS number arrays, functions) is baked into the program and selects it. `run` compiles
 * chunks of steps as one `scan`, yields to the event loop between chunks, reports progress, and
 * lets callbacks stop it early.
 */
import { Array as NDArray, getBackend, jit, np, random, scan, toHost, tree, valueAndGrad, withBackend, type Jitted, type PyTree } from "../core/index.js";
import { bijectTo, type Transform } from "../distributions/transforms.js";
import { replay, seed, substitute, trace, type Key, type Model, type Trace } from "../handlers/index.js";
import type { SVICallback } from "./callbacks.js";
import type { ELBO } from "./elbo.js";
import type { Optimizer, OptimizerState } from "./optim.js";
import { transformFn, type Params } from "./util.js";

/** The state of an SVI fit: the optimizer's state (over unconstrained params) and the key of the next step. */
export interface SVIState {
  readonly optimState: OptimizerState<Params>;
  readonly rngKey: Key;
}

/** What `run` and `resume` return. */
export interface SVIRunResult {
  /** The constrained params at the end. */
  readonly params: Params;
  /** The last state (pass it to `resume` to continue). */
  readonly state: SVIState;
  /** The loss at each step taken, shape `[steps]` (fewer than asked when a callback stopped the run). */
  readonly losses: NDArray;
}

/** Options of {@link SVI}. */
export interface SVIOptions {
  /** Callbacks of `run` and `resume` (convergence checks, trackers). */
  callbacks?: readonly SVICallback[];
  /** A live progress line on stderr (default: when stderr is a terminal and CI is not set). */
  progressBar?: boolean;
  /**
   * Skip steps whose loss or gradient is not finite: the state stays (its key advances) and the
   * step's loss is NaN. Default false.
   */
  stableUpdate?: boolean;
  /** Steps per compiled chunk of `run` (default 100). */
  chunkSize?: number;
  /** Compile steps with `jit` (default true); false runs them eagerly, op by op. */
  jit?: boolean;
}

/**
 * Stochastic variational inference: `new SVI(model, guide, optimizer, loss, options)`, then
 * `await svi.run(key, numSteps, ...modelArgs)`, or `init` / `update` / `getParams` for a
 * custom loop. The model and the guide take the same arguments.
 */
export class SVI<A extends unknown[] = any[]> {
  private transforms: Readonly<Record<string, Transform>> | null = null;
  private readonly compiled = new Map<string, Jitted<(state: SVIState, arrays: NDArray[]) => unknown>>();
  private readonly callbacks: readonly SVICallback[];
  private readonly chunkSize: number;

  /**
   * @param model the model (calls `sample`, `plate`, `param`, ...)
   * @param guide the guide: a model over the same latent sites, with the params to fit (or an autoguide)
   * @param optimizer a pure optimizer (`adam(0.01)`, ...)
   * @param loss the ELBO to minimize (`new TraceELBO()`, ...)
   * @param options callbacks, progress bar, stable updates, chunking, jit
   */
  constructor(
    readonly model: Model<A>,
    readonly guide: Model<A>,
    readonly optimizer: Optimizer,
    readonly loss: ELBO,
    readonly options: SVIOptions = {},
  ) {
    this.callbacks = options.callbacks ?? [];
    this.chunkSize = options.chunkSize ?? 100;
    if (!(Number.isInteger(this.chunkSize) && this.chunkSize > 0)) throw new Error(`SVI: chunkSize must be a positive integer, got ${this.chunkSize}`);
    for (const c of this.callbacks)
      if (c.every !== undefined && !(Number.isInteger(c.every) && c.every > 0)) throw new Error(`SVI: a callback's every must be a positive integer, got ${c.every}`);
  }

  /**
   * The initial state: runs the guide (seeded from `key`) and the model replayed against it,
   * collects their param sites (the guide's value wins for a param both have), and maps each
   * into unconstrained space. Runs eagerly.
   */
  init(key: Key, ...args: A): SVIState {
    const [rngKey, modelSeed, guideSeed] = random.splitList(key, 3);
    const guideTrace = trace(seed(this.guide, guideSeed)).getTrace(...args);
    const guideParams = paramValues(guideTrace);
    const modelTrace = trace(substitute(replay(seed(this.model, modelSeed), guideTrace), guideParams)).getTrace(...args);
    checkModelGuideMatch(modelTrace, guideTrace);
    const transforms: Record<string, Transform> = {};
    const unconstrained: Params = {};
    for (const site of [...modelTrace.values(), ...guideTrace.values()]) {
      if (site.type !== "param") continue;
      let t: Transform;
      try {
        t = bijectTo(site.constraint);
      } catch (e) {
        throw new Error(`SVI: param site '${site.name}': ${(e as Error).message}`);
      }
      transforms[site.name] = t;
      unconstrained[site.name] = t.inverse(np.asarray(site.value!));
    }
    this.transforms = transforms;
    this.compiled.clear();
    return { optimState: this.optimizer.init(unconstrained), rngKey };
  }

  /** The constrained values of the params held by `state`. */
  getParams(state: SVIState): Params {
    return transformFn(this.transformsOf("getParams"), this.optimizer.getParams(state.optimState));
  }

  /** One optimization step on `args` (pure: returns the next state and the loss before the step). */
  update(state: SVIState, ...args: A): [SVIState, NDArray] {
    return this.call("update", (s, a) => this.step(s, a), state, args);
  }

  /** The loss at the params of `state`, with the key `update` would use. */
  evaluate(state: SVIState, ...args: A): NDArray {
    return this.call(
      "evaluate",
      (s, a) => {
        const [, key] = random.splitList(s.rngKey, 2);
        return this.loss.loss(key, this.getParams(s), this.model, this.guide, ...a);
      },
      state,
      args,
    );
  }

  /** Initializes from `key` and takes `numSteps` steps (see {@link SVI.resume}). */
  async run(key: Key, numSteps: number, ...args: A): Promise<SVIRunResult> {
    checkSteps(numSteps);
    if (getBackend() !== "webgpu") return this.drive(this.init(key, ...args), numSteps, args, false);
    // on WebGPU the model and guide are set up on the host; the compiled chunks run on the device
    const hostKey = await toHost(key);
    const hostArgs = await tree.toHostDeep(args);
    return this.drive(
      withBackend("js", () => this.init(hostKey, ...hostArgs)),
      numSteps,
      hostArgs,
      false,
    );
  }

  /**
   * Takes `numSteps` more steps from `state` (a state of this SVI, e.g. an earlier result's),
   * in compiled chunks, stopping early when a callback says so.
   */
  async resume(state: SVIState, numSteps: number, ...args: A): Promise<SVIRunResult> {
    checkSteps(numSteps);
    this.transformsOf("resume");
    return this.drive(state, numSteps, args, true);
  }

  private async drive(initial: SVIState, numSteps: number, args: A, resumed: boolean): Promise<SVIRunResult> {
    const tracks = this.callbacks.map((c) => c.track ?? null);
    const tracking = tracks.some((t) => t !== null);
    const chunk = (n: number) => (s0: SVIState, a: A) =>
      scan(
        (s: SVIState) => {
          const [next, loss] = this.step(s, a);
          const params = tracking ? this.getParams(next) : {};
          return [next, [loss, tracks.map((t) => (t === null ? null : t(params)))]] as const;
        },
        s0,
        null,
        { length: n },
      );
    const onDevice = getBackend() === "webgpu";
    if (this.callbacks.length > 0) {
      const params = onDevice ? await tree.toHostDeep(this.getParams(initial)) : this.getParams(initial);
      for (const c of this.callbacks) c.onStart?.({ numSteps, resumed, params });
    }
    const progress = new ProgressLine(this.options.progressBar, numSteps);
    const lossChunks: NDArray[] = [];
    let state = initial;
    let done = 0;
    let stop = false;
    while (done < numSteps && !stop) {
      const n = Math.min(numSteps - done, this.chunkSize, ...this.callbacks.map((c) => (c.every === undefined ? Infinity : c.every - (done % c.every))));
      const [next, [deviceLosses, deviceTracked]] = (onDevice ? await this.callAsync(`chunk${n}`, chunk(n), state, args) : this.call(`chunk${n}`, chunk(n), state, args)) as [
        SVIState,
        [NDArray, (PyTree<NDArray> | null)[]],
      ];
      state = next;
      done += n;
      // what the run reports comes back to the host: all that leaves the device
      const losses = onDevice ? await toHost(deviceLosses) : deviceLosses;
      const tracked = onDevice ? await tree.toHostDeep(deviceTracked) : deviceTracked;
      lossChunks.push(losses);
      progress.report(done, losses);
      if (this.callbacks.length > 0) {
        const params = onDevice ? await tree.toHostDeep(this.getParams(state)) : this.getParams(state);
        for (const [i, c] of this.callbacks.entries()) if (c.onChunk?.({ step: done, numSteps, params, losses, tracked: tracked[i] })) stop = true;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    progress.finish();
    const concat = () => (lossChunks.length === 1 ? lossChunks[0] : np.concatenate(lossChunks, 0));
    if (!onDevice) return { params: this.getParams(state), state, losses: concat() };
    return { params: await tree.toHostDeep(this.getParams(state)), state, losses: withBackend("js", concat) };
  }

  /** One step: the loss and its gradient at the current unconstrained params, then the optimizer's update. */
  private step(state: SVIState, args: A): [SVIState, NDArray] {
    const transforms = this.transformsOf("update");
    const [rngKey, stepKey] = random.splitList(state.rngKey, 2);
    const lossOf = (p: Params) => this.loss.loss(stepKey, transformFn(transforms, p), this.model, this.guide, ...args);
    const [loss, grads] = valueAndGrad(lossOf)(this.optimizer.getParams(state.optimState)) as [NDArray, Params];
    const updated = this.optimizer.update(grads, state.optimState);
    if (!this.options.stableUpdate) return [{ optimState: updated, rngKey }, loss];
    const ok = tree.leaves(grads as PyTree<NDArray>).reduce((acc, g) => np.logicalAnd(acc, np.all(np.isfinite(g))), np.isfinite(loss));
    const optimState = tree.map((a: NDArray, b: NDArray) => np.where(ok, a, b), updated as never, state.optimState as never) as unknown as OptimizerState<Params>;
    return [{ optimState, rngKey }, np.where(ok, loss, NaN)];
  }

  /**
   * `f(state, args)`, compiled once per `kind` and signature of the arguments (the arrays among
   * them are inputs of the compiled program; everything else is baked in), or eagerly without jit.
   */
  private call<R>(kind: string, f: (s: SVIState, args: A) => R, state: SVIState, args: A): R {
    if (this.options.jit === false) return f(state, args);
    const [compiled, arrays] = this.compiledFor(kind, f, args);
    return compiled(state, arrays) as R;
  }

  /** {@link SVI.call} resolved asynchronously: how compiled chunks run on WebGPU. */
  private async callAsync<R>(kind: string, f: (s: SVIState, args: A) => R, state: SVIState, args: A): Promise<R> {
    if (this.options.jit === false) return f(state, args);
    const [compiled, arrays] = this.compiledFor(kind, f, args);
    return (await compiled.async(state, arrays)) as R;
  }

  private compiledFor<R>(kind: string, f: (s: SVIState, args: A) => R, args: A): [Jitted<(s: SVIState, arrays: NDArray[]) => unknown>, NDArray[]] {
    const split = splitArgs(args);
    const cacheKey = `${kind}|${split.signature}`;
    let compiled = this.compiled.get(cacheKey);
    if (!compiled) {
      compiled = jit((s: SVIState, arrays: NDArray[]) => f(s, split.rebuild(arrays) as A));
      this.compiled.set(cacheKey, compiled);
    }
    return [compiled, split.arrays];
  }

  private transformsOf(who: string): Readonly<Record<string, Transform>> {
    if (this.transforms === null) throw new Error(`SVI.${who}: call init (or run) first`);
    return this.transforms;
  }
}

function checkSteps(numSteps: number): void {
  if (!(Number.isInteger(numSteps) && numSteps > 0)) throw new Error(`SVI: numSteps must be a positive integer, got ${numSteps}`);
}

/** The values of the param sites of a trace. */
function paramValues(tr: Trace): Params {
  const out: Params = {};
  for (const [name, site] of tr) if (site.type === "param") out[name] = site.value!;
  return out;
}

/**
 * Checks that every latent site of the model has a latent site of the same name in the guide
 * (else the model would draw it from its prior and the ELBO would be wrong), and warns about
 * guide sites the model lacks that are not marked `infer.isAuxiliary`, and about discrete latent
 * sites, which the ELBOs here cannot handle.
 */
function checkModelGuideMatch(modelTrace: Trace, guideTrace: Trace): void {
  const isLatent = (tr: Trace, name: string) => {
    const s = tr.get(name);
    return s !== undefined && s.type === "sample" && !s.isObserved;
  };
  for (const [name, site] of modelTrace) {
    if (site.type !== "sample" || site.isObserved) continue;
    if (!isLatent(guideTrace, name)) throw new Error(`SVI: site '${name}' is latent in the model, but the guide has no latent site of that name`);
    if (site.fn.support.isDiscrete) console.warn(`SVI: site '${name}' is a discrete latent variable (${site.fn.name}); the ELBO estimators do not support discrete latent sites`);
  }
  for (const [name, site] of guideTrace)
    if (site.type === "sample" && !site.isObserved && !site.infer.isAuxiliary && !modelTrace.has(name))
      console.warn(`SVI: the guide has a latent site '${name}' the model lacks (mark it infer: { isAuxiliary: true } if intended)`);
}

/** A model argument list split into its arrays (inputs of the compiled program) and the rest (baked in). */
interface SplitArgs {
  /** Identifies the non-array values and where the arrays sit. */
  readonly signature: string;
  /** The arrays, in order of appearance. */
  readonly arrays: NDArray[];
  /** The argument list with its arrays replaced by `arrays`. */
  rebuild(arrays: readonly NDArray[]): unknown[];
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;

/** A string identifying a non-array value: by content for primitives, by identity for objects. */
function staticSignature(v: unknown): string {
  if (v === undefined) return "undefined";
  if (v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  let id = objectIds.get(v as object);
  if (id === undefined) {
    id = nextObjectId++;
    objectIds.set(v as object, id);
  }
  return `#${id}`;
}

/** A marker of where an array sat in an argument list. */
class ArraySlot {
  constructor(readonly index: number) {}
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

function splitArgs(args: readonly unknown[]): SplitArgs {
  const arrays: NDArray[] = [];
  const parts: string[] = [];
  const skeleton = (v: unknown): unknown => {
    if (v instanceof NDArray) {
      parts.push("@");
      arrays.push(v);
      return new ArraySlot(arrays.length - 1);
    }
    if (Array.isArray(v)) {
      parts.push(`[${v.length}`);
      return v.map(skeleton);
    }
    if (isPlainObject(v)) {
      const keys = Object.keys(v).sort();
      parts.push(`{${JSON.stringify(keys)}`);
      return Object.fromEntries(keys.map((k) => [k, skeleton(v[k])]));
    }
    parts.push(staticSignature(v));
    return v;
  };
  const shape = args.map(skeleton);
  const fill = (v: unknown, xs: readonly NDArray[]): unknown => {
    if (v instanceof ArraySlot) return xs[v.index];
    if (Array.isArray(v)) return v.map((x) => fill(x, xs));
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x, xs)]));
    return v;
  };
  return { signature: parts.join(","), arrays, rebuild: (xs) => shape.map((v) => fill(v, xs)) };
}

/** The progress line of a run on stderr: steps done, initial loss, mean loss of the last chunk. */
class ProgressLine {
  private readonly enabled: boolean;
  private initLoss: number | null = null;
  private last = 0;
  private shown = false;

  constructor(
    wanted: boolean | undefined,
    private readonly total: number,
  ) {
    const stderr = typeof process === "undefined" ? undefined : process.stderr;
    this.enabled = stderr !== undefined && (wanted ?? (stderr.isTTY === true && !process.env.CI));
  }

  report(done: number, losses: NDArray): void {
    if (!this.enabled) return;
    this.initLoss ??= np.take(losses, 0).item();
    const now = performance.now();
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    const avg = np.mean(losses).item();
    process.stderr.write(`\rSVI ${done}/${this.total} (${Math.round((100 * done) / this.total)}%) | init loss ${this.initLoss.toPrecision(6)} | avg loss ${avg.toPrecision(6)}   `);
    this.shown = true;
  }

  finish(): void {
    if (this.shown) process.stderr.write("\n");
  }
}
