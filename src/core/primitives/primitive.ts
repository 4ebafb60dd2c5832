/**
 * A primitive is defined once: its shape/dtype rule, an eager kernel over host typed arrays,
 * a tfjs kernel, and a vjp rule written with core ops (so it can itself be differentiated,
 * batched and compiled).
 */
import type * as TF from "@tensorflow/tfjs-core";
import type { AVal, NDArray } from "../array.js";
import type { Tf } from "../backend.js";
import type { DType, TypedArray } from "../dtype.js";
import type { Shape } from "../shape.js";

/** A host-side operand of a JS kernel. */
export interface HostIn {
  readonly data: TypedArray;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** Everything tyche knows about one primitive operation. */
export interface Primitive<P = unknown> {
  /** A unique name, used in IR listings and error messages. */
  readonly name: string;
  /** Shape and dtype of the outputs; throws (naming the op and shapes) on bad input. */
  abstract(ins: AVal[], params: P): AVal[];
  /**
   * Eager rule over whole arrays, used instead of the kernels when present (control flow:
   * it interprets the primitive's sub-programs, on whichever backend is active).
   */
  eager?(args: NDArray[], params: P): NDArray[];
  /** Eager kernel over host typed arrays. */
  js(ins: HostIn[], params: P, outs: AVal[]): TypedArray[];
  /** Eager kernel over tfjs tensors (runs inside tf.tidy). */
  tfjs(tf: Tf, ins: TF.Tensor[], params: P, outs: AVal[]): TF.Tensor[];
  /**
   * Reverse-mode rule: cotangents of the outputs to cotangents of the inputs (null where an
   * input gets none, e.g. integer indices). Written with core ops.
   */
  vjp?(cts: NDArray[], ins: NDArray[], outs: NDArray[], params: P): (NDArray | null)[];
  /**
   * Batching rule for vmap: `dims[i]` is the batched axis of input i (null: not batched).
   * Returns the outputs (computed with core ops on the whole batch) and their batched axes.
   * Primitives without one are batched by a loop over the batch (correct, slower).
   */
  batch?(ins: NDArray[], dims: (number | null)[], params: P): [NDArray[], (number | null)[]];
}

/** Declares a primitive (an identity helper that keeps the parameter type). */
export function definePrimitive<P>(p: Primitive<P>): Primitive<P> {
  return p;
}
