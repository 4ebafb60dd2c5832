/**
 * Elementwise primitives: unary maps, binary maps with NumPy broadcasting, comparisons,
 * logical ops, `select` (where) and `cast`. Each op's scalar function serves the JS kernel.
 */
import type * as TF from "@tensorflow/tfjs-core";
import { asArray, Concrete, type ArrayLike, type AVal, type NDArray } from "../array.js";
import type { Tf } from "../backend.js";
import { allocate, defaultFloat, isFloat, promote, type DType } from "../dtype.js";
import { bind1 } from "../interpreters/stack.js";
import { broadcastShapes, fmt, sameShape, type Shape } from "../shape.js";
import { mapN } from "./kernels.js";
import { exactMovement } from "./webgpu-exact.js";
import { definePrimitive, type Primitive } from "./primitive.js";
import { erf as erfScalar, erfc as erfcScalar, floorMod, roundHalfEven, sigmoid as sigmoidScalar } from "./scalar-math.js";
import { broadcastTo, reshape } from "./layout.js";
import { batchElementwise } from "./batching.js";
import { sum } from "./reduce.js";

type Unary = (x: NDArray) => NDArray;

/** Defines an elementwise primitive, with the broadcasting batching rule. */
function withElementwiseBatch<P = null>(p: Primitive<P>): Primitive<P> {
  const prim = definePrimitive<P>(p);
  prim.batch = batchElementwise(prim);
  return prim;
}

/** How a unary op's output dtype follows its input. */
type UnaryKind = "float" | "same" | "bool";

interface UnarySpec {
  kind: UnaryKind;
  f: (x: number) => number;
  tf: (tf: Tf, x: TF.Tensor) => TF.Tensor;
  /** cotangent of the input from the output cotangent, input and output; null for no gradient */
  vjp: ((ct: NDArray, x: NDArray, y: NDArray) => NDArray) | null;
}

function unaryOut(kind: UnaryKind, d: DType): DType {
  if (kind === "bool") return "bool";
  if (kind === "float") return isFloat(d) ? d : defaultFloat();
  return d;
}

function defineUnary(name: string, spec: UnarySpec): Primitive<null> {
  return withElementwiseBatch({
    name,
    abstract: ([x]) => [{ shape: x.shape, dtype: unaryOut(spec.kind, x.dtype) }],
    js: ([x], _p, [o]) => [mapN([x], o.shape, o.dtype, o.dtype === "bool" ? (v) => +(spec.f(v) !== 0) : spec.f)],
    tfjs: (tf, [x], _p, [o]) =>
      o.dtype === "bool" && spec.kind === "same" ? [tf.notEqual(spec.tf(tf, tf.cast(x, "int32")), 0)] : [spec.tf(tf, spec.kind === "float" && x.dtype !== "float32" ? tf.cast(x, "float32") : x)],
    vjp: (cts, [x], [y]) => [spec.vjp ? spec.vjp(cts[0], x, y) : null],
  });
}

/**
 * erfc on tfjs. tf.erf is accurate only to 1.5e-7 absolute, so 1 − erf(x) loses the right tail
 * (0 beyond x ≈ 5.3); this is Numerical Recipes' erfcc, relative error below 1.2e-7 everywhere.
 */
function tfErfc(tf: Tf, x: TF.Tensor): TF.Tensor {
  const coef = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
  const z = tf.abs(x);
  const t = tf.div(1, tf.add(1, tf.mul(z, 0.5)));
  let p: TF.Tensor = tf.mul(t, coef[9]);
  for (let i = 8; i >= 1; i--) p = tf.mul(t, tf.add(p, coef[i]));
  const ans = tf.mul(t, tf.exp(tf.add(tf.sub(p, tf.mul(z, z)), coef[0])));
  return tf.where(tf.greaterEqual(x, 0), ans, tf.sub(2, ans));
}

const c = (v: number, like: NDArray) => asArray(v, isFloat(like.dtype) ? like.dtype : defaultFloat());

