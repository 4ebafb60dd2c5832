/**
 * Structured control flow over pytrees: `whileLoop`, `forLoop`, `scan`, `cond`, `switchCase`
 * (JAX's lax.while_loop, fori_loop, scan, cond, switch). The functions passed in are traced
 * once into sub-programs, so a loop is one equation of the program around it: it runs
 * eagerly, compiles under jit, batches under vmap (a batched predicate runs until every
 * member is done, freezing the finished ones), and `scan`, `forLoop` and `cond` differentiate
 * in reverse mode.
 */
import { asArray, type AVal, type NDArray, type ArrayLike } from "./array.js";
import type { DType } from "./dtype.js";
import { bind } from "./interpreters/stack.js";
import { bindCond, scanPrim, traceClosed, whilePrim } from "./primitives/control.js";
import { castTo } from "./primitives/elementwise.js";
import { fmt } from "./shape.js";
import { flatten, sameStructure, unflatten, type PyTree, type TreeDef } from "./tree.js";
import * as np from "./numpy.js";

const avalsOf = (xs: readonly NDArray[]): AVal[] => xs.map((x) => ({ shape: x.shape, dtype: x.dtype }));
const describe = (a: AVal) => `${a.dtype}${fmt(a.shape)}`;

/**
 * Flattens a function result that must match `want` (structure, shapes, dtypes). JS numbers
 * take the dtype they must have; anything else that differs is an error naming `what`.
 */
function flattenLike(out: unknown, def: TreeDef, want: readonly AVal[], what: string): NDArray[] {
  const [leaves, outDef] = flatten(out as PyTree);
  if (!sameStructure(outDef, def)) throw new Error(`${what}: must return the same structure as its input carry`);
  return leaves.map((l, i) => {
    const a = typeof l === "number" || typeof l === "boolean" ? asArray(l, want[i].dtype) : asArray(l);
    if (a.dtype !== want[i].dtype || a.shape.length !== want[i].shape.length || a.shape.some((d, k) => d !== want[i].shape[k]))
      throw new Error(`${what}: carry leaf ${i} changed from ${describe(want[i])} to ${describe(a)}; a loop carry must keep its shape and dtype`);
    return a;
  });
}

/** The leaves of a pytree as arrays, with its structure. */
function leavesOf(tree: unknown): [NDArray[], TreeDef] {
  const [leaves, def] = flatten(tree as PyTree);
  return [leaves.map((l) => asArray(l)), def];
}

/** A boolean scalar from a predicate's result, with an error naming `what` when it is not one. */
function predicate(p: unknown, what: string): NDArray {
  const a = asArray(p as ArrayLike);
  if (a.size !== 1 || a.ndim !== 0) throw new Error(`${what}: the predicate must be a scalar, got shape ${fmt(a.shape)}`);
  return a.dtype === "bool" ? a : castTo(a, "bool");
}

/**
 * `whileLoop(condFn, bodyFn, init)`: runs `carry = bodyFn(carry)` while `condFn(carry)` is
 * true and returns the final carry. The carry is any pytree of arrays; the body must keep its
 * structure, shapes and dtypes. Not reverse-differentiable (use `forLoop` or `scan`).
 */
export function whileLoop<C>(condFn: (carry: C) => ArrayLike | boolean, bodyFn: (carry: C) => C, init: C): C {
  const [leaves, def] = leavesOf(init);
  const avals = avalsOf(leaves);
  const cond = traceClosed((...xs) => [predicate(condFn(unflatten(def, xs) as C), "whileLoop condFn")], avals);
  const body = traceClosed((...xs) => flattenLike(bodyFn(unflatten(def, xs) as C), def, avals, "whileLoop bodyFn"), avals);
  const outs = bind(whilePrim, [...cond.consts, ...body.consts, ...leaves], {
    cond: cond.program,
    body: body.program,
    nCond: cond.consts.length,
    nBody: body.consts.length,
  });
  return unflatten(def, outs) as C;
}

/** Options of {@link scan}. */
export interface ScanOptions {
  /** Number of steps; needed when `xs` is null, otherwise checked against xs's leading axis. */
  length?: number;
  /** Scan from the last element to the first (outputs stay in the order of `xs`). */
  reverse?: boolean;
}

/**
 * `scan(f, init, xs)`: `[carry, y] = f(carry, x)` for each `x` along the leading axis of the
 * pytree `xs`; returns the final carry and the `y`s stacked along a new leading axis.
 */
