/**
 * The MCMC driver: runs a kernel's pure transition for numWarmup + numSamples iterations per
 * chain and collects the draws. The transition is compiled once (jit) and run in chunks of
 * iterations (a scan inside the compiled program), so per-iteration overhead stays small.
 * Chains run one after the other ('sequential') or in lock-step as one batch ('vectorized':
 * vmap of the transition, per-chain step sizes and mass matrices).
 */
import { Array as NDArray, getBackend, jit, type Jitted, np, random, scan, toHost, tree, vmap, withBackend } from "../core/index.js";
import { stateFromJSON, stateToJSON, treeFromJSON, treeToJSON, type MCMCStateJSON, type TreeJSON } from "./checkpoint.js";
import { printSummary, type PrintSummaryOptions } from "./diagnostics.js";
import type { HMCState, MCMCKernel } from "./hmc/kernel.js";
import type { Params } from "./util.js";

/** A compiled chunk of transitions: the new state and the collected fields. */
type CompiledChunk = Jitted<(s: HMCState, fixed: Params, ...args: unknown[]) => [HMCState, NDArray[]]>;

/** Whether a model argument is a tree of arrays (an input of the compiled program) rather than a static value. */
function isArrayTree(x: unknown): boolean {
  if (x instanceof NDArray) return true;
  if (Array.isArray(x)) return x.length > 0 && x.every(isArrayTree);
  if (typeof x === "object" && x !== null && Object.getPrototypeOf(x) === Object.prototype) {
    const values = Object.values(x);
    return values.length > 0 && values.every(isArrayTree);
  }
  return false;
}

/**
 * How chains are run: one after the other, in lock-step as one batched program, or each in its
 * own worker thread (which needs `worker`: a model is a closure and cannot be sent to a thread).
 */
export type ChainMethod = "sequential" | "vectorized" | "parallel";

/** Progress of a run, reported after each chunk of iterations. */
export interface Progress {
  readonly chain: number | null;
  readonly iteration: number;
  readonly total: number;
  readonly phase: "warmup" | "sample";
  readonly drawsPerSecond: number;
  readonly stepSize: number;
  readonly divergences: number;
}

/** Options of {@link MCMC}. */
export interface MCMCOptions {
  numWarmup?: number;
  numSamples?: number;
  numChains?: number;
  /** Keep every `thinning`-th draw (default 1). */
  thinning?: number;
  chainMethod?: ChainMethod;
  /** A live progress line on a terminal (default: when stderr is a TTY and CI is not set). */
  progressBar?: boolean;
  /** Called with the progress after each chunk of iterations. */
  onProgress?: (p: Progress) => void;
  /** Stops the run cleanly; the draws so far are kept. */
  signal?: AbortSignal;
  /** Starting point: a position (pytree) for one chain; with several chains, one per chain stacked along a leading axis. */
  initParams?: unknown;
  /**
   * Iterations per compiled chunk. By default the largest size in 32..64 that divides the
   * lengths of warmup and sampling (so one compiled program serves every chunk), else 64.
   */
  chunkSize?: number;
  /**
   * For chainMethod 'parallel': the module (a URL or URL string, e.g. `new URL("./model.ts",
   * import.meta.url)`) whose export `export` (default "kernel") is a function returning a fresh
   * kernel, e.g. `export const kernel = () => new NUTS(model)`. Model arguments are copied to the
   * threads, so they must be arrays, numbers, strings, booleans or records and lists of them.
   */
  worker?: { module: string | URL; export?: string };
}

/** Per-draw statistics of the sampler. */
export type ExtraFields = {
  diverging: NDArray;
  numSteps: NDArray;
  acceptProb: NDArray;
  meanAcceptProb: NDArray;
  energy: NDArray;
  potentialEnergy: NDArray;
  stepSize: NDArray;
  treeDepth: NDArray;
};

const FIELD_NAMES = ["diverging", "numSteps", "acceptProb", "meanAcceptProb", "energy", "potentialEnergy", "stepSize", "treeDepth"] as const;

