/**
 * Reverse-mode differentiation on a tape of concrete values. Each differentiated call pushes
 * a level; ops on its tracers run one level down and are recorded with their vjp rule. The
 * backward pass is itself written with core ops, so an outer transform (a second grad, or a
 * jit trace) records it: grad of grad and jit of grad come for free.
 */
import type { NDArray } from "../array.js";
import { isFloat } from "../dtype.js";
import { fmt, sameShape } from "../shape.js";
import type { Primitive } from "../primitives/primitive.js";
import { bind, Trace, Tracer, type MainTrace } from "./stack.js";
import { addAny, zerosLike } from "../primitives/elementwise.js";

/** One recorded step: which tracers went in and out, and how to pull cotangents back. */
interface Node {
  readonly inIds: readonly number[];
  readonly outIds: readonly number[];
  readonly outs: readonly NDArray[];
  readonly pull: (cts: NDArray[]) => (NDArray | null)[];
  readonly what: string;
}

/** The record of one differentiated computation. */
export class Tape {
  readonly nodes: Node[] = [];
  private next = 0;
  /** A fresh id for a value that carries a gradient. */
  newId(): number {
    return this.next++;
  }
  /** Records a step; returns the output ids. */
  record(what: string, inIds: number[], outs: NDArray[], pull: Node["pull"]): number[] {
    const outIds = outs.map((o) => (isFloat(o.dtype) ? this.newId() : -1));
    this.nodes.push({ inIds, outIds, outs, pull, what });
    return outIds;
  }
}

/** A value under differentiation: its primal (one level down) and its tape id (-1: constant). */
export class GradTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly primal: NDArray,
    readonly id: number,
  ) {
    super(trace);
  }
  get shape() {
    return this.primal.shape;
  }
  get dtype() {
    return this.primal.dtype;
  }
  override get isConcrete(): boolean {
    return this.primal.isConcrete;
  }
  override concrete() {
    return this.primal.concrete();
  }
  override lower(): NDArray {
    return this.id < 0 ? this.primal : this;
  }
}

/** The interpreter of one grad level. */
export class GradTrace extends Trace {
  constructor(
    main: MainTrace,
    readonly tape: Tape,
  ) {
    super(main);
  }
  override pure(x: NDArray): GradTracer {
    return new GradTracer(this, x, -1);
  }
  override process(prim: Primitive<any>, args: Tracer[], params: unknown): NDArray[] {
    const gs = args as GradTracer[];
    const primals = gs.map((a) => a.primal);
    const outs = bind(prim, primals, params);
    const active = gs.some((a) => a.id >= 0) && outs.some((o) => isFloat(o.dtype));
    if (!active) return outs.map((o) => new GradTracer(this, o, -1));
    if (!prim.vjp) throw new Error(`${prim.name}: no gradient is defined for this op`);
    const vjp = prim.vjp;
    const ids = this.tape.record(
      prim.name,
      gs.map((a) => a.id),
      outs,
      (cts) => vjp(cts, primals, outs, params),
    );
    return outs.map((o, i) => new GradTracer(this, o, ids[i]));
  }
  /** A function with its own vjp: forward through `fwd`, backward through `bwd`. */
  processCustom(fwd: (...xs: NDArray[]) => [NDArray[], unknown], bwd: (res: unknown, cts: NDArray[]) => (NDArray | null)[], args: GradTracer[]): NDArray[] {
    const primals = args.map((a) => a.primal);
    const [outs, res] = fwd(...primals);
    if (!args.some((a) => a.id >= 0)) return outs.map((o) => new GradTracer(this, o, -1));
    const ids = this.tape.record(
      "customVjp",
      args.map((a) => a.id),
      outs,
      (cts) => bwd(res, cts),
    );
    return outs.map((o, i) => new GradTracer(this, o, ids[i]));
  }
}

/** Runs the backward pass from `seeds` (tape id to cotangent); returns cotangents by id. */
export function backward(tape: Tape, seeds: Map<number, NDArray>): Map<number, NDArray> {
  const cts = new Map(seeds);
  for (let k = tape.nodes.length - 1; k >= 0; k--) {
    const n = tape.nodes[k];
    if (!n.outIds.some((id) => id >= 0 && cts.has(id))) continue;
    const outCts = n.outIds.map((id, i) => (id >= 0 && cts.get(id)) || zerosLike(n.outs[i]));
    for (const id of n.outIds) if (id >= 0) cts.delete(id);
    const inCts = n.pull(outCts);
    for (let i = 0; i < n.inIds.length; i++) {
      const id = n.inIds[i];
      const c = inCts[i];
      if (id < 0 || !c) continue;
      const prev = cts.get(id);
      cts.set(id, prev ? addAny(prev, c) : c);
    }
  }
  return cts;
}

/** Checks that a cotangent has its primal's shape (catches a wrong vjp rule early). */
export function checkCotangent(where: string, ct: NDArray, primal: NDArray): void {
  if (!sameShape(ct.shape, primal.shape)) throw new Error(`internal: ${where} produced a cotangent of shape ${fmt(ct.shape)} for a value of shape ${fmt(primal.shape)}`);
}
