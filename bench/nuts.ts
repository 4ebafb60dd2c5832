/**
 * NUTS benchmark: for eight schools (non-centered), logistic regression (N=1000, D=5) and a
 * hierarchical linear regression, runs 4 chains of 1000 warmup + 1000 draws and reports the
 * time to first draw (model preparation, trace and compile, first transition), wall time,
 * minimum bulk ESS over all parameters, min ESS per second and gradient evaluations per
 * second; then draws per second of vectorized chains for 1 to 1024 chains on eight schools.
 * Where R's rstan is installed (`apt-get install r-cran-rstan`; Debian's r-cran-bh also needs
 * `ln -s /usr/include /usr/lib/R/site-library/BH/include`), the same models run in Stan
 * in this run (compile time reported separately) and the ratios are printed.
 *
 * Run: `npm run bench:nuts` (writes bench/results/nuts.md).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { jit, np, random, type Array as NDArray } from "../src/core/index.js";
import * as dist from "../src/distributions/index.js";
import { plate, sample } from "../src/handlers/index.js";
import { essBulk, MCMC, NUTS, type ChainMethod, type Progress } from "../src/infer/index.js";
import { makeData } from "./logistic.js";
import { machineInfo } from "./measure.js";
import { eightSchoolsModel as eightSchools, SIGMA, Y } from "./eight-schools.js";

// ---- models ------------------------------------------------------------------------------------

const logistic = (X: NDArray, y: NDArray) => {
  const w = sample("w", new dist.Normal(np.zeros([X.shape[1]]), 1).toEvent(1));
  const b = sample("b", new dist.Normal(0, 1));
  plate("N", X.shape[0], () => sample("obs", new dist.Bernoulli({ logits: np.add(np.matmul(X, w), b) }), { obs: y }));
};

/** Varying intercepts by group, a common slope: y_i ~ N(a[g_i] + beta x_i, sigma), a non-centered. */
const hierarchical = (g: NDArray, x: NDArray, y: NDArray, J: number) => {
  const muA = sample("mu_a", new dist.Normal(0, 5));
  const sigmaA = sample("sigma_a", new dist.HalfNormal(2));
  const aRaw = plate("groups", J, () => sample("a_raw", new dist.Normal(0, 1)));
  const a = np.add(muA, np.multiply(sigmaA, aRaw));
  const beta = sample("beta", new dist.Normal(0, 2));
  const sigma = sample("sigma", new dist.HalfNormal(2));
  plate("N", x.shape[0], () => sample("obs", new dist.Normal(np.add(np.take(a, g), np.multiply(beta, x)), sigma), { obs: y }));
};

function hierarchicalData(N: number, J: number) {
  const k = random.splitList(random.key(11), 4);
  const g = random.randint(k[0], [N], 0, J);
  const x = random.normal(k[1], [N]);
  const a = np.add(1, np.multiply(0.7, random.normal(k[2], [J])));
  const y = np.add(np.add(np.take(a, g), np.multiply(0.5, x)), np.multiply(0.8, random.normal(k[3], [N])));
  return { g, x, y, J };
}

interface Case {
  name: string;
  model: (...args: any[]) => void;
  args: unknown[];
  stan: { code: string; data: Record<string, unknown> };
}

