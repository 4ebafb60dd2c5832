/**
 * Splits the body of a large generated function into segments, each its own inner function.
 * V8 does not optimize a function whose bytecode passes a size limit (60 KB), and a program of
 * a thousand equations (the SVI step of a normalizing-flow guide) generates more than that: its
 * one function then runs in the interpreter, about ten times slower. Segments stay under the
 * limit and are optimized one by one. Values a later segment reads are hoisted into the outer
 * function's scope; the rest stay local to their segment.
 */

/** Source characters per segment (the bytecode of generated code is of the same order). */
const SEGMENT_CHARS = 16_000;

const DECLARATION = /^(const|let) ([A-Za-z_$][\w$]*)( = |;)/;
const IDENTIFIER = /[A-Za-z_$][\w$]*/g;

/**
 * The function body of `lines` (statements of generated code with no strings, no labels, and
 * a `return` only as the last top-level statement), as one block when it is small, else as
 * calls of segment functions. Segments are cut where the brace depth is 0.
 */
export function segmentedBody(lines: readonly string[]): string {
  const total = lines.reduce((n, l) => n + l.length + 1, 0);
  if (total <= 2 * SEGMENT_CHARS) return lines.join("\n");
  const segments: string[][] = [];
  const topLevel: boolean[][] = [];
  let current: string[] = [];
  let starts: boolean[] = [];
  let size = 0;
  let depth = 0;
  for (const line of lines) {
    current.push(line);
    starts.push(depth === 0);
    size += line.length + 1;
    for (const ch of line) depth += ch === "{" ? 1 : ch === "}" ? -1 : 0;
    if (depth === 0 && size >= SEGMENT_CHARS) {
      segments.push(current);
      topLevel.push(starts);
      [current, starts, size] = [[], [], 0];
    }
  }
  if (current.length > 0) {
    segments.push(current);
    topLevel.push(starts);
  }
  if (depth !== 0 || segments.length < 2) return lines.join("\n");

  // names declared at the top level of each segment, and the names each segment mentions
  const declaredIn = new Map<string, number>();
  for (let s = 0; s < segments.length; s++)
    segments[s].forEach((line, i) => {
      if (!topLevel[s][i] || !/^(const|let) /.test(line)) return;
      const m = DECLARATION.exec(line);
      if (m === null) throw new Error(`internal: jit cannot segment the declaration '${line}'`);
      declaredIn.set(m[2], s);
    });
  const hoisted = new Set<string>();
  for (let s = 1; s < segments.length; s++)
    for (const line of segments[s]) for (const name of line.match(IDENTIFIER) ?? []) if ((declaredIn.get(name) ?? s) < s) hoisted.add(name);

  const out: string[] = [];
  if (hoisted.size > 0) out.push(`let ${[...hoisted].join(", ")};`);
  segments.forEach((seg, s) => {
    out.push(`function segment${s}() {`);
    seg.forEach((line, i) => {
      const m = topLevel[s][i] ? DECLARATION.exec(line) : null;
      if (m === null || !hoisted.has(m[2])) out.push(line);
      else if (m[3] === " = ") out.push(line.slice(m[1].length + 1));
    });
    out.push("}");
  });
  segments.forEach((_, s) => out.push(s + 1 === segments.length ? `return segment${s}();` : `segment${s}();`));
  return out.join("\n");
}
