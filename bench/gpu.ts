/**
 * Vectorized inference on the CPU (`js` backend) and on WebGPU, measured in one run: transitions
 * per second of vectorized NUTS on logistic regression (N=1000, D=5 for 1 to 10,000 chains;
 * N=20000, D=50 for 1 to 100), and steps per second of SVI (AutoNormal, TraceELBO) for 1 to 10,000 vectorized
 * particles. Each case is timed on its second run, so compilation is excluded; a case slower than
 * the budget ends that row (larger sizes would only be slower).
 *
 * Run: `npm run bench:gpu` (writes bench/results/gpu.md). GPU_SIZES=1,100 and GPU_BUDGET_S=60
 * narrow it. On a machine without a GPU, WebGPU runs on whatever adapter Dawn finds (here a
 * software Vulkan device, lavapipe), which measures the path, not a GPU.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { np, random, setBackend, type Array as NDArray, type BackendName } from "../src/core/index.js";
import * as dist from "../src/distributions/index.js";
import { plate, sample } from "../src/handlers/index.js";
import { AutoNormal, MCMC, NUTS, SVI, TraceELBO, adam } from "../src/infer/index.js";
import { makeData } from "./logistic.js";
import { machineInfo } from "./measure.js";

const sizes = (process.env.GPU_SIZES ?? "1,100,1000,10000").split(",").map(Number);
/** The large data set stops at 100 chains: a vmapped matmul there holds chains x N x D floats. */
const largeSizes = sizes.filter((c) => c <= 100);
const budgetMs = Number(process.env.GPU_BUDGET_S ?? 120) * 1000;
const backends: BackendName[] = ["js", "webgpu"];

function logistic(X: NDArray, y: NDArray) {
  const [N, D] = X.shape;
  const w = sample("w", new dist.Normal(0, 1).expand([D]).toEvent(1));
  const b = sample("b", new dist.Normal(0, 1));
  plate("N", N, () => sample("y", new dist.Bernoulli({ logits: np.add(np.matmul(X, w), b) }), { obs: y }));
}

function dataOf(N: number, D: number) {
  const d = makeData(N, D, 7);
  return [np.reshape(np.array(Float32Array.from(d.X)), [N, D]), np.array(Float32Array.from(d.y))] as const;
}

/** Wall time of `f`'s second call (the first compiles), in ms. */
async function secondRun(f: () => Promise<void>): Promise<number> {
  await f();
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

const iterations = { warmup: 2, samples: 4 };
const sviSteps = 10;

interface Row {
  what: string;
  size: number;
  rate: Record<string, number | null | "invalid">;
}

/** Whether every value of the arrays is finite (a run that computed garbage is not timed as valid). */
async function allFinite(xs: NDArray[]): Promise<boolean> {
  for (const x of xs) if (!Array.from(await x.data()).every(Number.isFinite)) return false;
  return true;
}

async function nutsRow(N: number, D: number, C: number, over: Set<string>): Promise<Row> {
  const rate: Row["rate"] = {};
  for (const be of backends) {
    const key = `nuts${N}x${D}|${be}`;
    if (over.has(key)) {
      rate[be] = null;
      continue;
    }
    await setBackend(be);
    const [X, y] = dataOf(N, D);
    const mcmc = new MCMC(new NUTS(logistic), { numWarmup: iterations.warmup, numSamples: iterations.samples, numChains: C, chainMethod: C > 1 ? "vectorized" : "sequential", progressBar: false });
    let ms = Infinity;
    try {
      ms = await secondRun(() => mcmc.run(random.key(1), X, y));
    } catch (e) {
      console.log(`NUTS N=${N} D=${D} C=${C} ${be}: failed (${(e as Error).message})`);
    }
    const r = (C * (iterations.warmup + iterations.samples)) / (ms / 1000);
    const ok = ms < Infinity && (await allFinite(Object.values(mcmc.getSamples())));
    rate[be] = ok ? r : "invalid";
    if (ms > budgetMs || !ok) over.add(key);
    console.log(`NUTS N=${N} D=${D} C=${C} ${be}: ${(ms / 1000).toFixed(2)} s, ${r.toFixed(1)} transitions/s${ok ? "" : " (non-finite draws: invalid)"}`);
  }
  return { what: `NUTS logistic N=${N} D=${D}`, size: C, rate };
}

async function sviRow(P: number, over: Set<string>): Promise<Row> {
  const rate: Row["rate"] = {};
  for (const be of backends) {
    const key = `svi|${be}`;
    if (over.has(key)) {
      rate[be] = null;
      continue;
    }
    await setBackend(be);
    const [X, y] = dataOf(1000, 5);
    const svi = new SVI(logistic, new AutoNormal(logistic), adam(0.01), new TraceELBO({ numParticles: P }), { chunkSize: sviSteps });
    let losses: NDArray[] = [];
    let ms = Infinity;
    try {
      ms = await secondRun(async () => void (losses = [(await svi.run(random.key(2), sviSteps, X, y)).losses]));
    } catch (e) {
      console.log(`SVI P=${P} ${be}: failed (${(e as Error).message})`);
    }
    const r = sviSteps / (ms / 1000);
    const ok = ms < Infinity && (await allFinite(losses));
    rate[be] = ok ? r : "invalid";
    if (ms > budgetMs || !ok) over.add(key);
    console.log(`SVI P=${P} ${be}: ${(ms / 1000).toFixed(2)} s, ${r.toFixed(2)} steps/s${ok ? "" : " (non-finite losses: invalid)"}`);
  }
  return { what: "SVI logistic N=1000 D=5 (particles)", size: P, rate };
}

async function main() {
  const over = new Set<string>();
  const rows: Row[] = [];
  for (const C of sizes) rows.push(await nutsRow(1000, 5, C, over));
  for (const C of largeSizes) rows.push(await nutsRow(20000, 50, C, over));
  for (const P of sizes) rows.push(await sviRow(P, over));
  await setBackend("webgpu");
  const adapter = await (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null> } } }).navigator?.gpu?.requestAdapter();
  const gpu = adapter?.info ? [adapter.info.vendor, adapter.info.architecture, adapter.info.description].filter(Boolean).join(" ") || "unnamed adapter" : "none";
  const fmt = (v: number | null | "invalid" | undefined) =>
    v === "invalid" ? "invalid (over a device limit)" : v === null || v === undefined ? "over budget" : v >= 100 ? v.toFixed(0) : v.toPrecision(3);
  const lines = [
    "# Vectorized inference: CPU (js) vs WebGPU",
    "",
    `${machineInfo()}; WebGPU adapter: ${gpu}.`,
    `NUTS: transitions per second (chains x ${iterations.warmup + iterations.samples} iterations / wall time of a compiled run). SVI: steps per second (${sviSteps} steps, compiled run).`,
    "",
    "| case | chains / particles | js (CPU) | webgpu | webgpu / js |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...rows.map((r) => {
      const a = r.rate.js;
      const b = r.rate.webgpu;
      return `| ${r.what} | ${r.size} | ${fmt(a)} | ${fmt(b)} | ${typeof a === "number" && typeof b === "number" ? (b / a).toFixed(2) : "-"} |`;
    }),
    "",
  ];
  const text = lines.join("\n");
  console.log(`\n${text}`);
  const out = join(dirname(fileURLToPath(import.meta.url)), "results", "gpu.md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  process.exit(0);
}

await main();
