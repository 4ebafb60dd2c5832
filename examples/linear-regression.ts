/**
 * Linear regression with standardized predictors, sampled with NUTS, with the quantities of
 * interest kept as `deterministic` sites and a posterior predictive from `Predictive`.
 *
 * Predictors on very different scales (here an age in years, an income in thousands and a
 * 0/1 indicator) make the posterior of the raw coefficients badly scaled and correlated with the
 * intercept. The model standardizes them, `z = (x - mean) / sd`, and samples the coefficients of
 * `z`; the coefficients and intercept on the original scale are transformed parameters, recorded
 * with `deterministic`, so they appear in the draws and the summary like any other site. The
 * regression line at each observation is a deterministic site too (`mu`), and `Predictive` draws
 * new observations at new predictor values (the same model called without `y`).
 * Run: `npm run example -- linear-regression`.
 */
import { np, random, type Array } from "../src/core/index.js";
import * as dist from "../src/distributions/index.js";
import { deterministic, plate, sample } from "../src/handlers/index.js";
import { MCMC, NUTS, Predictive, formatSummary } from "../src/infer/index.js";
import { f, isMain, quantiles, since, values, type Log } from "./lib/report.js";

const TRUE = { intercept: 4, coef: [0.12, -0.05, 1.5], sigma: 1.2 };
const NAMES = ["age", "income", "treated"];

/** Means and standard deviations of the training predictors (the model standardizes with these, also at new points). */
interface Scaling {
  mean: Array;
  sd: Array;
}

/**
 * y ~ Normal(alpha + z · beta, sigma) with z the standardized predictors; `coef` and `intercept`
 * (the regression on the original scale) and `mu` (the line at each row) are deterministic.
 */
export function model(X: Array, scaling: Scaling, y?: Array) {
  const [n, d] = X.shape;
  const Z = np.divide(np.subtract(X, scaling.mean), scaling.sd);
  const alpha = sample("alpha", new dist.Normal(0, 20));
  const beta = sample("beta", new dist.Normal(0, 5).expand([d]).toEvent(1));
  const sigma = sample("sigma", new dist.HalfNormal(5));
  // transformed parameters: the same regression written on the original scale of x
  const coef = deterministic("coef", np.divide(beta, scaling.sd));
  deterministic("intercept", np.subtract(alpha, np.sum(np.multiply(coef, scaling.mean), -1)));
  const mu = deterministic("mu", np.add(alpha, np.matmul(Z, beta)));
  plate("N", n, () => {
    sample("obs", new dist.Normal(mu, sigma), { obs: y });
  });
}

/** n rows of synthetic predictors (age ~ 20..70, income ~ 20..120, treated 0/1) from a fixed seed. */
function predictors(key: Array, n: number): Array {
  const [k1, k2, k3] = random.splitList(key, 3);
  const age = random.uniform(k1, [n], undefined, 20, 70);
  const income = np.add(40, np.multiply(15, np.exp(np.multiply(0.5, random.normal(k2, [n])))));
  const treated = np.astype(random.bernoulli(k3, 0.4, [n]), "float32");
  return np.stack([age, income, treated], 1);
}

function response(key: Array, X: Array): Array {
  const mean = np.add(TRUE.intercept, np.matmul(X, np.array(TRUE.coef)));
  return np.add(mean, np.multiply(TRUE.sigma, random.normal(key, [X.shape[0]])));
}

/** Options of {@link main}. */
export interface Options {
  n?: number;
  numWarmup?: number;
  numSamples?: number;
  numChains?: number;
  log?: Log;
}

/** What the example returns: posterior means on the original scale and the coverage of the predictive intervals. */
export interface Result {
  coef: number[];
  intercept: number;
  sigma: number;
  /** Share of training observations inside their 90% posterior predictive interval. */
  coverage90: number;
  seconds: number;
}