/** What one transition contributes to the collection: the position and the extra fields. */
function collected(s: HMCState): NDArray[] {
  return [
    s.z,
    np.astype(s.diverging, "float32"),
    s.numSteps,
    s.acceptProb,
    s.meanAcceptProb,
    s.energy,
    s.potentialEnergy,
    s.adapt.stepSize,
    np.astype(s.treeDepth, "float32"),
  ];
}

const tick = () => new Promise<void>((r) => (typeof setImmediate === "function" ? setImmediate(r) : setTimeout(r, 0)));

/** The single value of a size-1 array, read asynchronously (the only read WebGPU allows). */
const readScalar = async (x: NDArray): Promise<number> => (await x.data())[0];

/**
 * Markov chain Monte Carlo: `new MCMC(new NUTS(model), {numWarmup, numSamples, numChains})`,
 * then `await mcmc.run(key, ...modelArgs)` and `mcmc.getSamples()`.
 */
export class MCMC {
  readonly numWarmup: number;
  readonly numSamples: number;
  readonly numChains: number;
  readonly thinning: number;
  readonly chainMethod: ChainMethod;
  private draws: Record<string, NDArray> | null = null;
  private fields: ExtraFields | null = null;
  private lastStates: HMCState[] = [];
  private drawCount = 0;
  /** Compiled chunks of transitions, by length, batching and which model arguments are arrays. */
  private readonly compiled = new Map<string, CompiledChunk>();

  constructor(
    readonly kernel: MCMCKernel,
    readonly options: MCMCOptions = {},
  ) {
    this.numWarmup = options.numWarmup ?? 1000;
    this.numSamples = options.numSamples ?? 1000;
    this.numChains = options.numChains ?? 1;
    this.thinning = options.thinning ?? 1;
    this.chainMethod = options.chainMethod ?? "sequential";
    for (const [name, v, min] of [
      ["numWarmup", this.numWarmup, 0],
      ["numSamples", this.numSamples, 1],
      ["numChains", this.numChains, 1],
      ["thinning", this.thinning, 1],
    ] as const)
      if (!Number.isInteger(v) || v < min) throw new Error(`MCMC: ${name} must be an integer >= ${min}, got ${v}`);
    if (!["sequential", "vectorized", "parallel"].includes(this.chainMethod))
      throw new Error(`MCMC: chainMethod must be 'sequential', 'vectorized' or 'parallel', got '${this.chainMethod}'`);
    if (this.chainMethod === "parallel" && !options.worker)
      throw new Error("MCMC: chainMethod 'parallel' needs options.worker = { module, export } naming a module that exports a function returning the kernel (a model cannot be sent to a thread)");
  }

  /** The state after the last run (per chain, or one batched state for vectorized chains). */
  get lastState(): HMCState[] {
    return this.lastStates;
  }

  /** The state(s) the next run starts from, skipping initialization and warmup (set it to `lastState` to continue a run). */
  postWarmupState: HMCState[] | null = null;

