/** Runs an example by name: `npm run example -- NAME` (lists them without a name). */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

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
await import(join(here, `${name}.ts`));