/** The unary primitives by name. */
export const unaryPrims = {
  neg: defineUnary("neg", { kind: "same", f: (x) => -x, tf: (tf, x) => tf.neg(x), vjp: (ct) => neg(ct) }),
  abs: defineUnary("abs", { kind: "same", f: Math.abs, tf: (tf, x) => tf.abs(x), vjp: (ct, x) => mul(ct, sign(x)) }),
  // tfjs's sign maps NaN to 0 (NumPy: NaN); its floor/ceil/round reject int32 (the identity there)
  sign: defineUnary("sign", { kind: "same", f: (x) => (x > 0 ? 1 : x < 0 ? -1 : x), tf: (tf, x) => (x.dtype === "float32" ? tf.where(tf.isNaN(x), x, tf.sign(x)) : tf.sign(x)), vjp: null }),
  floor: defineUnary("floor", { kind: "same", f: Math.floor, tf: (tf, x) => (x.dtype === "float32" ? tf.floor(x) : x), vjp: null }),
  ceil: defineUnary("ceil", { kind: "same", f: Math.ceil, tf: (tf, x) => (x.dtype === "float32" ? tf.ceil(x) : x), vjp: null }),
  round: defineUnary("round", { kind: "same", f: roundHalfEven, tf: (tf, x) => (x.dtype === "float32" ? tf.round(x) : x), vjp: null }),
  exp: defineUnary("exp", { kind: "float", f: Math.exp, tf: (tf, x) => tf.exp(x), vjp: (ct, _x, y) => mul(ct, y) }),
  expm1: defineUnary("expm1", { kind: "float", f: Math.expm1, tf: (tf, x) => tf.expm1(x), vjp: (ct, _x, y) => mul(ct, add(y, c(1, y))) }),
  log: defineUnary("log", { kind: "float", f: Math.log, tf: (tf, x) => tf.log(x), vjp: (ct, x) => div(ct, x) }),
  log1p: defineUnary("log1p", { kind: "float", f: Math.log1p, tf: (tf, x) => tf.log1p(x), vjp: (ct, x) => div(ct, add(x, c(1, x))) }),
  sqrt: defineUnary("sqrt", { kind: "float", f: Math.sqrt, tf: (tf, x) => tf.sqrt(x), vjp: (ct, _x, y) => div(ct, mul(y, c(2, y))) }),
  sin: defineUnary("sin", { kind: "float", f: Math.sin, tf: (tf, x) => tf.sin(x), vjp: (ct, x) => mul(ct, cos(x)) }),
  cos: defineUnary("cos", { kind: "float", f: Math.cos, tf: (tf, x) => tf.cos(x), vjp: (ct, x) => neg(mul(ct, sin(x))) }),
  tan: defineUnary("tan", { kind: "float", f: Math.tan, tf: (tf, x) => tf.tan(x), vjp: (ct, _x, y) => mul(ct, add(c(1, y), mul(y, y))) }),
  asin: defineUnary("asin", { kind: "float", f: Math.asin, tf: (tf, x) => tf.asin(x), vjp: (ct, x) => div(ct, sqrt(sub(c(1, x), mul(x, x)))) }),
  acos: defineUnary("acos", { kind: "float", f: Math.acos, tf: (tf, x) => tf.acos(x), vjp: (ct, x) => neg(div(ct, sqrt(sub(c(1, x), mul(x, x))))) }),
  atan: defineUnary("atan", { kind: "float", f: Math.atan, tf: (tf, x) => tf.atan(x), vjp: (ct, x) => div(ct, add(c(1, x), mul(x, x))) }),
  sinh: defineUnary("sinh", { kind: "float", f: Math.sinh, tf: (tf, x) => tf.sinh(x), vjp: (ct, x) => mul(ct, cosh(x)) }),
  cosh: defineUnary("cosh", { kind: "float", f: Math.cosh, tf: (tf, x) => tf.cosh(x), vjp: (ct, x) => mul(ct, sinh(x)) }),
  tanh: defineUnary("tanh", { kind: "float", f: Math.tanh, tf: (tf, x) => tf.tanh(x), vjp: (ct, _x, y) => mul(ct, sub(c(1, y), mul(y, y))) }),
  asinh: defineUnary("asinh", { kind: "float", f: Math.asinh, tf: (tf, x) => tf.asinh(x), vjp: (ct, x) => div(ct, sqrt(add(mul(x, x), c(1, x)))) }),
  acosh: defineUnary("acosh", { kind: "float", f: Math.acosh, tf: (tf, x) => tf.acosh(x), vjp: (ct, x) => div(ct, sqrt(sub(mul(x, x), c(1, x)))) }),
  atanh: defineUnary("atanh", { kind: "float", f: Math.atanh, tf: (tf, x) => tf.atanh(x), vjp: (ct, x) => div(ct, sub(c(1, x), mul(x, x))) }),
  sigmoid: defineUnary("sigmoid", { kind: "float", f: sigmoidScalar, tf: (tf, x) => tf.sigmoid(x), vjp: (ct, _x, y) => mul(ct, mul(y, sub(c(1, y), y))) }),
  erf: defineUnary("erf", {
    kind: "float",
    f: erfScalar,
    tf: (tf, x) => tf.erf(x),
    vjp: (ct, x) => mul(ct, mul(c(1.1283791670955126, x), exp(neg(mul(x, x))))),
  }),
  erfc: defineUnary("erfc", {
    kind: "float",
    f: erfcScalar,
    tf: tfErfc,
    vjp: (ct, x) => mul(ct, mul(c(-1.1283791670955126, x), exp(neg(mul(x, x))))),
  }),
  isFinite: defineUnary("isFinite", { kind: "bool", f: (x) => (Number.isFinite(x) ? 1 : 0), tf: (tf, x) => tf.isFinite(x), vjp: null }),
  isNaN: defineUnary("isNaN", { kind: "bool", f: (x) => (Number.isNaN(x) ? 1 : 0), tf: (tf, x) => tf.isNaN(x), vjp: null }),
  logicalNot: defineUnary("logicalNot", { kind: "bool", f: (x) => (x ? 0 : 1), tf: (tf, x) => tf.logicalNot(tf.cast(x, "bool")), vjp: null }),
};

