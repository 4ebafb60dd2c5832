/**
 * Pytrees: nested plain objects and JS arrays whose leaves are arrays (or numbers). Object
 * keys are visited in sorted order, so flattening does not depend on insertion order.
 */
import { asArray, NDArray, toHost } from "./array.js";
import { bind1 } from "./interpreters/stack.js";
import { concatPrim, reshape, slice } from "./primitives/layout.js";
import { castTo } from "./primitives/elementwise.js";
import { defaultFloat, promote, type DType } from "./dtype.js";
import { sizeOf, type Shape } from "./shape.js";

/** A leaf of a pytree. */
export type Leaf = NDArray | number | boolean;

/** A pytree of arrays. */
export type PyTree<L = Leaf> = L | null | undefined | readonly PyTree<L>[] | { readonly [k: string]: PyTree<L> };

/** The structure of a pytree, without its leaves. */
export type TreeDef =
  | { readonly kind: "leaf" }
  | { readonly kind: "none"; readonly value: null | undefined }
  | { readonly kind: "list"; readonly children: readonly TreeDef[] }
  | { readonly kind: "dict"; readonly keys: readonly string[]; readonly children: readonly TreeDef[] };

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

/** Flattens a pytree into its leaves (depth-first, keys sorted) and its structure. */
export function flatten<L = Leaf>(tree: PyTree<L>): [L[], TreeDef] {
  const leaves: L[] = [];
  const rec = (t: unknown): TreeDef => {
    if (t === null || t === undefined) return { kind: "none", value: t };
    if (Array.isArray(t)) return { kind: "list", children: t.map(rec) };
    if (isPlainObject(t)) {
      const keys = Object.keys(t).sort();
      return { kind: "dict", keys, children: keys.map((k) => rec(t[k])) };
    }
    leaves.push(t as L);
    return { kind: "leaf" };
  };
  const def = rec(tree);
  return [leaves, def];
}

/** Rebuilds a pytree of structure `def` from leaves. */
export function unflatten<L>(def: TreeDef, leaves: readonly L[]): PyTree<L> {
  let i = 0;
  const rec = (d: TreeDef): PyTree<L> => {
    switch (d.kind) {
      case "leaf":
        if (i >= leaves.length) throw new Error("tree.unflatten: too few leaves for the structure");
        return leaves[i++];
      case "none":
        return d.value;
      case "list":
        return d.children.map(rec);
      case "dict": {
        const o: Record<string, PyTree<L>> = {};
        d.keys.forEach((k, j) => (o[k] = rec(d.children[j])));
        return o;
      }
    }
  };
  const out = rec(def);
  if (i !== leaves.length) throw new Error(`tree.unflatten: ${leaves.length} leaves for a structure of ${i}`);
  return out;
}

/** The leaves of a pytree. */
export function leaves<L = Leaf>(tree: PyTree<L>): L[] {
  return flatten(tree)[0];
}

/** Number of leaves a structure holds. */
export function numLeaves(def: TreeDef): number {
  switch (def.kind) {
    case "leaf":
      return 1;
    case "none":
      return 0;
    default:
      return def.children.reduce((a, c) => a + numLeaves(c), 0);
  }
}

/** Maps `f` over the leaves of one or more pytrees of the same structure. */
export function map<L = Leaf, R = Leaf>(f: (...xs: L[]) => R, tree: PyTree<L>, ...rest: PyTree<L>[]): PyTree<R> {
  const [ls, def] = flatten(tree);
  const others = rest.map((t) => {
    const [l, d] = flatten(t);
    if (!sameStructure(d, def)) throw new Error("tree.map: the trees have different structures");
    return l;
  });
  return unflatten(
    def,
    ls.map((x, i) => f(x, ...others.map((o) => o[i]))),
  );
}

/** True when two structures are the same. */
export function sameStructure(a: TreeDef, b: TreeDef): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "none" || a.kind === "leaf") return true;
  const bc = (b as typeof a).children;
  if (a.children.length !== bc.length) return false;
  if (a.kind === "dict" && a.keys.join("\u0000") !== (b as typeof a).keys.join("\u0000")) return false;
  return a.children.every((c, i) => sameStructure(c, bc[i]));
}

/**
 * Flattens every leaf of a pytree into one vector (like `jax.flatten_util.ravel_pytree`) and
 * returns it with the inverse, which restores shapes, dtypes and structure.
 */
export function ravel(tree: PyTree): [NDArray, (flat: NDArray) => PyTree<NDArray>] {
  const [ls, def] = flatten(tree);
  const arrs = ls.map((l) => asArray(l));
  const shapes: Shape[] = arrs.map((a) => a.shape);
  const dtypes: DType[] = arrs.map((a) => a.dtype);
  const d = arrs.reduce<DType>((acc, a) => promote(acc, a.dtype), arrs.length ? "bool" : defaultFloat());
  const parts = arrs.map((a) => reshape(castTo(a, d), [a.size]));
  const flat = parts.length === 0 ? asArray(new Float32Array(0)) : parts.length === 1 ? parts[0] : bind1(concatPrim, parts, { axis: 0 });
  const unravel = (v: NDArray): PyTree<NDArray> => {
    let off = 0;
    const out = shapes.map((s, i) => {
      const n = sizeOf(s);
      const piece = reshape(slice(v, [off], [off + n]), s);
      off += n;
      return castTo(piece, dtypes[i]);
    });
    if (off !== v.size) throw new Error(`unravel: a vector of ${v.size} elements for a tree of ${off}`);
    return unflatten(def, out);
  };
  return [flat, unravel];
}

/**
 * `x` with every array inside it (through nested JS arrays and plain objects) copied to the
 * host, read asynchronously (how values leave WebGPU); anything else is kept as it is.
 */
export async function toHostDeep<T>(x: T): Promise<T> {
  if (x instanceof NDArray) return (await toHost(x)) as T;
  if (Array.isArray(x)) return (await Promise.all(x.map((v) => toHostDeep(v)))) as T;
  if (isPlainObject(x)) return Object.fromEntries(await Promise.all(Object.entries(x).map(async ([k, v]) => [k, await toHostDeep(v)]))) as T;
  return x;
}
