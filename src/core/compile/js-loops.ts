/**
 * Loop nests for the `js` back end of jit: one nest computes a fused group of elementwise
 * equations over a shape, reading operands through strides (broadcasts, slices, transposes
 * cost no copies), storing the values needed elsewhere, folding reductions and copying values
 * into regions of other arrays. Axes that every access walks contiguously are merged, reads
 * and computations are hoisted to the outermost loop they depend on, and reductions over
 * trailing axes accumulate in locals.
 */
import { sizeOf, type Shape } from "../shape.js";
import type { Fold } from "./js-scalar.js";

/**
 * A typed array named `buf`, addressed at `offset + r * row + Σ index[d] * strides[d]` over
 * the nest's shape, where `r` is the counter of an enclosing loop over rows (see js.ts).
 */
export interface Access {
  readonly buf: string;
  readonly offset: number;
  readonly row: number;
  readonly strides: readonly number[];
}

/** The name of the counter of the loop over rows that may enclose nests. */
export const ROW = "r";

/** `offset + r * row` as an expression. */
export function baseExpr(offset: number, row: number): string {
  const t = row === 0 ? "" : row === 1 ? ROW : `${ROW}*${row}`;
  return t === "" ? String(offset) : offset === 0 ? t : `${t}+${offset}`;
}

/** `const name = buf[...]`: an operand read once per element (or less often, when it is invariant). */
export interface Read {
  readonly name: string;
  readonly at: Access;
}

/**
 * `const name = expr`, where `expr` uses the names in `deps` (reads, earlier statements, or
 * values defined outside the nest); or, when `code` is given, those lines instead (which
 * declare `name`, and maybe the names of statements that follow it at the same level).
 */
export interface Stmt {
  readonly name: string;
  readonly expr: string;
  readonly deps: readonly string[];
  readonly code?: readonly string[];
}

/** `buf[...] = value` for every element. */
export interface Store {
  readonly at: Access;
  readonly value: string;
}

/**
 * A reduction of `value` over the nest: into a local declared before the nest (all of the
 * nest is folded into one value), or into a contiguous array of `size` elements whose slot
 * for each element is given by `at` (stride 0 on the reduced axes).
 */
export interface Reduce {
  readonly fold: Fold;
  readonly value: string;
  readonly into: { readonly local: string } | { readonly at: Access; readonly size: number };
}

/** Everything one loop nest computes. */
export interface LoopNest {
  readonly shape: Shape;
  readonly reads: readonly Read[];
  readonly stmts: readonly Stmt[];
  readonly stores: readonly Store[];
  readonly reductions: readonly Reduce[];
}

/**
 * Merges axes that every stride list walks as one (drops axes of length 1); returns the
 * merged shape and a map from a stride list over `shape` to one over the merged shape.
 */
function coalesce(shape: Shape, accesses: readonly (readonly number[])[]): { shape: number[]; map: (s: readonly number[]) => number[] } {
  const kept = shape.map((_, d) => d).filter((d) => shape[d] !== 1);
  // runs of kept axes; a run is represented by its innermost axis
  const runs: { inner: number; extent: number }[] = [];
  for (const d of kept) {
    const last = runs[runs.length - 1];
    if (last && accesses.every((a) => a[runs[runs.length - 1].inner] === a[d] * shape[d])) {
      last.inner = d;
      last.extent *= shape[d];
    } else runs.push({ inner: d, extent: shape[d] });
  }
  return { shape: runs.map((r) => r.extent), map: (s) => runs.map((r) => s[r.inner]) };
}

/** `offset + r*row + i0*s0 + ...` over the first `depth` loop counters. */
function indexExpr(offset: number, row: number, strides: readonly number[], depth: number): string {
  const terms: string[] = [];
  for (let d = 0; d < depth; d++) {
    const s = strides[d];
    if (s === 0) continue;
    terms.push(s === 1 ? `i${d}` : `i${d}*${s < 0 ? `(${s})` : s}`);
  }
  const base = baseExpr(offset, row);
  if (base !== "0" || terms.length === 0) terms.push(base);
  return terms.join("+");
}

/** The loop depth an access depends on: one past its innermost axis of nonzero stride. */
function depthOf(strides: readonly number[]): number {
  for (let d = strides.length - 1; d >= 0; d--) if (strides[d] !== 0) return d + 1;
  return 0;
}

