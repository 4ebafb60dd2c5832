/**
 * The rank histogram of simulation-based calibration (Talts et al. 2018): for each checked
 * parameter element, the counts of the ranks of its prior draws among the posterior draws, per
 * bin, with the count expected under uniform ranks (a line) and the central interval a bin's
 * count falls in with probability `prob` when the ranks are uniform (a grey band, from the
 * binomial distribution). Bars outside the band in a pattern (a U, a hump, a slope) show
 * miscalibration: too narrow, too wide, or biased posteriors.
 */
import type { SBCResult } from "../infer/sbc.js";
import { checkProb, panelSize, percent, VEGA_LITE_SCHEMA, type LayerItem, type PlotOptions, type PlotSpec, type Row } from "./spec.js";

/** Options of {@link sbcPlot}. */
export interface SBCPlotOptions extends PlotOptions {
  /** The sites to show (default: all checked sites). */
  sites?: readonly string[];
  /** Probability mass of the band of counts under uniform ranks (default 0.99). */
  prob?: number;
  /** Panels per row (default 4). */
  columns?: number;
}

/**
 * A rank histogram per checked element of an {@link SBCResult} (from `sbc` in tyche/infer),
 * panels of `width` × `height` pixels (default 200 × 120), titled with the element and its
 * chi-square p-value.
 */
export function sbcPlot(result: SBCResult, options: SBCPlotOptions = {}): PlotSpec {
  const { width, height } = panelSize(options, 200, 120);
  const prob = options.prob ?? 0.99;
  checkProb(prob, "sbcPlot");
  const columns = options.columns ?? 4;
  if (!(Number.isInteger(columns) && columns >= 1)) throw new Error(`sbcPlot: columns must be a positive integer, got ${columns}`);
  const known = Object.keys(result.counts);
  const sites = options.sites ?? known;
  for (const s of sites) if (!known.includes(s)) throw new Error(`sbcPlot: no site '${s}' in the result (it has ${known.map((k) => `'${k}'`).join(", ")})`);
  const n = result.numSimulations;
  const L1 = result.numDraws + 1;
  const bands = result.expected.map((_, b) => {
    const p = (result.binEdges[b + 1] - result.binEdges[b]) / L1;
    return [binomialQuantile(n, p, (1 - prob) / 2), binomialQuantile(n, p, (1 + prob) / 2)];
  });
  const values: Row[] = [];
  const order: string[] = [];
  for (const el of result.elements) {
    if (!sites.includes(el.site)) continue;
    const counts = result.counts[el.site];
    const shape = counts.shape.slice(1);
    const size = shape.reduce((a, d) => a * d, 1);
    const flat = el.index.reduce((acc, i, k) => acc * shape[k] + i, 0);
    const data = counts.dataSync();
    const panel = `${el.label} (p = ${el.pValue.toPrecision(2)})`;
    order.push(panel);
    for (let b = 0; b < result.bins; b++)
      values.push({ panel, start: result.binEdges[b], end: result.binEdges[b + 1], count: data[b * size + flat], expected: result.expected[b], lo: bands[b][0], hi: bands[b][1] });
  }
  if (values.length === 0) throw new Error("sbcPlot: nothing to plot");
  const x = { field: "start", type: "quantitative" as const, title: `rank (0…${result.numDraws})`, scale: { domain: [0, L1] } };
  const layer: LayerItem[] = [
    { mark: { type: "rect", color: "#dddddd" }, encoding: { x, x2: { field: "end" }, y: { field: "lo", type: "quantitative" }, y2: { field: "hi" } } },
    {
      mark: { type: "rect", stroke: "white", strokeWidth: 0.5, color: "#4c78a8" },
      encoding: { x, x2: { field: "end" }, y: { field: "count", type: "quantitative", title: `count (band: ${percent(prob)})` }, y2: { datum: 0 } },
    },
    { mark: { type: "rule", color: "black", strokeDash: [4, 4] }, encoding: { x, x2: { field: "end" }, y: { field: "expected", type: "quantitative" } } },
  ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title !== undefined ? { title: options.title } : {}),
    data: { values },
    facet: { field: "panel", type: "nominal", title: null, sort: order },
    columns,
    spec: { width, height, layer },
  };
}

/** The smallest k with P(X <= k) >= q for X ~ Binomial(n, p). */
function binomialQuantile(n: number, p: number, q: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return n;
  let logPmf = n * Math.log1p(-p);
  const ratio = Math.log(p) - Math.log1p(-p);
  let cdf = 0;
  for (let k = 0; k <= n; k++) {
    cdf += Math.exp(logPmf);
    if (cdf >= q) return k;
    logPmf += Math.log(n - k) - Math.log(k + 1) + ratio;
  }
  return n;
}
