/**
 * jit: traces a function once per input signature (shapes, dtypes, static arguments), caches
 * the program and runs it compiled: generated JavaScript on the `js` backend, a tfjs replay on
 * the tfjs backends, or the IR interpreter where code generation is not allowed. Under an
 * outer transform (grad, vmap) the program is evaluated primitive by primitive, so the outer
 * transform sees every op.
 *
 * A call first tries the few signatures it saw last (matched by walking the arguments against
 * their structure, comparing shapes, dtypes and static values: no key is built), then builds
 * the signature's key and looks it up. `compile(...)` hands out the generated program itself,
 * to be run over flat typed arrays in hot loops.
 */
import { asArray, Concrete, NDArray } from "../array.js";
import { getBackend, onTfjs, withBackend, type BackendName } from "../backend.js";
import { allocate, type DType, type TypedArray } from "../dtype.js";
import type { Program } from "../ir.js";
import { Tracer } from "../interpreters/stack.js";
import { traceProgram } from "../interpreters/trace.js";
import { sizeOf, type Shape } from "../shape.js";
import { flatten, unflatten, type PyTree, type TreeDef } from "../tree.js";
import { compileJs, compileJsInto, type CompiledInto, type CompiledJs } from "./js.js";
import { runTfjs } from "./tfjs.js";
import { runTfjsAsync } from "./tfjs-async.js";

/** Options of {@link jit}. */
export interface JitOptions {
  /** Positional arguments that are plain JS values baked into the program (one program per value). */
  staticArgnums?: readonly number[];
  /** Force a back end: `auto` (default: js codegen on `js`, replay on tfjs), or `interpret`. */
  mode?: "auto" | "interpret";
}

interface Entry {
  program: Program;
  /** Structure of the arguments (static ones as `null`). */
  inDef: TreeDef;
  outDef: TreeDef;
  compiled?: CompiledJs | null;
  source?: string;
  /** The program compiled to write into arrays the caller gives (for {@link Compiled}). */
  into?: { run: CompiledInto; source: string };
  /** Whether every constant the program captured is concrete (else it is evaluated op by op). */
  concreteConsts: boolean;
  /** Output shapes and dtypes. */
  outShapes: readonly Shape[];
  outDtypes: readonly DType[];
  /** Whether the output pytree is a list of its leaves in order (the output arrays are the result). */
  flatList: boolean;
  /** The output pytree from the output arrays (precomputed unflatten). */
  rebuild: (outs: readonly NDArray[]) => unknown;
}

/**
 * A signature seen before, matched without building its key: the backend, the arguments'
 * structure, the shapes and dtypes of their leaves and the values of static arguments.
 */
interface Signature {
  readonly backend: BackendName;
  readonly nargs: number;
  /** Per argument: its structure, or null for a static argument. */
  readonly argDefs: readonly (TreeDef | null)[];
  /** Per argument: the value of a static argument (compared with ===). */
  readonly staticVals: readonly unknown[];
  readonly shapes: readonly Shape[];
  readonly dtypes: readonly DType[];
  readonly entry: Entry;
}

// Bindings of the call's fast path, read once: a CommonJS build of this module (tsx, some
// bundlers) reads every use of an import through a getter.
const ConcreteArray = Concrete;
const currentBackend = getBackend;
const onTfjsBackend = onTfjs;

const NONE: NDArray[] = [];

/** How many recent signatures a call tries before building a key. */
const RECENT = 4;

let codegenAllowed: boolean | null = null;
function canGenerateCode(): boolean {
  if (codegenAllowed === null) {
    try {
      codegenAllowed = new Function("return 1")() === 1;
    } catch {
      codegenAllowed = false;
    }
  }
  return codegenAllowed;
}

