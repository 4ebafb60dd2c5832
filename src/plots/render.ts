/**
 * Rendering a plot: Vega-Lite compiles the spec to Vega, Vega renders it headless to SVG (no
 * canvas needed: text is measured by estimate), and resvg rasterizes the SVG to PNG. The PNG
 * path and file writing load their modules on first use, so SVG rendering also works where
 * neither native code nor a file system is available (a browser bundle).
 */
import { parse, View } from "vega";
import { compile } from "vega-lite";
import type { PlotSpec } from "./spec.js";

/** Options of {@link toPng} and {@link savePlot}. */
export interface PngOptions {
  /** Pixels per SVG unit (default 2, for sharp images on high-density screens). */
  scale?: number;
  /** Background colour (default: the spec's, white). */
  background?: string;
}

/** Renders `spec` to an SVG document (a string starting with `<svg`). */
export async function toSvg(spec: PlotSpec): Promise<string> {
  let vegaSpec;
  try {
    vegaSpec = compile(spec).spec;
  } catch (e) {
    throw new Error(`toSvg: the Vega-Lite spec does not compile: ${(e as Error).message}`);
  }
  const view = new View(parse(vegaSpec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Renders `spec` to a PNG image (through SVG, rasterized by resvg). */
export async function toPng(spec: PlotSpec, options: PngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0)) throw new Error(`toPng: scale must be a positive number, got ${scale}`);
  const svg = await toSvg(spec);
  const { Resvg } = await import("@resvg/resvg-js");
  const png = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: options.background,
    font: { loadSystemFonts: true, defaultFontFamily: "sans-serif" },
  })
    .render()
    .asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Renders `spec` and writes it to `path`: SVG for a `.svg` path, PNG for `.png` (Node only).
 * Missing parent directories are created.
 */
export async function savePlot(spec: PlotSpec, path: string, options: PngOptions = {}): Promise<void> {
  const ext = /\.([^./\\]+)$/.exec(path)?.[1]?.toLowerCase();
  if (ext !== "svg" && ext !== "png") throw new Error(`savePlot: the path must end in .svg or .png, got '${path}'`);
  const content = ext === "svg" ? await toSvg(spec) : await toPng(spec, options);
  const fs = await import("node:fs/promises");
  const { dirname } = await import("node:path");
  await fs.mkdir(dirname(path), { recursive: true });
  await fs.writeFile(path, content);
}
