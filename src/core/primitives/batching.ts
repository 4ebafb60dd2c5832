/** Helpers shared by the batching rules of the primitives (vmap). */
import type { NDArray } from "../array.js";
import { bind } from "../interpreters/stack.js";
import { reshape, transpose } from "./layout.js";
import type { Primitive } from "./primitive.js";

/** Moves axis `d` of `x` to the front. */
export function moveToFront(x: NDArray, d: number): NDArray {
  if (d === 0) return x;
  const perm = [d, ...Array.from({ length: x.ndim }, (_, i) => i).filter((i) => i !== d)];
  return transpose(x, perm);
}

/**
 * Puts the batch axis of `x` first and pads its per-example shape on the left with length-1
 * axes up to `rank`, so batched and unbatched operands broadcast per example.
 */
export function alignBatched(x: NDArray, d: number, rank: number): NDArray {
  const m = moveToFront(x, d);
  const per = m.shape.slice(1);
  if (per.length >= rank) return m;
  return reshape(m, [m.shape[0], ...new Array(rank - per.length).fill(1), ...per]);
}

/** Per-example rank of an operand. */
export function exampleRank(x: NDArray, d: number | null): number {
  return d === null ? x.ndim : x.ndim - 1;
}

/** Batching rule of broadcasting elementwise primitives: align every batched operand, batch first. */
export function batchElementwise<P>(prim: Primitive<P>): NonNullable<Primitive<P>["batch"]> {
  return (ins, dims, params) => {
    const rank = Math.max(...ins.map((x, i) => exampleRank(x, dims[i])));
    const aligned = ins.map((x, i) => (dims[i] === null ? x : alignBatched(x, dims[i]!, rank)));
    const outs = bind(prim, aligned, params);
    return [outs, outs.map(() => 0)];
  };
}

/** Batching rule of one-operand primitives whose params name axes: batch first, params shifted by one. */
export function batchFront<P>(prim: Primitive<P>, shift: (params: P, batchSize: number) => P): NonNullable<Primitive<P>["batch"]> {
  return ([x], [d], params) => {
    const m = moveToFront(x, d!);
    const outs = bind(prim, [m], shift(params, m.shape[0]));
    return [outs, outs.map(() => 0)];
  };
}
