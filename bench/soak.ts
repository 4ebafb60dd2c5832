/**
 * The full soak: 100,000 NUTS transitions and 100,000 SVI steps on eight schools (non-centered),
 * on the `js` backend and on `tfjs-cpu`, with process memory read at intervals. The reduced
 * version runs in CI (test/reliability/soak.test.ts); this one is long enough for a leak of a few
 * bytes per transition to show as a slope.
 *
 * Each run is continued in rounds, as a long-running service would: NUTS warms up once, then each
 * round continues the chain from its last state (`postWarmupState`, `continuationKey`) for
 * `transitions / rounds` draws, and the previous round's draws are dropped (on tfjs-cpu, where a
 * transition takes tens of milliseconds, 10 chains run vectorized, so the 100,000 transitions
 * take minutes rather than an hour); SVI `resume`s from its
 * last state for `steps / rounds` steps, and the previous round's losses are dropped. After each
 * round the garbage is collected (several passes, letting FinalizationRegistry callbacks run, which
 * release tfjs tensors) and heapUsed, rss, external and arrayBuffers are read (and tfjs
 * `memory().numBytes` and `numTensors` on tfjs-cpu). The first reading, after round 1 (warmup,
 * tracing, compiling), is the start; the slope is the least-squares line through all readings, in
 * bytes per 1,000 transitions or steps.
 *
 * Run: `npm run bench:soak` (writes bench/results/soak.md and prints it). Options:
 * `--transitions N --steps N --rounds N --backends js,tfjs-cpu --tfjs-chains N --out FILE`
 * (defaults 100000, 100000, 40, both backends, 10, bench/results/soak.md).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { getBackend, np, random, setBackend, type Array as NDArray, type BackendName } from "../src/core/index.js";
import { tfjs } from "../src/core/backend.js";
import * as dist from "../src/distributions/index.js";
import { deterministic, plate, sample } from "../src/handlers/index.js";
import { adam, AutoNormal, continuationKey, MCMC, NUTS, SVI, TraceELBO } from "../src/infer/index.js";
import { machineInfo } from "./measure.js";
import { SIGMA, Y } from "./eight-schools.js";

// ---- options -----------------------------------------------------------------------------------

/** The value of `--name value` on the command line, else `fallback`. */
function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const TRANSITIONS = Number(arg("transitions", "100000"));
const STEPS = Number(arg("steps", "100000"));
const ROUNDS = Number(arg("rounds", "40"));
const BACKENDS = arg("backends", "js,tfjs-cpu").split(",") as BackendName[];
const TFJS_CHAINS = Number(arg("tfjs-chains", "10"));
const OUT = arg("out", join(dirname(fileURLToPath(import.meta.url)), "results", "soak.md"));
for (const [name, n] of [
  ["transitions", TRANSITIONS],
  ["steps", STEPS],
  ["rounds", ROUNDS],
] as const)
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`bench/soak: --${name} must be a positive integer, got ${n}`);
if (TRANSITIONS % ROUNDS !== 0 || STEPS % ROUNDS !== 0) throw new Error(`bench/soak: --rounds (${ROUNDS}) must divide --transitions (${TRANSITIONS}) and --steps (${STEPS})`);

// ---- the model ---------------------------------------------------------------------------------

/** Eight schools, non-centered, with theta as a deterministic site. */
const eightSchools = (sigma: NDArray, y: NDArray) => {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("J", 8, () => {
    const thetaTilde = sample("theta_tilde", new dist.Normal(0, 1));
    const theta = deterministic("theta", np.add(mu, np.multiply(tau, thetaTilde)));
    sample("obs", new dist.Normal(theta, sigma), { obs: y });
  });
};

// ---- memory ------------------------------------------------------------------------------------

/** The garbage collector: global.gc when node runs with --expose-gc, else exposed through V8's flags. */
const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    setFlagsFromString("--expose-gc");
    return runInNewContext("gc") as () => void;
  })();

/** Collects garbage and lets FinalizationRegistry callbacks (which dispose tfjs tensors) run. */
async function settle(): Promise<void> {
  for (let round = 0; round < 4; round++) {
    gc();
    for (let t = 0; t < 5; t++) await new Promise((r) => setTimeout(r, 0));
  }
}

/** One reading of process memory, in bytes (tfjs fields null on the js backend). */
interface Reading {
  /** Transitions or steps done when read. */
  readonly done: number;
  readonly seconds: number;
  readonly heapUsed: number;
  readonly rss: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly tfBytes: number | null;
  readonly tfTensors: number | null;
}

