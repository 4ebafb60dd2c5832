/**
 * Eight schools (Rubin 1981) sampled with NUTS in its two classic forms, to show what
 * divergences are and how a reparameterization removes them.
 *
 * - Centered: `theta_j ~ Normal(mu, tau)`. For small `tau` the thetas are squeezed into a narrow
 *   neck around `mu` (Neal's funnel): the curvature there is far larger than in the wide mouth,
 *   so a step size adapted to the bulk of the posterior is too large in the neck, the leapfrog
 *   integrator's energy error blows up and the transition is flagged divergent. The sampler
 *   then avoids the neck, so small values of `tau` are under-explored and estimates are biased.
 * - Non-centered: `theta_tilde_j ~ Normal(0, 1)`, `theta_j = mu + tau * theta_tilde_j` (a
 *   `deterministic` site). The sampler now moves in a space whose geometry does not depend on
 *   `tau`, so one step size fits everywhere and the divergences (nearly) disappear.
 *
 * Both run 4 chains of 1000 warmup and 1000 draws (vectorized: one batched program for the
 * chains); the example prints both summaries, the number of divergences, where they happen
 * (the value of tau at divergent draws) and how far into small tau each form gets, and writes a
 * trace plot and a pair plot (divergent draws in red) of each form to examples/out/.
 * Run: `npm run example -- eight-schools`.
 */
import { np, random, type Array } from "../src/core/index.js";
import * as dist from "../src/distributions/index.js";
import { deterministic, plate, sample } from "../src/handlers/index.js";
import { MCMC, NUTS, essBulk, formatSummary } from "../src/infer/index.js";
import { pairPlot, savePlot, traceplot } from "../src/plots/index.js";
import { f, isMain, quantiles, since, values, type Log } from "./lib/report.js";

const y = np.array([28, 8, -3, 7, -1, 1, 18, 12]);
const sigma = np.array([15, 10, 16, 11, 9, 11, 10, 18]);

/** The centered form: the school effects are latent sites drawn around mu with scale tau. */
export function centered(sigma: Array, y?: Array) {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("J", 8, () => {
    const theta = sample("theta", new dist.Normal(mu, tau));
    sample("obs", new dist.Normal(theta, sigma), { obs: y });
  });
}

/** The non-centered form: standard normal latents, the school effects a deterministic function of them. */
export function nonCentered(sigma: Array, y?: Array) {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("J", 8, () => {
    const thetaTilde = sample("theta_tilde", new dist.Normal(0, 1));
    const theta = deterministic("theta", np.add(mu, np.multiply(tau, thetaTilde)));
    sample("obs", new dist.Normal(theta, sigma), { obs: y });
  });
}

/** Options of {@link main}. */
export interface Options {
  numWarmup?: number;
  numSamples?: number;
  numChains?: number;
  seed?: number;
  /** Print the two summary tables (default true). */
  summaries?: boolean;
  /** Where to write trace and pair plots (SVG) of each form (default examples/out; null: none). */
  plotDir?: string | null;
  log?: Log;
}

/** What one form's run gives. */
export interface FormResult {
  /** Divergent transitions after warmup, all chains. */
  divergences: number;
  /** Divergent draws with tau < 1. */
  divergencesSmallTau: number;
  /** Median of tau over divergent draws (NaN when there are none). */
  medianTauDivergent: number;
  /** Median of tau over all draws. */
  medianTau: number;
  /** The 2.5% quantile of log tau: how far into the funnel's neck the chains went. */
  logTauQ025: number;
  /** Posterior mean of tau. */
  meanTau: number;
  /** Bulk effective sample size of tau. */
  essTau: number;
  seconds: number;
}

