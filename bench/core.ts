/**
 * Core benchmark: the eager baseline a future jit must close.
 *
 *  (a) per-op dispatch overhead of eager np.add (scalars and 1000-vectors) on js and tfjs-cpu;
 *  (b) value-and-grad of a logistic-regression log density (Normal(0,1) priors on w and b,
 *      Bernoulli-logit likelihood) for N=1000, D=5 and N=20000, D=50: eager js (float32 and
 *      x64), eager tfjs-cpu, and hand-written loops over Float64Array / Float32Array.
 *
 * Times are medians over repetitions after a warm-up, all measured in this one run. Results go
 * to stdout and bench/results/core.md. Run: `npm run bench:core`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { enableX64, jit, np, setBackend, valueAndGrad, type Array as NDArray, type BackendName } from "../src/core/index.js";
import { logisticHandLoop, logisticLogDensity, makeData, type LogisticData, type LogisticResult } from "./logistic.js";
import { fmtUs, machineInfo, measure } from "./measure.js";

// ---- (a) per-op overhead -----------------------------------------------------------------------

interface OpRow {
  backend: BackendName;
  what: string;
  us: number;
}

async function opOverhead(): Promise<OpRow[]> {
  const rows: OpRow[] = [];
  for (const backend of ["js", "tfjs-cpu"] as const) {
    await setBackend(backend);
    const s1 = np.array(1.5);
    const s2 = np.array(2.25);
    const v1 = np.linspace(0, 1, 1000);
    const v2 = np.linspace(1, 2, 1000);
    rows.push({ backend, what: "np.add, scalars", us: await measure(() => void np.add(s1, s2)) });
    rows.push({ backend, what: "np.add, 1000-vectors", us: await measure(() => void np.add(v1, v2)) });
  }
  await setBackend("js");
  return rows;
}

// ---- (b) logistic regression -----------------------------------------------------------------

type Data = LogisticData;
type Result = LogisticResult;

const vg = valueAndGrad(logisticLogDensity);

const vgJit = jit(vg);

/** An evaluation closure on the current backend and default dtype (eager, or jit-compiled); reads results to the host. */
function eagerEval(d: Data, compiled = false): () => Result {
  const X = np.reshape(np.array(Array.from(d.X)), [d.N, d.D]);
  const y = np.array(Array.from(d.y));
  const params = { w: np.array(Array.from(d.w)), b: np.array(d.b) };
  return () => {
    const [v, g] = (compiled ? vgJit : vg)(params, X, y) as [NDArray, { w: NDArray; b: NDArray }];
    return { value: v.item(), gw: Float64Array.from(g.w.dataSync()), gb: g.b.item() };
  };
}

function maxAbsDiff(a: Result, ref: Result): number {
  let m = Math.abs(a.value - ref.value);
  m = Math.max(m, Math.abs(a.gb - ref.gb));
  for (let j = 0; j < ref.gw.length; j++) m = Math.max(m, Math.abs(a.gw[j] - ref.gw[j]));
  return m;
}

function scaleOf(r: Result): number {
  return Math.max(1, Math.abs(r.value), Math.abs(r.gb), ...Array.from(r.gw, Math.abs));
}

interface LrRow {
  size: string;
  impl: string;
  us: number;
  ratio: number;
  diff: number;
}

