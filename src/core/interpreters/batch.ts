/**
 * The batching interpreter behind vmap: a tracer carries a value with one extra (batch) axis
 * and each primitive's batching rule says how to apply it to the whole batch at once.
 */
import type { NDArray } from "../array.js";
import { fmt } from "../shape.js";
import type { Primitive } from "../primitives/primitive.js";
import { bind, Trace, Tracer, type MainTrace } from "./stack.js";
import { concatPrim, reshape, slice } from "../primitives/layout.js";
import { bind1 } from "./stack.js";

/** A batched value: `val` holds the batch along axis `bdim` (null: the same for every member). */
export class BatchTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly val: NDArray,
    readonly bdim: number | null,
  ) {
    super(trace);
  }
  get shape() {
    return this.bdim === null ? this.val.shape : this.val.shape.filter((_, i) => i !== this.bdim);
  }
  get dtype() {
    return this.val.dtype;
  }
  override get isConcrete(): boolean {
    return false;
  }
  override concrete(): never {
    throw new Error(
      `cannot read the value of an array inside vmap (shape ${fmt(this.shape)} per member): each batch member has its own value. Use np.where or cond for data-dependent choices`,
    );
  }
  override lower(): NDArray {
    return this.bdim === null ? this.val : this;
  }
}

/** The interpreter of one vmap level. */
export class BatchTrace extends Trace {
  constructor(
    main: MainTrace,
    readonly axisSize: number,
  ) {
    super(main);
  }
  override pure(x: NDArray): BatchTracer {
    return new BatchTracer(this, x, null);
  }
  override process(prim: Primitive<any>, args: Tracer[], params: unknown): NDArray[] {
    const bs = args as BatchTracer[];
    const vals = bs.map((b) => b.val);
    const dims = bs.map((b) => b.bdim);
    if (dims.every((d) => d === null)) return bind(prim, vals, params).map((o) => new BatchTracer(this, o, null));
    const [outs, outDims] = prim.batch ? prim.batch(vals, dims, params) : this.loop(prim, vals, dims, params);
    return outs.map((o, i) => new BatchTracer(this, o, outDims[i]));
  }
  /** Fallback for primitives without a batching rule: apply per member and stack. */
  private loop(prim: Primitive<any>, vals: NDArray[], dims: (number | null)[], params: unknown): [NDArray[], number[]] {
    const per: NDArray[][] = [];
    for (let b = 0; b < this.axisSize; b++) {
      const ins = vals.map((v, i) => (dims[i] === null ? v : member(v, dims[i]!, b)));
      per.push(bind(prim, ins, params));
    }
    const outs = per[0].map((_, k) =>
      bind1(
        concatPrim,
        per.map((p) => reshape(p[k], [1, ...p[k].shape])),
        { axis: 0 },
      ),
    );
    return [outs, outs.map(() => 0)];
  }
}

/** Member `b` of a value batched along axis `d`. */
export function member(v: NDArray, d: number, b: number): NDArray {
  const starts = v.shape.map((_, i) => (i === d ? b : 0));
  const limits = v.shape.map((n, i) => (i === d ? b + 1 : n));
  return reshape(
    slice(v, starts, limits),
    v.shape.filter((_, i) => i !== d),
  );
}
