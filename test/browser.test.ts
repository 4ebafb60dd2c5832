/**
 * The browser example (examples/browser), for real: builds the page with Vite, serves it on
 * localhost, opens it in headless Chromium (Debian's chromium driven by playwright-core), clicks
 * Run on the CPU (`js`) and on WebGPU and checks what the page reports.
 *
 * - js: a converged run (4 chains x 300 draws) against the exact posterior of the page's
 *   conjugate model (means within Monte Carlo error, sds, R-hat < 1.05, ESS).
 * - webgpu: NUTS on Chromium's software WebGPU adapter (SwiftShader) costs about 0.1-0.2 s per
 *   leapfrog step, so the default run is short (2 chains x (10 + 10)) and is checked draw for
 *   draw against the js run with the same seed and settings (same PRNG, same algorithm: the
 *   chains agree to float32 rounding), plus that it ran on webgpu (getBackend(), tfjs's backend,
 *   an adapter). TYCHE_BROWSER_WEBGPU_FULL=1 adds a converged webgpu run (8 chains x (50 + 50),
 *   about 3 minutes on SwiftShader) checked against the exact posterior like the js run.
 *
 * Chromium's WebGPU here: `--enable-unsafe-webgpu` on a secure origin (http://localhost) is what
 * gives navigator.gpu an adapter in headless mode (SwiftShader, a fallback adapter; no Vulkan
 * flags needed).
 *
 * Skipped (with the reason in the test name) when /usr/bin/chromium is missing, unless
 * TYCHE_BROWSER_TESTS=1, when a missing browser or a missing WebGPU adapter fails (without it, a
 * Chromium with no adapter skips the WebGPU tests). TYCHE_CHROMIUM names another Chromium binary,
 * TYCHE_CHROMIUM_ARGS adds flags.
 */
import type { ResultRow } from "../examples/browser/main.js";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exactPosterior, makeData } from "../examples/browser/conjugate.js";

const CHROMIUM = process.env.TYCHE_CHROMIUM ?? "/usr/bin/chromium";
const REQUIRED = process.env.TYCHE_BROWSER_TESTS === "1";
const HAVE_BROWSER = existsSync(CHROMIUM);
const SKIP_REASON = HAVE_BROWSER || REQUIRED ? null : `${CHROMIUM} not found; install chromium, or set TYCHE_BROWSER_TESTS=1 to make this a failure`;
const WEBGPU_FULL = process.env.TYCHE_BROWSER_WEBGPU_FULL === "1";

/** Flags for headless Chromium: WebGPU on (SwiftShader adapter), nothing that goes to the network. */
const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--enable-unsafe-webgpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
  "--disable-default-apps",
  "--disable-dev-shm-usage",
  // more flags for other machines (a real GPU: e.g. --enable-features=Vulkan), space-separated
  ...(process.env.TYCHE_CHROMIUM_ARGS ?? "").split(/\s+/).filter(Boolean),
];

const root = fileURLToPath(new URL("../examples/browser/", import.meta.url));

interface Settings {
  chains: number;
  warmup: number;
  samples: number;
}
/** A converged run: ESS in the hundreds. */
const CONVERGED: Settings = { chains: 4, warmup: 300, samples: 300 };
/** The short run on webgpu and on js, compared draw for draw. */
const SHORT: Settings = { chains: 2, warmup: 10, samples: 10 };
/** The opt-in converged webgpu run. */
const WEBGPU_CONVERGED: Settings = { chains: 8, warmup: 50, samples: 50 };

type Row = ResultRow;
interface RunResult {
  requested: string;
  backend: string;
  tfjsBackend: string | null;
  adapter: string | null;
  numChains: number;
  numSamples: number;
  wallSeconds: number;
  divergences: number;
  stepsPerDraw: number;
  rows: Row[];
  draws: Record<string, number[][]>;
  error?: string;
}

const MIME: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".json": "application/json", ".wasm": "application/wasm" };

/** A static file server for the built page (localhost is a secure context, which WebGPU needs). */
async function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname));
    const file = join(dir, path.endsWith("/") ? `${path}index.html` : path);
    if (!file.startsWith(dir + sep) && file !== dir) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": MIME[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, url: `http://localhost:${(server.address() as AddressInfo).port}/` };
}

