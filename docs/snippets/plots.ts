/**
 * Snippets of docs/plots.md. Each `#region` is shown verbatim in the guide (kept in step by
 * `npm run docs:snippets`); test/docs.test.ts runs every exported function in a scratch
 * directory, since they write files under `plots/`.
 */
// #region imports
import { random } from "tyche/core";
import { AutoNormal, MCMC, NUTS, SVI, TraceELBO, adam } from "tyche/infer";
import { elboHistory, forestPlot, pairPlot, posteriorDensity, rankplot, savePlot, toPng, toSvg, traceplot } from "tyche/plots";
// #endregion
import { eightSchools, sigma, y } from "./mcmc.js";

/** Every MCMC plot of the eight schools draws. */
export async function mcmcPlots() {
  // #region draws
  const mcmc = new MCMC(new NUTS(eightSchools), { numWarmup: 1000, numSamples: 1000, numChains: 4 });
  await mcmc.run(random.key(0), sigma, y);
  const draws = mcmc.getSamples({ groupByChain: true }); // every plot reads draws grouped by chain
  // #endregion
  // #region trace
  await savePlot(traceplot(draws, { sites: ["mu", "tau"] }), "plots/trace.svg");
  // #endregion
  // #region rank
  await savePlot(rankplot(draws, { sites: ["mu", "tau"], bins: 20 }), "plots/rank.svg");
  // #endregion
  // #region density
  await savePlot(posteriorDensity(draws, { sites: ["mu", "tau"], prob: 0.9 }), "plots/posterior.svg");
  await savePlot(posteriorDensity(draws, { sites: ["theta"], kind: "hist", columns: 4 }), "plots/theta.png");
  // #endregion
  // #region pair
  // mu against tau, divergent transitions in red; then a grid with one element of theta_tilde.
  const { diverging } = mcmc.getExtraFields({ groupByChain: true });
  await savePlot(pairPlot(draws, { sites: ["mu", "tau"], diverging }), "plots/pair.svg");
  await savePlot(pairPlot(draws, { sites: ["mu", "tau", "theta_tilde[0]"], diverging }), "plots/pairs.png");
  // #endregion
  // #region forest
  await savePlot(forestPlot(draws, { sites: ["theta"], prob: 0.94, innerProb: 0.5 }), "plots/forest.svg");
  await savePlot(forestPlot(draws, { sites: ["mu", "tau", "theta"], combined: true }), "plots/forest-combined.svg");
  // #endregion
  return { draws, diverging };
}

/** The loss curve of an SVI fit. */
export async function sviPlot() {
  // #region elbo
  const guide = new AutoNormal(eightSchools);
  const svi = new SVI(eightSchools, guide, adam(0.02), new TraceELBO());
  const { losses } = await svi.run(random.key(1), 3000, sigma, y);
  await savePlot(elboHistory(losses, { smoothing: 100 }), "plots/elbo.svg");
  // #endregion
  return losses;
}

/** Specs as data, SVG and PNG in memory. */
export async function specs() {
  const mcmc = new MCMC(new NUTS(eightSchools), { numWarmup: 200, numSamples: 200, numChains: 2 });
  await mcmc.run(random.key(2), sigma, y);
  const draws = mcmc.getSamples({ groupByChain: true });
  // #region in-memory
  const spec = forestPlot(draws, { sites: ["theta"] }); // a Vega-Lite spec: plain JSON
  const json = JSON.stringify(spec); // open it in the Vega editor, or embed it with vega-embed
  const svg: string = await toSvg(spec); // an SVG document
  const png: Uint8Array = await toPng(spec, { scale: 2 }); // a PNG image, twice the size
  // #endregion
  return { json, svg, png };
}
