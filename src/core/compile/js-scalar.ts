/**
 * Scalar JavaScript expressions for the `js` back end of jit: one per elementwise primitive,
 * the fold of each reduction, and number literals. Expressions compute in doubles; results
 * are coerced to what their dtype stores (int32 wraps, bool is 0/1) exactly as the eager
 * kernels store them, so integer and boolean values agree with eager bit for bit. Float32
 * results are rounded only where a value leaves the loop computing it (asStored).
 */
import type { DType } from "../dtype.js";
import { erf, erfc, roundHalfEven } from "../primitives/scalar-math.js";

type Emit = (a: string[], out: DType) => string;

/**
 * Inline scalar expressions of the elementwise primitives, by primitive name. Every operation
 * in them runs on every evaluation (no `&&`, `||` or a ternary choosing between computations),
 * so that optimized code never meets an operation it has no type feedback for (see floorModB).
 */
const emitters: Record<string, Emit> = {
  neg: ([a]) => `(-${a})`,
  abs: ([a]) => `Math.abs(${a})`,
  sign: ([a]) => `Math.sign(${a})`,
  floor: ([a]) => `Math.floor(${a})`,
  ceil: ([a]) => `Math.ceil(${a})`,
  round: ([a]) => `M.roundHalfEven(${a})`,
  exp: ([a]) => `Math.exp(${a})`,
  expm1: ([a]) => `Math.expm1(${a})`,
  log: ([a]) => `Math.log(${a})`,
  log1p: ([a]) => `Math.log1p(${a})`,
  sqrt: ([a]) => `Math.sqrt(${a})`,
  sin: ([a]) => `Math.sin(${a})`,
  cos: ([a]) => `Math.cos(${a})`,
  tan: ([a]) => `Math.tan(${a})`,
  asin: ([a]) => `Math.asin(${a})`,
  acos: ([a]) => `Math.acos(${a})`,
  atan: ([a]) => `Math.atan(${a})`,
  sinh: ([a]) => `Math.sinh(${a})`,
  cosh: ([a]) => `Math.cosh(${a})`,
  tanh: ([a]) => `Math.tanh(${a})`,
  asinh: ([a]) => `Math.asinh(${a})`,
  acosh: ([a]) => `Math.acosh(${a})`,
  atanh: ([a]) => `Math.atanh(${a})`,
  sigmoid: ([a]) => `M.sigmoidB(${a})`,
  erf: ([a]) => `M.erf(${a})`,
  erfc: ([a]) => `M.erfc(${a})`,
  isFinite: ([a]) => `(Number.isFinite(${a})?1:0)`,
  isNaN: ([a]) => `(${a}!==${a}?1:0)`,
  logicalNot: ([a]) => `(${a}?0:1)`,
  add: ([a, b]) => `(${a}+${b})`,
  sub: ([a, b]) => `(${a}-${b})`,
  mul: ([a, b]) => `(${a}*${b})`,
  div: ([a, b]) => `(${a}/${b})`,
  pow: ([a, b]) => `Math.pow(${a},${b})`,
  maximum: ([a, b]) => `((${a}>=${b})|(${a}!==${a})?${a}:${b})`,
  minimum: ([a, b]) => `((${a}<=${b})|(${a}!==${a})?${a}:${b})`,
  atan2: ([a, b]) => `Math.atan2(${a},${b})`,
  mod: ([a, b]) => `M.floorModB(${a},${b})`,
  lt: ([a, b]) => `(${a}<${b}?1:0)`,
  le: ([a, b]) => `(${a}<=${b}?1:0)`,
  gt: ([a, b]) => `(${a}>${b}?1:0)`,
  ge: ([a, b]) => `(${a}>=${b}?1:0)`,
  eq: ([a, b]) => `(${a}===${b}?1:0)`,
  ne: ([a, b]) => `(${a}!==${b}?1:0)`,
  and: ([a, b]) => `((${a}!==0)&(${b}!==0))`,
  or: ([a, b]) => `((${a}!==0)|(${b}!==0))`,
  xor: ([a, b]) => `((${a}!==0)^(${b}!==0))`,
  select: ([p, a, b]) => `(${p}!==0?${a}:${b})`,
  stopGradient: ([a]) => a,
  bitsXor: ([a, b]) => `(${a}^${b})`,
  // random bits to uniform floats, as the eager kernel computes them (exact in either dtype)
  bitsToUnit: ([a, b], out) => (out === "float32" ? `((${a}>>>9)*1.1920928955078125e-7)` : `(((${a}>>>0)*1048576+(${b}>>>12))*2.220446049250313e-16)`),
  cast: ([a], out) => (out === "int32" ? `(Math.trunc(${a})|0)` : out === "bool" ? `(${a}!==0?1:0)` : out === "float32" ? `Math.fround(${a})` : a),
};