  /**
   * Runs the chains; resolves when done or aborted. Model arguments are passed to the model
   * untouched. `key` is split into one key per chain, or is already one key per chain (shape
   * `[numChains, 2]`, as `continuationKey` of a checkpoint gives). With `postWarmupState` set, the
   * run continues from those states without warmup (their kernel is prepared first when this
   * MCMC's kernel is new); with the states' own keys it continues them exactly.
   */
  async run(key: NDArray, ...modelArgs: unknown[]): Promise<void> {
    if (getBackend() === "webgpu" && this.chainMethod !== "parallel") {
      // the model is set up on the host (see `start`): its key and arguments must be readable there
      key = await toHost(key);
      modelArgs = await tree.toHostDeep(modelArgs);
    }
    const keys = this.numChains > 1 ? (getBackend() === "webgpu" ? withBackend("js", () => this.chainKeys(key)) : this.chainKeys(key)) : null;
    const ip = this.options.initParams;
    if (ip !== undefined && keys && !this.chainInitBatched(ip))
      throw new Error(`MCMC: with numChains = ${this.numChains}, initParams needs a leading axis of length ${this.numChains} on every leaf (one start per chain)`);
    if (this.chainMethod === "parallel") return this.runParallel(keys ? Array.from({ length: this.numChains }, (_, c) => np.take(keys, c, 0)) : [key], modelArgs);
    const onDevice = getBackend() === "webgpu";
    const resume = this.postWarmupState;
    if (resume) this.prepareResume(resume, keys ? np.take(keys, 0, 0) : key, modelArgs);
    const numWarmup = resume ? 0 : this.numWarmup;
    const total = numWarmup + this.numSamples;
    const chunk = this.options.chunkSize ?? defaultChunk([numWarmup, this.numSamples]);
    // the model's arguments and fixed params are arguments of the compiled chunk, so runs on new
    // data of the same shapes reuse it; non-array arguments (sizes, flags) are static
    const inputs: { args: readonly unknown[]; fixed: Params } = resume ? { ...this.kernel.inputs, args: modelArgs } : { args: modelArgs, fixed: {} };
    const runChunk = (n: number, batched: boolean) => {
      const chunkKey = `${n}|${batched}|${modelArgs.map((a) => (isArrayTree(a) ? "a" : "s")).join("")}`;
      let f = this.compiled.get(chunkKey);
      if (!f) {
        const body = (s: HMCState, fixed: Params, args: unknown[]) =>
          scan((st: HMCState) => {
            const next = this.kernel.sample(st, { args, fixed });
            return [next, collected(next)] as const;
          }, s, null, { length: n });
        const staticArgnums = modelArgs.flatMap((a, i) => (isArrayTree(a) ? [] : [i + 2]));
        f = jit(
          (s: HMCState, fixed: Params, ...args: unknown[]) => (batched ? vmap((st: HMCState) => body(st, fixed, args))(s) : body(s, fixed, args)),
          { staticArgnums },
        ) as CompiledChunk;
        this.compiled.set(chunkKey, f);
      }
      // on WebGPU the chunk runs asynchronously (its loops read their predicates back)
      return (s: HMCState): Promise<[HMCState, NDArray[]]> | [HMCState, NDArray[]] => (onDevice ? f.async(s, inputs.fixed, ...inputs.args) : f(s, inputs.fixed, ...inputs.args));
    };
    const perChain: NDArray[][][] = []; // [chain][chunk][field]
    const drive = async (state: HMCState, batched: boolean, chain: number | null): Promise<[HMCState, NDArray[][]]> => {
      const parts: NDArray[][] = [];
      let s = state;
      let done = 0;
      const t0 = performance.now();
      let divergences = 0;
      while (done < total) {
        if (this.options.signal?.aborted) break;
        // chunks end at the warmup boundary so warmup draws are never kept
        const boundary = done < numWarmup ? numWarmup : total;
        const n = Math.min(chunk, boundary - done);
        const [next, out] = await runChunk(n, batched)(s);
        s = next;
        // the draws come back to the host: all that leaves the device besides loop predicates
        if (done >= numWarmup) parts.push(onDevice ? await Promise.all(out.map(toHost)) : out);
        done += n;
        if (done > numWarmup) divergences += await readScalar(np.sum(out[1]));
        this.report({
          chain,
          iteration: done,
          total,
          phase: done <= numWarmup ? "warmup" : "sample",
          drawsPerSecond: (done * (batched ? this.numChains : 1)) / ((performance.now() - t0) / 1000),
          stepSize: await readScalar(np.mean(s.adapt.stepSize)),
          divergences,
        });
        await tick();
      }
      return [s, parts];
    };
    const start = (k: NDArray, initParams: unknown): HMCState => {
      // models are set up (and their data checked) on the host; only the compiled chunks run on WebGPU
      const state = onDevice ? withBackend("js", () => this.kernel.init(k, this.numWarmup, modelArgs, initParams as never)) : this.kernel.init(k, this.numWarmup, modelArgs, initParams as never);
      inputs.fixed = this.kernel.inputs.fixed;
      return state;
    };
    if (this.chainMethod === "vectorized" && keys) {
      const init = resume ? { ...resume[0], key: keys } : start(keys, this.options.initParams);
      const [last, parts] = await drive(init, true, null);
      this.lastStates = [last];
      // parts: [chunk][field], each of shape [chains, n, ...]
      const split = () => {
        for (let c = 0; c < this.numChains; c++) perChain.push(parts.map((fields) => fields.map((f) => np.take(f, c, 0))));
      };
      if (onDevice) withBackend("js", split);
      else split();
    } else {
      this.lastStates = [];
      for (let c = 0; c < this.numChains; c++) {
        const k = keys ? np.take(keys, c, 0) : key;
        const init = resume ? { ...resume[c], key: k } : start(k, ip !== undefined && keys ? takeTree(ip, c) : ip);
        const [last, parts] = await drive(init, false, c);
        this.lastStates.push(last);
        perChain.push(parts);
        if (this.options.signal?.aborted) break;
      }
    }
    this.finishProgress();
    if (onDevice) withBackend("js", () => this.collect(perChain));
    else this.collect(perChain);
  }

