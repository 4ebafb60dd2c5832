/**
 * tyche in the browser: fits a conjugate Bayesian linear regression with NUTS (vectorized chains)
 * on the CPU (`js` backend) or on WebGPU, shows the summary (mean, sd, r-hat, ESS per parameter)
 * next to the exact posterior, plots the draws (Vega-Lite specs from tyche/plots, rendered to SVG
 * by Vega's own View) and reports the wall time per backend.
 *
 * The last run's numbers are also written as JSON to `#result` (its `data-status` is `idle`,
 * `running`, `done` or `error`), which is what test/browser.test.ts reads.
 */
import { getBackend, np, random, setBackend, type Array as NDArray, type BackendName } from "tyche/core";
import * as dist from "tyche/distributions";
import { plate, sample } from "tyche/handlers";
import { MCMC, NUTS, summary } from "tyche/infer";
import { posteriorDensity, siteElements, traceplot, type PlotSpec } from "tyche/plots";
import { parse, View } from "vega";
import { compile } from "vega-lite";
import { exactPosterior, makeData, prior, type Moments } from "./conjugate";

/** The model: `sigma2 ~ InverseGamma(a0, b0)`, `beta ~ Normal(0, sqrt(v0 sigma2))`, `y ~ Normal(X beta, sqrt(sigma2))`. */
function regression(X: NDArray, y: NDArray | undefined, D: number): void {
  const sigma2 = sample("sigma2", new dist.InverseGamma(prior.a0, prior.b0));
  const beta = plate("D", D, () => sample("beta", new dist.Normal(0, np.sqrt(np.multiply(prior.v0, sigma2)))));
  const mu = np.matmul(X, beta);
  plate("N", X.shape[0], () => {
    sample("obs", new dist.Normal(mu, np.sqrt(sigma2)), { obs: y });
  });
}

const data = makeData();
const exact = exactPosterior(data);

/** One row of the summary, as written to `#result`. */
export interface ResultRow {
  name: string;
  mean: number;
  sd: number;
  mcse: number;
  rHat: number;
  essBulk: number;
  essTail: number;
  exactMean: number;
  exactSd: number;
}

/** What one run reports (the JSON in `#result`). */
export interface RunResult {
  /** The backend asked for. */
  requested: BackendName;
  /** `getBackend()` after `setBackend` (what the run actually ran on). */
  backend: BackendName;
  /** WebGPU adapter info when the backend is webgpu. */
  adapter: string | null;
  /** The backend tfjs reports (null on `js`, which does not use tfjs). */
  tfjsBackend: string | null;
  numChains: number;
  numWarmup: number;
  numSamples: number;
  seed: number;
  /** Seconds of `mcmc.run` (compile included) plus reading the draws back. */
  wallSeconds: number;
  divergences: number;
  /** Mean leapfrog steps per draw after warmup (the cost of a NUTS transition). */
  stepsPerDraw: number;
  rows: ResultRow[];
  /** The draws by parameter, `[chain][draw]` (when there are at most 20,000 per parameter). */
  draws: Record<string, number[][]> | null;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusEl = $<HTMLParagraphElement>("status");
const resultEl = $<HTMLPreElement>("result");
const runButton = $<HTMLButtonElement>("run");
const backendSelect = $<HTMLSelectElement>("backend");
const inputs = { chains: $<HTMLInputElement>("chains"), warmup: $<HTMLInputElement>("warmup"), samples: $<HTMLInputElement>("samples"), seed: $<HTMLInputElement>("seed") };

// settings from the query string (?backend=webgpu&chains=8&warmup=300&samples=300&seed=1)
const query = new URLSearchParams(location.search);
for (const [k, el] of Object.entries(inputs)) if (query.has(k)) el.value = query.get(k)!;
if (query.has("backend")) backendSelect.value = query.get("backend")!;

$("data-desc").textContent = `N = ${data.N} rows, an intercept and ${data.D - 1} covariates, simulated with beta = [${data.trueBeta.join(", ")}] and sigma = ${data.trueSigma}`;

function setStatus(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.classList.toggle("error", error);
}

/** Describes the WebGPU adapter, or says why there is none. */
async function adapterInfo(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: Record<string, unknown>; isFallbackAdapter?: boolean } | null> } }).gpu;
  if (!gpu) return null;
  const adapter = await gpu.requestAdapter();
  if (!adapter) return null;
  const info = adapter.info ?? {};
  const parts = [info.vendor, info.architecture, info.device, info.description].filter((s) => typeof s === "string" && s !== "");
  const fallback = adapter.isFallbackAdapter ?? info.isFallbackAdapter;
  return `${parts.join(" / ") || "unknown adapter"}${fallback ? " (fallback adapter)" : ""}`;
}

