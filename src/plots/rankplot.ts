/**
 * Rank plot (Vehtari et al. 2021; ArviZ's `plot_rank`): the draws of all chains are ranked
 * together, and each chain's ranks are shown as a histogram. When the chains sample the same
 * distribution every histogram is flat; a chain stuck in one region piles up at one end. The
 * dashed line is the count a flat histogram would have.
 */
import { siteElements, type Draws, type DrawsOptions } from "./draws.js";
import { panelSize, VEGA_LITE_SCHEMA, type PanelSpec, type PlotOptions, type PlotSpec, type Row } from "./spec.js";

/** Options of {@link rankplot}. */
export interface RankplotOptions extends DrawsOptions, PlotOptions {
  /** Number of rank bins per chain (default: 20, or the draws per chain when fewer). */
  bins?: number;
}

/**
 * A rank plot of `samples`, draws grouped by chain: one panel per site element, with one
 * histogram row per chain of the ranks (1 … chains·draws, ties averaged) of that chain's draws
 * among all draws. Each chain's histogram is `width` × `height` pixels (default 300 × 60).
 */
export function rankplot(samples: Draws, options: RankplotOptions = {}): PlotSpec {
  const elements = siteElements(samples, options, "rankplot");
  const { width, height } = panelSize(options, 300, 60);
  const panels: PanelSpec[] = elements.map((el) => {
    const numChains = el.chains.length;
    const numDraws = el.chains[0].length;
    const total = numChains * numDraws;
    const bins = options.bins ?? Math.min(20, numDraws);
    if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`rankplot: bins must be a positive integer, got ${bins}`);
    const ranks = rankAll(el.chains);
    const values: Row[] = [];
    for (let c = 0; c < numChains; c++) {
      const counts = new Array<number>(bins).fill(0);
      for (let d = 0; d < numDraws; d++) {
        // Rank r in [1, total] falls in bin floor((r - 1) · bins / total).
        counts[Math.min(bins - 1, Math.floor(((ranks[c * numDraws + d] - 1) * bins) / total))]++;
      }
      counts.forEach((count, b) => values.push({ chain: c, start: (b * total) / bins, end: ((b + 1) * total) / bins, count }));
    }
    return {
      data: { values },
      facet: { row: { field: "chain", type: "ordinal", title: `${el.name}: chain` } },
      spec: {
        width,
        height,
        layer: [
          {
            mark: { type: "rect", stroke: "white", strokeWidth: 0.5 },
            encoding: {
              x: { field: "start", type: "quantitative", title: `rank of ${el.name}`, scale: { domain: [0, total] } },
              x2: { field: "end" },
              y: { field: "count", type: "quantitative", title: "count" },
              y2: { datum: 0 },
              color: { field: "chain", type: "nominal", legend: null },
            },
          },
          {
            mark: { type: "rule", strokeDash: [4, 4], color: "black" },
            encoding: { y: { datum: numDraws / bins } },
          },
        ],
      },
    };
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title !== undefined ? { title: options.title } : {}),
    vconcat: panels,
  };
}

/** Ranks 1 … N of the pooled draws of all chains (ties get their average rank), in chain-major order. */
function rankAll(chains: readonly Float64Array[]): Float64Array {
  const all = Float64Array.from(chains.flatMap((c) => Array.from(c)));
  const order = Array.from(all.keys()).sort((a, b) => all[a] - all[b]);
  const ranks = new Float64Array(all.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && all[order[j + 1]] === all[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}
