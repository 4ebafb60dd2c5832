/**
 * The `js` back end of jit: one generated JavaScript function for a whole program. Runs of
 * elementwise equations with the same output shape fuse into one loop over typed arrays
 * (broadcast operands read through strides, intermediates kept in locals); other equations
 * call their primitive's JS kernel directly. Scratch buffers are allocated once and reused.
 * Only numbers and generated identifiers enter the source: every other value (kernels,
 * parameters, constants, dtypes) is passed in through arrays indexed by number.
 */
import { allocate, type DType, type TypedArray } from "../dtype.js";
import type { Eqn, Program, Var } from "../ir.js";
import { broadcastStrides, sameShape, sizeOf, type Shape } from "../shape.js";
import { erf, erfc, floorMod, roundHalfEven, sigmoid } from "../primitives/scalar-math.js";
import type { HostIn, Primitive } from "../primitives/primitive.js";

/** Inline scalar expressions of the elementwise primitives, by primitive name. */
const emitters: Record<string, (a: string[], out: DType) => string> = {
  neg: ([a]) => `(-${a})`,
  abs: ([a]) => `Math.abs(${a})`,
  sign: ([a]) => `(${a}>0?1:${a}<0?-1:${a})`,
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
  sigmoid: ([a]) => `M.sigmoid(${a})`,
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
  maximum: ([a, b]) => `(${a}>=${b}||${a}!==${a}?${a}:${b})`,
  minimum: ([a, b]) => `(${a}<=${b}||${a}!==${a}?${a}:${b})`,
  atan2: ([a, b]) => `Math.atan2(${a},${b})`,
  mod: ([a, b]) => `M.floorMod(${a},${b})`,
  lt: ([a, b]) => `(${a}<${b}?1:0)`,
  le: ([a, b]) => `(${a}<=${b}?1:0)`,
  gt: ([a, b]) => `(${a}>${b}?1:0)`,
  ge: ([a, b]) => `(${a}>=${b}?1:0)`,
  eq: ([a, b]) => `(${a}===${b}?1:0)`,
  ne: ([a, b]) => `(${a}!==${b}?1:0)`,
  and: ([a, b]) => `((${a}!==0&&${b}!==0)?1:0)`,
  or: ([a, b]) => `((${a}!==0||${b}!==0)?1:0)`,
  xor: ([a, b]) => `(((${a}!==0)!==(${b}!==0))?1:0)`,
  select: ([p, a, b]) => `(${p}!==0?${a}:${b})`,
  stopGradient: ([a]) => a,
  broadcastTo: ([a]) => a,
  cast: ([a], out) => (out === "int32" ? `(Math.trunc(${a})|0)` : out === "bool" ? `(${a}!==0?1:0)` : out === "float32" ? `Math.fround(${a})` : a),
};

const scalarHelpers = { erf, erfc, sigmoid, roundHalfEven, floorMod };

const ctorIndex: Record<DType, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };
const ctors = [Float32Array, Float64Array, Int32Array, Uint8Array];

/** A compiled program: host inputs in, host outputs out. */
export type CompiledJs = (inputs: readonly TypedArray[]) => TypedArray[];

/** Whether an equation can join a fused elementwise loop. */
function fusible(prim: Primitive<any>): boolean {
  return prim.name in emitters;
}