async function runForm(
  name: string,
  model: typeof centered,
  opts: Required<Omit<Options, "log" | "summaries" | "plotDir">>,
  log: Log,
  summaries: boolean,
  plotDir: string | null,
): Promise<FormResult> {
  const mcmc = new MCMC(new NUTS(model), {
    numWarmup: opts.numWarmup,
    numSamples: opts.numSamples,
    numChains: opts.numChains,
    chainMethod: "vectorized",
    progressBar: false,
  });
  const t0 = performance.now();
  await mcmc.run(random.key(opts.seed), sigma, y);
  const seconds = since(t0);
  const divergences = mcmc.numDivergences().reduce((a, b) => a + b, 0);
  if (summaries) log(formatSummary(mcmc.getSamples({ groupByChain: true }), { numDivergences: divergences }));
  if (plotDir) {
    const grouped = mcmc.getSamples({ groupByChain: true });
    const diverging = mcmc.getExtraFields({ groupByChain: true }).diverging;
    const files = [`${plotDir}/eight-schools-${name}-trace.svg`, `${plotDir}/eight-schools-${name}-pairs.svg`];
    await savePlot(traceplot(grouped, { sites: ["mu", "tau"] }), files[0]);
    await savePlot(pairPlot(grouped, { sites: ["tau", "theta[0]"], diverging }), files[1]);
    log(`plots: ${files.join(", ")}`);
  }
  const tau = values(mcmc.getSamples().tau);
  const div = values(np.astype(mcmc.getExtraFields().diverging, "float32"));
  const tauDiv = tau.filter((_, i) => div[i] > 0);
  const med = (xs: number[]) => (xs.length ? quantiles(xs, [0.5])[0] : NaN);
  return {
    divergences: tauDiv.length,
    divergencesSmallTau: tauDiv.filter((t) => t < 1).length,
    medianTauDivergent: med(tauDiv),
    medianTau: med(tau),
    logTauQ025: quantiles(tau.map(Math.log), [0.025])[0],
    meanTau: tau.reduce((a, b) => a + b, 0) / tau.length,
    essTau: essBulk(mcmc.getSamples({ groupByChain: true }).tau).item(),
    seconds,
  };
}

/** Runs both forms and prints the comparison; returns the numbers. */
export async function main(options: Options = {}): Promise<{ centered: FormResult; nonCentered: FormResult }> {
  const log = options.log ?? console.log;
  const summaries = options.summaries ?? true;
  const opts = { numWarmup: options.numWarmup ?? 1000, numSamples: options.numSamples ?? 1000, numChains: options.numChains ?? 4, seed: options.seed ?? 0 };
  const draws = opts.numChains * opts.numSamples;

  log(`Eight schools, NUTS, ${opts.numChains} chains x (${opts.numWarmup} warmup + ${opts.numSamples} draws)\n`);
  if (summaries) log("== centered: theta ~ Normal(mu, tau) ==");
  const plotDir = options.plotDir === undefined ? "examples/out" : options.plotDir;
  const c = await runForm("centered", centered, opts, log, summaries, plotDir);
  if (summaries) log("\n== non-centered: theta_tilde ~ Normal(0, 1), theta = mu + tau * theta_tilde ==");
  const n = await runForm("non-centered", nonCentered, opts, log, summaries, plotDir);

  const row = (name: string, r: FormResult) =>
    `${name.padEnd(13)} ${String(r.divergences).padStart(11)} ${`${f((100 * r.divergences) / draws, 1)}%`.padStart(8)} ${String(r.divergencesSmallTau).padStart(11)} ${f(r.medianTauDivergent, 2, 14)} ${f(r.medianTau, 2, 10)} ${f(r.logTauQ025, 2, 14)} ${f(r.meanTau, 2, 9)} ${f(r.essTau, 0, 8)} ${f(r.seconds, 2, 6)}s`;
  log("\nform          divergences  of draws  with tau<1  median tau at   median tau  2.5% of log tau  mean tau  ESS tau   time");
  log("                                                  divergences");
  log(row("centered", c));
  log(row("non-centered", n));
  log(`
Where the divergences are: in the centered form they sit at small tau (median ${f(c.medianTauDivergent, 2)},
against ${f(c.medianTau, 2)} over all draws). That is the neck of the funnel: there the thetas are pinned to mu
with spread tau, the log density curves sharply, and the step size adapted to the wide part of the
posterior makes the leapfrog integrator's energy error explode. Because those trajectories are cut
short, the chains rarely reach the neck: the 2.5% quantile of log tau is ${f(c.logTauQ025, 2)} centered against
${f(n.logTauQ025, 2)} non-centered; the centered chains also mix worse in tau (bulk ESS ${f(c.essTau, 0)} against
${f(n.essTau, 0)}) and put its mean at ${f(c.meanTau, 2)} against ${f(n.meanTau, 2)}.

Why non-centering fixes it: the sampler now moves theta_tilde ~ Normal(0, 1), which is independent
of tau a priori, and theta = mu + tau * theta_tilde is computed (a deterministic site). The funnel
is gone from the space the integrator works in, one step size suits the whole posterior, and the
divergences drop from ${c.divergences} to ${n.divergences}.`);
  return { centered: c, nonCentered: n };
}

if (isMain(import.meta.url)) await main();
