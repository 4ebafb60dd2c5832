/**
 * Snippets of docs/getting-started.md. Each `#region` is shown verbatim in the guide (kept in
 * step by `npm run docs:snippets`); test/docs.test.ts runs every exported function.
 */
// #region imports
import { np, random } from "tyche/core";
import * as dist from "tyche/distributions";
import { plate, sample } from "tyche/handlers";
import { AutoNormal, MCMC, NUTS, Predictive, SVI, TraceELBO, adam } from "tyche/infer";
import { posteriorDensity, savePlot, traceplot } from "tyche/plots";
// #endregion

// #region model
// Ten tosses of a coin: 1 is heads. What is the chance of heads?
const tosses = np.array([1, 1, 0, 1, 1, 1, 0, 1, 1, 0]);

function coin(data?: np.Array) {
  const p = sample("p", new dist.Beta(2, 2)); // prior: probably near fair
  plate("tosses", 10, () => {
    sample("y", new dist.Bernoulli(p), { obs: data });
  });
}
// #endregion

/** NUTS on the coin: the posterior mean and the summary table. */
export async function runNuts() {
  // #region nuts
  const mcmc = new MCMC(new NUTS(coin), { numWarmup: 1000, numSamples: 1000, numChains: 4 });
  await mcmc.run(random.key(0), tosses);
  mcmc.printSummary();

  const { p } = mcmc.getSamples(); // Array of shape [4000]: all chains, one after the other
  console.log(np.mean(p).item()); // ≈ 0.64, the exact posterior mean 9/14 is 0.643
  // #endregion
  return { mcmc, p };
}

/** Predictions of ten new tosses from the posterior draws. */
export async function predict(mcmc: MCMC) {
  // #region predict
  const predictive = new Predictive(coin, { posteriorSamples: mcmc.getSamples() });
  const { y } = predictive.call(random.key(1)); // no data: y is drawn, shape [4000, 10]
  console.log(np.mean(np.sum(y, 1)).item()); // ≈ 6.4 heads in ten more tosses
  // #endregion
  return y;
}

/** Trace and density plots of the draws, written to the working directory. */
export async function plots(mcmc: MCMC) {
  // #region plots
  const draws = mcmc.getSamples({ groupByChain: true }); // { p: Array [4, 1000] }
  await savePlot(traceplot(draws), "coin-trace.svg");
  await savePlot(posteriorDensity(draws, { prob: 0.9 }), "coin-posterior.png");
  // #endregion
}

/** SVI with an automatic guide on the same model. */
export async function runSvi() {
  // #region svi
  const guide = new AutoNormal(coin);
  const svi = new SVI(coin, guide, adam(0.01), new TraceELBO());
  const { params, losses } = await svi.run(random.key(2), 3000, tosses);

  const post = guide.samplePosterior(random.key(3), params, { sampleShape: [1000] });
  console.log(np.mean(post.p).item()); // ≈ 0.64 again
  // #endregion
  return { losses, p: post.p };
}
