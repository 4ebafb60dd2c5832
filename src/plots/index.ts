/**
 * tyche/plots: diagnostic plots of posterior draws and fits, as Vega-Lite specifications
 * rendered to SVG (Vega, headless) or PNG (resvg). A layer above inference: it reads draws as
 * `MCMC.getSamples({ groupByChain: true })` returns them and losses as `SVI.run` returns them.
 *
 * ```ts
 * const draws = mcmc.getSamples({ groupByChain: true });
 * await savePlot(traceplot(draws, { sites: ["mu", "tau"] }), "trace.svg");
 * ```
 *
 * @packageDocumentation
 */
export { type PlotSpec, type PanelSpec, type LayerItem, type PlotOptions, type Row, VEGA_LITE_SCHEMA } from "./spec.js";
export { siteElements, pooled, type Draws, type DrawsOptions, type SiteElement } from "./draws.js";
export { toSvg, toPng, savePlot, type PngOptions } from "./render.js";
export { traceplot, type TraceplotOptions } from "./traceplot.js";
export { rankplot, type RankplotOptions } from "./rankplot.js";
export { posteriorDensity, type PosteriorDensityOptions } from "./posterior-density.js";
export { pairPlot, type PairPlotOptions } from "./pair-plot.js";
export { forestPlot, type ForestPlotOptions } from "./forest-plot.js";
export { elboHistory, type ElboHistoryOptions } from "./elbo-history.js";
export { sbcPlot, type SBCPlotOptions } from "./sbc-plot.js";