/**
 * The JavaScript lines of a loop nest. Locals of reductions into a local are declared before
 * the nest (so they stay visible after it); everything else lives in one block.
 * `f64Scratch(n)` names a Float64Array of n elements for accumulators of reductions over
 * leading or interleaved axes.
 */
export function emitLoopNest(nest: LoopNest, f64Scratch: (n: number) => string): string[] {
  const lines: string[] = [];
  for (const r of nest.reductions) if ("local" in r.into) lines.push(`let ${r.into.local} = ${r.fold.init};`);
  if (sizeOf(nest.shape) === 0) {
    for (const r of nest.reductions) if ("at" in r.into && r.into.size > 0) lines.push(`for (let i0 = 0; i0 < ${r.into.size}; i0++) ${r.into.at.buf}[${indexExpr(0, r.into.at.row, [1], 1)}] = ${r.fold.init};`);
    return lines;
  }
  const arrays = [...nest.reads.map((r) => r.at), ...nest.stores.map((s) => s.at), ...nest.reductions.flatMap((r) => ("at" in r.into ? [r.into.at] : []))];
  const { shape, map } = coalesce(
    nest.shape,
    arrays.map((a) => a.strides),
  );
  const rank = shape.length;
  const strides = new Map(arrays.map((a) => [a, map(a.strides)]));
  const at = (a: Access, depth = rank) => `${a.buf}[${indexExpr(a.offset, a.row, strides.get(a)!, depth)}]`;

  // loop level of each read and statement: the deepest level among what it uses
  const level = new Map<string, number>();
  for (const r of nest.reads) level.set(r.name, depthOf(strides.get(r.at)!));
  for (const s of nest.stmts) level.set(s.name, Math.max(0, ...s.deps.map((d) => level.get(d) ?? 0)));

  // reductions into arrays: a local accumulator when the reduced axes are trailing, else a Float64Array
  const partial = nest.reductions.flatMap((r, k) => {
    if (!("at" in r.into)) return [];
    const s = strides.get(r.into.at)!;
    const depth = depthOf(s);
    const trailing = s.slice(0, depth).every((x) => x !== 0);
    return [{ r, at: r.into.at, size: r.into.size, depth, acc: trailing ? `p${k}` : f64Scratch(r.into.size), trailing }];
  });

  for (const p of partial) if (!p.trailing) lines.push(`${p.acc}.fill(${p.r.fold.init});`);
  lines.push("{");
  const indent = (d: number) => "  ".repeat(d + 1);
  const emitLevel = (d: number) => {
    for (const p of partial) if (p.trailing && p.depth === d) lines.push(`${indent(d)}let ${p.acc} = ${p.r.fold.init};`);
    for (const r of nest.reads) if (level.get(r.name) === d) lines.push(`${indent(d)}const ${r.name} = ${at(r.at)};`);
    for (const s of nest.stmts) {
      if (level.get(s.name) !== d) continue;
      if (s.code) lines.push(...s.code.map((l) => `${indent(d)}${l}`));
      else lines.push(`${indent(d)}const ${s.name} = ${s.expr};`);
    }
  };
  const nestFrom = (d: number) => {
    emitLevel(d);
    if (d === rank) {
      for (const s of nest.stores) lines.push(`${indent(d)}${at(s.at)} = ${s.value};`);
      for (const r of nest.reductions) if ("local" in r.into) lines.push(`${indent(d)}${r.into.local} = ${r.fold.step(r.into.local, r.value)};`);
      for (const p of partial) {
        if (p.trailing) lines.push(`${indent(d)}${p.acc} = ${p.r.fold.step(p.acc, p.r.value)};`);
        else {
          const slot = `${p.acc}[${indexExpr(0, 0, strides.get(p.at)!, rank)}]`;
          lines.push(`${indent(d)}${slot} = ${p.r.fold.step(slot, p.r.value)};`);
        }
      }
    } else {
      lines.push(`${indent(d)}for (let i${d} = 0; i${d} < ${shape[d]}; i${d}++) {`);
      nestFrom(d + 1);
      lines.push(`${indent(d)}}`);
    }
    for (const p of partial) if (p.trailing && p.depth === d) lines.push(`${indent(d)}${at(p.at, d)} = ${p.acc};`);
  };
  nestFrom(0);
  lines.push("}");
  for (const p of partial) if (!p.trailing) lines.push(`for (let i0 = 0; i0 < ${p.size}; i0++) ${p.at.buf}[${indexExpr(0, p.at.row, [1], 1)}] = ${p.acc}[i0];`);
  return lines;
}
