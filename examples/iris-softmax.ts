/**
 * Softmax (multinomial logistic) regression on Fisher's iris data, fit with Stein variational
 * gradient descent, with the held-out accuracy tracked while the particles move.
 *
 * The 150 flowers (../shared/data/iris.csv: four measurements and the species) are split at
 * random into 100 for training and 50 held out; the measurements are standardized with the
 * training means and deviations. The model puts Normal(0, 1) priors on a 4 x 3 weight matrix and
 * 3 intercepts. SVGD moves 50 particles (each a full set of weights) together; a callback with
 * a `track` function computes, inside the compiled steps, the accuracy on the held-out flowers of
 * the posterior predictive (class probabilities averaged over the particles), and its `onChunk`
 * prints it every 50 steps. At the end: accuracy per class and the predictive probabilities of a
 * few held-out flowers, with the spread over particles showing where the model is unsure.
 * Run: `npm run example -- iris-softmax`.
 */
import { readFileSync } from "node:fs";
import { np, random, special, type Array } from "../src/core/index.js";
import * as dist from "../src/distributions/index.js";
import { plate, sample } from "../src/handlers/index.js";
import { SVGD, adagrad, type Params, type SVICallback } from "../src/infer/index.js";
import { f, isMain, since, values, type Log } from "./lib/report.js";

const SPECIES = ["setosa", "versicolor", "virginica"];

/** The iris table: measurements [150, 4] and species codes [150]. */
function loadIris(): { X: number[][]; y: number[] } {
  const text = readFileSync(new URL("../../shared/data/iris.csv", import.meta.url), "utf8");
  const rows = text.trim().split("\n").slice(1).map((line) => line.split(",").map(Number));
  return { X: rows.map((r) => r.slice(0, 4)), y: rows.map((r) => r[4]) };
}

/** Softmax regression: logits = X W + b, y ~ Categorical(logits). */
export function model(X: Array, y?: Array) {
  const [n, d] = X.shape;
  const W = sample("W", new dist.Normal(0, 1).expand([d, 3]).toEvent(2));
  const b = sample("b", new dist.Normal(0, 1).expand([3]).toEvent(1));
  const logits = np.add(np.matmul(X, W), b);
  plate("N", n, () => {
    sample("obs", new dist.Categorical({ logits }), { obs: y });
  });
}

/** Class probabilities under each particle k, softmax(X W_k + b_k): shape [particles, n, 3]. */
function particleProbs(particles: Params, X: Array): Array {
  const logits = np.add(np.matmul(X, particles.W), np.expandDims(particles.b, 1));
  return np.exp(np.subtract(logits, special.logsumexp(logits, -1, true)));
}

/** Class probabilities of the posterior predictive: the particles' probabilities averaged, shape [n, 3]. */
const predictive = (particles: Params, X: Array) => np.mean(particleProbs(particles, X), 0);

const accuracy = (probs: Array, y: Array) => np.mean(np.astype(np.equal(np.argmax(probs, -1), y), "float32"));

/** Options of {@link main}. */
export interface Options {
  numParticles?: number;
  numSteps?: number;
  log?: Log;
}

export async function main(opts: Options = {}): Promise<{ accuracy: number; history: number[] }> {
  const log = opts.log ?? console.log;
  const numSteps = opts.numSteps ?? 500;
  const iris = loadIris();
  const perm = values(random.permutation(random.key(3), 150)).map(Number);
  const pick = (idx: number[]) => ({ X: np.array(idx.map((i) => iris.X[i])), y: np.array(idx.map((i) => iris.y[i]), "int32") });
  const train = pick(perm.slice(0, 100));
  const test = pick(perm.slice(100));
  const mean = np.mean(train.X, 0);
  const sd = np.std(train.X, 0);
  const scale = (X: Array) => np.divide(np.subtract(X, mean), sd);
  const Xtrain = scale(train.X);
  const Xtest = scale(test.X);

  log(`Softmax regression on iris: ${Xtrain.shape[0]} flowers to fit, ${Xtest.shape[0]} held out; SVGD with ${opts.numParticles ?? 50} particles, ${numSteps} steps`);
  log("   step   held-out accuracy   mean -log p(x, y) of the particles");
  const history: number[] = [];
  // a callback: `track` runs inside the compiled steps (array ops only), `onChunk` on the host every 50 steps
  const heldOut: SVICallback = {
    every: 50,
    track: (particles) => accuracy(predictive(particles, Xtest), test.y),
    onChunk({ step, tracked, losses }) {
      const acc = values(tracked as Array);
      history.push(...acc);
      log(`${String(step).padStart(7)}   ${f(acc[acc.length - 1], 3, 17)}   ${f(values(losses).slice(-1)[0], 2, 12)}`);
    },
  };
  const svgd = new SVGD(model, adagrad(0.1), { numParticles: opts.numParticles ?? 50, callbacks: [heldOut], progressBar: false });
  const t0 = performance.now();
  const fit = await svgd.run(random.key(0), numSteps, Xtrain, train.y);
  const seconds = since(t0);
  const particles = svgd.getPosteriorSamples(fit.params);

  const probs = predictive(particles, Xtest);
  const acc = accuracy(probs, test.y).item();
  const pred = values(np.argmax(probs, -1));
  const truth = values(test.y);
  log(`\nfit in ${f(seconds, 2)} s; held-out accuracy ${f(100 * acc, 1)}% (${pred.filter((p, i) => p === truth[i]).length} of ${truth.length})`);
  for (let c = 0; c < 3; c++) {
    const members = truth.map((t, i) => [t, i]).filter(([t]) => t === c).map(([, i]) => i);
    log(`  ${SPECIES[c].padEnd(11)} ${members.filter((i) => pred[i] === c).length}/${members.length} right`);
  }

  // the least certain held-out flowers: predictive probabilities and their spread over particles
  const spread = np.std(particleProbs(particles, Xtest), 0).toArray() as number[][];
  const p = probs.toArray() as number[][];
  const order = p.map((row, i) => [Math.max(...row), i]).sort((a, b) => a[0] - b[0]).slice(0, 4).map(([, i]) => i);
  log("\nthe four least certain held-out flowers: P(species) = mean ± sd over the particles");
  for (const i of order)
    log(`  true ${SPECIES[truth[i]].padEnd(10)}  ` + SPECIES.map((s, c) => `${s} ${f(p[i][c], 2)} ± ${f(spread[i][c], 2)}`).join("   "));
  return { accuracy: acc, history };
}

if (isMain(import.meta.url)) await main();