const un = (p: Primitive<null>): Unary => (x) => bind1(p, [x], null);
/** -x */
export const neg = un(unaryPrims.neg);
/** |x| */
export const abs = un(unaryPrims.abs);
/** sign(x) in {-1, 0, 1} */
export const sign = un(unaryPrims.sign);
/** e^x */
export const exp = un(unaryPrims.exp);
/** sin x */
export const sin = un(unaryPrims.sin);
/** cos x */
export const cos = un(unaryPrims.cos);
/** sinh x */
export const sinh = un(unaryPrims.sinh);
/** cosh x */
export const cosh = un(unaryPrims.cosh);
/** square root */
export const sqrt = un(unaryPrims.sqrt);
/** natural logarithm */
export const log = un(unaryPrims.log);

/** What a binary op does with its operands' dtypes. */
type BinaryKind = "arith" | "float" | "compare" | "logical";

interface BinarySpec {
  kind: BinaryKind;
  f: (a: number, b: number) => number;
  tf: (tf: Tf, a: TF.Tensor, b: TF.Tensor) => TF.Tensor;
  vjp: ((ct: NDArray, a: NDArray, b: NDArray, y: NDArray) => [NDArray | null, NDArray | null]) | null;
}

function binaryOut(name: string, kind: BinaryKind, a: AVal, b: AVal): AVal {
  if (a.dtype !== b.dtype) throw new Error(`internal: ${name} got dtypes ${a.dtype} and ${b.dtype} (operands are promoted before binding)`);
  const shape = broadcastShapes(name, a.shape, b.shape);
  const dtype: DType = kind === "compare" || kind === "logical" ? "bool" : kind === "float" && !isFloat(a.dtype) ? defaultFloat() : a.dtype;
  return { shape, dtype };
}