const lr = makeData(1000, 5, 1);
const hd = hierarchicalData(500, 10);
const cases: Case[] = [
  {
    name: "eight schools (non-centered)",
    model: eightSchools,
    args: [np.array(SIGMA), np.array(Y)],
    stan: {
      code: `data { int<lower=0> J; vector[J] y; vector<lower=0>[J] sigma; }
parameters { real mu; real<lower=0> tau; vector[J] theta_tilde; }
model { mu ~ normal(0, 5); tau ~ cauchy(0, 5); theta_tilde ~ normal(0, 1); y ~ normal(mu + tau * theta_tilde, sigma); }`,
      data: { J: 8, y: Y, sigma: SIGMA },
    },
  },
  {
    name: "logistic regression (N=1000, D=5)",
    model: logistic,
    args: [np.reshape(np.array(Array.from(lr.X)), [1000, 5]), np.array(Array.from(lr.y))],
    stan: {
      code: `data { int N; int D; matrix[N, D] X; int<lower=0, upper=1> y[N]; }
parameters { vector[D] w; real b; }
model { w ~ normal(0, 1); b ~ normal(0, 1); y ~ bernoulli_logit(X * w + b); }`,
      data: { N: 1000, D: 5, X: Array.from({ length: 1000 }, (_, i) => Array.from(lr.X.slice(i * 5, i * 5 + 5))), y: Array.from(lr.y) },
    },
  },
  {
    name: "hierarchical linear regression (N=500, J=10)",
    model: hierarchical,
    args: [hd.g, hd.x, hd.y, hd.J],
    stan: {
      code: `data { int N; int J; int<lower=1, upper=J> g[N]; vector[N] x; vector[N] y; }
parameters { real mu_a; real<lower=0> sigma_a; vector[J] a_raw; real beta; real<lower=0> sigma; }
model { vector[J] a = mu_a + sigma_a * a_raw; mu_a ~ normal(0, 5); sigma_a ~ normal(0, 2); a_raw ~ normal(0, 1); beta ~ normal(0, 2); sigma ~ normal(0, 2); y ~ normal(a[g] + beta * x, sigma); }`,
      data: { N: 500, J: 10, g: Array.from(hd.g.dataSync(), (v) => v + 1), x: Array.from(hd.x.dataSync()), y: Array.from(hd.y.dataSync()) },
    },
  },
];

// ---- tyche runs ----------------------------------------------------------------------------------

interface Row {
  name: string;
  firstDrawMs: number;
  wallS: number;
  minEss: number;
  essPerS: number;
  gradsPerS: number;
  stan?: { compileS: number; wallS: number; minEss: number; essPerS: number };
}

/** Time to first draw: model preparation, trace + compile of the transition, one transition. */
function firstDraw(c: Case): number {
  const t0 = performance.now();
  const kernel = new NUTS(c.model);
  const s0 = kernel.init(random.key(100), 1000, c.args);
  jit((s: typeof s0) => kernel.sample(s))(s0).z.dataSync();
  return performance.now() - t0;
}

/** Minimum bulk ESS over every element of every site (draws grouped by chain). */
function minBulkEss(samples: Record<string, NDArray>): number {
  let m = Infinity;
  for (const v of Object.values(samples)) m = Math.min(m, ...Array.from(essBulk(v).dataSync()));
  return m;
}

async function runTyche(c: Case, chainMethod: ChainMethod = "sequential"): Promise<Row> {
  const firstDrawMs = firstDraw(c);
  // the sampling phase of each chain runs from its last warmup report to its last report
  let samplingMs = 0;
  let warmupEnd = 0;
  const onProgress = (p: Progress) => {
    if (p.iteration === 1000) warmupEnd = performance.now();
    if (p.iteration === p.total) samplingMs += performance.now() - warmupEnd;
  };
  const mcmc = new MCMC(new NUTS(c.model), { numWarmup: 1000, numSamples: 1000, numChains: 4, chainMethod, progressBar: false, onProgress });
  const t0 = performance.now();
  await mcmc.run(random.key(0), ...c.args);
  const wallS = (performance.now() - t0) / 1000;
  const samples = mcmc.getSamples({ groupByChain: true });
  const minEss = minBulkEss(samples);
  // gradient evaluations (leapfrog steps) of the sampling phase per second of that phase
  const grads = np.sum(mcmc.getExtraFields().numSteps).item();
  return { name: c.name, firstDrawMs, wallS, minEss, essPerS: minEss / wallS, gradsPerS: grads / (samplingMs / 1000) };
}

/** Draws per second of vectorized chains on eight schools (200 warmup + 200 draws). */
async function vectorizedScaling(): Promise<{ chains: number; drawsPerS: number; wallS: number }[]> {
  const out = [];
  for (const chains of [1, 16, 256, 1024]) {
    const mcmc = new MCMC(new NUTS(eightSchools), { numWarmup: 200, numSamples: 200, numChains: chains, chainMethod: chains > 1 ? "vectorized" : "sequential", progressBar: false });
    const t0 = performance.now();
    await mcmc.run(random.key(1), ...cases[0].args);
    const wallS = (performance.now() - t0) / 1000;
    out.push({ chains, drawsPerS: (chains * 400) / wallS, wallS });
  }
  return out;
}

