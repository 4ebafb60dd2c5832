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
 * aborts when one disagrees). Times are medians over rounds after a warm-up round, all measured
 * in this one run; each round times every implementation of a case in turn, and ratios are
 * medians of the ratios within a round. "program" is the generated JavaScript function alone
 * (no pytree handling, cache lookup or array wrapping). Compile time is split into tracing, code
 * generation, and the whole first call of a fresh jit minus a steady call. Results go to stdout
 * and bench/results/jit.md. Run: `npm run bench:jit` (with NODE_OPTIONS=--expose-gc to collect
 * garbage between timed batches).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { jit, np, setBackend, tree, valueAndGrad, vmap, type Array as NDArray } from "../src/core/index.js";
import { compileJs } from "../src/core/compile/js.js";
import { DIM, eightSchoolsHandLoop, eightSchoolsLogDensity } from "./eight-schools.js";
import { logisticHandLoop, logisticLogDensity, makeData } from "./logistic.js";
import { fmtUs, machineInfo, measureAll, median, medianOf, ratioOf } from "./measure.js";

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

/** Reads every output to the host (so that lazy back ends finish their work). */
function sync(out: unknown): void {
  for (const l of tree.leaves(out as tree.PyTree) as NDArray[]) l.dataSync();
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
  program: number;
  tfjs: number;
  hand: number;
  eagerOverJit: number;
  jitOverHand: number;
  programOverHand: number;
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
    const t0 = performance.now();
    const program = jit(c.fn).lower(...c.args);
    traces.push(performance.now() - t0);
    const t1 = performance.now();
    compileJs(program);
    codegens.push(performance.now() - t1);
    const j = jit(c.fn);
    const t2 = performance.now();
    sync(j(...c.args));
    firsts.push(performance.now() - t2);
  }
  return { trace: median(traces), codegen: median(codegens), first: Math.max(0, median(firsts) - steadyUs / 1000) };
}

async function run(c: Case): Promise<Row> {
  await setBackend("js");
  const { name, fn, args, targetMs } = c;
  const jitted = jit(fn);
  const program = compileJs(jitted.lower(...args)).run;
  const hostArgs = (tree.leaves(args as tree.PyTree) as NDArray[]).map((a) => a.dataSync());

  // verify before timing
  let diff = check(name, "hand loop (float32 storage)", c.handResult(), c.reference);
  diff = Math.max(diff, check(name, "eager", flat(fn(...args)), c.reference));
  diff = Math.max(diff, check(name, "jit js", flat(jitted(...args)), c.reference));
  diff = Math.max(diff, check(name, "generated program", concat(program(hostArgs)), c.reference));
  await setBackend("tfjs-cpu");
  const jittedTf = jit(fn);
  diff = Math.max(diff, check(name, "jit tfjs-cpu", flat(jittedTf(...args)), c.reference));
  await setBackend("js");

  const js = () => setBackend("js");
  const t = await measureAll(
    {
      hand: { fn: c.hand, before: js },
      eager: { fn: () => sync(fn(...args)), before: js },
      jit: { fn: () => sync(jitted(...args)), before: js },
      program: { fn: () => void program(hostArgs), before: js },
      tfjs: { fn: () => sync(jittedTf(...args)), before: () => setBackend("tfjs-cpu") },
    },
    { targetMs, reps: 9 },
  );
  await setBackend("js");
  const us = (k: keyof typeof t) => medianOf(t, k);
  const compile = compileTimes(c, us("jit"));
  return {
    name,
    eager: us("eager"),
    jit: us("jit"),
    program: us("program"),
    tfjs: us("tfjs"),
    hand: us("hand"),
    eagerOverJit: ratioOf(t, "eager", "jit"),
    jitOverHand: ratioOf(t, "jit", "hand"),
    programOverHand: ratioOf(t, "program", "hand"),
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
  // built one at a time, so that the data of one case does not weigh on the timing of the next
  const cases: (() => Case)[] = [eightSchools, () => logistic(1000, 5), () => logistic(20000, 50), ...[1, 16, 256, 1024].map((C) => () => eightSchoolsBatch(C))];
  const rows: Row[] = [];
  for (const make of cases) rows.push(await run(make()));
  const secs = ((performance.now() - t0) / 1000).toFixed(1);

  const lines: string[] = [];
  lines.push("# tyche jit benchmark: value and gradient, eager vs jit vs a hand-written loop");
  lines.push("");
  lines.push(`Measured in one run: ${machineInfo()}, ${secs} s total.`);
  lines.push("Times in µs per evaluation of value and gradient (float32): medians of 9 rounds after a warm-up round; each round times every implementation of a case in turn, one batch of calls of tens of milliseconds each.");
  lines.push("");
  lines.push("- **eager**: `valueAndGrad(f)` on the js backend; **jit js**: `jit(valueAndGrad(f))` (generated JavaScript), the whole call;");
  lines.push("  **program**: the generated function alone, on host typed arrays (the call minus pytree handling, cache lookup and array wrapping);");
  lines.push("  **jit tfjs**: the same jit on the tfjs-cpu backend; **hand**: a hand-written loop over Float32Array storage (doubles in registers, outputs preallocated).");
  lines.push("- Ratios are medians over the rounds of the ratio within a round (robust to the load of the machine changing between rounds).");
  lines.push("- Every implementation is checked against the hand loop on float64 storage before timing; max abs diff is the largest difference seen.");
  lines.push("- Compile, in ms, medians of 5 fresh jits: **trace** (`lower`), **codegen** (`compileJs` of the traced program, source and `new Function`),");
  lines.push("  **first call** (first call of a fresh jit minus a steady call: trace, codegen and the first, cold run of the generated code).");
  lines.push("- (c) evaluates `vmap(valueAndGrad(logp))` on a [C, 10] batch, as vectorized-chains NUTS does; the hand loop loops over the chains.");
  lines.push("");
  lines.push("| case | eager | jit js | program | jit tfjs | hand | eager / jit | jit / hand | program / hand | trace ms | codegen ms | first call ms | max abs diff |");
  lines.push("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${fmtUs(r.eager)} | ${fmtUs(r.jit)} | ${fmtUs(r.program)} | ${fmtUs(r.tfjs)} | ${fmtUs(r.hand)} | ${ratio(r.eagerOverJit)} | ${ratio(r.jitOverHand)} | ${ratio(r.programOverHand)} | ${r.traceMs.toFixed(1)} | ${r.codegenMs.toFixed(1)} | ${r.firstMs.toFixed(1)} | ${r.diff.toExponential(1)} |`,
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