export function scan<C, X, Y>(f: (carry: C, x: X) => readonly [C, Y], init: C, xs: X | null = null, opts: ScanOptions = {}): [C, Y] {
  const [carry, cdef] = leavesOf(init);
  const [xLeaves, xdef] = leavesOf(xs);
  const lengths = new Set(xLeaves.map((x) => (x.ndim === 0 ? -1 : x.shape[0])));
  if (lengths.has(-1)) throw new Error("scan: every leaf of xs needs a leading axis to scan over, got a scalar");
  if (opts.length !== undefined) lengths.add(opts.length);
  if (lengths.size === 0) throw new Error("scan: give `length` when xs is null");
  if (lengths.size > 1) throw new Error(`scan: xs leaves and length disagree on the number of steps: ${[...lengths].join(", ")}`);
  const length = [...lengths][0];
  const cAvals = avalsOf(carry);
  const rowAvals = xLeaves.map((x) => ({ shape: x.shape.slice(1), dtype: x.dtype }));
  let ydef: TreeDef | null = null;
  const body = traceClosed((...a) => {
    const c = unflatten(cdef, a.slice(0, carry.length)) as C;
    const x = unflatten(xdef, a.slice(carry.length)) as X;
    const res = f(c, x);
    if (!Array.isArray(res) || res.length !== 2) throw new Error("scan: f must return a pair [carry, y]");
    const newCarry = flattenLike(res[0], cdef, cAvals, "scan f");
    const [ys, yd] = leavesOf(res[1]);
    ydef = yd;
    return [...newCarry, ...ys];
  }, [...cAvals, ...rowAvals]);
  const outs = bind(scanPrim, [...body.consts, ...carry, ...xLeaves], {
    body: body.program,
    nConsts: body.consts.length,
    nCarry: carry.length,
    length,
    reverse: !!opts.reverse,
  });
  return [unflatten(cdef, outs.slice(0, carry.length)) as C, unflatten(ydef!, outs.slice(carry.length)) as Y];
}

/**
 * `forLoop(lower, upper, body, init)`: `carry = body(i, carry)` for i = lower, ..., upper - 1
 * (JAX's fori_loop). With number bounds it is a scan (reverse-differentiable); with array
 * bounds a while loop.
 */
export function forLoop<C>(lower: number | ArrayLike, upper: number | ArrayLike, body: (i: NDArray, carry: C) => C, init: C): C {
  if (typeof lower === "number" && typeof upper === "number") {
    if (!Number.isInteger(lower) || !Number.isInteger(upper)) throw new Error(`forLoop: bounds must be integers, got ${lower} and ${upper}`);
    const n = Math.max(0, upper - lower);
    const [c] = scan((carry: C, i: NDArray) => [body(i, carry), null] as const, init, np.arange(lower, lower + n, 1, "int32"));
    return c;
  }
  const lo = asArray(lower, "int32" as DType);
  const hi = asArray(upper, "int32" as DType);
  const [, c] = whileLoop(
    ([i]: [NDArray, C]) => np.less(i, hi),
    ([i, carry]: [NDArray, C]) => [np.add(i, asArray(1, "int32")), body(i, carry)] as [NDArray, C],
    [lo.dtype === "int32" ? lo : castTo(lo, "int32"), init] as [NDArray, C],
  );
  return c;
}

/**
 * `cond(pred, trueFn, falseFn, ...operands)`: `trueFn(...operands)` if `pred` else
 * `falseFn(...operands)`. Both branches must return the same structure, shapes and dtypes.
 * Under vmap with a batched predicate both branches run and each member takes its own.
 */
export function cond<T>(pred: ArrayLike | boolean, trueFn: (...operands: any[]) => T, falseFn: (...operands: any[]) => T, ...operands: any[]): T {
  return switchCase(castTo(predicate(pred, "cond"), "int32"), [falseFn, trueFn], ...operands);
}

/**
 * `switchCase(index, branches, ...operands)`: `branches[index](...operands)`, with the index
 * clamped to the branches (JAX's lax.switch).
 */
export function switchCase<T>(index: ArrayLike, branches: readonly ((...operands: any[]) => T)[], ...operands: any[]): T {
  if (branches.length === 0) throw new Error("switchCase: needs at least one branch");
  const idx = asArray(index);
  if (idx.ndim !== 0) throw new Error(`switchCase: the index must be a scalar, got shape ${fmt(idx.shape)}`);
  const [ops, odef] = leavesOf(operands);
  let outDef: TreeDef | null = null;
  const fns = branches.map((b, bi) => (...xs: NDArray[]) => {
    const [outs, d] = leavesOf(b(...(unflatten(odef, xs) as any[])));
    if (outDef && !sameStructure(outDef, d)) throw new Error(`switchCase: branch ${bi} returns a different structure than branch 0`);
    outDef = d;
    return outs;
  });
  const outs = bindCond(idx.dtype === "int32" ? idx : castTo(idx, "int32"), fns, ops, "cond");
  return unflatten(outDef!, outs) as T;
}