function defineBinary(name: string, spec: BinarySpec): Primitive<null> {
  return withElementwiseBatch({
    name,
    abstract: ([a, b]) => [binaryOut(name, spec.kind, a, b)],
    // arithmetic on bools must store 0/1 (true + true is true, as in NumPy), not 2
    js: (ins, _p, [o]) => [mapN(ins, o.shape, o.dtype, spec.kind === "arith" && o.dtype === "bool" ? (a, b) => +(spec.f(a, b) !== 0) : spec.f)],
    tfjs: (tf, [a, b], _p, [o]) => {
      if (spec.kind === "float" && o.dtype !== a.dtype) return [spec.tf(tf, tf.cast(a, "float32"), tf.cast(b, "float32"))];
      if (spec.kind === "logical") return [spec.tf(tf, tf.cast(a, "bool"), tf.cast(b, "bool"))];
      if (spec.kind === "arith" && o.dtype === "bool") return [tf.notEqual(spec.tf(tf, tf.cast(a, "int32"), tf.cast(b, "int32")), 0)];
      return [spec.tf(tf, a, b)];
    },
    vjp: (cts, [a, b], [y]) => {
      if (!spec.vjp) return [null, null];
      const [ga, gb] = spec.vjp(cts[0], a, b, y);
      return [ga && unbroadcast(ga, a.shape), gb && unbroadcast(gb, b.shape)];
    },
  });
}

const half = (x: NDArray) => asArray(0.5, x.dtype);

/** The binary primitives by name. */
export const binaryPrims = {
  add: defineBinary("add", { kind: "arith", f: (a, b) => a + b, tf: (tf, a, b) => tf.add(a, b), vjp: (ct) => [ct, ct] }),
  sub: defineBinary("sub", { kind: "arith", f: (a, b) => a - b, tf: (tf, a, b) => tf.sub(a, b), vjp: (ct) => [ct, neg(ct)] }),
  mul: defineBinary("mul", { kind: "arith", f: (a, b) => a * b, tf: (tf, a, b) => tf.mul(a, b), vjp: (ct, a, b) => [mul(ct, b), mul(ct, a)] }),
  div: defineBinary("div", { kind: "float", f: (a, b) => a / b, tf: (tf, a, b) => tf.div(a, b), vjp: (ct, _a, b, y) => [div(ct, b), neg(div(mul(ct, y), b))] }),
  pow: defineBinary("pow", {
    kind: "float",
    f: Math.pow,
    tf: (tf, a, b) => tf.pow(a, b),
    vjp: (ct, a, b, y) => {
      const zero = asArray(0, y.dtype);
      const one = asArray(1, y.dtype);
      const da = select(eq(b, zero), zero, mul(b, pow(a, sub(b, one))));
      const db = mul(y, log(select(eq(a, zero), one, a)));
      return [mul(ct, da), mul(ct, db)];
    },
  }),
  maximum: defineBinary("maximum", {
    kind: "arith",
    f: (a, b) => (a >= b || Number.isNaN(a) ? a : b),
    tf: (tf, a, b) => tf.maximum(a, b),
    vjp: (ct, a, b) => tieSplit(ct, gt(a, b), eq(a, b)),
  }),
  minimum: defineBinary("minimum", {
    kind: "arith",
    f: (a, b) => (a <= b || Number.isNaN(a) ? a : b),
    tf: (tf, a, b) => tf.minimum(a, b),
    vjp: (ct, a, b) => tieSplit(ct, lt(a, b), eq(a, b)),
  }),
  atan2: defineBinary("atan2", {
    kind: "float",
    f: Math.atan2,
    tf: (tf, a, b) => tf.atan2(a, b),
    vjp: (ct, a, b) => {
      const r = add(mul(a, a), mul(b, b));
      return [mul(ct, div(b, r)), neg(mul(ct, div(a, r)))];
    },
  }),
  mod: defineBinary("mod", {
    kind: "arith",
    f: floorMod,
    tf: (tf, a, b) => tf.mod(a, b),
    vjp: (ct, a, b) => [ct, neg(mul(ct, floor(div(a, b))))],
  }),
  lt: defineBinary("lt", { kind: "compare", f: (a, b) => +(a < b), tf: (tf, a, b) => tf.less(a, b), vjp: null }),
  le: defineBinary("le", { kind: "compare", f: (a, b) => +(a <= b), tf: (tf, a, b) => tf.lessEqual(a, b), vjp: null }),
  gt: defineBinary("gt", { kind: "compare", f: (a, b) => +(a > b), tf: (tf, a, b) => tf.greater(a, b), vjp: null }),
  ge: defineBinary("ge", { kind: "compare", f: (a, b) => +(a >= b), tf: (tf, a, b) => tf.greaterEqual(a, b), vjp: null }),
  eq: defineBinary("eq", { kind: "compare", f: (a, b) => +(a === b), tf: (tf, a, b) => tf.equal(a, b), vjp: null }),
  ne: defineBinary("ne", { kind: "compare", f: (a, b) => +(a !== b), tf: (tf, a, b) => tf.notEqual(a, b), vjp: null }),
  and: defineBinary("and", { kind: "logical", f: (a, b) => +(a !== 0 && b !== 0), tf: (tf, a, b) => tf.logicalAnd(a, b), vjp: null }),
  or: defineBinary("or", { kind: "logical", f: (a, b) => +(a !== 0 || b !== 0), tf: (tf, a, b) => tf.logicalOr(a, b), vjp: null }),
  xor: defineBinary("xor", { kind: "logical", f: (a, b) => +((a !== 0) !== (b !== 0)), tf: (tf, a, b) => tf.logicalXor(a, b), vjp: null }),
};

