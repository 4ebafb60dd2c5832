/**
 * Trace plot (ArviZ's `plot_trace`): for every scalar element of every site, a row with the
 * kernel density of each chain's draws on the left and the draws of each chain in draw order on
 * the right, one colour per chain. Well-mixed chains overlap in both panels.
 */
import { siteElements, type Draws, type DrawsOptions } from "./draws.js";
import { panelSize, VEGA_LITE_SCHEMA, type PanelSpec, type PlotOptions, type PlotSpec, type Row } from "./spec.js";

/** Options of {@link traceplot}. */
export interface TraceplotOptions extends DrawsOptions, PlotOptions {
  /** Show the density panel left of the trace (default true). */
  density?: boolean;
}

/**
 * A trace plot of `samples`, draws grouped by chain (`mcmc.getSamples({ groupByChain: true })`):
 * one row per site element, each with a per-chain density (left) and the per-chain traces
 * (right). Panels are `width` × `height` pixels (default 300 × 120).
 */
export function traceplot(samples: Draws, options: TraceplotOptions = {}): PlotSpec {
  const elements = siteElements(samples, options, "traceplot");
  const { width, height } = panelSize(options, 300, 120);
  const withDensity = options.density ?? true;
  const datasets: Record<string, Row[]> = {};
  const rows: PanelSpec[] = elements.map((el, i) => {
    const data: Row[] = [];
    el.chains.forEach((draws, chain) => draws.forEach((value, draw) => data.push({ chain, draw, value })));
    const name = `trace_${i}`;
    datasets[name] = data;
    const color = { field: "chain", type: "nominal", title: "chain" } as const;
    const trace: PanelSpec = {
      width,
      height,
      data: { name },
      mark: { type: "line", strokeWidth: 1, opacity: 0.8 },
      encoding: {
        x: { field: "draw", type: "quantitative", title: "draw" },
        y: { field: "value", type: "quantitative", title: el.name, scale: { zero: false } },
        color,
      },
    };
    if (!withDensity) return trace;
    const density: PanelSpec = {
      width,
      height,
      data: { name },
      transform: [{ density: "value", groupby: ["chain"], as: ["value", "density"] }],
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: {
        x: { field: "value", type: "quantitative", title: el.name, scale: { zero: false } },
        y: { field: "density", type: "quantitative", title: "density" },
        color,
      },
    };
    return { hconcat: [density, trace] };
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title !== undefined ? { title: options.title } : {}),
    datasets,
    vconcat: rows,
    resolve: { scale: { color: "shared" } },
  };
}