export async function main(opts: Options = {}): Promise<Result> {
  const log = opts.log ?? console.log;
  const n = opts.n ?? 200;
  const [kx, ky, kmc, kpred, kx2] = random.splitList(random.key(7), 5);
  const X = predictors(kx, n);
  const y = response(ky, X);
  const scaling: Scaling = { mean: np.mean(X, 0), sd: np.std(X, 0) };

  const mcmc = new MCMC(new NUTS(model), {
    numWarmup: opts.numWarmup ?? 500,
    numSamples: opts.numSamples ?? 500,
    numChains: opts.numChains ?? 4,
    chainMethod: "vectorized",
    progressBar: false,
  });
  const t0 = performance.now();
  await mcmc.run(kmc, X, scaling, y);
  const seconds = since(t0);
  const samples = mcmc.getSamples();
  const divergences = mcmc.numDivergences().reduce((a, b) => a + b, 0);
  log(`Linear regression, n = ${n}, NUTS ${mcmc.numChains} chains x ${mcmc.numSamples} draws in ${f(seconds, 2)} s`);
  const { mu: _mu, ...shown } = mcmc.getSamples({ groupByChain: true });
  log(formatSummary(shown, { numDivergences: divergences }));

  const post = (name: string) => values(np.mean(samples[name], 0));
  const coef = post("coef");
  const [intercept] = post("intercept");
  const [sigma] = post("sigma");
  log("coefficients on the original scale (deterministic sites), posterior mean [90% interval] vs truth:");
  const coefDraws = samples.coef;
  for (let j = 0; j < NAMES.length; j++) {
    const [lo, hi] = quantiles(values(np.take(coefDraws, j, 1)), [0.05, 0.95]);
    log(`  ${NAMES[j].padEnd(9)} ${f(coef[j], 3, 7)}  [${f(lo, 3)}, ${f(hi, 3)}]   true ${f(TRUE.coef[j], 3)}`);
  }
  const [ilo, ihi] = quantiles(values(samples.intercept), [0.05, 0.95]);
  log(`  ${"intercept".padEnd(9)} ${f(intercept, 3, 7)}  [${f(ilo, 3)}, ${f(ihi, 3)}]   true ${f(TRUE.intercept, 3)}`);
  log(`  ${"sigma".padEnd(9)} ${f(sigma, 3, 7)}${"".padEnd(20)}true ${f(TRUE.sigma, 3)}`);

  // posterior predictive check on the training data: how many y fall in their 90% interval
  const { mu: _line, ...latents } = samples;
  const ppc = new Predictive(model, { posteriorSamples: latents, returnSites: ["obs"] }).call(kpred, X, scaling, undefined).obs;
  const yv = values(y);
  let inside = 0;
  for (let i = 0; i < n; i++) {
    const [a, b] = quantiles(values(np.take(ppc, i, 1)), [0.05, 0.95]);
    if (yv[i] >= a && yv[i] <= b) inside++;
  }
  const coverage90 = inside / n;
  log(`\nposterior predictive check: ${f(100 * coverage90, 1)}% of the ${n} observations lie in their 90% predictive interval`);

  // predictions at new people: the same model without y; `mu` is the line, `obs` a new observation
  const Xnew = predictors(kx2, 5);
  const pred = new Predictive(model, { posteriorSamples: latents, returnSites: ["mu", "obs"] }).call(random.foldIn(kpred, 1), Xnew, scaling, undefined);
  const trueMean = values(np.add(TRUE.intercept, np.matmul(Xnew, np.array(TRUE.coef))));
  log("\nnew points:      age  income  treated   true mean   E[mu]   90% predictive interval of y");
  const xs = Xnew.toArray() as number[][];
  for (let i = 0; i < 5; i++) {
    const m = values(np.mean(np.take(pred.mu, i, 1)))[0];
    const [a, b] = quantiles(values(np.take(pred.obs, i, 1)), [0.05, 0.95]);
    log(`            ${f(xs[i][0], 1, 9)} ${f(xs[i][1], 1, 7)} ${f(xs[i][2], 0, 8)} ${f(trueMean[i], 2, 11)} ${f(m, 2, 7)}   [${f(a, 2)}, ${f(b, 2)}]`);
  }
  return { coef, intercept, sigma, coverage90, seconds };
}

if (isMain(import.meta.url)) await main();