// ---- Stan (optional) --------------------------------------------------------------------------

function hasRstan(): boolean {
  try {
    execFileSync("Rscript", ["-e", "suppressMessages(library(rstan))"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

function runStan(c: Case): Row["stan"] {
  const dir = mkdtempSync(join(tmpdir(), "tyche-stan-"));
  writeFileSync(join(dir, "model.stan"), `${c.stan.code}\n`);
  writeFileSync(join(dir, "data.json"), JSON.stringify(c.stan.data));
  const script = `suppressMessages(library(rstan)); suppressMessages(library(jsonlite))
rstan_options(auto_write = FALSE)
d <- fromJSON("${join(dir, "data.json")}")
t0 <- Sys.time(); m <- stan_model("${join(dir, "model.stan")}"); compile <- as.numeric(Sys.time() - t0, units = "secs")
t1 <- Sys.time(); fit <- sampling(m, data = d, chains = 4, iter = 2000, warmup = 1000, cores = 1, refresh = 0, seed = 1)
wall <- as.numeric(Sys.time() - t1, units = "secs")
mon <- monitor(fit, print = FALSE)
ess <- min(mon[rownames(mon) != "lp__", "Bulk_ESS"])
cat(sprintf("RESULT %f %f %f\\n", compile, wall, ess))`;
  const out = execFileSync("Rscript", ["-e", script], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const m = /RESULT ([\d.]+) ([\d.]+) ([\d.]+)/.exec(out);
  if (!m) throw new Error(`Stan run for ${c.name} printed no result`);
  const [compileS, wallS, minEss] = m.slice(1).map(Number);
  return { compileS, wallS, minEss, essPerS: minEss / wallS };
}

// ---- report ----------------------------------------------------------------------------------------

async function main() {
  const rows: Row[] = [];
  const stan = hasRstan();
  for (const c of cases) {
    const row = await runTyche(c);
    if (stan) {
      try {
        row.stan = runStan(c);
      } catch (e) {
        console.error(`Stan failed on ${c.name} (on Debian, r-cran-bh lacks include/: ln -s /usr/include /usr/lib/R/site-library/BH/include): ${(e as Error).message.split("\n")[0]}`);
      }
    }
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  const scaling = await vectorizedScaling();
  const lines = [
    "# NUTS benchmark",
    "",
    machineInfo(),
    "",
    "4 chains (sequential) x (1000 warmup + 1000 draws). Min ESS is the minimum bulk ESS over every parameter;",
    "ESS/s uses the whole run's wall time (warmup and compilation included); grad evals/s counts the leapfrog steps of the sampling phase per second of it.",
    stan ? "Stan: rstan, 4 chains on one core, same iterations; its compile time is reported apart and excluded from its ESS/s." : "Stan: rstan is not installed here, so no Stan column (apt-get install r-cran-rstan).",
    "",
    "| model | first draw (ms) | wall (s) | min ESS | min ESS/s | grad evals/s |" + (stan ? " Stan compile (s) | Stan wall (s) | Stan min ESS | Stan min ESS/s | tyche / Stan ESS/s |" : ""),
    "|---|---|---|---|---|---|" + (stan ? "---|---|---|---|---|" : ""),
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.firstDrawMs.toFixed(0)} | ${r.wallS.toFixed(2)} | ${r.minEss.toFixed(0)} | ${r.essPerS.toFixed(0)} | ${r.gradsPerS.toExponential(2)} |` +
        (r.stan ? ` ${r.stan.compileS.toFixed(1)} | ${r.stan.wallS.toFixed(2)} | ${r.stan.minEss.toFixed(0)} | ${r.stan.essPerS.toFixed(0)} | ${(r.essPerS / r.stan.essPerS).toFixed(2)} |` : ""),
    ),
    "",
    "Vectorized chains on eight schools (200 warmup + 200 draws each; one chain runs sequentially):",
    "",
    "| chains | wall (s) | draws/s |",
    "|---|---|---|",
    ...scaling.map((s) => `| ${s.chains} | ${s.wallS.toFixed(2)} | ${s.drawsPerS.toFixed(0)} |`),
    "",
  ];
  const text = lines.join("\n");
  console.log(text);
  const out = join(dirname(fileURLToPath(import.meta.url)), "results", "nuts.md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
}

await main();
