/**
 * Posterior density plot (ArviZ's `plot_posterior`): for every site element, the distribution of
 * the pooled draws of all chains, as a kernel density estimate or a histogram, with the highest
 * posterior density interval drawn as a bar along the bottom and its ends labelled, and the
 * posterior mean as a dashed vertical rule; the panel's subtitle gives both.
 */
import { hpdi } from "../infer/index.js";
import { pooled, siteElements, type Draws, type DrawsOptions } from "./draws.js";
import { checkProb, panelSize, percent, VEGA_LITE_SCHEMA, type LayerItem, type PanelSpec, type PlotOptions, type PlotSpec, type Row } from "./spec.js";

/** Options of {@link posteriorDensity}. */
export interface PosteriorDensityOptions extends DrawsOptions, PlotOptions {
  /** Probability mass of the HPD interval (default 0.9, as `summary`). */
  prob?: number;
  /** A Gaussian kernel density estimate (`"kde"`, default, bandwidth by Scott's rule) or a histogram (`"hist"`). */
  kind?: "kde" | "hist";
  /** Maximum number of histogram bins (default 30; `kind: "hist"` only). */
  bins?: number;
  /** Panels per row (default 3). */
  columns?: number;
}

/**
 * A posterior density plot of `samples` (all chains pooled): one panel per site element with
 * the density (or histogram), the HPD interval of mass `prob` and the mean. Panels are
 * `width` × `height` pixels (default 240 × 160).
 */
export function posteriorDensity(samples: Draws, options: PosteriorDensityOptions = {}): PlotSpec {
  const elements = siteElements(samples, options, "posteriorDensity");
  const { width, height } = panelSize(options, 240, 160);
  const prob = options.prob ?? 0.9;
  checkProb(prob, "posteriorDensity");
  const kind = options.kind ?? "kde";
  if (kind !== "kde" && kind !== "hist") throw new Error(`posteriorDensity: kind must be 'kde' or 'hist', got '${kind}'`);
  const bins = options.bins ?? 30;
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`posteriorDensity: bins must be a positive integer, got ${bins}`);
  const columns = options.columns ?? 3;
  if (!(Number.isInteger(columns) && columns >= 1)) throw new Error(`posteriorDensity: columns must be a positive integer, got ${columns}`);
  const label = `${percent(prob)} HPDI`;

  const panels: PanelSpec[] = elements.map((el) => {
    const draws = pooled(el);
    const [lo, hi] = hpdi(Array.from(draws), prob).toArray() as number[];
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const x = { field: "value", type: "quantitative", title: el.name, scale: { zero: false } } as const;
    const distribution: LayerItem =
      kind === "kde"
        ? {
            transform: [{ density: "value", as: ["value", "density"] }],
            mark: { type: "area", opacity: 0.35, line: true },
            encoding: { x, y: { field: "density", type: "quantitative", title: "density" } },
          }
        : {
            mark: { type: "bar", opacity: 0.6 },
            encoding: {
              x: { ...x, bin: { maxbins: bins } },
              y: { aggregate: "count", type: "quantitative", title: "count" },
            },
          };
    const interval: Row = { lo, hi, mean, label };
    return {
      title: { text: el.name, subtitle: `${label} [${fmt(lo)}, ${fmt(hi)}], mean ${fmt(mean)}`, subtitleFontSize: 10 },
      width,
      height,
      layer: [
        { ...distribution, data: { values: Array.from(draws, (value) => ({ value })) } },
        {
          data: { values: [interval] },
          mark: { type: "rule", strokeWidth: 4, color: "black" },
          encoding: { x: { field: "lo", type: "quantitative" }, x2: { field: "hi" }, y: { datum: 0 } },
        },
        {
          data: { values: [{ at: lo, text: fmt(lo) }, { at: hi, text: fmt(hi) }] },
          mark: { type: "text", dy: -10, fontSize: 10 },
          encoding: { x: { field: "at", type: "quantitative" }, y: { datum: 0 }, text: { field: "text" } },
        },
        {
          data: { values: [interval] },
          mark: { type: "rule", strokeDash: [4, 3], color: "firebrick" },
          encoding: { x: { field: "mean", type: "quantitative" }, tooltip: [{ field: "mean" }, { field: "label" }] },
        },
      ],
    };
  });
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title !== undefined ? { title: options.title } : {}),
    concat: panels,
    columns,
  };
}

/** A bound as a short label (3 significant digits). */
function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}