const METRICS = ["heapUsed", "rss", "external", "arrayBuffers", "tfBytes"] as const;
type Metric = (typeof METRICS)[number];

async function read(done: number, t0: number): Promise<Reading> {
  await settle();
  const m = process.memoryUsage();
  const tf = getBackend() === "js" ? null : tfjs().memory();
  return { done, seconds: (performance.now() - t0) / 1000, heapUsed: m.heapUsed, rss: m.rss, external: m.external, arrayBuffers: m.arrayBuffers, tfBytes: tf?.numBytes ?? null, tfTensors: tf?.numTensors ?? null };
}

/** Least-squares slope of `y` against `x`. */
function slope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

// ---- the cases ---------------------------------------------------------------------------------

/** The result of one soak case. */
interface CaseResult {
  readonly name: string;
  readonly backend: BackendName;
  readonly total: number;
  readonly unit: string;
  readonly readings: readonly Reading[];
  /** Seconds of the whole case (memory readings included), and of the work of the rounds after the first (the steady rate). */
  readonly seconds: number;
  readonly steadySeconds: number;
}

/** Runs `round` ROUNDS times (each doing `perRound` transitions or steps), reading memory after each. */
async function soak(name: string, unit: string, total: number, round: (r: number) => Promise<void>): Promise<CaseResult> {
  const perRound = total / ROUNDS;
  const t0 = performance.now();
  const readings: Reading[] = [];
  let steadySeconds = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const tr = performance.now();
    await round(r);
    if (r > 0) steadySeconds += (performance.now() - tr) / 1000;
    readings.push(await read((r + 1) * perRound, t0));
    const last = readings[readings.length - 1];
    process.stderr.write(`\r${name} [${getBackend()}] ${last.done}/${total} ${unit} | ${last.seconds.toFixed(0)} s | heap ${(last.heapUsed / 1e6).toFixed(2)} MB${last.tfTensors === null ? "" : ` | ${last.tfTensors} tensors`}   `);
  }
  process.stderr.write("\n");
  const seconds = (performance.now() - t0) / 1000;
  return { name, backend: getBackend(), total, unit, readings, seconds, steadySeconds };
}

/**
 * NUTS on eight schools: 500 warmup transitions, then `TRANSITIONS` draws in rounds, each
 * continuing the chains: one chain, or `chains` chains vectorized (`TRANSITIONS / chains` each).
 */
async function nutsCase(chains: number): Promise<CaseResult> {
  const sigma = np.array(SIGMA);
  const y = np.array(Y);
  const perRound = TRANSITIONS / ROUNDS;
  if (perRound % chains !== 0) throw new Error(`bench/soak: ${chains} chains do not divide the ${perRound} transitions of a round`);
  const mcmc = new MCMC(new NUTS(eightSchools), { numWarmup: 500, numSamples: perRound / chains, numChains: chains, chainMethod: chains > 1 ? "vectorized" : "sequential", progressBar: false });
  return soak(chains > 1 ? `NUTS, ${chains} chains vectorized` : "NUTS, 1 chain", "transitions", TRANSITIONS, async (r) => {
    await mcmc.run(r === 0 ? random.key(0) : continuationKey(mcmc.lastState), sigma, y);
    mcmc.postWarmupState = mcmc.lastState;
    const mu = mcmc.getSamples().mu;
    if (mu.shape[0] !== perRound || !Number.isFinite(np.mean(mu).item())) throw new Error(`bench/soak: round ${r} of NUTS drew ${mu.shape[0]} draws, mean ${np.mean(mu).item()}`);
  });
}

/** SVI (AutoNormal, TraceELBO, Adam) on eight schools: `STEPS` steps in rounds, each resuming from the last state. */
async function sviCase(): Promise<CaseResult> {
  const sigma = np.array(SIGMA);
  const y = np.array(Y);
  const svi = new SVI(eightSchools, new AutoNormal(eightSchools), adam(0.01), new TraceELBO(), { progressBar: false });
  let state = svi.init(random.key(0), sigma, y);
  return soak("SVI", "steps", STEPS, async (r) => {
    const out = await svi.resume(state, STEPS / ROUNDS, sigma, y);
    state = out.state;
    const loss = np.mean(out.losses).item();
    if (!Number.isFinite(loss)) throw new Error(`bench/soak: round ${r} of SVI gave a mean loss of ${loss}`);
  });
}

// ---- report ------------------------------------------------------------------------------------

const mb = (b: number) => (b / 1e6).toFixed(2);
/** A slope in bytes per 1,000 transitions or steps, with its sign. */
const perK = (b: number) => `${b >= 0 ? "+" : "−"}${Math.abs(b) >= 100 ? Math.abs(b).toFixed(0) : Math.abs(b).toFixed(1)} B`;