function tieSplit(ct: NDArray, wins: NDArray, ties: NDArray): [NDArray, NDArray] {
  const z = zerosLike(ct);
  const h = mul(ct, half(ct));
  const ga = select(wins, ct, select(ties, h, z));
  const gb = sub(ct, ga);
  return [ga, gb];
}

/** Promotes two operands to a common dtype; plain numbers take the other operand's type (weak typing). */
export function promoteArgs(a: ArrayLike, b: ArrayLike): [NDArray, NDArray] {
  const weakA = typeof a === "number" || typeof a === "boolean";
  const weakB = typeof b === "number" || typeof b === "boolean";
  if (weakA !== weakB) {
    const strong = asArray(weakA ? b : a);
    const w = (weakA ? a : b) as number | boolean;
    const d = promote(weakDType(w, strong.dtype), strong.dtype);
    const pair: [NDArray, NDArray] = [asArray(w, d), castTo(strong, d)];
    return weakA ? pair : [pair[1], pair[0]];
  }
  const A = asArray(a);
  const B = asArray(b);
  const d = promote(A.dtype, B.dtype);
  return [castTo(A, d), castTo(B, d)];
}

/** The dtype a plain number takes beside an array of dtype `other`. */
function weakDType(v: number | boolean, other: DType): DType {
  if (typeof v === "boolean") return "bool";
  if (isFloat(other)) return other;
  return Number.isInteger(v) ? "int32" : defaultFloat();
}

const bin =
  (p: Primitive<null>) =>
  (a: ArrayLike, b: ArrayLike): NDArray => {
    const [A, B] = promoteArgs(a, b);
    return bind1(p, [A, B], null);
  };

/** a + b (broadcasting) */
export const add = bin(binaryPrims.add);
/** a - b */
export const sub = bin(binaryPrims.sub);
/** a * b */
export const mul = bin(binaryPrims.mul);
/** a / b (true division: integers give floats) */
export const div = bin(binaryPrims.div);
/** a ** b */
export const pow = bin(binaryPrims.pow);
/** a == b */
export const eq = bin(binaryPrims.eq);
/** a > b */
export const gt = bin(binaryPrims.gt);
/** a < b */
export const lt = bin(binaryPrims.lt);
/** elementwise maximum */
export const maximum = bin(binaryPrims.maximum);
/** elementwise minimum */
export const minimum = bin(binaryPrims.minimum);
/** logical and of two bool arrays */
export const and = bin(binaryPrims.and);
/** floor(x) */
export const floor = un(unaryPrims.floor);

