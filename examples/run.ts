/**
 * Runs an example by name: `npm run example -- NAME` (lists them without a name). An example
 * that exports `main` is run by calling it (so tests can call it with small sizes); one without
 * runs when imported.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const names = readdirSync(here)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts")
  .map((f) => f.slice(0, -3))
  .sort();
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.log(`usage: npm run example -- NAME\nexamples: ${names.join(", ")}`);
  process.exit(name ? 1 : 0);
}
const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { main?: () => unknown };
if (typeof mod.main === "function") await mod.main();
