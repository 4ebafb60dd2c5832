/**
 * Row regions for the `js` back end of jit. A run of consecutive equations that all work row
 * by row along a leading axis of the same length C (what vmap produces: every value carries
 * the batch axis first) can run as one loop over the rows, each row a small program of its
 * own: per-row scalars become locals and per-row vectors short inner loops, instead of one
 * pass over all rows per equation. This file finds such runs and rewrites their equations to
 * work on one row (the leading axis dropped from every shape and parameter).
 */
import type { AVal } from "../array.js";
import { Var, type Eqn } from "../ir.js";
import { sizeOf } from "../shape.js";
import { foldOf, isElementwise } from "./js-scalar.js";

/**
 * How an equation in a region reads one operand: `row` its row (the operand has the leading
 * axis), `drop` the same values for every row (a leading axis of length 1, dropped), or `same`
 * the operand as it is (lower rank, broadcast over the rows).
 */
type Use = "row" | "drop" | "same";

/** A run of consecutive equations of a program that can run row by row over `extent` rows. */
export interface RowRegion {
  readonly start: number;
  readonly extent: number;
  readonly eqns: readonly Eqn[];
}

/** The per-row program of a region. */
export interface RowProgram {
  /** The region's equations on single rows. */
  readonly eqns: readonly Eqn[];
  /** Per-row variables reading values computed before the region (their rows, or their leading axis dropped). */
  readonly imports: readonly { readonly inner: Var; readonly outer: Var; readonly use: "row" | "drop" }[];
  /** The per-row variable computing each value the region defines. */
  readonly defs: ReadonlyMap<Var, Var>;
}

function broadcastUse(u: Var, y: Var, rows: number): Use {
  if (u.aval.shape.length < y.aval.shape.length) return "same";
  return u.aval.shape[0] === rows ? "row" : "drop";
}

/** How `e` reads its operands when it runs row by row over `rows` rows; null when it cannot. */
function usesOf(e: Eqn, rows: number): Use[] | null {
  const [y] = e.outs;
  if (e.outs.length !== 1 || y.aval.shape.length === 0 || y.aval.shape[0] !== rows || sizeOf(y.aval.shape) === 0) return null;
  const name = e.prim.name;
  const p = e.params as Record<string, number[] & number> | null;
  const [x] = e.ins;
  if (isElementwise(name) || name === "broadcastTo") return e.ins.map((u) => broadcastUse(u, y, rows));
  if (p?.axes !== undefined && foldOf(name, x.aval.dtype)) return p.axes.includes(0) ? null : ["row"];
  switch (name) {
    case "reshape":
      return x.aval.shape[0] === rows ? ["row"] : null;
    case "transpose":
      return p!.perm[0] === 0 ? ["row"] : null;
    case "slice":
      return p!.starts[0] === 0 && p!.limits[0] === rows ? ["row"] : null;
    case "rev":
      return p!.axes.includes(0) ? null : ["row"];
    case "pad":
      return p!.lo[0] === 0 && p!.hi[0] === 0 ? ["row"] : null;
    case "concatenate":
      return p!.axis !== 0 ? e.ins.map(() => "row") : null;
    case "matmul":
      return y.aval.shape.length >= 3 ? e.ins.map((u) => broadcastUse(u, y, rows)) : null;
    default:
      return null;
  }
}

/** Equations that do work (rather than re-address their operand). */
function computes(e: Eqn): boolean {
  return !["reshape", "broadcastTo", "transpose", "slice", "rev", "stopGradient"].includes(e.prim.name);
}

/**
 * The row regions of a program: maximal runs of consecutive equations that run row by row
 * over the same number of rows (at least 2), reading values defined in the run only row by
 * row. Runs whose work is all of one shape are left out: they are one loop nest anyway.
 */
export function rowRegions(eqns: readonly Eqn[]): RowRegion[] {
  const regions: RowRegion[] = [];
  let cur: { start: number; extent: number; eqns: Eqn[]; defined: Set<Var> } | null = null;
  const close = () => {
    if (!cur) return;
    const shapes = new Set(cur.eqns.filter(computes).flatMap((e) => [...e.ins, ...e.outs].filter((v) => cur!.defined.has(v)).map((v) => v.aval.shape.join(","))));
    if (shapes.size >= 2) regions.push({ start: cur.start, extent: cur.extent, eqns: cur.eqns });
    cur = null;
  };
  eqns.forEach((e, k) => {
    const rows = e.outs[0]?.aval.shape[0] ?? 0;
    const uses = rows > 1 ? usesOf(e, rows) : null;
    if (cur && uses && cur.extent === rows && e.ins.every((u, j) => !cur!.defined.has(u) || uses[j] === "row")) {
      cur.eqns.push(e);
      e.outs.forEach((v) => cur!.defined.add(v));
      return;
    }
    close();
    if (uses) cur = { start: k, extent: rows, eqns: [e], defined: new Set(e.outs) };
  });
  close();
  return regions;
}

/** Parameters of `e` for one row: axes shift down by one, per-axis lists lose their first entry. */
function rowParams(e: Eqn): unknown {
  const p = e.params as Record<string, number[] & number>;
  switch (e.prim.name) {
    case "reshape":
    case "broadcastTo":
      return { shape: p.shape.slice(1) };
    case "transpose":
      return { perm: p.perm.slice(1).map((a) => a - 1) };
    case "slice":
      return { starts: p.starts.slice(1), limits: p.limits.slice(1) };
    case "rev":
      return { axes: p.axes.map((a) => a - 1) };
    case "pad":
      return { lo: p.lo.slice(1), hi: p.hi.slice(1) };
    case "concatenate":
      return { axis: p.axis - 1 };
    default:
      return p?.axes !== undefined ? { ...p, axes: p.axes.map((a) => a - 1) } : e.params;
  }
}

/** Rewrites a region's equations to work on one row; `newVar` makes the per-row variables. */
export function rowProgram(region: RowRegion, newVar: (aval: AVal) => Var): RowProgram {
  const defs = new Map<Var, Var>();
  const imports: { inner: Var; outer: Var; use: "row" | "drop" }[] = [];
  const imported = new Map<Var, Var>();
  const rowAval = (a: AVal): AVal => ({ shape: a.shape.slice(1), dtype: a.dtype });
  const operand = (u: Var, use: Use): Var => {
    const d = defs.get(u);
    if (d) return d;
    if (use === "same") return u;
    let inner = imported.get(u);
    if (!inner) {
      imported.set(u, (inner = newVar(rowAval(u.aval))));
      imports.push({ inner, outer: u, use });
    }
    return inner;
  };
  const eqns = region.eqns.map((e) => {
    const uses = usesOf(e, region.extent)!;
    const ins = e.ins.map((u, j) => operand(u, uses[j]));
    const outs = e.outs.map((v) => {
      const w = newVar(rowAval(v.aval));
      defs.set(v, w);
      return w;
    });
    return { prim: e.prim, params: rowParams(e), ins, outs };
  });
  return { eqns, imports, defs };
}
