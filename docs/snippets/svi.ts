/**
 * Snippets of docs/svi.md. Each `#region` is shown verbatim in the guide (kept in step by
 * `npm run docs:snippets`); test/docs.test.ts runs every exported function.
 */
// #region imports
import { np, random } from "tyche/core";
import * as dist from "tyche/distributions";
import { constraints } from "tyche/distributions";
import { param, plate, sample } from "tyche/handlers";
import {
  AutoDelta,
  AutoDiagonalNormal,
  AutoIAF,
  AutoLaplaceApproximation,
  AutoLowRankMultivariateNormal,
  AutoMultivariateNormal,
  AutoNormal,
  Predictive,
  RenyiELBO,
  SVI,
  TraceELBO,
  TraceMeanFieldELBO,
  adam,
  clippedAdam,
  convergenceCheck,
  exponentialDecay,
  importanceResample,
  piecewiseConstant,
  sgd,
  tracker,
  type SVIState,
} from "tyche/infer";
// #endregion

// #region model
// Logistic regression: 200 points, 3 features.
const [N, D] = [200, 3];
const [kx, kw, ky] = random.splitList(random.key(0), 3);
const X = random.normal(kx, [N, D]);
const trueW = random.normal(kw, [D]);
const labels = random.bernoulli(ky, np.sigmoid(np.matmul(X, trueW)));

function logistic(X: np.Array, y?: np.Array) {
  const w = sample("w", new dist.Normal(0, 1).expand([D]).toEvent(1));
  const b = sample("b", new dist.Normal(0, 5));
  plate("data", X.shape[0], () => {
    sample("y", new dist.Bernoulli({ logits: np.add(np.matmul(X, w), b) }), { obs: y });
  });
}
// #endregion

export { X, labels, logistic, trueW };

/** A fit with an autoguide, its posterior, and predictions. */
export async function autoguideFit() {
  // #region fit
  const guide = new AutoNormal(logistic);
  const svi = new SVI(logistic, guide, adam(0.02), new TraceELBO());
  const { params, losses, state } = await svi.run(random.key(1), 2000, X, labels);
  console.log(losses.shape); // [2000]: the loss (−ELBO) at each step

  const posterior = guide.samplePosterior(random.key(2), params, { sampleShape: [1000] });
  console.log(np.mean(posterior.w, 0).toArray()); // close to trueW
  const median = guide.median(params); // { w: [3], b: [] }
  // #endregion
  // #region predictive
  // Predictions for new inputs, drawing the latent sites through the fitted guide.
  const predictive = new Predictive(logistic, { guide, params, numSamples: 500 });
  const { y } = predictive.call(random.key(3), X); // [500, 200]: y drawn, since none is given
  const accuracy = np.mean(np.equal(np.greater(np.mean(y, 0), 0.5), labels));
  // #endregion
  // #region resume
  const more = await svi.resume(state, 1000, X, labels); // 1000 more steps from where run ended
  // #endregion
  return { params, losses, posterior, median, accuracy, more };
}

