/**
 * jit benchmark: value and gradient of log densities, eager vs jit (js code generation and
 * tfjs-cpu replay) vs a hand-written typed-array loop computing the same numbers.
 *
 *  (a) eight schools, non-centered (10 parameters);
 *  (b) logistic regression, N=1000, D=5 and N=20000, D=50;
 *  (c) eight schools for a batch of C parameter vectors, as vectorized-chains NUTS evaluates
 *      it: vmap(valueAndGrad(logp)) on a [C, 10] array, C = 1, 16, 256, 1024.
 *
 * Before timing, every implementation is checked against the hand loop run in float64 (the run
 * aborts when one disagrees). Times are CPU time of this process (not wall-clock time, which on
 * a machine whose cores are shared counts other processes too), medians over rounds after a
 * warm-up round, all measured in this one run; each round times every implementation of a case
 * in turn, and ratios are medians of the ratios within a round. "jit" is the whole jitted call
 * `f(...args)` (cache lookup, argument and result handling, results read); "raw" is the raw
 * entry point `f.compile(...args).call(inputs)`: the generated program run over flat typed
 * arrays, writing into output arrays it reuses (no pytree handling, cache lookup or array
 * wrapping). Compile time is split into tracing, code generation, and the whole first call of a
 * fresh jit minus a steady call. Results go to stdout and bench/results/jit.md. Run:
 * `npm run bench:jit` (with NODE_OPTIONS=--expose-gc to collect garbage between timed batches).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Array as NDArray, jit, np, setBackend, tree, valueAndGrad, vmap } from "../src/core/index.js";
import { compileJs } from "../src/core/compile/js.js";
import { DIM, eightSchoolsHandLoop, eightSchoolsLogDensity } from "./eight-schools.js";
import { logisticHandLoop, logisticLogDensity, makeData } from "./logistic.js";
import { loadavg } from "node:os";
import { cpuMs, fmtUs, machineInfo, measureAll, median, medianOf, ratioOf, type Rounds, type Timed } from "./measure.js";

/**
 * Microseconds of CPU time per call of each function, per round: on a machine whose cores
 * other processes share, wall-clock times include whatever ran in between, CPU time only the
 * process's own work (its compiler and garbage-collector threads included).
 */
const measureAllCpu = <K extends string>(fns: Record<K, Timed>, opts: { targetMs?: number; reps?: number } = {}): Promise<Rounds<K>> => measureAll(fns, { ...opts, clock: cpuMs });

/** One benchmark case: a function of arrays and the hand-written loop computing the same values. */
interface Case {
  name: string;
  /** The function to evaluate eagerly and to jit (value and gradient). */
  fn: (...args: any[]) => any;
  /** Its arguments (arrays on the js backend). */
  args: any[];
  /** The hand loop on float32 storage, writing into preallocated outputs (timed). */
  hand: () => void;
  /** Results of the hand loop: [values..., gradients...] in the order of the function's output leaves. */
  handResult: () => Float64Array;
  /** The same on float64 storage: the reference every implementation is checked against. */
  reference: Float64Array;
  /** Target milliseconds per timing repetition. */
  targetMs: number;
}

/** Typed arrays concatenated into one Float64Array. */
function concat(parts: readonly ArrayLike<number>[]): Float64Array {
  const res = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let k = 0;
  for (const p of parts) {
    res.set(p, k);
    k += p.length;
  }
  return res;
}

/** The output leaves of `out` (a pytree of arrays), concatenated. */
function flat(out: unknown): Float64Array {
  return concat((tree.leaves(out as tree.PyTree) as NDArray[]).map((l) => l.dataSync()));
}

/**
 * Reads every output to the host (so that lazy back ends finish their work), walking the
 * result without allocating (so that the harness adds next to nothing to a call's time).
 */
function sync(out: unknown): void {
  if (out instanceof NDArray) out.dataSync();
  else if (Array.isArray(out)) for (let i = 0; i < out.length; i++) sync(out[i]);
  else if (out !== null && typeof out === "object") for (const k in out) sync((out as Record<string, unknown>)[k]);
}

function check(name: string, impl: string, got: Float64Array, ref: Float64Array, tol = 1e-4): number {
  if (got.length !== ref.length) throw new Error(`${name}, ${impl}: ${got.length} results where ${ref.length} were expected`);
  const scale = Math.max(1, ...Array.from(ref, Math.abs));
  let diff = 0;
  for (let i = 0; i < ref.length; i++) diff = Math.max(diff, Math.abs(got[i] - ref[i]));
  if (!(diff <= tol * scale)) throw new Error(`${name}, ${impl}: disagrees with the float64 hand loop: max abs diff ${diff} > ${tol} * ${scale}`);
  return diff;
}

// ---- cases -------------------------------------------------------------------------------------

/** Measured rounds per case (after a warm-up round): many, since the machine may be shared. */
const REPS = 15;

