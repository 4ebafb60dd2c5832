/**
 * jit: traces a function once per input signature (shapes, dtypes, static arguments), caches
 * the program and runs it compiled: generated JavaScript on the `js` backend, a tfjs replay on
 * the tfjs backends, or the IR interpreter where code generation is not allowed. Under an
 * outer transform (grad, vmap) the program is evaluated primitive by primitive, so the outer
 * transform sees every op.
 */
import { asArray, Concrete, NDArray } from "../array.js";
import { getBackend, onTfjs } from "../backend.js";
import type { Program } from "../ir.js";
import { Tracer } from "../interpreters/stack.js";
import { traceProgram } from "../interpreters/trace.js";
import { flatten, unflatten, type PyTree, type TreeDef } from "../tree.js";
import { compileJs, type CompiledJs } from "./js.js";
import { runTfjs } from "./tfjs.js";

/** Options of {@link jit}. */
export interface JitOptions {
  /** Positional arguments that are plain JS values baked into the program (one program per value). */
  staticArgnums?: readonly number[];
  /** Force a back end: `auto` (default: js codegen on `js`, replay on tfjs), or `interpret`. */
  mode?: "auto" | "interpret";
}

interface Entry {
  program: Program;
  outDef: TreeDef;
  compiled?: CompiledJs | null;
  source?: string;
}

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

/** A jitted function, with introspection of its compiled programs. */
export interface Jitted<F extends (...args: any[]) => any> {
  (...args: Parameters<F>): ReturnType<F>;
  /** The traced program for these arguments (compiles nothing). */
  lower(...args: Parameters<F>): Program;
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
  const cache = new Map<string, Entry>();
  // the same entries, for calls whose arguments are all arrays, keyed without flattening
  const arrayCache = new Map<string, Entry>();
  const arrayKey = (args: any[]): string | null => {
    if (statics.size) return null;
    let key = getBackend();
    for (const a of args) {
      if (!(a instanceof NDArray)) return null;
      key += `|${a.dtype}${a.shape.join("x")}`;
    }
    return key;
  };

  const prepare = (args: any[]) => {
    const fastKey = arrayKey(args);
    const hit = fastKey === null ? undefined : arrayCache.get(fastKey);
    if (hit) return { entry: hit, arrs: args as NDArray[] };
    const dynamic = args.map((a, i) => (statics.has(i) ? null : a));
    const [leaves, def] = flatten(dynamic as PyTree);
    const arrs = leaves.map((l) => asArray(l));
    const key = [
      getBackend(),
      JSON.stringify(def),
      arrs.map((a) => `${a.dtype}${a.shape.join("x")}`).join(","),
      args.map((a, i) => (statics.has(i) ? staticKey(a) : "")).join(","),
    ].join("|");
    let entry = cache.get(key);
    if (!entry) {
      let outDef: TreeDef | null = null;
      const { program, capturedTracer } = traceProgram((...xs) => {
        const rebuilt = unflatten(def, xs) as any[];
        const full = args.map((a, i) => (statics.has(i) ? a : rebuilt[i]));
        const out = f(...full);
        const [outLeaves, od] = flatten(out as PyTree);
        outDef = od;
        return outLeaves.map((l) => asArray(l));
      }, arrs);
      entry = { program, outDef: outDef! };
      if (!capturedTracer) cache.set(key, entry);
    }
    if (fastKey !== null && cache.get(key) === entry) arrayCache.set(fastKey, entry);
    return { entry, arrs };
  };

  const run = (...args: any[]) => {
    const { entry, arrs } = prepare(args);
    const { program } = entry;
    const traced = arrs.some((a) => a instanceof Tracer) || program.consts.some(([, c]) => !(c instanceof Concrete));
    let outs: NDArray[];
    if (traced || opts.mode === "interpret") outs = program.evaluate(arrs);
    else if (onTfjs()) outs = runTfjs(program, arrs);
    else {
      if (entry.compiled === undefined) {
        if (canGenerateCode()) {
          const c = compileJs(program);
          entry.compiled = c.run;
          entry.source = c.source;
        } else entry.compiled = null;
      }
      if (entry.compiled) {
        const res = entry.compiled(arrs.map((a) => (a as Concrete).host()));
        outs = res.map((d, i) => Concrete.fromHost(program.outputs[i].aval.shape, program.outputs[i].aval.dtype, d));
      } else outs = program.evaluate(arrs);
    }
    return unflatten(entry.outDef, outs);
  };
  const jitted = run as Jitted<F>;
  jitted.lower = (...args: any[]) => prepare(args).entry.program;
  jitted.cacheSize = () => cache.size;
  jitted.source = (...args: any[]) => {
    const { entry } = prepare(args);
    if (entry.source === undefined) entry.source = compileJs(entry.program).source;
    return entry.source;
  };
  return jitted;
}

/** `makeProgram(f)(...args)`: the traced program of `f` at these arguments (like make_jaxpr). */
export function makeProgram<F extends (...args: any[]) => any>(f: F, opts: JitOptions = {}): (...args: Parameters<F>) => Program {
  const j = jit(f, opts);
  return (...args) => j.lower(...args);
}