async function logisticRegression(N: number, D: number): Promise<LrRow[]> {
  const d = makeData(N, D, 1234 + N + D);
  const gw = new Float64Array(D);
  const X32 = Float32Array.from(d.X);
  const y32 = Float32Array.from(d.y);
  const w32 = Float32Array.from(d.w);
  const b32 = Math.fround(d.b);
  const impls: { impl: string; setup: () => Promise<() => Result>; tol: number }[] = [
    { impl: "hand loop, Float64Array", setup: async () => () => logisticHandLoop(d.X, d.y, d.w, d.b, N, D, gw), tol: 0 },
    { impl: "hand loop, Float32Array", setup: async () => () => logisticHandLoop(X32, y32, w32, b32, N, D, gw), tol: 1e-5 },
    {
      impl: "eager js (float32)",
      setup: async () => {
        await setBackend("js");
        return eagerEval(d);
      },
      tol: 1e-4,
    },
    {
      impl: "eager js (x64, float64)",
      setup: async () => {
        await setBackend("js");
        enableX64(true);
        try {
          return eagerEval(d);
        } finally {
          enableX64(false);
        }
      },
      tol: 1e-12,
    },
    {
      impl: "jit js (float32)",
      setup: async () => {
        await setBackend("js");
        return eagerEval(d, true);
      },
      tol: 1e-4,
    },
    {
      impl: "jit tfjs-cpu (float32)",
      setup: async () => {
        await setBackend("tfjs-cpu");
        return eagerEval(d, true);
      },
      tol: 1e-4,
    },
    {
      impl: "eager tfjs-cpu (float32)",
      setup: async () => {
        await setBackend("tfjs-cpu");
        return eagerEval(d);
      },
      tol: 1e-4,
    },
  ];
  const ref = logisticHandLoop(d.X, d.y, d.w, d.b, N, D, new Float64Array(D));
  const refCopy: Result = { ...ref, gw: Float64Array.from(ref.gw) };
  const scale = scaleOf(refCopy);
  const rows: LrRow[] = [];
  for (const { impl, setup, tol } of impls) {
    const run = await setup();
    // verify before timing: every implementation must agree with the float64 loop
    const r = run();
    const diff = maxAbsDiff(r, refCopy);
    if (!(diff <= tol * scale)) throw new Error(`${impl} (N=${N}, D=${D}) disagrees with the Float64Array loop: max abs diff ${diff} > ${tol} * ${scale}`);
    const us = await measure(() => void run(), { targetMs: N > 5000 ? 120 : 40, reps: 7 });
    rows.push({ size: `N=${N}, D=${D}`, impl, us, ratio: 0, diff });
    await setBackend("js");
  }
  const base = rows.find((x) => x.impl === "hand loop, Float32Array")!.us;
  for (const row of rows) row.ratio = row.us / base;
  return rows;
}

// ---- report ----------------------------------------------------------------------------------

async function main() {
  const t0 = performance.now();
  const ops = await opOverhead();
  const lr = [...(await logisticRegression(1000, 5)), ...(await logisticRegression(20000, 50))];
  const secs = ((performance.now() - t0) / 1000).toFixed(1);

  const lines: string[] = [];
  lines.push("# tyche core benchmark: eager and jit vs a hand-written loop");
  lines.push("");
  lines.push(`Measured in one run: ${machineInfo()}, ${secs} s total.`);
  lines.push("Median of 7 repetitions after a warm-up; each repetition is calibrated to run for tens of milliseconds.");
  lines.push("");
  lines.push("## (a) Eager per-op overhead");
  lines.push("");
  lines.push("| op | js (µs/call) | tfjs-cpu (µs/call) |");
  lines.push("|---|---:|---:|");
  for (const what of [...new Set(ops.map((o) => o.what))]) {
    const js = ops.find((o) => o.what === what && o.backend === "js")!;
    const tf = ops.find((o) => o.what === what && o.backend === "tfjs-cpu")!;
    lines.push(`| ${what} | ${fmtUs(js.us)} | ${fmtUs(tf.us)} |`);
  }
  lines.push("");
  lines.push("## (b) Logistic regression: value and gradient of the log density");
  lines.push("");
  lines.push("Prior Normal(0,1) on w (D) and b; likelihood Σ y·logits − softplus(logits), logits = X w + b.");
  lines.push("Ratio: time relative to the hand-written Float32Array loop. Max abs diff: value and gradient against the Float64Array loop (checked before timing).");
  lines.push("");
  lines.push("| size | implementation | µs/eval | ratio vs hand loop | max abs diff |");
  lines.push("|---|---|---:|---:|---:|");
  for (const r of lr) lines.push(`| ${r.size} | ${r.impl} | ${fmtUs(r.us)} | ${r.ratio.toFixed(r.ratio < 10 ? 2 : 1)}× | ${r.diff === 0 ? "0" : r.diff.toExponential(1)} |`);
  lines.push("");
  const md = lines.join("\n");
  console.log(md);
  const out = join(dirname(fileURLToPath(import.meta.url)), "results", "core.md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, md);
  console.log(`written to ${out}`);
}

await main();