  /**
   * One key per chain: `key` split, or, given a batch of keys of shape `[numChains, 2]` (the keys
   * of a checkpoint's chains, say), those keys as they are (NumPyro's convention).
   */
  private chainKeys(key: NDArray): NDArray {
    if (key.ndim === 1) return random.split(key, this.numChains);
    if (key.ndim === 2 && key.shape[0] === this.numChains && key.shape[1] === 2) return key;
    throw new Error(`MCMC: expected a key (shape [2]) or one key per chain (shape [${this.numChains}, 2]), got shape [${key.shape.join(", ")}]`);
  }

  /**
   * Checks that the states to resume from fit this run's chains, and prepares the kernel's
   * target when it has not been prepared (a new kernel resuming a saved checkpoint): the state
   * carries the position, adaptation and key, the kernel the model's potential.
   */
  private prepareResume(resume: readonly HMCState[], key: NDArray, modelArgs: unknown[]): void {
    const want = this.chainMethod === "vectorized" && this.numChains > 1 ? 1 : this.numChains;
    if (resume.length !== want)
      throw new Error(
        `MCMC: postWarmupState has ${resume.length} state(s); ${this.chainMethod} sampling of ${this.numChains} chain(s) resumes from ${want === 1 && this.numChains > 1 ? "one state batched over the chains (a vectorized run's lastState)" : `${want} (a ${this.chainMethod} run's lastState)`}`,
      );
    let prepared = true;
    try {
      void this.kernel.inputs;
    } catch {
      prepared = false;
    }
    if (prepared) return;
    const ip = this.options.initParams;
    this.kernel.init(key, this.numWarmup, modelArgs, (ip !== undefined && this.numChains > 1 ? takeTree(ip, 0) : ip) as never);
  }

  /** The chains of the last parallel run that failed, with their errors. */
  private failed: { readonly chain: number; readonly error: Error }[] = [];
  /** The chains whose draws were kept by the last parallel run (null: not a parallel run). */
  private kept: number[] | null = null;

  /**
   * The chains of the last run (chainMethod 'parallel') that failed, each with its error: its
   * worker thread threw, crashed (an uncaught error) or exited before returning its draws. Empty
   * when every chain finished. When it is not empty, `run` rejected, and the draws of the other
   * chains are kept (see {@link MCMC.keptChains}).
   */
  get failedChains(): readonly { readonly chain: number; readonly error: Error }[] {
    return this.failed;
  }

  /**
   * The chain indices the draws of the last run belong to, in order: with `groupByChain`, row `i`
   * of {@link MCMC.getSamples} and {@link MCMC.getExtraFields} (and `lastState[i]` for parallel
   * chains) is chain `keptChains[i]`. All chains `0..numChains-1` after a complete run; fewer when
   * parallel chains failed (see {@link MCMC.failedChains}) or a sequential run was aborted between chains.
   */
  get keptChains(): readonly number[] {
    if (this.kept) return this.kept;
    return Array.from({ length: this.fields ? this.fields.diverging.shape[0] : 0 }, (_, c) => c);
  }

  /**
   * Runs each chain in a worker thread (a sequential MCMC of one chain there) and gathers the
   * draws. Every worker is awaited; if any chain failed, the draws of those that finished are
   * kept and the run rejects with an AggregateError naming each failed chain and its error.
   */
  private async runParallel(keys: NDArray[], modelArgs: unknown[]): Promise<void> {
    // imported here, not at the top, so that the module bundles for browsers (no worker_threads there)
    const { Worker } = await import("node:worker_threads");
    const { module, export: exportName = "kernel" } = this.options.worker!;
    const args = modelArgs.map((a, i) => {
      if (a === undefined) return null;
      if (typeof a === "function") throw new Error(`MCMC (parallel): model argument ${i} is a function, which cannot be copied to a worker thread`);
      return treeToJSON(a);
    });
    const ip = this.options.initParams;
    const resume = this.postWarmupState;
    if (resume && resume.length !== keys.length)
      throw new Error(
        `MCMC: postWarmupState has ${resume.length} state(s); parallel sampling of ${keys.length} chain(s) resumes from ${keys.length} (a parallel run's lastState, which after failed chains holds only the kept chains: see mcmc.keptChains)`,
      );
    type Done = { samples: TreeJSON; fields: TreeJSON; state: MCMCStateJSON };
    type Message = { type: string; progress?: Progress; message?: string; name?: string; stack?: string };
    const outcomes = await Promise.allSettled(
      keys.map(
        (k, c) =>
          new Promise<Done>((resolve, reject) => {
            const worker = new Worker(new URL("./mcmc-worker.mjs", import.meta.url), {
              workerData: {
                chain: c,
                module: typeof module === "string" ? module : module.href,
                exportName,
                key: treeToJSON(k),
                args,
                resume: resume ? stateToJSON([resume[c]]) : null,
                options: {
                  numWarmup: this.numWarmup,
                  numSamples: this.numSamples,
                  thinning: this.thinning,
                  chunkSize: this.options.chunkSize,
                  initParams: ip === undefined ? undefined : treeToJSON(keys.length > 1 ? takeTree(ip, c) : ip),
                },
              },
            });
            const abort = () => worker.postMessage("abort");
            this.options.signal?.addEventListener("abort", abort);
            let settled = false;
            const settle = (result: { done: Done } | { error: Error }) => {
              if (settled) return;
              settled = true;
              this.options.signal?.removeEventListener("abort", abort);
              void worker.terminate();
              if ("done" in result) resolve(result.done);
              else reject(result.error);
            };
            worker.on("message", (m: Message) => {
              if (m.type === "progress") this.report({ ...m.progress!, chain: c });
              else if (m.type === "done") settle({ done: m as unknown as Done });
              else if (m.type === "error") {
                const cause = Object.assign(new Error(m.message), { name: m.name ?? "Error", stack: m.stack });
                settle({ error: new Error(`MCMC: chain ${c} failed in its worker thread: ${m.message}`, { cause }) });
              }
            });
            worker.on("error", (e) => settle({ error: new Error(`MCMC: the worker thread of chain ${c} crashed: ${e.message}`, { cause: e }) }));
            // a worker that ends without a result (process.exit, or killed) is a failure too
            worker.on("exit", (code) => settle({ error: new Error(`MCMC: the worker thread of chain ${c} exited (code ${code}) before returning its draws`) }));
          }),
      ),
    );
    this.finishProgress();
    const results: Done[] = [];
    this.failed = [];
    this.kept = [];
    outcomes.forEach((o, c) => {
      if (o.status === "fulfilled") {
        results.push(o.value);
        this.kept!.push(c);
      } else this.failed.push({ chain: c, error: o.reason instanceof Error ? o.reason : new Error(String(o.reason)) });
    });
    if (results.length > 0) {
      // each worker's draws have shape [1, n, ...]; chains stopped early keep the draws all of them have
      const samples = results.map((r) => treeFromJSON(r.samples) as Record<string, NDArray>);
      const fields = results.map((r) => treeFromJSON(r.fields) as Record<string, NDArray>);
      const n = Math.min(...fields.map((f) => f.diverging.shape[1]));
      const join = (parts: Record<string, NDArray>[]) =>
        Object.fromEntries(Object.keys(parts[0]).map((name) => [name, np.concatenate(parts.map((p) => np.slice(p[name], p[name].shape.map(() => 0), [1, n, ...p[name].shape.slice(2)])), 0)]));
      this.draws = join(samples);
      this.fields = join(fields) as unknown as ExtraFields;
      this.drawCount = n;
    } else {
      this.draws = {};
      this.fields = null;
      this.drawCount = 0;
    }
    this.lastStates = results.map((r) => stateFromJSON(r.state)[0]);
    if (this.failed.length > 0) {
      const kept = this.kept.length > 0 ? `the draws of chain(s) ${this.kept.join(", ")} are kept (mcmc.getSamples(), mcmc.keptChains)` : "no chain finished";
      throw new AggregateError(
        this.failed.map((f) => f.error),
        `MCMC: ${this.failed.length} of ${keys.length} chain(s) failed: ${this.failed.map((f) => f.error.message).join("; ")}; ${kept}; the errors are in mcmc.failedChains`,
      );
    }
  }

  /** Whether initParams carries one start per chain (a leading axis of length numChains). */
  private chainInitBatched(ip: unknown): boolean {
    const leaves = leavesOf(ip);
    return leaves.length > 0 && leaves.every((l) => l.ndim > 0 && l.shape[0] === this.numChains);
  }

  /** Concatenates the chunks of each chain, thins, postprocesses positions into constrained sites. */
  private collect(perChain: NDArray[][][]): void {
    const n = Math.min(...perChain.map((parts) => parts.reduce((a, p) => a + p[0].shape[0], 0)));
    this.drawCount = n === Infinity ? 0 : Math.ceil(n / this.thinning);
    if (perChain.length === 0 || n === 0) {
      this.draws = {};
      this.fields = null;
      return;
    }
    const thin = (x: NDArray) => (this.thinning === 1 ? np.slice(x, [0], [n]) : np.take(np.slice(x, [0], [n]), np.arange(0, n, this.thinning, "int32"), 0));
    const byField = collectedFields(perChain, thin); // [field] with shape [chains, draws, ...]
    const zs = byField[0];
    const flat = np.reshape(zs, [zs.shape[0] * zs.shape[1], ...zs.shape.slice(2)]);
    const post = this.kernel.postprocess(flat);
    const chains = perChain.length;
    this.draws = Object.fromEntries(Object.entries(post).map(([k, v]) => [k, np.reshape(v, [chains, this.drawCount, ...v.shape.slice(1)])]));
    this.fields = Object.fromEntries(FIELD_NAMES.map((name, i) => [name, name === "diverging" ? np.astype(byField[i + 1], "bool") : byField[i + 1]])) as unknown as ExtraFields;
  }

  /** Draws by site: `[chains * draws, ...]`, or `[chains, draws, ...]` with groupByChain. */
  getSamples(opts: { groupByChain?: boolean } = {}): Record<string, NDArray> {
    if (!this.draws) throw new Error("MCMC.getSamples: run the sampler first");
    return opts.groupByChain ? this.draws : flattenChains(this.draws);
  }

  /** Sampler statistics per draw (divergences, numSteps, acceptProb, energy, stepSize, treeDepth, ...). */
  getExtraFields(opts: { groupByChain?: boolean } = {}): ExtraFields {
    if (!this.fields) throw new Error("MCMC.getExtraFields: run the sampler first");
    return (opts.groupByChain ? this.fields : flattenChains(this.fields as unknown as Record<string, NDArray>)) as unknown as ExtraFields;
  }

  /** Number of divergent transitions after warmup, per chain. */
  numDivergences(): number[] {
    const d = this.getExtraFields({ groupByChain: true }).diverging;
    return (np.sum(np.astype(d, "float32"), 1).toArray() as number[]).map(Number);
  }

  /** Prints (and returns) a NumPyro-style table of posterior statistics with the number of divergences. */
  printSummary(opts: Omit<PrintSummaryOptions, "groupByChain" | "numDivergences"> = {}): string {
    const divergences = this.numDivergences().reduce((a, b) => a + b, 0);
    return printSummary(this.getSamples({ groupByChain: true }), { ...opts, groupByChain: true, numDivergences: divergences });
  }

  private progressLine = false;
  private lastReport = 0;
  private report(p: Progress): void {
    this.options.onProgress?.(p);
    if (typeof process === "undefined" || !process.stderr) return;
    const wanted = this.options.progressBar ?? (process.stderr.isTTY === true && !process.env.CI);
    if (!wanted) return;
    const now = performance.now();
    if (now - this.lastReport < 100 && p.iteration < p.total) return;
    this.lastReport = now;
    const chain = p.chain === null ? `${this.numChains} chains` : `chain ${p.chain + 1}/${this.numChains}`;
    const pct = Math.round((100 * p.iteration) / p.total);
    process.stderr.write(`\r${chain} ${p.phase} ${p.iteration}/${p.total} (${pct}%) | ${p.drawsPerSecond.toFixed(0)} it/s | step size ${p.stepSize.toPrecision(3)} | ${p.divergences} divergences   `);
    this.progressLine = true;
  }
  private finishProgress(): void {
    if (this.progressLine && typeof process !== "undefined") process.stderr.write("\n");
    this.progressLine = false;
  }
}

/**
 * The largest chunk size in 32..64 dividing every nonzero phase length, so all chunks have one
 * length (each length is a program of its own to trace, compile and warm up); else 64.
 */
function defaultChunk(phases: readonly number[]): number {
  for (let c = 64; c >= 32; c--) if (phases.every((n) => n % c === 0)) return c;
  return 64;
}

/** The leaves of a tree of arrays. */
function leavesOf(x: unknown): NDArray[] {
  if (x === null || x === undefined) return [];
  if (typeof x === "object" && "shape" in (x as object)) return [x as NDArray];
  if (Array.isArray(x)) return x.flatMap(leavesOf);
  if (typeof x === "object") return Object.values(x as object).flatMap(leavesOf);
  return [];
}

/** Member `i` (leading axis) of every leaf of a tree. */
function takeTree(x: unknown, i: number): unknown {
  if (typeof x === "object" && x !== null && "shape" in (x as object)) return np.take(x as NDArray, i, 0);
  if (Array.isArray(x)) return x.map((v) => takeTree(v, i));
  if (typeof x === "object" && x !== null) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, takeTree(v, i)]));
  return x;
}

/** For each collected field, the chains' chunks concatenated and stacked: shape [chains, draws, ...]. */
function collectedFields(perChain: NDArray[][][], thin: (x: NDArray) => NDArray): NDArray[] {
  const numFields = perChain[0][0].length;
  return Array.from({ length: numFields }, (_, f) => np.stack(perChain.map((parts) => thin(np.concatenate(parts.map((p) => p[f]), 0)))));
}

/** Merges the chain and draw axes of every entry. */
function flattenChains<T extends Record<string, NDArray>>(r: T): T {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, np.reshape(v, [v.shape[0] * v.shape[1], ...v.shape.slice(2)])])) as T;
}