const PARAMS = [0.8, 0.4, 0.3, -0.9, 1.1, 0.05, -0.4, 0.7, -1.3, 0.2];

function eightSchools(): Case {
  const p32 = Float32Array.from(PARAMS);
  const value = new Float64Array(1);
  const grad = new Float64Array(DIM);
  const result = (p: Float32Array | Float64Array) => {
    eightSchoolsHandLoop(p, 1, value, grad);
    return Float64Array.from([value[0], ...grad]);
  };
  return {
    name: "eight schools",
    fn: valueAndGrad(eightSchoolsLogDensity),
    args: [np.array(p32)],
    hand: () => eightSchoolsHandLoop(p32, 1, value, grad),
    handResult: () => result(p32),
    reference: result(Float64Array.from(p32)),
    targetMs: 40,
  };
}

function eightSchoolsBatch(C: number): Case {
  // chain c: the base point shifted by a deterministic amount
  const p32 = Float32Array.from({ length: C * DIM }, (_, i) => PARAMS[i % DIM] + 0.37 * Math.sin(1 + i * 0.61) * (i >= DIM ? 1 : 0));
  const value = new Float64Array(C);
  const grad = new Float64Array(C * DIM);
  const result = (p: Float32Array | Float64Array) => {
    eightSchoolsHandLoop(p, C, value, grad);
    return Float64Array.from([...value, ...grad]);
  };
  return {
    name: `eight schools, C=${C} (vmap)`,
    fn: vmap(valueAndGrad(eightSchoolsLogDensity)),
    args: [np.reshape(np.array(p32), [C, DIM])],
    hand: () => eightSchoolsHandLoop(p32, C, value, grad),
    handResult: () => result(p32),
    reference: result(Float64Array.from(p32)),
    targetMs: 40,
  };
}

function logistic(N: number, D: number): Case {
  const d = makeData(N, D, 1234 + N + D);
  const X32 = Float32Array.from(d.X);
  const y32 = Float32Array.from(d.y);
  const w32 = Float32Array.from(d.w);
  const b32 = Math.fround(d.b);
  const gw = new Float64Array(D);
  // the output leaves are [value, grads.b, grads.w] (object keys in sorted order)
  const result = (X: Float32Array | Float64Array, y: Float32Array | Float64Array, w: Float32Array | Float64Array) => {
    const r = logisticHandLoop(X, y, w, b32, N, D, gw);
    return Float64Array.from([r.value, r.gb, ...r.gw]);
  };
  return {
    name: `logistic regression, N=${N}, D=${D}`,
    fn: valueAndGrad(logisticLogDensity),
    args: [{ w: np.array(w32), b: np.array(b32) }, np.reshape(np.array(X32), [N, D]), np.array(y32)],
    hand: () => void logisticHandLoop(X32, y32, w32, b32, N, D, gw),
    handResult: () => result(X32, y32, w32),
    reference: result(Float64Array.from(X32), Float64Array.from(y32), Float64Array.from(w32)),
    targetMs: N > 5000 ? 120 : 40,
  };
}

// ---- measurements ------------------------------------------------------------------------------

interface Row {
  name: string;
  eager: number;
  jit: number;
  raw: number;
  tfjs: number;
  hand: number;
  eagerOverJit: number;
  jitOverHand: number;
  rawOverHand: number;
  traceMs: number;
  codegenMs: number;
  firstMs: number;
  diff: number;
}

/**
 * Compile times in milliseconds, medians of `reps` fresh jits: tracing (lower), code generation
 * (compileJs of the traced program, including new Function), and the whole first call of a
 * fresh jit minus a steady call (tracing, code generation, and the first run of cold code).
 */
function compileTimes(c: Case, steadyUs: number, reps = 5): { trace: number; codegen: number; first: number } {
  const traces: number[] = [];
  const codegens: number[] = [];
  const firsts: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = cpuMs();
    const program = jit(c.fn).lower(...c.args);
    traces.push(cpuMs() - t0);
    const t1 = cpuMs();
    compileJs(program);
    codegens.push(cpuMs() - t1);
    const j = jit(c.fn);
    const t2 = cpuMs();
    sync(j(...c.args));
    firsts.push(cpuMs() - t2);
  }
  return { trace: median(traces), codegen: median(codegens), first: Math.max(0, median(firsts) - steadyUs / 1000) };
}