/** A hand-written guide with params and constraints. */
export async function customGuide() {
  // #region custom-guide
  // Beta–Bernoulli: the guide is a Beta whose two concentrations are fitted.
  const flips = np.array([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);
  function model(data: np.Array) {
    const f = sample("fairness", new dist.Beta(10, 10));
    plate("flips", data.shape[0], () => sample("obs", new dist.Bernoulli(f), { obs: data }));
  }
  function guide(data: np.Array) {
    const alpha = param("alpha_q", 15, { constraint: constraints.positive });
    const beta = param("beta_q", 15, { constraint: constraints.positive });
    sample("fairness", new dist.Beta(alpha, beta));
  }
  const svi = new SVI(model, guide, adam(0.005), new TraceELBO({ numParticles: 4 }));
  const { params } = await svi.run(random.key(4), 3000, flips);
  const a = params.alpha_q.item();
  const b = params.beta_q.item();
  console.log(a / (a + b)); // ≈ 18 / 30 = 0.6, the exact posterior mean
  // #endregion
  return a / (a + b);
}

/** A fitted guide checked, and its draws corrected, by Pareto smoothed importance resampling. */
export async function checkedFit() {
  // #region resample
  const guide = new AutoMultivariateNormal(logistic);
  const svi = new SVI(logistic, guide, adam(0.02), new TraceELBO({ numParticles: 4 }));
  const { params } = await svi.run(random.key(1), 2000, X, labels);
  const checked = importanceResample(logistic, guide, params, random.key(2), { numProposals: 4000, numDraws: 1000, modelArgs: [X, labels] });
  console.log(checked.paretoK); // below 0.7: the guide covers the posterior
  const draws = checked.samples; // { w: [1000, 3], b: [1000] }, reweighted towards the posterior
  // #endregion
  return { paretoK: checked.paretoK, ess: checked.ess, draws };
}

/** The choice of guide, loss and optimizer. */
export function choices() {
  // #region guides
  const meanField = new AutoNormal(logistic, { initScale: 0.05 }); // independent normals, per site
  const diagonal = new AutoDiagonalNormal(logistic); // the same, as one vector
  const fullRank = new AutoMultivariateNormal(logistic); // correlations between all latents
  const lowRank = new AutoLowRankMultivariateNormal(logistic, { rank: 2 });
  const map = new AutoDelta(logistic); // a point estimate (MAP)
  const laplace = new AutoLaplaceApproximation(logistic); // MAP, then a normal from the Hessian
  const flow = new AutoIAF(logistic, { numFlows: 3, hiddenDims: [8, 8] }); // a normalizing flow
  // #endregion
  // #region losses
  const elbo = new TraceELBO({ numParticles: 8 }); // particles are vectorized with vmap
  const analyticKl = new TraceMeanFieldELBO(); // uses closed-form KL where known (Normal–Normal)
  const renyi = new RenyiELBO({ alpha: 0.5, numParticles: 4 }); // α-divergence; α = 0: IWAE bound
  // #endregion
  // #region optimizers
  const plain = sgd(0.001);
  const decaying = adam(exponentialDecay(0.05, 1000, 0.1)); // 0.05 · 0.1^(step / 1000)
  const stepped = clippedAdam(piecewiseConstant([500, 1500], [0.05, 0.01, 0.002]), { clipNorm: 10 });
  // #endregion
  return { meanField, diagonal, fullRank, lowRank, map, laplace, flow, elbo, analyticKl, renyi, plain, decaying, stepped };
}

/** Callbacks: convergence check and tracker. */
export async function callbacks() {
  // #region callbacks
  // A MAP fit (AutoDelta: no sampling noise in the gradients) stops once the params move less
  // than 0.01% over 100 steps; the tracker records a function of the params at every step.
  const stop = convergenceCheck({ tol: 1e-4, every: 100 });
  const norms = tracker((p) => ({ wNorm: np.sqrt(np.sum(np.square(p.w_auto_loc))) }));

  const guide = new AutoDelta(logistic);
  const svi = new SVI(logistic, guide, adam(0.02), new TraceELBO(), { callbacks: [stop, norms] });
  const { losses } = await svi.run(random.key(5), 20_000, X, labels);
  console.log(stop.convergedAt, losses.shape[0]); // 1100 1100: stopped early
  console.log(norms.values!.wNorm.shape); // [1100]: one value per step taken
  // #endregion
  return { stop, norms, losses };
}

/** A loop of your own with init / update. */
export function customLoop() {
  // #region loop
  const guide = new AutoDiagonalNormal(logistic);
  const svi = new SVI(logistic, guide, adam(0.02), new TraceELBO());
  let state: SVIState = svi.init(random.key(6), X, labels);
  for (let i = 0; i < 500; i++) {
    const [next, loss] = svi.update(state, X, labels); // compiled on the first call
    state = next;
    if (i % 100 === 0) console.log(i, loss.item());
  }
  const params = svi.getParams(state);
  // #endregion
  return params;
}

/** Minibatches: a subsampled plate. */
export async function minibatch() {
  // #region minibatch
  // 5,000 points, 250 at a time: the plate draws the indices, and scales the log likelihood
  // by 5000 / 250 so the ELBO estimate stays unbiased.
  const big = random.normal(random.key(7), [5000]);
  function model(data: np.Array) {
    const loc = sample("loc", new dist.Normal(0, 10));
    const scale = sample("scale", new dist.HalfNormal(5));
    plate("data", data.shape[0], { subsampleSize: 250 }, (idx) => {
      sample("obs", new dist.Normal(loc, scale), { obs: np.take(data, idx, 0) });
    });
  }
  const guide = new AutoNormal(model);
  const svi = new SVI(model, guide, adam(0.02), new TraceELBO());
  const { params } = await svi.run(random.key(8), 1000, big);
  const { loc, scale } = guide.median(params);
  console.log(loc.item(), scale.item()); // ≈ 0 and ≈ 1
  // #endregion
  return { loc, scale };
}