const objectIds = new WeakMap<object, number>();
let nextObjectId = 0;
function staticKey(v: unknown): string {
  if (v === null || v === undefined || typeof v === "number" || typeof v === "string" || typeof v === "boolean") return JSON.stringify(v) ?? "undefined";
  if (typeof v === "object" || typeof v === "function") {
    let id = objectIds.get(v as object);
    if (id === undefined) objectIds.set(v as object, (id = nextObjectId++));
    return `#${id}`;
  }
  return String(v);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

const hasOwn = Object.prototype.hasOwnProperty;

function sameShape(a: Shape, b: Shape): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Matches the pytree `t` against structure `def` and the leaves of `sig` from leaf `k` on,
 * storing the leaves (as concrete arrays) into `out`; returns the next leaf index, or -1 when
 * `t` does not match (a tracer, a typed array or tensor leaf, or another structure, shape or
 * dtype: the caller then builds the key).
 */
function matchTree(def: TreeDef, t: unknown, sig: Signature, out: NDArray[], k: number): number {
  switch (def.kind) {
    case "leaf": {
      let a: NDArray;
      if (t instanceof ConcreteArray) a = t;
      else if (typeof t === "number" || typeof t === "boolean") a = asArray(t);
      else return -1;
      if (a.dtype !== sig.dtypes[k] || !sameShape(a.shape, sig.shapes[k])) return -1;
      out[k] = a;
      return k + 1;
    }
    case "none":
      return t === def.value ? k : -1;
    case "list": {
      const cs = def.children;
      if (!Array.isArray(t) || t.length !== cs.length) return -1;
      for (let j = 0; j < cs.length; j++) if ((k = matchTree(cs[j], t[j], sig, out, k)) < 0) return -1;
      return k;
    }
    case "dict": {
      if (!isPlainObject(t)) return -1;
      const { keys, children } = def;
      let n = 0;
      for (const _ in t) n++;
      if (n !== keys.length) return -1;
      for (let j = 0; j < keys.length; j++) {
        if (!hasOwn.call(t, keys[j])) return -1;
        if ((k = matchTree(children[j], t[keys[j]], sig, out, k)) < 0) return -1;
      }
      return k;
    }
  }
}

/** The leaves of `args` when they have signature `sig`, else null. */
function matchSignature(sig: Signature, args: readonly unknown[]): NDArray[] | null {
  const out: NDArray[] = new Array(sig.shapes.length);
  let k = 0;
  for (let i = 0; i < sig.nargs; i++) {
    const d = sig.argDefs[i];
    if (d === null) {
      if (args[i] !== sig.staticVals[i]) return null;
    } else if ((k = matchTree(d, args[i], sig, out, k)) < 0) return null;
  }
  return out;
}

/** A function rebuilding a pytree of structure `def` from its leaves (leaf positions fixed now). */
function rebuilder(def: TreeDef): (leaves: readonly unknown[]) => unknown {
  let next = 0;
  const rec = (d: TreeDef): ((leaves: readonly unknown[]) => unknown) => {
    switch (d.kind) {
      case "leaf": {
        const i = next++;
        return (ls) => ls[i];
      }
      case "none": {
        const v = d.value;
        return () => v;
      }
      case "list": {
        const cs = d.children.map(rec);
        return (ls) => {
          const r = new Array(cs.length);
          for (let j = 0; j < cs.length; j++) r[j] = cs[j](ls);
          return r;
        };
      }
      case "dict": {
        const cs = d.children.map(rec);
        const keys = d.keys;
        return (ls) => {
          const o: Record<string, unknown> = {};
          for (let j = 0; j < cs.length; j++) o[keys[j]] = cs[j](ls);
          return o;
        };
      }
    }
  };
  return rec(def);
}

function makeEntry(program: Program, inDef: TreeDef, outDef: TreeDef): Entry {
  return {
    program,
    inDef,
    outDef,
    concreteConsts: program.consts.every(([, c]) => c instanceof Concrete),
    outShapes: program.outputs.map((v) => v.aval.shape),
    outDtypes: program.outputs.map((v) => v.aval.dtype),
    flatList: outDef.kind === "list" && outDef.children.every((c) => c.kind === "leaf"),
    rebuild: rebuilder(outDef) as Entry["rebuild"],
  };
}

/** The shape and dtype of one leaf among the inputs or outputs of a {@link Compiled} program. */
export interface LeafLayout {
  readonly shape: Shape;
  readonly dtype: DType;
  /** Number of elements: the length of its typed array. */
  readonly size: number;
}

/**
 * A jitted function compiled for one signature (see {@link Jitted.compile}): the generated
 * JavaScript program run directly over flat typed arrays, with no pytree handling, cache lookup
 * or array wrapping. Inputs are the dynamic leaves of the arguments in flattened order
 * ({@link Compiled.inputs}; static arguments are baked in), outputs the leaves of the result
 * ({@link Compiled.outputs}); each is the typed array of its dtype (`float32`: Float32Array,
 * `float64`: Float64Array, `int32`: Int32Array, `bool`: Uint8Array of 0/1) holding the
 * elements in row-major order.
 */
export interface Compiled<F extends (...args: any[]) => any = (...args: any[]) => any> {
  /** Shapes and dtypes of the inputs, in flattened-leaf order of the (dynamic) arguments. */
  readonly inputs: readonly LeafLayout[];
  /** Shapes and dtypes of the outputs, in flattened-leaf order of the result. */
  readonly outputs: readonly LeafLayout[];
  /** Structure of the arguments: a list with one child per argument (static ones as `null`). */
  readonly inputDef: TreeDef;
  /** Structure of the result. */
  readonly outputDef: TreeDef;
  /** The generated JavaScript. */
  readonly source: string;
  /**
   * Runs the program on `inputs` and writes the results into `outputs` (every element of every
   * output is written), which it returns. Without `outputs` it writes into arrays of its own,
   * allocated once and returned (in a frozen list) by every such call: the next call overwrites
   * them, so copy what must be kept. Throws a clear error when the inputs or outputs are not the
   * expected number of typed arrays of the expected types and lengths, or when an output shares
   * memory with an input or another output.
   */
  call(inputs: readonly TypedArray[], outputs?: readonly TypedArray[]): readonly TypedArray[];
  /** Fresh (zeroed) output arrays, to pass to {@link Compiled.call}. */
  newOutputs(): TypedArray[];
  /**
   * The input arrays of a call with these arguments (which must have the compiled signature):
   * copies of their leaves' elements, in flattened order, for the caller to update in place.
   */
  flattenArgs(...args: Parameters<F>): TypedArray[];
  /** The result's structure with the output arrays as its leaves (see {@link Compiled.outputDef}). */
  unflattenOutputs(outputs: readonly TypedArray[]): PyTree<TypedArray>;
}

const storageOf: Record<DType, Function> = { float32: Float32Array, float64: Float64Array, int32: Int32Array, bool: Uint8Array };

function describeLayout(l: LeafLayout): string {
  return `a ${storageOf[l.dtype].name} of length ${l.size} (${l.dtype}, shape [${l.shape.join(", ")}])`;
}

function describeValue(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (ArrayBuffer.isView(x)) return `a ${x.constructor.name} of length ${(x as TypedArray).length}`;
  if (Array.isArray(x)) return `an array of ${x.length} elements (not a typed array)`;
  if (typeof x === "object") return `a ${(x as object).constructor?.name ?? "object"}`;
  return `a ${typeof x}`;
}

function overlap(a: TypedArray, b: TypedArray): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** A typed array no caller holds: what the arrays of the last checked call are before any call. */
const UNCHECKED = new Float32Array(0) as TypedArray;

/** Checks that `xs` are the typed arrays `layout` describes. */
function checkArrays(xs: readonly TypedArray[], layout: readonly LeafLayout[], ctors: readonly Function[], what: "input" | "output"): void {
  if (!Array.isArray(xs)) throw new Error(`compiled call: ${what}s must be an array of typed arrays (${layout.length}, in flattened-leaf order), got ${describeValue(xs)}`);
  if (xs.length !== layout.length)
    throw new Error(`compiled call: expected ${layout.length} ${what} array${layout.length === 1 ? "" : "s"} (the ${what === "input" ? "arguments'" : "result's"} leaves in flattened order), got ${xs.length}`);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x == null || x.constructor !== ctors[i] || x.length !== layout[i].size) throw new Error(`compiled call: ${what} ${i} must be ${describeLayout(layout[i])}, got ${describeValue(x)}`);
  }
}

