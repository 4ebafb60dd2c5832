/**
 * What a plot is: a Vega-Lite specification (a plain JSON object). Plots build specs; the
 * renderer ({@link toSvg}, {@link toPng}, {@link savePlot}) turns a spec into an image, and any
 * Vega-Lite tool (the online editor, vega-embed in a page, Altair) can show or edit it.
 */
import type { TopLevelSpec } from "vega-lite";

/** A Vega-Lite specification, as every plot returns it. */
export type PlotSpec = TopLevelSpec;

/** One panel of a composed plot (a unit, layer, facet or concat spec). */
export type PanelSpec = Extract<TopLevelSpec, { vconcat: unknown }>["vconcat"][number];

/** Sizes and title, shared by every plot. */
export interface PlotOptions {
  /** Width of one panel in pixels (each plot has its own default). */
  width?: number;
  /** Height of one panel in pixels (each plot has its own default). */
  height?: number;
  /** A title over the whole plot. */
  title?: string;
}

/** The Vega-Lite schema the specs are written against. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";

/** A row of inline data. */
export type Row = Record<string, number | string | boolean>;

/** The panel size of `options`, with the plot's defaults. */
export function panelSize(options: PlotOptions, width: number, height: number): { width: number; height: number } {
  const w = options.width ?? width;
  const h = options.height ?? height;
  for (const [name, v] of [["width", w], ["height", h]] as const)
    if (!(Number.isFinite(v) && v > 0)) throw new Error(`plot: ${name} must be a positive number, got ${v}`);
  return { width: w, height: h };
}

/** Checks that `prob` is a probability mass in (0, 1). */
export function checkProb(prob: number, who: string, name = "prob"): void {
  if (!(prob > 0 && prob < 1)) throw new Error(`${who}: ${name} must be in (0, 1), got ${prob}`);
}

/** The percentage label of a probability mass: 0.9 → "90%", 0.945 → "94.5%". */
export function percent(prob: number): string {
  return `${Number((prob * 100).toFixed(1))}%`;
}

/** One layer of a layered panel. */
export type LayerItem = Extract<PanelSpec, { layer: unknown }>["layer"][number];