/** Sums a cotangent down to `shape`, undoing broadcasting. */
export function unbroadcast(ct: NDArray, shape: Shape): NDArray {
  if (sameShape(ct.shape, shape)) return ct;
  const lead = ct.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < ct.ndim; i++) if (i < lead || (shape[i - lead] === 1 && ct.shape[i] !== 1)) axes.push(i);
  const s = axes.length ? sum(ct, axes) : ct;
  return reshape(s, shape);
}

/** `select(pred, onTrue, onFalse)`: picks elementwise, with broadcasting. */
export const selectPrim = withElementwiseBatch({
  name: "select",
  abstract: ([p, a, b]) => {
    if (p.dtype !== "bool") throw new Error(`where: the condition must be bool, got ${p.dtype}`);
    if (a.dtype !== b.dtype) throw new Error(`internal: select got dtypes ${a.dtype} and ${b.dtype}`);
    return [{ shape: broadcastShapes("where", p.shape, a.shape, b.shape), dtype: a.dtype }];
  },
  js: (ins, _p, [o]) => [mapN(ins, o.shape, o.dtype, (p, a, b) => (p ? a : b))],
  tfjs: exactMovement([1, 2], (tf, [p, a, b], _p, [o]) => {
    const s = o.shape as number[];
    return [tf.where(tf.broadcastTo(p, s), tf.broadcastTo(a, s), tf.broadcastTo(b, s))];
  }),
  vjp: ([ct], [p, a, b]) => {
    const z = zerosLike(ct);
    return [null, unbroadcast(select(p, ct, z), a.shape), unbroadcast(select(p, z, ct), b.shape)];
  },
});

/** where(pred, a, b) with dtype promotion of a and b. */
export function select(pred: ArrayLike, a: ArrayLike, b: ArrayLike): NDArray {
  const [A, B] = promoteArgs(a, b);
  return bind1(selectPrim, [asArray(pred, "bool"), A, B], null);
}

/** Casts to another dtype. */
export const castPrim = withElementwiseBatch<{ dtype: DType }>({
  name: "cast",
  abstract: ([x], { dtype }) => [{ shape: x.shape, dtype }],
  js: ([x], { dtype }) => {
    const out = allocate(dtype, x.data.length);
    if (dtype === "bool") for (let i = 0; i < out.length; i++) out[i] = x.data[i] !== 0 ? 1 : 0;
    else if (dtype === "int32" && isFloat(x.dtype)) for (let i = 0; i < out.length; i++) out[i] = Math.trunc(x.data[i]);
    else out.set(x.data);
    return [out];
  },
  tfjs: (tf, [x], { dtype }) => [tf.cast(x, dtype as "float32" | "int32" | "bool")],
  vjp: ([ct], [x]) => [isFloat(x.dtype) ? castTo(ct, x.dtype) : null],
});

/** Casts `x` to dtype `d` (no-op when it already has it). */
export function castTo(x: NDArray, d: DType): NDArray {
  return x.dtype === d ? x : bind1(castPrim, [x], { dtype: d });
}

/** Zeros with the shape and dtype of `x` (a constant). */
export function zerosLike(x: { shape: Shape; dtype: DType }): NDArray {
  return Concrete.fromHost(x.shape, x.dtype, allocate(x.dtype, x.shape.reduce((a, b) => a * b, 1)));
}

/** Adds two cotangents of the same shape (used when a value feeds several ops). */
export function addAny(a: NDArray, b: NDArray): NDArray {
  if (!sameShape(a.shape, b.shape)) throw new Error(`internal: adding cotangents of shapes ${fmt(a.shape)} and ${fmt(b.shape)}`);
  return add(a, b);
}

/** Broadcasts `x` to `shape` (re-exported convenience for rules). */
export { broadcastTo };

/** The identity, with no gradient flowing through it. */
export const stopGradientPrim = withElementwiseBatch({
  name: "stopGradient",
  abstract: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
  js: ([x]) => [x.data],
  tfjs: (tf, [x]) => [tf.clone(x)],
  vjp: () => [null],
});