/** Both buttons off while something runs (a run switches the backend). */
function busy(on: boolean): void {
  runButton.disabled = on;
  $<HTMLButtonElement>("check-webgpu").disabled = on;
}

/** The backend tfjs itself runs on (null when tyche runs on `js`, without tfjs). */
async function tfjsBackendName(): Promise<string | null> {
  if (getBackend() === "js") return null;
  const tf = await import("@tensorflow/tfjs-core");
  return tf.getBackend();
}

/**
 * A quick check of the WebGPU path without inference: a few eager array ops on `webgpu`, read
 * back with `await data()` (the only read WebGPU allows). Writes JSON to `#gpu-check`.
 */
async function checkWebGpu(): Promise<void> {
  const el = $("gpu-check");
  busy(true);
  el.dataset.status = "running";
  el.textContent = "checking WebGPU…";
  try {
    await setBackend("webgpu");
    const x = np.arange(1, 101); // 1..100
    const sumSquares = (await np.sum(np.square(x)).data())[0]; // 338350
    const m = np.matmul(np.reshape(np.arange(6), [2, 3]), np.reshape(np.arange(6), [3, 2])); // [[10,13],[28,40]]
    const matmul = Array.from(await m.data());
    const check = { backend: getBackend(), tfjsBackend: await tfjsBackendName(), adapter: await adapterInfo(), sumSquares, matmul };
    el.textContent = JSON.stringify(check);
    el.dataset.status = "done";
  } catch (e) {
    console.error(e);
    el.textContent = JSON.stringify({ error: e instanceof Error ? e.message : String(e) });
    el.dataset.status = "error";
  } finally {
    await setBackend("js").catch(() => undefined);
    busy(false);
  }
}

const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** Renders a Vega-Lite spec as SVG into `el` with Vega's View (the browser path; no resvg). */
async function render(spec: PlotSpec, el: HTMLElement): Promise<void> {
  el.replaceChildren();
  const view = new View(parse(compile(spec).spec), { renderer: "svg", container: el, hover: true });
  await view.runAsync();
}

function showSummary(r: RunResult): void {
  $("summary-backend").textContent = `(${r.backend}, ${r.numChains} chains × ${r.numSamples} draws)`;
  const body = $("summary").querySelector("tbody")!;
  body.replaceChildren(
    ...r.rows.map((row) => {
      const tr = document.createElement("tr");
      const cells: [string, boolean][] = [
        [row.name, false],
        [fmt(row.mean, 4), Math.abs(row.mean - row.exactMean) > 4 * row.mcse + 1e-3],
        [fmt(row.sd, 4), false],
        [fmt(row.exactMean, 4), false],
        [fmt(row.exactSd, 4), false],
        [fmt(row.mcse, 4), false],
        [fmt(row.rHat, 3), !(row.rHat < 1.05)],
        [fmt(row.essBulk, 0), false],
        [fmt(row.essTail, 0), false],
      ];
      for (const [text, bad] of cells) {
        const td = document.createElement("td");
        td.textContent = text;
        if (bad) td.className = "bad";
        tr.append(td);
      }
      return tr;
    }),
  );
}

function addTiming(r: RunResult): void {
  const tr = document.createElement("tr");
  tr.dataset.backend = r.backend;
  const draws = r.numChains * r.numSamples;
  for (const text of [r.backend, `${r.numChains} × (${r.numWarmup} + ${r.numSamples})`, fmt(r.wallSeconds, 2), fmt(draws / r.wallSeconds, 0), fmt(r.stepsPerDraw, 1), String(r.divergences)]) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.append(td);
  }
  $("timings").querySelector("tbody")!.append(tr);
}

function readInt(el: HTMLInputElement, name: string, min: number): number {
  const v = Number(el.value);
  if (!(Number.isInteger(v) && v >= min)) throw new Error(`${name} must be an integer >= ${min}, got '${el.value}'`);
  return v;
}