/** The object {@link Jitted.compile} returns. */
class CompiledProgram implements Compiled {
  readonly inputs: readonly LeafLayout[];
  readonly outputs: readonly LeafLayout[];
  readonly inputDef: TreeDef;
  readonly outputDef: TreeDef;
  readonly source: string;
  private readonly run: CompiledInto;
  private readonly inCtors: readonly Function[];
  private readonly outCtors: readonly Function[];
  private readonly inSizes: readonly number[];
  private readonly outSizes: readonly number[];
  /** The arrays a call without outputs writes into, and the frozen list of them it returns. */
  private readonly ownList: readonly TypedArray[];
  private readonly own: readonly TypedArray[];
  /** The arrays of the last call that passed every check (none at first). */
  private checkedIns: readonly TypedArray[];
  private checkedOuts: readonly TypedArray[];

  constructor(
    private readonly entry: Entry,
    private readonly prepare: (args: any[]) => { entry: Entry; arrs: NDArray[] },
  ) {
    const { program } = entry;
    const layout = (a: { shape: Shape; dtype: DType }): LeafLayout => Object.freeze({ shape: a.shape, dtype: a.dtype, size: sizeOf(a.shape) });
    this.inputs = Object.freeze(program.inputs.map((v) => layout(v.aval)));
    this.outputs = Object.freeze(program.outputs.map((v) => layout(v.aval)));
    this.inputDef = entry.inDef;
    this.outputDef = entry.outDef;
    this.run = entry.into!.run;
    this.source = entry.into!.source;
    this.inCtors = this.inputs.map((l) => storageOf[l.dtype]);
    this.outCtors = this.outputs.map((l) => storageOf[l.dtype]);
    this.inSizes = this.inputs.map((l) => l.size);
    this.outSizes = this.outputs.map((l) => l.size);
    this.ownList = this.newOutputs();
    this.own = Object.freeze(this.ownList.slice());
    this.checkedIns = this.inputs.map(() => UNCHECKED);
    this.checkedOuts = this.outputs.map(() => UNCHECKED);
  }