/** Selects `backend`, sets the run's size, clicks Run and returns the page's `#result`. */
async function runOn(page: Page, backend: "js" | "webgpu", s: Settings, timeoutMs: number): Promise<RunResult> {
  await page.selectOption("#backend", backend);
  await page.fill("#chains", String(s.chains));
  await page.fill("#warmup", String(s.warmup));
  await page.fill("#samples", String(s.samples));
  await page.click("#run");
  await page.waitForSelector("#result[data-status=done], #result[data-status=error]", { timeout: timeoutMs });
  const result = JSON.parse((await page.textContent("#result")) ?? "{}") as RunResult;
  if (result.error) throw new Error(`the page's run on ${backend} failed: ${result.error}`);
  return result;
}

/** Checks a run against the exact posterior of the conjugate model (computed here, independently of the page). */
function checkPosterior(r: RunResult): void {
  const exact = exactPosterior(makeData());
  expect(r.rows.map((row) => row.name)).toEqual(exact.map((m) => m.name));
  for (const m of exact) {
    const row = r.rows.find((x) => x.name === m.name)!;
    const what = `${r.backend}: ${m.name} (mean ${row.mean}, exact ${m.mean}; sd ${row.sd}, exact ${m.sd}; mcse ${row.mcse}; ess ${row.essBulk}; r-hat ${row.rHat})`;
    expect(row.rHat, what).toBeLessThan(1.05);
    expect(row.essBulk, what).toBeGreaterThan(100);
    // the Monte Carlo error of the mean is sd / sqrt(ESS); 5 of those (plus float32 slack)
    expect(Math.abs(row.mean - m.mean), what).toBeLessThan((5 * m.sd) / Math.sqrt(row.essBulk) + 1e-3 * Math.abs(m.mean));
    // the sd of the draws: within 20% of the exact sd (the relative error of a sd estimate is about 1/sqrt(2 ESS))
    expect(Math.abs(row.sd / m.sd - 1), what).toBeLessThan(0.2);
    expect(row.exactMean).toBeCloseTo(m.mean, 6);
  }
}