/** Compiles a program to one JavaScript function. */
export function compileJs(program: Program): { run: CompiledJs; source: string } {
  const eqns = program.eqns;
  // where each var is last used (eqn index; outputs count as infinity)
  const lastUse = new Map<Var, number>();
  eqns.forEach((e, k) => e.ins.forEach((v) => lastUse.set(v, k)));
  for (const v of program.outputs) lastUse.set(v, Infinity);

  const name = new Map<Var, string>(); // buffer identifier of materialized vars
  const lines: string[] = [];
  const kernels: Primitive<any>["js"][] = [];
  const params: unknown[] = [];
  const outAvals: unknown[] = [];
  const inDescr: { shape: Shape; dtype: DType }[][] = [];
  const scratch: TypedArray[] = [];
  const constVals: TypedArray[] = [];
  const outputSet = new Set(program.outputs);
  const hoistedScalars = new Set<string>();

  program.inputs.forEach((v, i) => {
    name.set(v, `in${i}`);
    lines.push(`const in${i} = I[${i}];`);
  });
  program.consts.forEach(([v, c], i) => {
    constVals.push(c.concrete().host());
    name.set(v, `c${i}`);
    lines.push(`const c${i} = C[${i}];`);
  });

  let k = 0;
  while (k < eqns.length) {
    const e = eqns[k];
    if (e.prim.name === "reshape" && name.has(e.ins[0])) {
      name.set(e.outs[0], name.get(e.ins[0])!);
      k++;
      continue;
    }
    if (!fusible(e.prim)) {
      const id = kernels.length;
      kernels.push(e.prim.js);
      params.push(e.params);
      outAvals.push(e.outs.map((v) => v.aval));
      inDescr.push(e.ins.map((v) => v.aval));
      const args = e.ins.map((v, j) => `{data:${name.get(v)},shape:D[${id}][${j}].shape,dtype:D[${id}][${j}].dtype}`).join(",");
      lines.push(`const r${id} = K[${id}]([${args}], P[${id}], O[${id}]);`);
      e.outs.forEach((v, j) => {
        name.set(v, `r${id}_${j}`);
        lines.push(`const r${id}_${j} = r${id}[${j}];`);
      });
      k++;
      continue;
    }
    // a fused group: consecutive fusible equations with the same output shape
    const shape = e.outs[0].aval.shape;
    const group: Eqn[] = [];
    while (k < eqns.length && fusible(eqns[k].prim) && sameShape(eqns[k].outs[0].aval.shape, shape)) group.push(eqns[k++]);
    const end = k;
    const n = sizeOf(shape);
    const local = new Map<Var, string>();
    let needsIndex = false;
    const readOf = (v: Var): string => {
      const l = local.get(v);
      if (l) return l;
      const buf = name.get(v)!;
      const s = v.aval.shape;
      if (sizeOf(s) === 1) {
        const h = `${buf}_s`;
        if (!hoistedScalars.has(h)) {
          hoistedScalars.add(h);
          lines.push(`const ${h} = ${buf}[0];`);
        }
        return h;
      }
      if (sameShape(s, shape)) return `${buf}[i]`;
      needsIndex = true;
      const st = broadcastStrides(s, shape);
      const terms = st.map((x, d) => (x === 0 ? "" : x === 1 ? `i${d}` : `i${d}*${x}`)).filter(Boolean);
      return `${buf}[${terms.join("+") || "0"}]`;
    };
    const body: string[] = [];
    const stores: string[] = [];
    for (const g of group) {
      const ins = g.ins.map(readOf);
      const v = g.outs[0];
      const t = `t${v.id}`;
      body.push(`const ${t} = ${emitters[g.prim.name](ins, v.aval.dtype)};`);
      local.set(v, t);
      const used = lastUse.get(v) ?? -1;
      if (used >= end || outputSet.has(v)) {
        const buf = `b${v.id}`;
        name.set(v, buf);
        if (outputSet.has(v)) lines.push(`const ${buf} = new A[${ctorIndex[v.aval.dtype]}](${n});`);
        else {
          scratch.push(allocate(v.aval.dtype, n));
          lines.push(`const ${buf} = S[${scratch.length - 1}];`);
        }
        stores.push(`${buf}[i] = ${t};`);
      }
    }
    if (!needsIndex) {
      lines.push(`for (let i = 0; i < ${n}; i++) {`, ...body.map((l) => "  " + l), ...stores.map((l) => "  " + l), `}`);
    } else {
      lines.push(`{ let i = 0;`);
      shape.forEach((d, ax) => lines.push(`${"  ".repeat(ax + 1)}for (let i${ax} = 0; i${ax} < ${d}; i${ax}++) {`));
      const pad = "  ".repeat(shape.length + 1);
      lines.push(...body.map((l) => pad + l), ...stores.map((l) => pad + l), `${pad}i++;`);
      shape.forEach((_, ax) => lines.push(`${"  ".repeat(shape.length - ax)}}`));
      lines.push(`}`);
    }
  }
  // outputs must not alias scratch buffers (they would be overwritten by the next call)
  lines.push(`return [${program.outputs.map((v) => name.get(v)!).join(", ")}].map((o) => (S.includes(o) ? o.slice() : o));`);
  const source = lines.join("\n");
  const factory = new Function("K", "P", "O", "D", "S", "C", "A", "M", `return function compiled(I) {\n${source}\n};`);
  const fn = factory(kernels, params, outAvals, inDescr, scratch, constVals, ctors, scalarHelpers) as (I: readonly TypedArray[]) => TypedArray[];
  return { run: fn, source };
}

/** Host operand descriptor (re-exported for kernels that are called from generated code). */
export type { HostIn };