  call(inputs: readonly TypedArray[], outputs?: readonly TypedArray[]): readonly TypedArray[] {
    const outs = outputs ?? this.ownList;
    // the arrays of the last call that passed every check pass again (a typed array keeps its
    // type and memory; only a length may change, when its buffer is detached or resized)
    const { checkedIns, checkedOuts, inSizes, outSizes } = this;
    let same = Array.isArray(inputs) && inputs.length === inSizes.length && Array.isArray(outs) && outs.length === outSizes.length;
    for (let i = 0; same && i < inSizes.length; i++) {
      const x = inputs[i];
      same = x === checkedIns[i] && x.length === inSizes[i];
    }
    for (let j = 0; same && j < outSizes.length; j++) {
      const o = outs[j];
      same = o === checkedOuts[j] && o.length === outSizes[j];
    }
    if (!same) this.check(inputs, outputs);
    this.run(inputs, outs);
    return outputs ?? this.own;
  }

  /**
   * Throws a clear error unless `inputs` and `outputs` are the expected numbers of typed arrays
   * of the expected types and lengths, and no output shares memory with an input or another
   * output (the program reads its inputs while it writes); then remembers them as checked.
   */
  private check(inputs: readonly TypedArray[], outputs: readonly TypedArray[] | undefined): void {
    checkArrays(inputs, this.inputs, this.inCtors, "input");
    if (outputs !== undefined) checkArrays(outputs, this.outputs, this.outCtors, "output");
    const outs = outputs ?? this.ownList;
    for (let j = 0; j < outs.length; j++) {
      for (let k = 0; k < j; k++) if (overlap(outs[j], outs[k])) throw new Error(`compiled call: outputs ${k} and ${j} share memory; give every output its own array`);
      for (let i = 0; i < inputs.length; i++)
        if (overlap(outs[j], inputs[i]))
          throw new Error(
            `compiled call: input ${i} shares memory with output ${j}${outputs === undefined ? " (an array an earlier call returned)" : ""}; copy the input, or give other output arrays (newOutputs())`,
          );
    }
    this.checkedIns = inputs.slice();
    this.checkedOuts = outs.slice();
  }

  newOutputs(): TypedArray[] {
    return this.outputs.map((l) => allocate(l.dtype, l.size));
  }

  flattenArgs(...args: any[]): TypedArray[] {
    const { entry, arrs } = this.prepare(args);
    if (entry !== this.entry) throw new Error("compiled flattenArgs: these arguments have another signature (structure, shapes, dtypes or static values) than the compiled program");
    return arrs.map((a) => {
      if (!(a instanceof Concrete)) throw new Error("compiled flattenArgs: the arguments must be concrete arrays (not traced values under grad, vmap or jit)");
      return a.host().slice();
    });
  }

  unflattenOutputs(outputs: readonly TypedArray[]): PyTree<TypedArray> {
    checkArrays(outputs, this.outputs, this.outCtors, "output");
    return unflatten(this.outputDef, outputs);
  }
}

