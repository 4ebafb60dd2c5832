/**
 * Host-side working form for the MCMC diagnostics and exporters: a row-major Float64Array with
 * its shape. Diagnostics are plain statistics on concrete draws, so they read their inputs once
 * into this form (keeping full float64 precision for nested-number input) and never touch a
 * backend; results go back out as tyche Arrays or nested number arrays.
 */
import { Array as NDArray, asArray, defaultFloat, np, type ArrayLike } from "../core/index.js";
import type { NestedInput } from "../core/array.js";
import { sizeOf } from "../core/shape.js";

/** A row-major float64 array on the host. */
export interface HostArray {
  readonly data: Float64Array;
  readonly shape: readonly number[];
}

/** Nested arrays of `T` (a bare `T` for a scalar), as written to JSON. */
export type NestedOf<T> = T | NestedOf<T>[];

/**
 * Reads `x` (a tyche Array, nested numbers or booleans, a typed array, or a number) into a
 * {@link HostArray}. `what` names the argument in error messages.
 */
export function toHost(x: ArrayLike, what: string): HostArray {
  if (typeof x === "number" || typeof x === "boolean" || Array.isArray(x)) return readNested(x as NestedInput, what);
  const a = asArray(x);
  if (!a.isConcrete) throw new Error(`${what}: got an abstract array (inside jit or vmap); diagnostics need concrete draws`);
  return { data: Float64Array.from(a.dataSync()), shape: [...a.shape] };
}

/** Wraps host data as a tyche Array of the default float dtype. */
export function fromHost(data: Float64Array, shape: readonly number[]): NDArray {
  return np.reshape(asArray(data, defaultFloat()), [...shape]);
}

/** Rebuilds nested arrays of `shape` from row-major `data`, mapping each element through `leaf`. */
export function nest<T>(data: Float64Array, shape: readonly number[], leaf: (v: number) => T): NestedOf<T> {
  const build = (depth: number, offset: number): NestedOf<T> => {
    if (depth === shape.length) return leaf(data[offset]);
    const inner = sizeOf(shape.slice(depth + 1));
    const out: NestedOf<T>[] = [];
    for (let i = 0; i < shape[depth]; i++) out.push(build(depth + 1, offset + i * inner));
    return out;
  };
  return build(0, 0);
}

/** Flattens rectangular nested numbers/booleans (booleans as 0/1); throws on ragged input. */
function readNested(x: NestedInput, what: string): HostArray {
  const shape: number[] = [];
  for (let p: NestedInput = x; Array.isArray(p); p = (p as readonly NestedInput[])[0]) {
    shape.push(p.length);
    if (p.length === 0) break;
  }
  const data = new Float64Array(sizeOf(shape));
  let k = 0;
  const walk = (v: NestedInput, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(v)) throw new Error(`${what}: ragged nested array (expected a number at depth ${depth})`);
      data[k++] = Number(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[depth]) {
      throw new Error(`${what}: ragged nested array (expected ${shape[depth]} entries at depth ${depth})`);
    }
    for (const e of v as readonly NestedInput[]) walk(e, depth + 1);
  };
  walk(x, 0);
  return { data, shape };
}
