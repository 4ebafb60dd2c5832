/**
 * Forest plot (ArviZ's `plot_forest`): for every site element, its median and HPD intervals,
 * one line per chain (or one for all chains pooled). A thin line spans the outer interval, a
 * thick one the inner. Chains that agree draw lines on top of each other.
 */
import { hpdi } from "../infer/index.js";
import { pooled, siteElements, type Draws, type DrawsOptions } from "./draws.js";
import { checkProb, panelSize, percent, VEGA_LITE_SCHEMA, type PlotOptions, type PlotSpec, type Row } from "./spec.js";

/** Options of {@link forestPlot}. */
export interface ForestPlotOptions extends DrawsOptions, PlotOptions {
  /** Probability mass of the outer (thin) HPD interval (default 0.9). */
  prob?: number;
  /** Probability mass of the inner (thick) HPD interval (default 0.5). */
  innerProb?: number;
  /** Pool the chains into one line per element (default false: one line per chain). */
  combined?: boolean;
}

/**
 * A forest plot of `samples`: one row per site element with, per chain (or for the pooled
 * draws with `combined`), the median and the `innerProb` and `prob` HPD intervals. The plot is
 * `width` pixels wide (default 400) and `height` pixels per element (default 24).
 */
export function forestPlot(samples: Draws, options: ForestPlotOptions = {}): PlotSpec {
  const elements = siteElements(samples, options, "forestPlot");
  const { width, height } = panelSize(options, 400, 24);
  const prob = options.prob ?? 0.9;
  const innerProb = options.innerProb ?? 0.5;
  checkProb(prob, "forestPlot");
  checkProb(innerProb, "forestPlot", "innerProb");
  if (innerProb > prob) throw new Error(`forestPlot: innerProb (${innerProb}) must not exceed prob (${prob})`);
  const combined = options.combined ?? false;
  const values: Row[] = [];
  for (const el of elements) {
    const groups = combined ? [pooled(el)] : el.chains;
    groups.forEach((draws, chain) => {
      const xs = Array.from(draws);
      const [lo, hi] = hpdi(xs, prob).toArray() as number[];
      const [innerLo, innerHi] = hpdi(xs, innerProb).toArray() as number[];
      const sorted = xs.sort((a, b) => a - b);
      values.push({ name: el.name, chain: combined ? "all" : String(chain), lo, hi, innerLo, innerHi, median: median(sorted) });
    });
  }
  const y = { field: "name", type: "nominal", title: null, sort: elements.map((e) => e.name) } as const;
  const yOffset = combined ? {} : { yOffset: { field: "chain", type: "nominal", scale: { paddingInner: 0.3 } } as const };
  const color = combined
    ? {}
    : { color: { field: "chain", type: "nominal", title: "chain", sort: values.map((r) => r.chain).filter((c, i, a) => a.indexOf(c) === i) } as const };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: options.title ?? `median, ${percent(innerProb)} and ${percent(prob)} HPDI`,
    width,
    height: { step: height },
    data: { values },
    encoding: { y, ...yOffset, ...color },
    layer: [
      {
        mark: { type: "rule", strokeWidth: 1.5 },
        encoding: { x: { field: "lo", type: "quantitative", title: "value", scale: { zero: false } }, x2: { field: "hi" } },
      },
      {
        mark: { type: "rule", strokeWidth: 4 },
        encoding: { x: { field: "innerLo", type: "quantitative" }, x2: { field: "innerHi" } },
      },
      {
        mark: { type: "point", filled: true, size: 30, stroke: "white", strokeWidth: 0.5 },
        encoding: { x: { field: "median", type: "quantitative" } },
      },
    ],
  };
}

/** Median of sorted values. */
function median(sorted: readonly number[]): number {
  const m = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
}
