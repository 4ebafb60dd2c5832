/**
 * ELBO history: the loss of each SVI (or SVGD) step, as `svi.run` returns it in `losses`, with
 * an optional rolling mean to see the trend through the noise of stochastic gradients. Several
 * fits given by name are drawn in one chart, one colour each.
 */
import { readHost } from "./draws.js";
import { panelSize, VEGA_LITE_SCHEMA, type LayerItem, type PlotOptions, type PlotSpec, type Row } from "./spec.js";
import type { ArrayLike } from "../core/index.js";

/** Options of {@link elboHistory}. */
export interface ElboHistoryOptions extends PlotOptions {
  /** Also draw the mean over a trailing window of this many steps (default: none). */
  smoothing?: number;
  /**
   * The y scale: `"linear"` (default), `"log"` (every finite loss must be positive) or
   * `"symlog"` (log-like for losses of either sign).
   */
  yScale?: "linear" | "log" | "symlog";
}

/**
 * A line chart of SVI losses against the step: `losses` is one fit's losses (shape `[steps]`)
 * or a record of named fits. Steps whose loss is not finite (skipped by `stableUpdate`) are
 * left out. The chart is `width` × `height` pixels (default 500 × 250).
 */
export function elboHistory(losses: ArrayLike | Readonly<Record<string, ArrayLike>>, options: ElboHistoryOptions = {}): PlotSpec {
  const { width, height } = panelSize(options, 500, 250);
  const yScale = options.yScale ?? "linear";
  if (yScale !== "linear" && yScale !== "log" && yScale !== "symlog") throw new Error(`elboHistory: yScale must be 'linear', 'log' or 'symlog', got '${yScale}'`);
  const smoothing = options.smoothing;
  if (smoothing !== undefined && !(Number.isInteger(smoothing) && smoothing >= 1)) {
    throw new Error(`elboHistory: smoothing must be a positive integer (a window of steps), got ${smoothing}`);
  }
  const runs = isRecord(losses) ? Object.entries(losses) : [["loss", losses] as const];
  if (runs.length === 0) throw new Error("elboHistory: no losses to plot");
  const values: Row[] = [];
  for (const [run, l] of runs) {
    const h = readHost(l, `elboHistory: losses${runs.length > 1 || isRecord(losses) ? ` of '${run}'` : ""}`);
    if (h.shape.length !== 1) throw new Error(`elboHistory: losses of '${run}' must have shape [steps], got [${h.shape.join(", ")}]`);
    h.data.forEach((loss, step) => {
      if (!Number.isFinite(loss)) return;
      if (yScale === "log" && loss <= 0) throw new Error(`elboHistory: yScale 'log' needs positive losses, but '${run}' has ${loss} at step ${step} (use 'symlog')`);
      values.push({ run, step, loss });
    });
  }
  if (values.length === 0) throw new Error("elboHistory: no finite losses to plot");
  const multiple = runs.length > 1;
  const color = multiple ? { color: { field: "run", type: "nominal", title: "fit" } as const } : {};
  const y = { type: "quantitative", title: "loss (−ELBO)", scale: { type: yScale, zero: false } } as const;
  const layer: LayerItem[] = [
    {
      mark: { type: "line", strokeWidth: 1, opacity: smoothing ? 0.4 : 1 },
      encoding: { x: { field: "step", type: "quantitative", title: "step" }, y: { ...y, field: "loss" }, ...color },
    },
  ];
  if (smoothing) {
    layer.push({
      transform: [{ window: [{ op: "mean", field: "loss", as: "smoothed" }], frame: [-(smoothing - 1), 0], groupby: ["run"], sort: [{ field: "step" }] }],
      mark: { type: "line", strokeWidth: 2 },
      encoding: { x: { field: "step", type: "quantitative" }, y: { ...y, field: "smoothed" }, ...color },
    });
  }
  return {
    $schema: VEGA_LITE_SCHEMA,
    ...(options.title !== undefined ? { title: options.title } : {}),
    width,
    height,
    data: { values },
    layer,
  };
}

/** Whether `x` is a record of named losses rather than one array-like. */
function isRecord(x: ArrayLike | Readonly<Record<string, ArrayLike>>): x is Readonly<Record<string, ArrayLike>> {
  return typeof x === "object" && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x) && Object.getPrototypeOf(x) === Object.prototype;
}
