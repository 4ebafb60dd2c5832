/**
 * `npm run docs:images`: redraws the pictures of docs/plots.md (docs/images/*.png) by running
 * the snippets of docs/snippets/plots.ts in a scratch directory and rendering their plots as
 * PNG at scale 1.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { pairPlot, toPng } from "../../src/plots/index.js";
import { mcmcPlots, sviPlot } from "../snippets/plots.js";

const images = join(dirname(fileURLToPath(import.meta.url)), "..", "images");
const scratch = mkdtempSync(join(tmpdir(), "tyche-docs-images-"));
const cwd = process.cwd();
process.chdir(scratch);
try {
  const { draws, diverging } = await mcmcPlots();
  await sviPlot();
  const { Resvg } = await import("@resvg/resvg-js");
  for (const name of ["trace", "rank", "posterior", "forest", "elbo"]) {
    const svg = readFileSync(join(scratch, "plots", `${name}.svg`), "utf8");
    writeFileSync(join(images, `${name}.png`), new Resvg(svg, { font: { loadSystemFonts: true } }).render().asPng());
  }
  writeFileSync(join(images, "pairs.png"), await toPng(pairPlot(draws, { sites: ["mu", "tau", "theta_tilde[0]"], diverging }), { scale: 1 }));
  console.log(`wrote docs/images/{trace,rank,posterior,pairs,forest,elbo}.png`);
} finally {
  process.chdir(cwd);
  rmSync(scratch, { recursive: true, force: true });
}