/** "start → end MB (slope B / 1k)" of one metric of a case, or "n/a". */
function cell(c: CaseResult, metric: Metric): string {
  const ys = c.readings.map((r) => r[metric]);
  if (ys.some((y) => y === null)) return "n/a";
  const v = ys as number[];
  const s = slope(
    c.readings.map((r) => r.done),
    v,
  );
  return `${mb(v[0])} → ${mb(v[v.length - 1])} MB (${perK(s * 1000)})`;
}

function report(cases: readonly CaseResult[], totalSeconds: number): string {
  const lines = [
    "# tyche soak: memory over 100,000 NUTS transitions and 100,000 SVI steps",
    "",
    `Measured in one run: ${machineInfo()}.`,
    `Model: eight schools, non-centered (10 latent dimensions). NUTS: 500 warmup transitions, then the draws in ${ROUNDS} rounds, each continuing the chains from their last state (the previous round's draws dropped), default compiled chunks; one chain on js, ${TFJS_CHAINS} chains vectorized on tfjs-cpu (${(TRANSITIONS / TFJS_CHAINS).toLocaleString("en-US")} transitions each: there a transition is replayed op by op through tfjs kernels, tens of milliseconds, and a batch of chains costs little more than one). SVI: AutoNormal, TraceELBO (1 particle), Adam(0.01), ${ROUNDS} rounds of \`resume\`, compiled chunks of 100 steps.`,
    `Memory read after each round, after collecting garbage. Each cell: the reading after round 1 (warmup, tracing and compiling done) → the last reading, and the least-squares slope through all ${ROUNDS} readings in bytes per 1,000 transitions or steps (a slope of +1,000 B would be 100 kB over the whole run).`,
    "",
    "| case | backend | done | time (s) | per second | heapUsed | rss | external | arrayBuffers | tfjs numBytes | tfjs tensors (start → end) |",
    "|---|---|---:|---:|---:|---|---|---|---|---|---|",
  ];
  for (const c of cases) {
    const first = c.readings[0];
    const last = c.readings[c.readings.length - 1];
    const rate = (c.total - first.done) / c.steadySeconds;
    const tensors = first.tfTensors === null ? "n/a" : `${first.tfTensors} → ${last.tfTensors}`;
    lines.push(
      `| ${c.name} | ${c.backend} | ${c.total.toLocaleString("en-US")} ${c.unit} | ${c.seconds.toFixed(0)} | ${rate.toFixed(0)} | ${METRICS.map((m) => cell(c, m)).join(" | ")} | ${tensors} |`,
    );
  }
  const at = Array.from(new Set(Array.from({ length: 9 }, (_, i) => Math.round((i * (ROUNDS - 1)) / 8))));
  lines.push(
    "",
    `heapUsed (MB) through the run, after round k of ${ROUNDS} (${(TRANSITIONS / ROUNDS).toLocaleString("en-US")} transitions or ${(STEPS / ROUNDS).toLocaleString("en-US")} steps each): growth in proportion to the work is a leak, growth that levels off is the engine warming up (optimized code, caches).`,
    "",
    `| case | backend | ${at.map((i) => `k = ${i + 1}`).join(" | ")} |`,
    `|---|---|${at.map(() => "---:").join("|")}|`,
    ...cases.map((c) => `| ${c.name} | ${c.backend} | ${at.map((i) => mb(c.readings[i].heapUsed)).join(" | ")} |`),
  );
  lines.push(
    "",
    "Time: the whole case, memory readings (several garbage collections after each round) included. Per second: transitions or steps per second of the rounds after the first (the first includes warmup and compiling), the readings left out; rounds are short and each starts a run, so for throughput see bench/nuts.ts and bench/svi.ts. rss is the process's resident memory, which the allocator does not always hand back; heapUsed, arrayBuffers and the tfjs counts are the ones a leak of arrays or tensors would move.",
    "",
    `Total time: ${totalSeconds.toFixed(0)} s.`,
    "",
  );
  return lines.join("\n");
}

// ---- main --------------------------------------------------------------------------------------

const t0 = performance.now();
const cases: CaseResult[] = [];
for (const backend of BACKENDS) {
  await setBackend(backend);
  cases.push(await nutsCase(backend === "js" ? 1 : TFJS_CHAINS));
  await settle();
  cases.push(await sviCase());
  await settle();
}
await setBackend("js");
const md = report(cases, (performance.now() - t0) / 1000);
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, md);
console.log(md);