/** Runs NUTS on `requested` and returns the numbers (draws are read back with `await x.data()`). */
async function fit(requested: BackendName, numChains: number, numWarmup: number, numSamples: number, seed: number, progress: (text: string) => void): Promise<{ result: RunResult; grouped: Record<string, NDArray> }> {
  await setBackend(requested);
  const backend = getBackend();
  const adapter = backend === "webgpu" ? await adapterInfo() : null;
  const tfjsBackend = await tfjsBackendName();
  const X = np.array(data.X);
  const y = np.array(data.y);
  const mcmc = new MCMC(new NUTS(regression), {
    numWarmup,
    numSamples,
    numChains,
    chainMethod: "vectorized",
    progressBar: false,
    onProgress: (p) => progress(`${backend}: ${p.phase} ${p.iteration} / ${p.total} (${fmt(p.drawsPerSecond, 0)} draws/s)`),
  });
  const t0 = performance.now();
  await mcmc.run(random.key(seed), X, y, data.D);
  const grouped = mcmc.getSamples({ groupByChain: true });
  const { diverging, numSteps } = mcmc.getExtraFields();
  // on WebGPU only asynchronous reads exist: read everything back once (cached on the host after)
  await Promise.all([...Object.values(grouped), diverging, numSteps].map((a) => a.data()));
  const wallSeconds = (performance.now() - t0) / 1000;
  const divergences = Array.from(await diverging.data()).filter((v) => v !== 0).length;
  const steps = Array.from(await numSteps.data());
  const stepsPerDraw = steps.reduce((a, b) => a + b, 0) / steps.length;
  const s = summary(grouped);
  const rows: ResultRow[] = [...s.sites.beta, ...s.sites.sigma2].map((row) => {
    const ex = exact.find((m: Moments) => m.name === row.name)!;
    return { name: row.name, mean: row.mean, sd: row.std, mcse: row.mcse, rHat: row.rHat, essBulk: row.nEff, essTail: row.essTail, exactMean: ex.mean, exactSd: ex.sd };
  });
  const draws = numChains * numSamples <= 20_000 ? Object.fromEntries(siteElements(grouped, { sites: ["beta", "sigma2"] }, "draws").map((el) => [el.name, el.chains.map((c) => Array.from(c))])) : null;
  return { result: { requested, backend, adapter, tfjsBackend, numChains, numWarmup, numSamples, seed, wallSeconds, divergences, stepsPerDraw, rows, draws }, grouped };
}

async function onRun(): Promise<void> {
  busy(true);
  resultEl.dataset.status = "running";
  resultEl.dataset.backend = backendSelect.value;
  resultEl.textContent = "";
  const requested = backendSelect.value as BackendName;
  try {
    const numChains = readInt(inputs.chains, "chains", 1);
    const numWarmup = readInt(inputs.warmup, "warmup", 1);
    const numSamples = readInt(inputs.samples, "draws", 4);
    const seed = readInt(inputs.seed, "seed", 0);
    setStatus(`${requested}: compiling and warming up…`);
    const { result, grouped } = await fit(requested, numChains, numWarmup, numSamples, seed, setStatus);
    showSummary(result);
    addTiming(result);
    setStatus(`${result.backend}: rendering plots…`);
    const draws = { beta: grouped.beta, sigma2: grouped.sigma2 };
    await render(posteriorDensity(draws, { columns: 4, width: 200, height: 130, title: `posterior densities (${result.backend})` }), $("density"));
    await render(traceplot(draws, { title: `traces (${result.backend})` }), $("trace"));
    resultEl.textContent = JSON.stringify(result, null, 2);
    resultEl.dataset.backend = result.backend;
    resultEl.dataset.status = "done";
    setStatus(`${result.backend}: done in ${fmt(result.wallSeconds, 2)} s${result.adapter ? ` on ${result.adapter}` : ""}`);
  } catch (e) {
    console.error(e);
    const message = e instanceof Error ? e.message : String(e);
    resultEl.textContent = JSON.stringify({ requested, error: message });
    resultEl.dataset.status = "error";
    setStatus(`${requested}: ${message}`, true);
  } finally {
    // later runs and other pages start from the default backend
    await setBackend("js").catch(() => undefined);
    busy(false);
  }
}

runButton.addEventListener("click", () => void onRun());
$("check-webgpu").addEventListener("click", () => void checkWebGpu());

void adapterInfo().then(
  (info) =>
    ($("gpu-info").textContent =
      info === null
        ? "not available in this browser (navigator.gpu has no adapter); the CPU backend still works"
        : info.includes("fallback")
          ? `${info}: a software adapter, on which NUTS is slow (about a second per iteration): try 2 chains × (20 + 20)`
          : info),
  (e: unknown) => ($("gpu-info").textContent = `error: ${String(e)}`),
);
// ready: the test waits for this before clicking
document.body.dataset.ready = "true";