/** A jitted function, with introspection of its compiled programs. */
export interface Jitted<F extends (...args: any[]) => any> {
  (...args: Parameters<F>): ReturnType<F>;
  /** The traced program for these arguments (compiles nothing). */
  lower(...args: Parameters<F>): Program;
  /**
   * The same call, resolved asynchronously. On the tfjs backends the program is replayed so that
   * control flow reads its predicates asynchronously: the only way to run loops on WebGPU in Node,
   * where values cannot be read synchronously. On the `js` backend it is the synchronous call.
   */
  async(...args: Parameters<F>): Promise<ReturnType<F>>;
  /**
   * The program for these arguments' signature, compiled to generated JavaScript that runs over
   * flat typed arrays (like JAX's `jitted.lower(...).compile()`): for hot loops where even the
   * call's argument and result handling counts. See {@link Compiled}. Needs the `js` backend and
   * code generation (`new Function`); throws otherwise, in `mode: "interpret"`, and for traced
   * arguments (under grad, vmap or jit).
   */
  compile(...args: Parameters<F>): Compiled<F>;
  /** Number of distinct signatures traced so far. */
  cacheSize(): number;
  /** The generated JavaScript for these arguments (js backend). */
  source(...args: Parameters<F>): string;
}

/**
 * `jit(f, {staticArgnums})`: compiles `f`. Arguments are pytrees of arrays (numbers become
 * default-float arrays); static arguments are plain values that select a program. Inside, values
 * are abstract: read nothing, and use np.where/cond/whileLoop for data-dependent choices.
 */
