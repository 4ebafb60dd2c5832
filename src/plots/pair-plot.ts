/**
 * Pair plot (ArviZ's `plot_pair`): the joint draws of site elements as scatter plots. Two
 * elements give one scatter; more give a grid with a histogram of each element on the diagonal
 * and the scatter of every pair off it. Divergent transitions, when given, are drawn in red:
 * where they cluster shows the geometry the sampler could not follow (the neck of a funnel).
 */
import { pooled, readHost, siteElements, type Draws, type DrawsOptions, type SiteElement } from "./draws.js";
import { panelSize, VEGA_LITE_SCHEMA, type PanelSpec, type PlotOptions, type PlotSpec, type Row } from "./spec.js";
import type { ArrayLike } from "../core/index.js";

/** Options of {@link pairPlot}. */
export interface PairPlotOptions extends DrawsOptions, PlotOptions {
  /**
   * Which draws were divergent: `getExtraFields({ groupByChain: true }).diverging` (shape
   * `[chains, draws]`), or flat `[chains·draws]`. Divergent draws are drawn red, on top.
   */
  diverging?: ArrayLike;
  /** Draw a grid (histograms on the diagonal) even for two elements (default: only for three or more). */
  grid?: boolean;
  /** Histogram bins on the diagonal of a grid (default 20). */
  bins?: number;
}

/**
 * A pair plot of the site elements of `samples` (all chains pooled): the scatter of two
 * elements, or for more (or with `grid`) a grid of scatters with histograms on the diagonal.
 * Each panel is `width` × `height` pixels (default 300 × 300 for one scatter, 150 × 150 in a grid).
 */
export function pairPlot(samples: Draws, options: PairPlotOptions = {}): PlotSpec {
  const elements = siteElements(samples, options, "pairPlot");
  if (elements.length < 2) {
    throw new Error(`pairPlot: needs at least two scalar elements to pair, got ${elements.length} (${elements.map((e) => e.name).join(", ")})`);
  }
  const columns = elements.map(pooled);
  const n = columns[0].length;
  for (let i = 1; i < elements.length; i++)
    if (columns[i].length !== n) {
      throw new Error(`pairPlot: ${elements[i].name} has ${columns[i].length} draws but ${elements[0].name} has ${n}; paired draws must match`);
    }
  const diverging = divergingFlags(options.diverging, n);
  const values: Row[] = [];
  for (let d = 0; d < n; d++) {
    const row: Row = { divergent: diverging?.[d] ?? false };
    columns.forEach((col, i) => (row[`v${i}`] = col[d]));
    values.push(row);
  }
  // Divergent draws last, so they are drawn on top.
  if (diverging) values.sort((a, b) => Number(a.divergent) - Number(b.divergent));
  const header = {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title !== undefined ? { title: options.title } : {}),
    datasets: { draws: values },
  };
  const grid = options.grid ?? elements.length > 2;
  if (!grid) {
    const { width, height } = panelSize(options, 300, 300);
    return { ...header, ...scatter(elements, 0, 1, width, height, diverging !== null), data: { name: "draws" } };
  }
  const { width, height } = panelSize(options, 150, 150);
  const bins = options.bins ?? 20;
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`pairPlot: bins must be a positive integer, got ${bins}`);
  const rows: PanelSpec[] = elements.map((_, i) => ({
    hconcat: elements.map((el, j): PanelSpec =>
      i === j
        ? {
            width,
            height,
            data: { name: "draws" },
            mark: { type: "bar", color: "steelblue" },
            encoding: {
              x: { field: `v${j}`, type: "quantitative", title: el.name, bin: { maxbins: bins } },
              y: { aggregate: "count", type: "quantitative", title: "count" },
            },
          }
        : scatter(elements, j, i, width, height, diverging !== null),
    ),
  }));
  return { ...header, vconcat: rows };
}

/** The scatter of element `x` against element `y`, from the shared `draws` dataset. */
function scatter(elements: readonly SiteElement[], x: number, y: number, width: number, height: number, withDivergences: boolean): Extract<PanelSpec, { mark: unknown }> {
  return {
    width,
    height,
    data: { name: "draws" },
    mark: { type: "circle", size: 8, opacity: 0.5 },
    encoding: {
      x: { field: `v${x}`, type: "quantitative", title: elements[x].name, scale: { zero: false } },
      y: { field: `v${y}`, type: "quantitative", title: elements[y].name, scale: { zero: false } },
      ...(withDivergences
        ? {
            color: {
              field: "divergent",
              type: "nominal",
              title: "divergent",
              scale: { domain: [false, true], range: ["steelblue", "red"] },
            },
          }
        : {}),
    },
  };
}

/** The divergence flags of the pooled draws, or null when none were given. */
function divergingFlags(diverging: ArrayLike | undefined, n: number): boolean[] | null {
  if (diverging === undefined) return null;
  const h = readHost(diverging, "pairPlot: diverging");
  if (h.data.length !== n) {
    throw new Error(`pairPlot: diverging has ${h.data.length} entries (shape [${h.shape.join(", ")}]) but there are ${n} draws`);
  }
  return Array.from(h.data, (v) => v !== 0);
}
