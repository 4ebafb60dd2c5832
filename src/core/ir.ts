/**
 * The traced program (a jaxpr-like IR): typed variables, equations applying primitives, and
 * outputs. Built by the trace interpreter; run by the IR interpreter or compiled by jit.
 */
import type { AVal, NDArray } from "./array.js";
import { bind } from "./interpreters/stack.js";
import type { Primitive } from "./primitives/primitive.js";
import { fmt } from "./shape.js";

/** A variable of the program: an abstract value with an id. */
export class Var {
  constructor(
    readonly id: number,
    readonly aval: AVal,
  ) {}
  toString(): string {
    return `v${this.id}`;
  }
}

/** One primitive application. */
export interface Eqn {
  readonly prim: Primitive<any>;
  readonly params: unknown;
  readonly ins: readonly Var[];
  readonly outs: readonly Var[];
}

/** A traced program: inputs, constants (captured values), equations and outputs. */
export class Program {
  constructor(
    readonly inputs: readonly Var[],
    readonly consts: readonly (readonly [Var, NDArray])[],
    readonly eqns: readonly Eqn[],
    readonly outputs: readonly Var[],
  ) {}

  /** Evaluates the program by binding each primitive in turn (works under any transform). */
  evaluate(args: readonly NDArray[]): NDArray[] {
    if (args.length !== this.inputs.length) throw new Error(`internal: program of ${this.inputs.length} inputs called with ${args.length}`);
    const env = new Map<Var, NDArray>();
    this.inputs.forEach((v, i) => env.set(v, args[i]));
    for (const [v, c] of this.consts) env.set(v, c);
    for (const e of this.eqns) {
      const outs = bind(
        e.prim,
        e.ins.map((v) => env.get(v)!),
        e.params,
      );
      e.outs.forEach((v, i) => env.set(v, outs[i]));
    }
    return this.outputs.map((v) => env.get(v)!);
  }

  /** A readable listing, like make_jaxpr's. */
  toString(indent = ""): string {
    const t = (v: Var) => `${v}:${v.aval.dtype[0]}${v.aval.dtype.replace(/\D/g, "")}${fmt(v.aval.shape)}`;
    const lines: string[] = [];
    lines.push(`${indent}{ lambda ${this.consts.map(([v]) => t(v)).join(" ")} ; ${this.inputs.map(t).join(" ")} . let`);
    for (const e of this.eqns) {
      const show = (v: unknown): string =>
        v instanceof Program ? `\n${v.toString(indent + "      ")}` : Array.isArray(v) && v.some((x) => x instanceof Program) ? v.map(show).join("") : JSON.stringify(v);
      const ps = e.params === null || e.params === undefined ? "" : `[${Object.entries(e.params as object).map(([k, v]) => `${k}=${show(v)}`).join(" ")}]`;
      lines.push(`${indent}    ${e.outs.map(t).join(" ")} = ${e.prim.name}${ps} ${e.ins.join(" ")}`);
    }
    lines.push(`${indent}  in ( ${this.outputs.join(" ")} ) }`);
    return lines.join("\n");
  }
}