/** Primitives whose result already is what an int32 or bool array stores (0/1 flags, picks of stored values, casts). */
const storedExactly = new Set(["isFinite", "isNaN", "logicalNot", "lt", "le", "gt", "ge", "eq", "ne", "and", "or", "xor", "select", "stopGradient", "cast"]);

/**
 * floorMod and sigmoid of scalar-math.ts computed without branches that may go untaken for a
 * while: optimized code that meets an operation its profile never saw is thrown away and
 * recompiled, which on a big compiled loop body costs far more than the extra work here.
 * Same results bit for bit.
 */
function floorModB(a: number, b: number): number {
  const r = a % b;
  const s = r + b;
  return +(r !== 0) & +(r < 0 !== b < 0) ? s : r;
}
function sigmoidB(x: number): number {
  const e = Math.exp(-Math.abs(x));
  const pos = 1 / (1 + e);
  const neg = e / (1 + e);
  return x >= 0 ? pos : neg;
}

/** The scalar helpers that generated code reaches as `M.name`. */
export const scalarHelpers = { erf, erfc, roundHalfEven, floorModB, sigmoidB };

/** Whether `prim` is an elementwise primitive with an inline scalar expression. */
export function isElementwise(prim: string): boolean {
  return prim in emitters;
}

/**
 * The expression of elementwise primitive `prim` on operand expressions `args`, with the
 * result coerced to what dtype `out` stores (as the eager kernel's typed-array store does).
 */
export function elementwiseExpr(prim: string, args: string[], out: DType): string {
  const e = emitters[prim](args, out);
  if (storedExactly.has(prim)) return e;
  if (out === "int32") return `(${e}|0)`;
  if (out === "bool") return `(${e}!==0?1:0)`;
  return e;
}

/** `expr` (a double) as an array of dtype `d` stores it: rounded to float32, wrapped to int32, or 0/1. */
export function asStored(expr: string, d: DType): string {
  switch (d) {
    case "float32":
      return `Math.fround(${expr})`;
    case "int32":
      return `(${expr}|0)`;
    case "bool":
      return `(${expr}!==0?1:0)`;
    case "float64":
      return expr;
  }
}

/** A reduction's fold: the initial accumulator and the step `acc ⊕ v`, as in the eager kernels. */
export interface Fold {
  init: string;
  step: (acc: string, v: string) => string;
}

/** The fold of reduction primitive `prim` (sum, max, min, prod) over values of dtype `d`; null for other primitives. */
export function foldOf(prim: string, d: DType): Fold | null {
  switch (prim) {
    case "sum":
      return { init: "0", step: (a, v) => `${a}+${v}` };
    case "prod":
      return { init: "1", step: (a, v) => `${a}*${v}` };
    case "max":
      return { init: "-Infinity", step: (a, v) => `((${v}>${a})|(${v}!==${v})?${v}:${a})` };
    case "min":
      return { init: d === "bool" ? "1" : "Infinity", step: (a, v) => `((${v}<${a})|(${v}!==${v})?${v}:${a})` };
    default:
      return null;
  }
}

/** A JavaScript literal for number `v` (exact: the shortest round-trip form), parenthesized when negative. */
export function numberLiteral(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "Infinity";
  if (v === -Infinity) return "(-Infinity)";
  if (Object.is(v, -0)) return "(-0)";
  return v < 0 ? `(${String(v)})` : String(v);
}