describe.skipIf(SKIP_REASON !== null)("browser example (examples/browser) in headless Chromium", () => {
  let outDir = "";
  let server: Server | null = null;
  let url = "";
  let browser: Browser | null = null;
  let page: Page;
  /** Why WebGPU cannot be tested in this Chromium (null: it can). */
  let noGpu: string | null = null;
  /** Skips a WebGPU test when there is no adapter, unless TYCHE_BROWSER_TESTS=1, when that fails. */
  const needGpu = (skip: (note: string) => never) => {
    if (noGpu === null) return;
    if (REQUIRED) throw new Error(`TYCHE_BROWSER_TESTS=1 but ${noGpu}`);
    skip(noGpu);
  };
  const logs: string[] = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    if (!HAVE_BROWSER) throw new Error(`TYCHE_BROWSER_TESTS=1 but there is no browser at ${CHROMIUM} (apt-get install chromium, or set TYCHE_CHROMIUM)`);
    let t = performance.now();
    outDir = await mkdtemp(join(tmpdir(), "tyche-browser-"));
    await build({ root, configFile: join(root, "vite.config.ts"), logLevel: "error", build: { outDir, emptyOutDir: true } });
    timings.build = (performance.now() - t) / 1000;
    ({ server, url } = await serve(outDir));
    t = performance.now();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    page = await browser.newPage();
    page.on("console", (m) => logs.push(`[${m.type()}] ${m.text()}`));
    page.on("pageerror", (e) => logs.push(`[pageerror] ${e.message}`));
    await page.goto(url);
    await page.waitForSelector("body[data-ready=true]", { timeout: 20_000 });
    timings.launch = (performance.now() - t) / 1000;
    const hasAdapter = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu ? (await gpu.requestAdapter()) !== null : false;
    });
    if (!hasAdapter) noGpu = `headless Chromium (${CHROMIUM}) has no WebGPU adapter (navigator.gpu.requestAdapter() gave none with ${CHROMIUM_ARGS.join(" ")})`;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    if (outDir) await rm(outDir, { recursive: true, force: true });
    console.log(`browser example timings (s): ${JSON.stringify(timings)}`);
    if (logs.some((l) => l.startsWith("[error]") || l.startsWith("[pageerror]"))) console.log(`page console:\n${logs.join("\n")}`);
  });

  it("has a WebGPU adapter and runs array ops on it (navigator.gpu, tfjs webgpu, await data())", async ({ skip }) => {
    needGpu(skip);
    const t = performance.now();
    await page.click("#check-webgpu");
    await page.waitForSelector("#gpu-check[data-status=done], #gpu-check[data-status=error]", { timeout: 20_000 });
    timings.gpuCheck = (performance.now() - t) / 1000;
    const check = JSON.parse((await page.textContent("#gpu-check")) ?? "{}") as { error?: string; backend: string; tfjsBackend: string; adapter: string | null; sumSquares: number; matmul: number[] };
    expect(check.error, "WebGPU check failed in the page (no adapter?): run with --enable-unsafe-webgpu on a localhost page").toBeUndefined();
    expect(check.adapter).toBeTruthy();
    expect(check.backend).toBe("webgpu");
    expect(check.tfjsBackend).toBe("webgpu");
    expect(check.sumSquares).toBe(338350);
    expect(check.matmul).toEqual([10, 13, 28, 40]);
  }, 30_000);

  it("fits the model with NUTS on the CPU (js backend), summary and plots shown", async () => {
    const r = await runOn(page, "js", CONVERGED, 30_000);
    timings.js = r.wallSeconds;
    expect(r.backend).toBe("js");
    expect(r.tfjsBackend).toBeNull();
    expect(r.numChains * r.numSamples).toBe(CONVERGED.chains * CONVERGED.samples);
    checkPosterior(r);
    // the table and the plots are on the page
    expect(await page.locator("#summary tbody tr").count()).toBe(4);
    expect(await page.locator("#timings tbody tr[data-backend=js]").count()).toBe(1);
    expect(await page.locator("#density svg path").count()).toBeGreaterThan(4);
    expect(await page.locator("#trace svg path").count()).toBeGreaterThan(4);
  }, 45_000);

  it("runs NUTS on WebGPU, really on webgpu, with the same draws as on the CPU", async ({ skip }) => {
    needGpu(skip);
    const gpu = await runOn(page, "webgpu", SHORT, 50_000);
    timings.webgpuShort = gpu.wallSeconds;
    expect(gpu.backend).toBe("webgpu");
    expect(gpu.tfjsBackend).toBe("webgpu");
    expect(gpu.adapter).toBeTruthy();
    expect(await page.locator("#timings tbody tr[data-backend=webgpu]").count()).toBe(1);
    expect(await page.locator("#density svg path").count()).toBeGreaterThan(4);
    const cpu = await runOn(page, "js", SHORT, 20_000);
    timings.jsShort = cpu.wallSeconds;
    expect(cpu.backend).toBe("js");
    expect(Object.keys(gpu.draws)).toEqual(Object.keys(cpu.draws));
    for (const [name, chains] of Object.entries(cpu.draws)) {
      expect(gpu.draws[name].length).toBe(SHORT.chains);
      chains.forEach((draws, c) => {
        expect(gpu.draws[name][c].length).toBe(SHORT.samples);
        const worst = Math.max(...draws.map((x, i) => Math.abs(x - gpu.draws[name][c][i]) / (1 + Math.abs(x))));
        // same key, same algorithm: the chains agree up to float32 rounding (seen: ~1e-5)
        expect(worst, `${name}, chain ${c}: webgpu ${gpu.draws[name][c].join(", ")}; js ${draws.join(", ")}`).toBeLessThan(1e-3);
      });
    }
    expect(gpu.stepsPerDraw).toBe(cpu.stepsPerDraw);
    expect(gpu.divergences).toBe(cpu.divergences);
  }, 60_000);

  it.skipIf(!WEBGPU_FULL)(`fits the model with NUTS on WebGPU to the exact posterior${WEBGPU_FULL ? "" : " (skipped: slow on a software adapter; set TYCHE_BROWSER_WEBGPU_FULL=1)"}`, async ({ skip }) => {
    needGpu(skip);
    const r = await runOn(page, "webgpu", WEBGPU_CONVERGED, 590_000);
    timings.webgpu = r.wallSeconds;
    expect(r.backend).toBe("webgpu");
    expect(r.tfjsBackend).toBe("webgpu");
    checkPosterior(r);
  }, 600_000);
});

if (SKIP_REASON !== null) it.skip(`browser example: skipped (${SKIP_REASON})`, () => {});