async function run(c: Case): Promise<Row> {
  await setBackend("js");
  const { name, fn, args, targetMs } = c;
  const jitted = jit(fn);
  // the raw entry point: the generated program over flat typed arrays, into outputs it reuses
  const compiled = jitted.compile(...args);
  const inputs = compiled.flattenArgs(...args);

  // verify before timing
  let diff = check(name, "hand loop (float32 storage)", c.handResult(), c.reference);
  diff = Math.max(diff, check(name, "eager", flat(fn(...args)), c.reference));
  diff = Math.max(diff, check(name, "jit js", flat(jitted(...args)), c.reference));
  diff = Math.max(diff, check(name, "raw compiled call", concat(compiled.call(inputs)), c.reference));
  await setBackend("tfjs-cpu");
  const jittedTf = jit(fn);
  diff = Math.max(diff, check(name, "jit tfjs-cpu", flat(jittedTf(...args)), c.reference));
  await setBackend("js");

  const js = () => setBackend("js");
  const t = await measureAllCpu(
    {
      hand: { fn: c.hand, before: js },
      eager: { fn: () => sync(fn(...args)), before: js },
      jit: { fn: () => sync(jitted(...args)), before: js },
      raw: { fn: () => void compiled.call(inputs), before: js },
      tfjs: { fn: () => sync(jittedTf(...args)), before: () => setBackend("tfjs-cpu") },
    },
    { targetMs, reps: REPS },
  );
  await setBackend("js");
  const us = (k: keyof typeof t) => medianOf(t, k);
  const compile = compileTimes(c, us("jit"));
  return {
    name,
    eager: us("eager"),
    jit: us("jit"),
    raw: us("raw"),
    tfjs: us("tfjs"),
    hand: us("hand"),
    eagerOverJit: ratioOf(t, "eager", "jit"),
    jitOverHand: ratioOf(t, "jit", "hand"),
    rawOverHand: ratioOf(t, "raw", "hand"),
    traceMs: compile.trace,
    codegenMs: compile.codegen,
    firstMs: compile.first,
    diff,
  };
}

// ---- report ------------------------------------------------------------------------------------

const ratio = (x: number) => `${x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0)}×`;

async function main() {
  const t0 = performance.now();
  const loadBefore = loadavg()[0];
  // built one at a time, so that the data of one case does not weigh on the timing of the next
  const cases: (() => Case)[] = [eightSchools, () => logistic(1000, 5), () => logistic(20000, 50), ...[1, 16, 256, 1024].map((C) => () => eightSchoolsBatch(C))];
  const rows: Row[] = [];
  for (const make of cases) rows.push(await run(make()));
  const secs = ((performance.now() - t0) / 1000).toFixed(1);

  const lines: string[] = [];
  lines.push("# tyche jit benchmark: value and gradient, eager vs jit vs a hand-written loop");
  lines.push("");
  lines.push(`Measured in one run: ${machineInfo()}, ${secs} s total; load average (1 min) ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end.`);
  lines.push(`Times in µs of CPU time (user + system, of this process) per evaluation of value and gradient (float32): medians of ${REPS} rounds after a warm-up round; each round times every implementation of a case in turn, one batch of calls of tens of milliseconds each. CPU time, unlike wall-clock time, does not count what other processes sharing the cores ran meanwhile.`);
  lines.push("");
  lines.push("- **eager**: `valueAndGrad(f)` on the js backend; **jit js**: `jit(valueAndGrad(f))` (generated JavaScript), the whole call `f(...args)`, results read;");
  lines.push("  **raw**: the raw entry point `f.compile(...args).call(inputs)`: the generated program on flat typed arrays, writing into output arrays it reuses (no pytree handling, cache lookup or array wrapping);");
  lines.push("  **jit tfjs**: the same jit on the tfjs-cpu backend; **hand**: a hand-written loop over Float32Array storage (doubles in registers, outputs preallocated).");
  lines.push("- Ratios are medians over the rounds of the ratio within a round (robust to the load of the machine changing between rounds).");
  lines.push("- Every implementation is checked against the hand loop on float64 storage before timing; max abs diff is the largest difference seen.");
  lines.push("- Compile, in ms of CPU time, medians of 5 fresh jits: **trace** (`lower`), **codegen** (`compileJs` of the traced program, source and `new Function`),");
  lines.push("  **first call** (first call of a fresh jit minus a steady call: trace, codegen and the first, cold run of the generated code).");
  lines.push("- (c) evaluates `vmap(valueAndGrad(logp))` on a [C, 10] batch, as vectorized-chains NUTS does; the hand loop loops over the chains.");
  lines.push("");
  lines.push("| case | eager | jit js | raw | jit tfjs | hand | eager / jit | jit / hand | raw / hand | trace ms | codegen ms | first call ms | max abs diff |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${fmtUs(r.eager)} | ${fmtUs(r.jit)} | ${fmtUs(r.raw)} | ${fmtUs(r.tfjs)} | ${fmtUs(r.hand)} | ${ratio(r.eagerOverJit)} | ${ratio(r.jitOverHand)} | ${ratio(r.rawOverHand)} | ${r.traceMs.toFixed(1)} | ${r.codegenMs.toFixed(1)} | ${r.firstMs.toFixed(1)} | ${r.diff.toExponential(1)} |`,
    );
  lines.push("");
  const md = lines.join("\n");
  console.log(md);
  const out = join(dirname(fileURLToPath(import.meta.url)), "results", "jit.md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, md);
  console.log(`written to ${out}`);
}

await main();
