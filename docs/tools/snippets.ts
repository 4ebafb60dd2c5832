/**
 * The code in the guides (docs/*.md) is kept in docs/snippets/*.ts, where the compiler checks
 * it and test/docs.test.ts runs it. A snippet file marks regions with `// #region name` and
 * `// #endregion`; a guide shows regions in a TypeScript fence right after a marker comment:
 *
 *     <!-- snippet: mcmc#imports,model -->
 *     ```ts
 *     (the regions `imports` and `model` of docs/snippets/mcmc.ts, dedented, one after the other)
 *     ```
 *
 * `syncMarkdown` rewrites those fences from the regions (`npm run docs:snippets`);
 * `checkMarkdown` reports fences that differ, markers naming a missing region, and TypeScript
 * fences without a marker (the test fails on any).
 */
import { readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";

/** Regions by `file#name` (file: the snippet's base name without `.ts`). */
export type Regions = ReadonlyMap<string, string>;

const REGION = /^\s*\/\/ #region (\S+)\s*$/;
const END = /^\s*\/\/ #endregion\b/;
const MARKER = /^<!-- snippet: ([\w-]+)#([\w,-]+) -->$/;
const TS_FENCE = /^```(ts|typescript)\s*$/;

/** The regions of one snippet file's source, each dedented to its least indented line. */
export function regionsOf(source: string, file: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = source.split("\n");
  let open: { name: string; lines: string[]; line: number } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const start = REGION.exec(lines[i]);
    if (start) {
      if (open) throw new Error(`${file}.ts:${i + 1}: region '${start[1]}' opens inside region '${open.name}'`);
      open = { name: start[1], lines: [], line: i + 1 };
    } else if (END.test(lines[i])) {
      if (!open) throw new Error(`${file}.ts:${i + 1}: #endregion without #region`);
      const key = `${file}#${open.name}`;
      if (out.has(key)) throw new Error(`${file}.ts:${i + 1}: region '${open.name}' defined twice`);
      out.set(key, dedent(open.lines));
      open = null;
    } else if (open) {
      open.lines.push(lines[i]);
    }
  }
  if (open) throw new Error(`${file}.ts:${open.line}: region '${open.name}' is not closed`);
  return out;
}

/** The regions of every `.ts` file in `dir`. */
export function readRegions(dir: string): Map<string, string> {
  const all = new Map<string, string>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".ts")).sort()) {
    for (const [k, v] of regionsOf(readFileSync(join(dir, f), "utf8"), basename(f, ".ts"))) all.set(k, v);
  }
  return all;
}

/** The text a marker asks for: its regions joined by a blank line, or an error message. */
function wanted(regions: Regions, file: string, names: string): string | Error {
  const parts: string[] = [];
  for (const name of names.split(",")) {
    const text = regions.get(`${file}#${name}`);
    if (text === undefined) return new Error(`no region '${name}' in docs/snippets/${file}.ts`);
    parts.push(text);
  }
  return parts.join("\n\n");
}

/** One TypeScript fence of a guide: its marker (if any) and its lines. */
interface Fence {
  /** Line index of the opening fence. */
  open: number;
  /** Line index of the closing fence. */
  close: number;
  /** The marker on the line before, as [file, names], or null. */
  marker: [string, string] | null;
}

/** The TypeScript fences of a guide. */
function fencesOf(lines: readonly string[]): Fence[] {
  const fences: Fence[] = [];
  let inFence = false;
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith("```")) continue;
    if (inFence) {
      inFence = false;
      continue;
    }
    inFence = true;
    if (!TS_FENCE.test(lines[i])) continue;
    let close = i + 1;
    while (close < lines.length && !lines[close].startsWith("```")) close++;
    const m = i > 0 ? MARKER.exec(lines[i - 1]) : null;
    fences.push({ open: i, close, marker: m ? [m[1], m[2]] : null });
    i = close;
    inFence = false;
  }
  return fences;
}

/** Problems of a guide: TypeScript fences without a marker, unknown regions, stale code. */
export function checkMarkdown(markdown: string, regions: Regions, name: string): string[] {
  const lines = markdown.split("\n");
  const problems: string[] = [];
  for (const f of fencesOf(lines)) {
    const where = `${name}:${f.open + 1}`;
    if (!f.marker) {
      problems.push(`${where}: a TypeScript block without a <!-- snippet: file#region --> marker (put the code in docs/snippets/)`);
      continue;
    }
    const text = wanted(regions, ...f.marker);
    if (text instanceof Error) problems.push(`${where}: ${text.message}`);
    else if (lines.slice(f.open + 1, f.close).join("\n") !== text) problems.push(`${where}: the block differs from docs/snippets/${f.marker[0]}.ts#${f.marker[1]} (run npm run docs:snippets)`);
  }
  return problems;
}

/** The guide with every marked TypeScript fence rewritten from its regions. */
export function syncMarkdown(markdown: string, regions: Regions): string {
  const lines = markdown.split("\n");
  for (const f of fencesOf(lines).reverse()) {
    if (!f.marker) continue;
    const text = wanted(regions, ...f.marker);
    if (text instanceof Error) continue;
    lines.splice(f.open + 1, f.close - f.open - 1, ...text.split("\n"));
  }
  return lines.join("\n");
}

/** The guides in `docs`: every `.md` file directly in it. */
export function guides(docsDir: string): string[] {
  return readdirSync(docsDir)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => join(docsDir, f));
}

/** Removes the common leading whitespace of the non-blank lines, and blank lines at both ends. */
function dedent(lines: readonly string[]): string {
  const indent = Math.min(...lines.filter((l) => l.trim() !== "").map((l) => /^\s*/.exec(l)![0].length));
  const out = lines.map((l) => (l.trim() === "" ? "" : l.slice(indent)));
  while (out.length > 0 && out[0] === "") out.shift();
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out.join("\n");
}