export function jit<F extends (...args: any[]) => any>(f: F, opts: JitOptions = {}): Jitted<F> {
  const statics = new Set(opts.staticArgnums ?? []);
  const interpret = opts.mode === "interpret";
  const cache = new Map<string, Entry>();
  // the signatures seen last, most recent first, matched before any key is built
  const recent: Signature[] = [];

  /** The entry and leaves of a call whose signature was seen lately, else null. */
  const lookupRecent = (args: any[]): Signature | null => {
    const backend = currentBackend();
    for (let s = 0; s < recent.length; s++) {
      const sig = recent[s];
      if (sig.backend !== backend || sig.nargs !== args.length) continue;
      const arrs = matchSignature(sig, args);
      if (arrs) {
        matched = arrs;
        return sig;
      }
    }
    return null;
  };
  // the leaves lookupRecent matched (taken at once, so that no array is kept alive here)
  let matched: NDArray[] = NONE;

  /** Builds the key of the call's signature; traces on a miss. */
  const lookup = (args: any[]): { entry: Entry; arrs: NDArray[] } => {
    const dynamic = args.map((a, i) => (statics.has(i) ? null : a));
    const [leaves, def] = flatten(dynamic as PyTree);
    const arrs = leaves.map((l) => asArray(l));
    const backend = getBackend();
    const key = [backend, JSON.stringify(def), arrs.map((a) => `${a.dtype}${a.shape.join("x")}`).join(","), args.map((a, i) => (statics.has(i) ? staticKey(a) : "")).join(",")].join("|");
    let entry = cache.get(key);
    if (!entry) {
      let outDef: TreeDef | null = null;
      const trace = () =>
        traceProgram((...xs) => {
          const rebuilt = unflatten(def, xs) as any[];
          const full = args.map((a, i) => (statics.has(i) ? a : rebuilt[i]));
          const out = f(...full);
          const [outLeaves, od] = flatten(out as PyTree);
          outDef = od;
          return outLeaves.map((l) => asArray(l));
        }, arrs);
      // on WebGPU, what tracing computes from constants (and reads, e.g. to validate a
      // distribution's fixed parameters) is computed on the host; the program runs on the device
      const { program, capturedTracer } = getBackend() === "webgpu" ? withBackend("js", trace) : trace();
      entry = makeEntry(program, def, outDef!);
      if (!capturedTracer) cache.set(key, entry);
    }
    // remember the signature when a later call can match it without a key
    if (cache.get(key) === entry && !recent.some((r) => r.entry === entry) && leaves.every((l) => l instanceof Concrete || typeof l === "number" || typeof l === "boolean")) {
      const children = (def as Extract<TreeDef, { kind: "list" }>).children;
      recent.unshift({
        backend,
        nargs: args.length,
        argDefs: args.map((_, i) => (statics.has(i) ? null : children[i])),
        staticVals: args.map((a, i) => (statics.has(i) ? a : undefined)),
        shapes: arrs.map((a) => a.shape),
        dtypes: arrs.map((a) => a.dtype),
        entry,
      });
      if (recent.length > RECENT) recent.pop();
    }
    return { entry, arrs };
  };

  const prepare = (args: any[]): { entry: Entry; arrs: NDArray[] } => {
    const sig = lookupRecent(args);
    if (!sig) return lookup(args);
    const arrs = matched;
    matched = NONE;
    return { entry: sig.entry, arrs };
  };

  /** Runs the entry's program on its arguments' leaves; returns the result pytree. */
  const execute = (entry: Entry, arrs: NDArray[], traced: boolean): unknown => {
    const { program } = entry;
    if (traced || interpret || !entry.concreteConsts) return entry.rebuild(program.evaluate(arrs));
    if (onTfjsBackend()) return entry.rebuild(runTfjs(program, arrs));
    let compiled = entry.compiled;
    if (compiled === undefined) {
      if (canGenerateCode()) {
        const c = compileJs(program);
        compiled = entry.compiled = c.run;
        entry.source = c.source;
      } else compiled = entry.compiled = null;
    }
    if (compiled === null) return entry.rebuild(program.evaluate(arrs));
    const n = arrs.length;
    const hosts: TypedArray[] = new Array(n);
    for (let i = 0; i < n; i++) hosts[i] = (arrs[i] as Concrete).host();
    const res = compiled(hosts);
    const { outShapes, outDtypes } = entry;
    const outs: NDArray[] = new Array(res.length);
    for (let i = 0; i < res.length; i++) outs[i] = new ConcreteArray(outShapes[i], outDtypes[i], res[i], null);
    return entry.flatList ? outs : entry.rebuild(outs);
  };

  const run = (...args: any[]) => {
    // the fast path: a signature seen lately, all of its leaves concrete
    const sig = lookupRecent(args);
    if (sig) {
      const arrs = matched;
      matched = NONE;
      return execute(sig.entry, arrs, false);
    }
    const { entry, arrs } = lookup(args);
    return execute(
      entry,
      arrs,
      arrs.some((a) => a instanceof Tracer),
    );
  };
  const jitted = run as Jitted<F>;
  jitted.async = async (...args: any[]) => {
    if (!onTfjs() || opts.mode === "interpret") return run(...args) as ReturnType<F>;
    const { entry, arrs } = prepare(args);
    if (arrs.some((a) => a instanceof Tracer) || entry.program.consts.some(([, c]) => !(c instanceof Concrete)))
      throw new Error("jit: f.async(...) runs a program on concrete arrays; under grad, vmap or jit call f(...) instead");
    return unflatten(entry.outDef, await runTfjsAsync(entry.program, arrs)) as ReturnType<F>;
  };
  jitted.lower = (...args: any[]) => prepare(args).entry.program;
  jitted.cacheSize = () => cache.size;
  jitted.source = (...args: any[]) => {
    const { entry } = prepare(args);
    if (entry.source === undefined) entry.source = compileJs(entry.program).source;
    return entry.source;
  };
  jitted.compile = (...args: any[]) => {
    if (interpret) throw new Error("jit: compile(...) runs generated JavaScript, and this function was jitted with mode: 'interpret'");
    if (onTfjs()) throw new Error(`jit: compile(...) runs generated JavaScript over typed arrays on the 'js' backend, not on '${getBackend()}' (call setBackend('js') first, or call f(...) here)`);
    if (!canGenerateCode()) throw new Error("jit: compile(...) needs code generation (new Function), which this environment forbids; call f(...) instead, which interprets the program");
    const { entry, arrs } = prepare(args);
    if (arrs.some((a) => a instanceof Tracer) || !entry.concreteConsts) throw new Error("jit: compile(...) needs concrete arguments and values; under grad, vmap or jit call f(...) instead");
    entry.into ??= compileJsInto(entry.program, { zeroGaps: true });
    return new CompiledProgram(entry, prepare) as Compiled<F>;
  };
  return jitted;
}

/** `makeProgram(f)(...args)`: the traced program of `f` at these arguments (like make_jaxpr). */
export function makeProgram<F extends (...args: any[]) => any>(f: F, opts: JitOptions = {}): (...args: Parameters<F>) => Program {
  const j = jit(f, opts);
  return (...args) => j.lower(...args);
}
