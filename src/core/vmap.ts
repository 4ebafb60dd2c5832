/** vmap: a real batching transform over the interpreter stack. */
import { asArray, NDArray } from "./array.js";
import { BatchTrace, BatchTracer } from "./interpreters/batch.js";
import { raise, withMain } from "./interpreters/stack.js";
import { moveToFront } from "./primitives/batching.js";
import { broadcastTo, reshape, transpose } from "./primitives/layout.js";
import { fmt } from "./shape.js";
import { flatten, unflatten, type PyTree } from "./tree.js";

/** An axis spec: one axis (or null: not mapped) for a whole argument, or a tree of them. */
export type AxisSpec = number | null | readonly AxisSpec[] | { readonly [k: string]: AxisSpec };

/** Options of {@link vmap}. */
export interface VmapOptions {
  /** Mapped axis of each positional argument (default 0 for all; null: broadcast). */
  inAxes?: AxisSpec;
  /** Where the batch axis goes in each output (default 0; null: the output must not depend on the batch). */
  outAxes?: AxisSpec;
  /** The batch size, needed only when no argument is mapped. */
  axisSize?: number;
}

/** Expands an axis spec (a prefix of the tree) into one entry per leaf of `tree`. */
function leafAxes(spec: AxisSpec | undefined, tree: PyTree, what: string): (number | null)[] {
  const [ls] = flatten(tree);
  if (spec === undefined) return ls.map(() => 0);
  if (spec === null || typeof spec === "number") return ls.map(() => spec);
  if (Array.isArray(spec)) {
    if (!Array.isArray(tree) || tree.length !== spec.length) throw new Error(`vmap: ${what} has ${spec.length} entries but the value has ${Array.isArray(tree) ? tree.length : "no list structure"}`);
    return spec.flatMap((s, i) => leafAxes(s, (tree as PyTree[])[i], `${what}[${i}]`));
  }
  const obj = spec as { readonly [k: string]: AxisSpec };
  if (typeof tree !== "object" || tree === null || Array.isArray(tree) || tree instanceof NDArray) throw new Error(`vmap: ${what} is an object but the value is not`);
  return Object.keys(tree)
    .sort()
    .flatMap((k) => leafAxes(obj[k] ?? 0, (tree as { [k: string]: PyTree })[k], `${what}.${k}`));
}

/** Moves the batch axis of an output from `from` (null: unbatched) to `to`. */
function placeBatch(x: NDArray, from: number | null, to: number | null, size: number): NDArray {
  if (to === null) {
    if (from !== null) throw new Error(`vmap: an output with outAxes null depends on the mapped inputs (shape ${fmt(x.shape)})`);
    return x;
  }
  let m: NDArray;
  if (from === null) m = broadcastTo(reshape(x, [1, ...x.shape]), [size, ...x.shape]);
  else m = moveToFront(x, from);
  const t = to < 0 ? to + m.ndim : to;
  if (t === 0) return m;
  const perm = Array.from({ length: m.ndim }, (_, i) => i).slice(1);
  perm.splice(t, 0, 0);
  return transpose(m, perm);
}

/**
 * `vmap(f, {inAxes, outAxes})`: maps `f` over an axis of its arguments without a loop: every
 * primitive is applied once to the whole batch through its batching rule. Nested vmaps, vmap
 * of grad and grad of vmap all compose.
 */
export function vmap<F extends (...args: any[]) => any>(f: F, opts: VmapOptions = {}): (...args: Parameters<F>) => ReturnType<F> {
  return ((...args: any[]) => {
    const axes = leafAxes(opts.inAxes ?? args.map(() => 0), args as PyTree, "inAxes");
    const [leaves, def] = flatten(args as PyTree);
    const arrs = leaves.map((l) => asArray(l));
    let size = opts.axisSize ?? -1;
    arrs.forEach((a, i) => {
      const ax = axes[i];
      if (ax === null) return;
      const d = ax < 0 ? ax + a.ndim : ax;
      if (d < 0 || d >= a.ndim) throw new Error(`vmap: in axis ${ax} is out of range for an argument of shape ${fmt(a.shape)}`);
      if (size >= 0 && a.shape[d] !== size) throw new Error(`vmap: mapped axes have different sizes (${size} and ${a.shape[d]}, argument shape ${fmt(a.shape)})`);
      size = a.shape[d];
    });
    if (size < 0) throw new Error("vmap: no argument is mapped (all inAxes are null); give axisSize");
    return withMain(
      (main) => new BatchTrace(main, size),
      (main) => {
        const trace = new BatchTrace(main, size);
        const wrapped = arrs.map((a, i) => {
          const ax = axes[i];
          return ax === null ? a : new BatchTracer(trace, a, ax < 0 ? ax + a.ndim : ax);
        });
        const out = f(...(unflatten(def, wrapped) as any[]));
        const [outLeaves, outDef] = flatten(out as PyTree);
        const outAxes = leafAxes(opts.outAxes, out as PyTree, "outAxes");
        const placed = outLeaves.map((o, i) => {
          const t = raise(trace, asArray(o)) as BatchTracer;
          return placeBatch(t.val, t.bdim, outAxes[i], size);
        });
        return unflatten(outDef, placed);
      },
    );
  }) as any;
}
