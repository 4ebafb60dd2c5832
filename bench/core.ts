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
import { cpus } from "node:os";
import { enableX64, jit, np, setBackend, valueAndGrad, type Array as NDArray, type BackendName } from "../src/core/index.js";

// ---- timing ----------------------------------------------------------------------------------

const tick = () => new Promise<void>((r) => setImmediate(r));

/**
 * Median microseconds per call of `fn`: calibrates a batch size so that one repetition takes
 * about `targetMs`, runs one warm-up repetition and then `reps` measured ones. Between
 * repetitions it yields to the event loop so that collected arrays release their tensors.
 */
async function measure(fn: () => void, { targetMs = 40, reps = 7 } = {}): Promise<number> {
  fn();
  let k = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < k; i++) fn();
    const dt = performance.now() - t0;
    if (dt >= targetMs / 4 || k >= 1 << 20) {
      k = Math.max(1, Math.round((k * targetMs) / Math.max(dt, 1e-3)));
      break;
    }
    k *= 4;
  }
  const times: number[] = [];
  for (let r = 0; r <= reps; r++) {
    await tick();
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    for (let i = 0; i < k; i++) fn();
    const dt = performance.now() - t0;
    if (r > 0) times.push((dt * 1000) / k);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const fmtUs = (us: number) => (us >= 100 ? us.toFixed(0) : us >= 10 ? us.toFixed(1) : us.toFixed(2));

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

/** Deterministic data: X ~ N(0,1) (N×D), y ~ Bernoulli(sigmoid(X w* + b*)), and a point (w, b). */
function makeData(N: number, D: number, seed: number) {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const X = new Float64Array(N * D).map(() => normal());
  const wTrue = new Float64Array(D).map(() => normal() / Math.sqrt(D));
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let l = 0.3;
    for (let j = 0; j < D; j++) l += X[i * D + j] * wTrue[j];
    y[i] = u() < 1 / (1 + Math.exp(-l)) ? 1 : 0;
  }
  const w = new Float64Array(D).map(() => 0.2 * normal());
  const b = 0.1;
  return { N, D, X, y, w, b };
}

type Data = ReturnType<typeof makeData>;
type Result = { value: number; gw: Float64Array; gb: number };

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** The hand-written loop over typed arrays (storage Float64Array or Float32Array; arithmetic in doubles). */
function handLoop(X: Float64Array | Float32Array, y: Float64Array | Float32Array, w: Float64Array | Float32Array, b: number, N: number, D: number, gw: Float64Array): Result {
  let value = 0;
  let gb = 0;
  gw.fill(0);
  for (let i = 0; i < N; i++) {
    const row = i * D;
    let l = b;
    for (let j = 0; j < D; j++) l += X[row + j] * w[j];
    const softplus = Math.log1p(Math.exp(-Math.abs(l))) + (l > 0 ? l : 0);
    value += y[i] * l - softplus;
    const r = y[i] - 1 / (1 + Math.exp(-l)); // d/dl (y l - softplus(l))
    gb += r;
    for (let j = 0; j < D; j++) gw[j] += r * X[row + j];
  }
  let ww = 0;
  for (let j = 0; j < D; j++) {
    ww += w[j] * w[j];
    gw[j] -= w[j];
  }
  value += -0.5 * (ww + b * b) - (D + 1) * HALF_LOG_2PI;
  gb -= b;
  return { value, gw, gb };
}

/** The same log density with np ops (softplus written inline). */
function logDensity(params: { w: NDArray; b: NDArray }, X: NDArray, y: NDArray): NDArray {
  const { w, b } = params;
  const D = w.shape[0];
  const logits = np.add(np.matmul(X, w), b);
  const softplus = np.add(np.log1p(np.exp(np.negative(np.abs(logits)))), np.maximum(logits, 0));
  const loglik = np.sum(np.subtract(np.multiply(y, logits), softplus));
  const logprior = np.subtract(np.multiply(np.add(np.sum(np.square(w)), np.square(b)), -0.5), (D + 1) * HALF_LOG_2PI);
  return np.add(loglik, logprior);
}

const vg = valueAndGrad(logDensity);

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
    { impl: "hand loop, Float64Array", setup: async () => () => handLoop(d.X, d.y, d.w, d.b, N, D, gw), tol: 0 },
    { impl: "hand loop, Float32Array", setup: async () => () => handLoop(X32, y32, w32, b32, N, D, gw), tol: 1e-5 },
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
  const ref = handLoop(d.X, d.y, d.w, d.b, N, D, new Float64Array(D));
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
  lines.push(`Measured in one run: ${new Date().toISOString()}, Node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"} (${cpus().length} logical CPUs), ${secs} s total.`);
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
