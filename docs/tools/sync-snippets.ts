/**
 * `npm run docs:snippets`: rewrites the code blocks of the guides in docs/ from the regions of
 * docs/snippets/*.ts (see ./snippets.ts). With `--check`, changes nothing and exits with 1 when
 * a guide is out of step.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { checkMarkdown, guides, readRegions, syncMarkdown } from "./snippets.js";

const docs = join(dirname(fileURLToPath(import.meta.url)), "..");
const regions = readRegions(join(docs, "snippets"));
const check = process.argv.includes("--check");
let problems = 0;
for (const path of guides(docs)) {
  const text = readFileSync(path, "utf8");
  if (!check) {
    const synced = syncMarkdown(text, regions);
    if (synced !== text) {
      writeFileSync(path, synced);
      console.log(`updated ${basename(path)}`);
    }
  }
  for (const p of checkMarkdown(check ? text : syncMarkdown(text, regions), regions, basename(path))) {
    console.error(p);
    problems++;
  }
}
if (problems > 0) process.exit(1);
