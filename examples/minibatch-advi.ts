/**
 * Minibatch ADVI against full-batch ADVI on a large data set: 40,000 rows of 100 Gaussian
 * columns, each column with its own mean and standard deviation (200 latent variables).
 *
 * The model declares its rows with `plate("rows", N, { subsampleSize }, ...)` and picks its data
 * with `subsample(data, "rows")`: with a subsample size, each step of SVI sees a fresh random
 * batch of rows and the log likelihood is scaled by N / batch, so the ELBO gradient stays
 * unbiased. The same model runs full batch when the subsample size is left out. Both fits use a
 * mean-field normal guide (`AutoNormal`) and Adam with a decaying step size, and start at the
 * same point; the example times them and compares their estimates with the exact posterior
 * (for this model, nearly the column means and standard deviations), in units of the posterior
 * standard deviation. A minibatch step touches 500 rows instead of 40,000, so in the time
 * full-batch ADVI takes for a few dozen steps the minibatch fit has taken hundreds and converged.
 * Run: `npm run example -- minibatch-advi`.
 */
import { jit, np, random, type Array } from "../src/core/index.js";
import * as dist from "../src/distributions/index.js";
import { plate, sample, subsample } from "../src/handlers/index.js";
import { AutoNormal, SVI, TraceELBO, adam, exponentialDecay, initToValue } from "../src/infer/index.js";
import { f, isMain, since, values, type Log } from "./lib/report.js";

/** Each row: D independent normals with per-column mean and standard deviation. */
export function model(data: Array, subsampleSize?: number) {
  const [n, d] = data.shape;
  const mu = sample("mu", new dist.Normal(0, 10).expand([d]).toEvent(1));
  const sd = sample("sd", new dist.HalfNormal(10).expand([d]).toEvent(1));
  plate("rows", n, { subsampleSize }, () => {
    const batch = subsample(data, "rows", { eventDim: 1 }); // the rows of this step's subsample
    sample("obs", new dist.Normal(mu, sd).toEvent(1), { obs: batch });
  });
}

/** Options of {@link main}. */
export interface Options {
  rows?: number;
  cols?: number;
  batchSize?: number;
  minibatchSteps?: number;
  fullBatchSteps?: number;
  log?: Log;
}

/** How one fit did. */
export interface Fit {
  steps: number;
  seconds: number;
  /** Rows of data processed, over the number of rows. */
  epochs: number;
  /** Largest and mean |estimate - exact| of the column means, in posterior standard deviations. */
  muErrMax: number;
  muErrMean: number;
  /** The same for the column standard deviations. */
  sdErrMax: number;
  sdErrMean: number;
}

export async function main(opts: Options = {}): Promise<{ minibatch: Fit; fullBatch: Fit }> {
  const log = opts.log ?? console.log;
  const N = opts.rows ?? 40000;
  const D = opts.cols ?? 100;
  const B = opts.batchSize ?? 500;
  const [kMu, kSd, kData, kFit] = random.splitList(random.key(0), 4);
  const trueMu = random.normal(kMu, [D]);
  const trueSd = np.exp(np.multiply(0.5, random.normal(kSd, [D])));
  // 4 million normal draws: compiled, since eager evaluation of the sampler op by op is slow at this size
  const data = jit((k: Array, m: Array, s: Array) => np.add(m, np.multiply(s, random.normal(k, [N, D]))))(kData, trueMu, trueSd);

  // the exact posterior is (up to the vague priors) centered on the column statistics
  const colMean = np.mean(data, 0);
  const colSd = np.std(data, 0);
  const muPostSd = np.divide(colSd, Math.sqrt(N));
  const sdPostSd = np.divide(colSd, Math.sqrt(2 * N));

  const fit = async (steps: number, subsampleSize: number | undefined): Promise<Fit> => {
    // both start at mu = 0, sd = 1 (a far-off start from the prior makes Adam's early steps erratic)
    const guide = new AutoNormal(model, { initLocFn: initToValue({ mu: np.zeros([D]), sd: np.ones([D]) }) });
    const svi = new SVI(model, guide, adam(exponentialDecay(0.1, steps, 0.01)), new TraceELBO(), { progressBar: false });
    const t0 = performance.now();
    const { params } = await svi.run(kFit, steps, data, subsampleSize);
    const seconds = since(t0);
    const est = guide.median(params);
    const err = (x: Array, exact: Array, scale: Array) => values(np.divide(np.abs(np.subtract(x, exact)), scale));
    const e1 = err(est.mu, colMean, muPostSd);
    const e2 = err(est.sd, colSd, sdPostSd);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    return { steps, seconds, epochs: (steps * (subsampleSize ?? N)) / N, muErrMax: Math.max(...e1), muErrMean: mean(e1), sdErrMax: Math.max(...e2), sdErrMean: mean(e2) };
  };

  log(`ADVI on ${N} x ${D} Gaussian data (${2 * D} latent variables), mean-field normal guide, Adam with a decaying step size`);
  const minibatch = await fit(opts.minibatchSteps ?? 600, B);
  const fullBatch = await fit(opts.fullBatchSteps ?? 120, undefined);

  log("\n                      steps    time   ms/step  passes over   |error| of the means   |error| of the sds");
  log("                                                  the data      max      mean         max      mean");
  const row = (name: string, r: Fit) =>
    `${name.padEnd(20)} ${String(r.steps).padStart(6)} ${f(r.seconds, 2, 6)}s ${f((1000 * r.seconds) / r.steps, 1, 9)} ${f(r.epochs, 1, 12)} ${f(r.muErrMax, 2, 10)} ${f(r.muErrMean, 2, 9)} ${f(r.sdErrMax, 2, 11)} ${f(r.sdErrMean, 2, 9)}`;
  log(row(`minibatch (${B} rows)`, minibatch));
  log(row("full batch", fullBatch));
  log(`(errors in posterior standard deviations: ${f(values(np.mean(muPostSd))[0], 4)} for a mean, ${f(values(np.mean(sdPostSd))[0], 4)} for an sd, on average)

A minibatch step evaluates the likelihood of ${B} rows and scales it by ${N}/${B}, so it costs a
fraction of a full-batch step: in ${f(minibatch.seconds, 1)} s the minibatch fit took ${minibatch.steps} steps, ${f(minibatch.epochs, 1)} passes over the
data, and every estimate is within ${f(Math.max(minibatch.muErrMax, minibatch.sdErrMax), 1)} posterior standard deviations of the exact posterior.
In ${f(fullBatch.seconds, 1)} s full-batch ADVI took ${fullBatch.steps} steps, and the columns that start far from their
posterior are not there yet (up to ${f(fullBatch.muErrMax, 0)} posterior sds off); it gets there too, given several times the
steps and the time. Drawing each batch is itself a random permutation of the ${N} row indices,
which is most of the cost of a minibatch step here.`);
  return { minibatch, fullBatch };
}

if (isMain(import.meta.url)) await main();
