/**
 * The trace interpreter: runs a function on abstract values (shape and dtype only) and
 * records every primitive it applies into a {@link Program}.
 */
import { Concrete, type AVal, type NDArray } from "../array.js";
import { fmt } from "../shape.js";
import { Program, Var, type Eqn } from "../ir.js";
import type { Primitive } from "../primitives/primitive.js";
import { Trace, Tracer, withMain, type MainTrace } from "./stack.js";

/** Collects variables and equations while tracing. */
export class ProgramBuilder {
  private next = 0;
  readonly eqns: Eqn[] = [];
  readonly consts = new Map<NDArray, Var>();
  /** Whether a captured value is itself a tracer of an outer transform (such programs are not cached or compiled). */
  capturedTracer = false;
  newVar(aval: AVal): Var {
    return new Var(this.next++, { shape: [...aval.shape], dtype: aval.dtype });
  }
}

/** An abstract array inside jit: only its shape and dtype are known. */
export class IRTracer extends Tracer {
  constructor(
    trace: Trace,
    readonly v: Var,
  ) {
    super(trace);
  }
  get shape() {
    return this.v.aval.shape;
  }
  get dtype() {
    return this.v.aval.dtype;
  }
  override get isConcrete(): boolean {
    return false;
  }
  override concrete(): Concrete {
    throw new Error(
      `cannot read the value of a traced array (shape ${fmt(this.shape)}, ${this.dtype}) inside jit: its value is not known while the program is compiled. Use np.where, cond or whileLoop for data-dependent choices, or mark the argument static (staticArgnums)`,
    );
  }
}

/** The interpreter of one tracing level. */
export class IRTrace extends Trace {
  constructor(
    main: MainTrace,
    readonly builder: ProgramBuilder,
  ) {
    super(main);
  }
  override pure(x: NDArray): IRTracer {
    let v = this.builder.consts.get(x);
    if (!v) {
      v = this.builder.newVar(x);
      this.builder.consts.set(x, v);
      if (!(x instanceof Concrete)) this.builder.capturedTracer = true;
    }
    return new IRTracer(this, v);
  }
  override process(prim: Primitive<any>, args: Tracer[], params: unknown): NDArray[] {
    const ins = (args as IRTracer[]).map((a) => a.v);
    const avals = prim.abstract(
      ins.map((v) => v.aval),
      params,
    );
    const outs = avals.map((a) => this.builder.newVar(a));
    this.builder.eqns.push({ prim, params, ins, outs });
    return outs.map((v) => new IRTracer(this, v));
  }
}

/**
 * Traces `f` on abstract inputs of the given shapes and dtypes; returns the program and
 * whether it captured tracers of an outer transform.
 */
export function traceProgram(f: (...xs: NDArray[]) => NDArray[], avals: readonly AVal[]): { program: Program; capturedTracer: boolean } {
  const builder = new ProgramBuilder();
  return withMain(
    (main) => new IRTrace(main, builder),
    (main) => {
      const trace = new IRTrace(main, builder);
      const inVars = avals.map((a) => builder.newVar(a));
      const outs = f(...inVars.map((v) => new IRTracer(trace, v)));
      const outVars = outs.map((o) => {
        if (o instanceof IRTracer && o.trace.main === main) return o.v;
        return trace.pure(o).v;
      });
      const eqns = liveEqns(builder.eqns, outVars);
      const used = new Set([...eqns.flatMap((e) => e.ins), ...outVars]);
      const consts = [...builder.consts.entries()].filter(([, v]) => used.has(v)).map(([x, v]) => [v, x] as const);
      return { program: new Program(inVars, consts, eqns, outVars), capturedTracer: builder.capturedTracer };
    },
  );
}

/** Drops equations whose results are never used (primitives are pure). */
function liveEqns(eqns: readonly Eqn[], outputs: readonly Var[]): Eqn[] {
  const live = new Set<Var>(outputs);
  const kept: Eqn[] = [];
  for (let k = eqns.length - 1; k >= 0; k--) {
    const e = eqns[k];
    if (!e.outs.some((v) => live.has(v))) continue;
    kept.push(e);
    e.ins.forEach((v) => live.add(v));
  }
  return kept.reverse();
}
