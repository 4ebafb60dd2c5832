/**
 * Control-flow primitives: `while`, `scan` and `cond`. Each carries closed sub-programs (traced
 * functions whose captured values were turned into leading inputs), so one equation stands for
 * a whole loop or branch. Eagerly the sub-programs are interpreted; under jit's `js` back end
 * they are compiled to JavaScript and looped over on the host; under the `tfjs` back end they
 * are replayed through tfjs kernels. Reverse-mode rules (scan and cond) and batching rules are
 * written with the same primitives, so they compose with every transform.
 */
import type * as TF from "@tensorflow/tfjs-core";
import { asArray, Concrete, type AVal, type NDArray } from "../array.js";
import { readTensorSync, type Tf } from "../backend.js";
import { compileJs, compileJsInto, registerJsSpecializer, type CompiledInto, type CompiledJs, type Specialized } from "../compile/js.js";
import { replayTensors } from "../compile/tfjs.js";
import { registerAsyncTfjs, replayTensorsAsync } from "../compile/tfjs-async.js";
import { allocate, isFloat, type TypedArray } from "../dtype.js";
import { Program } from "../ir.js";
import { bind } from "../interpreters/stack.js";
import { traceProgram } from "../interpreters/trace.js";
import { fmt, sizeOf } from "../shape.js";
import { vjp } from "../transforms.js";
import { vmap } from "../vmap.js";
import { moveToFront } from "./batching.js";
import { castTo, select, zerosLike, addAny, binaryPrims } from "./elementwise.js";
import { broadcastTo, concatPrim, reshape, slice, transpose } from "./layout.js";
import { reducePrims, reduceWith } from "./reduce.js";
import { definePrimitive } from "./primitive.js";
import { moveExact } from "./webgpu-exact.js";

/** A traced function with no captured values: those became its leading inputs, given in `consts`. */
export interface Closed {
  readonly program: Program;
  readonly consts: NDArray[];
}

/** Traces `f` at `avals` and closes the program over what it captured. */
export function traceClosed(f: (...xs: NDArray[]) => NDArray[], avals: readonly AVal[]): Closed {
  const { program } = traceProgram(f, avals);
  const constVars = program.consts.map(([v]) => v);
  return {
    program: new Program([...constVars, ...program.inputs], [], program.eqns, program.outputs),
    consts: program.consts.map(([, c]) => c),
  };
}

const avalsOf = (xs: readonly NDArray[]): AVal[] => xs.map((x) => ({ shape: x.shape, dtype: x.dtype }));
const sameAval = (a: AVal, b: AVal) => a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);

const compiledCache = new WeakMap<Program, CompiledJs>();
/** The program compiled to JavaScript (once per program). */
function compiled(p: Program): CompiledJs {
  let c = compiledCache.get(p);
  if (!c) compiledCache.set(p, (c = compileJs(p).run));
  return c;
}

const compiledIntoCache = new WeakMap<Program, CompiledInto>();
/** The program compiled to JavaScript writing into given output arrays (once per program). */
function compiledInto(p: Program): CompiledInto {
  let c = compiledIntoCache.get(p);
  if (!c) compiledIntoCache.set(p, (c = compileJsInto(p).run));
  return c;
}

/** `p` with its leading inputs whose values are known (non-null entries of `known`) turned into constants. */
function withKnownInputs(p: Program, known: readonly (TypedArray | null)[]): Program {
  if (!known.some((k) => k !== null)) return p;
  const consts = [...p.consts];
  const inputs = p.inputs.filter((v, i) => {
    const k = i < known.length ? known[i] : null;
    if (k) consts.push([v, Concrete.fromHost(v.aval.shape, v.aval.dtype, k)]);
    return !k;
  });
  return new Program(inputs, consts, p.eqns, p.outputs);
}

const zeroedLike = (avals: readonly AVal[]) => avals.map((a) => allocate(a.dtype, sizeOf(a.shape)));

/**
 * A while loop on the host over compiled cond and body programs (their constants first, then
 * the carry). Each step writes its carry into one of two sets of arrays owned by the runner,
 * alternately, so that the step reads the other. The result is the last set written (or the
 * input arrays, when no step ran): it stays valid until the runner's next call, which is all
 * the compiled program calling it needs (it copies what it returns; see `specialized` in
 * js.ts). A runner entered again while it runs (a nested use of the same programs) uses
 * fresh sets.
 */
function whileRunner(cond: Program, body: Program, carryAvals: readonly AVal[]): (data: readonly TypedArray[]) => TypedArray[] {
  const c = compiledInto(cond);
  const b = compiledInto(body);
  const nCarry = carryAvals.length;
  const nCond = cond.inputs.length - nCarry;
  const nBody = body.inputs.length - nCarry;
  const at = nCond + nBody;
  let idle: { condArgs: TypedArray[]; bodyArgs: TypedArray[]; carry: TypedArray[]; flag: TypedArray[]; sets: TypedArray[][] } | null = null;
  return (data) => {
    const ws = idle ?? { condArgs: new Array(nCond + nCarry), bodyArgs: new Array(nBody + nCarry), carry: new Array(nCarry), flag: [new Uint8Array(1)], sets: [zeroedLike(carryAvals), zeroedLike(carryAvals)] };
    idle = null;
    const { condArgs, bodyArgs, carry, flag, sets } = ws;
    for (let i = 0; i < nCond; i++) condArgs[i] = data[i];
    for (let i = 0; i < nBody; i++) bodyArgs[i] = data[nCond + i];
    for (let j = 0; j < nCarry; j++) carry[j] = data[at + j];
    let cur: TypedArray[] = carry;
    let parity = 0;
    for (;;) {
      for (let j = 0; j < nCarry; j++) condArgs[nCond + j] = cur[j];
      c(condArgs, flag);
      if (!flag[0][0]) break;
      for (let j = 0; j < nCarry; j++) bodyArgs[nBody + j] = cur[j];
      const next = sets[parity];
      b(bodyArgs, next);
      cur = next;
      parity ^= 1;
    }
    condArgs.fill(undefined as never);
    bodyArgs.fill(undefined as never);
    idle = ws;
    // the caller reads the list at once (it and the arrays it lists are reused by the next call)
    return cur;
  };
}

/**
 * A scan on the host over a compiled body (constants, carry, rows of xs -> carry, rows of
 * ys): carries alternate between two sets of arrays (see {@link whileRunner}), rows of ys are
 * written in place into the stacked outputs.
 */
function scanRunner(
  body: Program,
  nC: number,
  nCarry: number,
  length: number,
  reverse: boolean,
  yAvals: readonly AVal[],
): (data: readonly TypedArray[]) => TypedArray[] {
  const run = compiledInto(body);
  const carryAvals = body.outputs.slice(0, nCarry).map((v) => v.aval);
  const nOut = body.outputs.length;
  let idle: { args: TypedArray[]; outs: TypedArray[]; sets: TypedArray[][] } | null = null;
  return (data) => {
    const carry = data.slice(nC, nC + nCarry);
    const xs = data.slice(nC + nCarry);
    const ws = idle ?? { args: new Array(data.length), outs: new Array(nOut), sets: [zeroedLike(carryAvals), zeroedLike(carryAvals)] };
    idle = null;
    const { args, outs, sets } = ws;
    for (let i = 0; i < nC; i++) args[i] = data[i];
    const ys = yAvals.map((a) => allocate(a.dtype, sizeOf(a.shape)));
    const yRow = ys.map((y) => (length === 0 ? 0 : y.length / length));
    const xRow = xs.map((x) => (length === 0 ? 0 : x.length / length));
    let cur = carry;
    for (let s = 0; s < length; s++) {
      const t = reverse ? length - 1 - s : s;
      for (let j = 0; j < nCarry; j++) args[nC + j] = cur[j];
      for (let i = 0; i < xs.length; i++) args[nC + nCarry + i] = xs[i].subarray(t * xRow[i], (t + 1) * xRow[i]);
      const next = sets[s & 1];
      for (let j = 0; j < nCarry; j++) outs[j] = next[j];
      for (let j = 0; j < ys.length; j++) outs[nCarry + j] = ys[j].subarray(t * yRow[j], (t + 1) * yRow[j]);
      run(args, outs);
      cur = next;
    }
    const out = [...cur, ...ys];
    args.fill(undefined as never);
    outs.fill(undefined as never);
    idle = ws;
    return out;
  };
}

/** Reads a scalar tensor on the host, or says why it cannot be (WebGPU reads asynchronously). */
function readSync(t: TF.Tensor, op: string): number {
  return readTensorSync(t, `${op} (its predicate or branch index)`)[0];
}

/** Row `t` of `x` along its first axis (int32 bits kept on WebGPU). */
function rowOf(tf: Tf, x: TF.Tensor, t: number): TF.Tensor {
  return tf.tidy(() => moveExact(tf, [x], [0], ([p]) => tf.squeeze(tf.slice(p, t, 1), [0])));
}

/** A scan's per-step outputs stacked along a new first axis (int32 bits kept on WebGPU); frees the steps. */
function stackOutputs(tf: Tf, ys: readonly TF.Tensor[][], body: Program, nCarry: number): TF.Tensor[] {
  return ys.map((list, j) => {
    const v = body.outputs[nCarry + j].aval;
    if (list.length === 0) return tf.zeros([0, ...v.shape], v.dtype as "float32");
    const st = moveExact(tf, list, list.map((_, i) => i), (ps) => tf.stack(ps));
    tf.dispose(list as TF.Tensor[]);
    return st;
  });
}

/** Runs `fn` on tfjs tensors in its own tidy, keeping only its results; frees the previous carry. */
function tidyStep(tf: Tf, fn: () => TF.Tensor[], prev: readonly TF.Tensor[], keep: readonly TF.Tensor[]): TF.Tensor[] {
  const next = tf.tidy(fn);
  for (const t of prev) if (!keep.includes(t) && !next.includes(t)) t.dispose();
  return next;
}

// ---- kernels of the js back end ------------------------------------------------------------------
//
// Under jit's js back end, a control-flow equation becomes a kernel built when the program
// around it is compiled: its sub-programs get the equation's inputs that are constants of that
// program folded in (so scalars become literals, recursively into nested loops), are compiled
// once, and run on the host by a runner that reuses its arrays from step to step.

/** Runners of the generic kernels (a control-flow primitive called outside compiled code; its results are copied), by equation parameters. */
const genericRunners = new WeakMap<object, (data: readonly TypedArray[]) => TypedArray[]>();

/** Which inputs a specialized kernel still takes: every input past `n`, and those before it not known. */
const usesOf = (known: readonly (TypedArray | null)[], count: number, n: number) => Array.from({ length: count }, (_, i) => i >= n || !known[i]);

function whileSpecialized({ cond, body, nCond, nBody }: WhileParams, known: readonly (TypedArray | null)[], ins: readonly AVal[]): Specialized {
  const condP = withKnownInputs(cond, known.slice(0, nCond));
  const bodyP = withKnownInputs(body, known.slice(nCond, nCond + nBody));
  const uses = usesOf(known, ins.length, nCond + nBody);
  return { run: whileRunner(condP, bodyP, ins.slice(nCond + nBody)), uses };
}

function scanSpecialized({ body, nConsts, nCarry, length, reverse }: ScanParams, known: readonly (TypedArray | null)[], outs: readonly AVal[]): Specialized {
  const bodyP = withKnownInputs(body, known.slice(0, nConsts));
  const nC = known.slice(0, nConsts).filter((k) => !k).length + (nConsts - Math.min(nConsts, known.length));
  const uses = usesOf(known, body.inputs.length, nConsts);
  return { run: scanRunner(bodyP, nC, nCarry, length, reverse, outs.slice(nCarry)), uses };
}

function condSpecialized({ branches, nConsts }: CondParams, known: readonly (TypedArray | null)[]): Specialized {
  const nTot = totalConsts(nConsts);
  const progs: Program[] = [];
  const starts: number[] = []; // where each branch's remaining constants start in the data
  const counts: number[] = [];
  let off = 1;
  let at = 1;
  for (let b = 0; b < branches.length; b++) {
    const k = Array.from({ length: nConsts[b] }, (_, i) => known[off + i] ?? null);
    progs.push(withKnownInputs(branches[b], k));
    starts.push(at);
    counts.push(k.filter((x) => !x).length);
    at += counts[b];
    off += nConsts[b];
  }
  const runs = progs.map((p) => compiled(p));
  const uses = Array.from({ length: 1 + nTot }, (_, i) => i === 0 || !known[i]);
  return {
    uses: known.length ? [...uses, ...new Array<boolean>(Math.max(0, known.length - 1 - nTot)).fill(true)] : undefined,
    run: (data) => {
      const [b] = branchOf(data[0][0], nConsts);
      return runs[b]([...data.slice(starts[b], starts[b] + counts[b]), ...data.slice(at)]);
    },
  };
}

registerJsSpecializer("while", (p: WhileParams, known, ins) => whileSpecialized(p, known, ins));
registerJsSpecializer("scan", (p: ScanParams, known, _ins, outs) => scanSpecialized(p, known, outs));
registerJsSpecializer("cond", (p: CondParams, known) => condSpecialized(p, known));

// ---- while -----------------------------------------------------------------------------------

/** Parameters of `while`: inputs are [...condConsts, ...bodyConsts, ...carry]. */
export interface WhileParams {
  readonly cond: Program;
  readonly body: Program;
  readonly nCond: number;
  readonly nBody: number;
}

export const whilePrim = definePrimitive<WhileParams>({
  name: "while",
  abstract: (ins, { nCond, nBody }) => ins.slice(nCond + nBody),
  eager: (args, { cond, body, nCond, nBody }) => {
    const cc = args.slice(0, nCond);
    const bc = args.slice(nCond, nCond + nBody);
    let carry = args.slice(nCond + nBody);
    while (cond.evaluate([...cc, ...carry])[0].item()) carry = body.evaluate([...bc, ...carry]);
    return carry;
  },
  js: (ins, params) => {
    let run: ((data: readonly TypedArray[]) => TypedArray[]) | undefined = genericRunners.get(params);
    if (!run) genericRunners.set(params, (run = whileSpecialized(params, [], ins).run));
    return run(ins.map((x) => x.data)).map((a) => a.slice());
  },
  tfjs: (tf, ins, { cond, body, nCond, nBody }) => {
    const cc = ins.slice(0, nCond);
    const bc = ins.slice(nCond, nCond + nBody);
    let carry = ins.slice(nCond + nBody);
    for (;;) {
      const go = tf.tidy(() => readSync(replayTensors(tf, cond, [...cc, ...carry])[0], "whileLoop"));
      if (!go) break;
      const cur = carry;
      carry = tidyStep(tf, () => replayTensors(tf, body, [...bc, ...cur]), cur, ins);
    }
    return carry;
  },
  vjp: () => {
    throw new Error(
      "whileLoop: reverse-mode differentiation through a while loop is not supported (its trip count depends on the data); use forLoop with static bounds or scan",
    );
  },
  batch: (vals, dims, { cond, body, nCond, nBody }) => {
    const size = batchSize(vals, dims);
    const front = vals.map((v, i) => (dims[i] === null ? v : moveToFront(v, dims[i]!)));
    const fdims = dims.map((d) => (d === null ? null : 0));
    const cc = front.slice(0, nCond);
    const bc = front.slice(nCond, nCond + nBody);
    const carry = front.slice(nCond + nBody).map((v, i) => (fdims[nCond + nBody + i] === null ? stackCopies(v, size) : v));
    const ccDims = fdims.slice(0, nCond);
    const bcDims = fdims.slice(nCond, nCond + nBody);
    const carryDims = carry.map(() => 0);
    // the batched predicate per member: its members that are done keep their carry
    const memberPred = (c: NDArray[], x: NDArray[]) => vmap((...a: NDArray[]) => cond.evaluate(a), { inAxes: [...ccDims, ...carryDims] })(...c, ...x)[0] as NDArray;
    const newCond = traceClosed((...a) => {
      const p = memberPred(a.slice(0, nCond), a.slice(nCond));
      return [reduceWith(reducePrims.max, p, [0], false)];
    }, avalsOf([...cc, ...carry]));
    const newBody = traceClosed((...a) => {
      const c = a.slice(0, nCond);
      const b = a.slice(nCond, nCond + nBody);
      const x = a.slice(nCond + nBody);
      const p = memberPred(c, x);
      const next = vmap((...z: NDArray[]) => body.evaluate(z), { inAxes: [...bcDims, ...carryDims] })(...b, ...x) as NDArray[];
      return next.map((n, i) => select(reshape(p, [size, ...n.shape.slice(1).map(() => 1)]), n, x[i]));
    }, avalsOf([...cc, ...bc, ...carry]));
    const outs = bind(
      whilePrim,
      [...newCond.consts, ...cc, ...newBody.consts, ...cc, ...bc, ...carry],
      { cond: newCond.program, body: newBody.program, nCond: newCond.consts.length + nCond, nBody: newBody.consts.length + nCond + nBody },
    );
    return [outs, outs.map(() => 0)];
  },
});

// ---- scan ------------------------------------------------------------------------------------

/** Parameters of `scan`: inputs are [...consts, ...initCarry, ...xs]; outputs [...carry, ...ys]. */
export interface ScanParams {
  readonly body: Program;
  readonly nConsts: number;
  readonly nCarry: number;
  readonly length: number;
  readonly reverse: boolean;
}

/** Row `t` (along axis 0) of `x`. */
function row(x: NDArray, t: number): NDArray {
  return reshape(
    slice(
      x,
      x.shape.map((_, i) => (i === 0 ? t : 0)),
      x.shape.map((d, i) => (i === 0 ? t + 1 : d)),
    ),
    x.shape.slice(1),
  );
}

/** A stack of `n` copies of `x` along a new leading axis. */
function stackCopies(x: NDArray, n: number): NDArray {
  return broadcastTo(reshape(x, [1, ...x.shape]), [n, ...x.shape]);
}

/** The size of the batch axis of the batched operands. */
function batchSize(vals: readonly NDArray[], dims: readonly (number | null)[]): number {
  const i = dims.findIndex((d) => d !== null);
  return vals[i].shape[dims[i]!];
}

export const scanPrim = definePrimitive<ScanParams>({
  name: "scan",
  abstract: (ins, { body, nConsts, nCarry, length }) => {
    const ys = body.outputs.slice(nCarry).map((v) => ({ shape: [length, ...v.aval.shape], dtype: v.aval.dtype }));
    return [...ins.slice(nConsts, nConsts + nCarry), ...ys];
  },
  eager: (args, { body, nConsts, nCarry, length, reverse }) => {
    const consts = args.slice(0, nConsts);
    let carry = args.slice(nConsts, nConsts + nCarry);
    const xs = args.slice(nConsts + nCarry);
    const ys: NDArray[][] = body.outputs.slice(nCarry).map(() => []);
    for (let s = 0; s < length; s++) {
      const t = reverse ? length - 1 - s : s;
      const out = body.evaluate([...consts, ...carry, ...xs.map((x) => row(x, t))]);
      carry = out.slice(0, nCarry);
      out.slice(nCarry).forEach((y, j) => (ys[j][t] = reshape(y, [1, ...y.shape])));
    }
    const stacked = ys.map((list, j) => {
      const v = body.outputs[nCarry + j].aval;
      return length === 0 ? zerosLike({ shape: [0, ...v.shape], dtype: v.dtype }) : bind(concatPrim, list, { axis: 0 })[0];
    });
    return [...carry, ...stacked];
  },
  js: (ins, params, outs) => {
    let run: ((data: readonly TypedArray[]) => TypedArray[]) | undefined = genericRunners.get(params);
    if (!run) genericRunners.set(params, (run = scanSpecialized(params, [], outs).run));
    return run(ins.map((x) => x.data)).map((a) => a.slice());
  },
  tfjs: (tf, ins, { body, nConsts, nCarry, length, reverse }) => {
    const consts = ins.slice(0, nConsts);
    let carry = ins.slice(nConsts, nConsts + nCarry);
    const xs = ins.slice(nConsts + nCarry);
    const ys: TF.Tensor[][] = body.outputs.slice(nCarry).map(() => []);
    for (let s = 0; s < length; s++) {
      const t = reverse ? length - 1 - s : s;
      const cur = carry;
      const res = tf.tidy(() => replayTensors(tf, body, [...consts, ...cur, ...xs.map((x) => rowOf(tf, x, t))]).map((r) => r.clone()));
      for (const c of cur) if (!ins.includes(c) && !res.includes(c)) c.dispose();
      carry = res.slice(0, nCarry);
      res.slice(nCarry).forEach((y, j) => (ys[j][t] = y));
    }
    const stacked = stackOutputs(tf, ys, body, nCarry);
    return [...carry, ...stacked];
  },
  vjp: (cts, ins, outs, p) => scanVjp(cts, ins, p),
  batch: (vals, dims, { body, nConsts, nCarry, length, reverse }) => {
    const size = batchSize(vals, dims);
    const consts = vals.slice(0, nConsts).map((v, i) => (dims[i] === null ? v : moveToFront(v, dims[i]!)));
    const constDims = dims.slice(0, nConsts).map((d) => (d === null ? null : 0));
    const carry = vals.slice(nConsts, nConsts + nCarry).map((v, i) => {
      const d = dims[nConsts + i];
      return d === null ? stackCopies(v, size) : moveToFront(v, d);
    });
    // batched xs keep the scan axis first and put the batch axis second
    const xs = vals.slice(nConsts + nCarry).map((v, i) => {
      const d = dims[nConsts + nCarry + i];
      if (d === null) return v;
      const f = moveToFront(v, d);
      return transpose(f, [1, 0, ...f.shape.slice(2).map((_, k) => k + 2)]);
    });
    const xDims = dims.slice(nConsts + nCarry).map((d) => (d === null ? null : 0));
    const rowAvals = xs.map((x) => ({ shape: x.shape.slice(1), dtype: x.dtype }));
    const newBody = traceClosed(
      (...a) => vmap((...z: NDArray[]) => body.evaluate(z), { inAxes: [...constDims, ...carry.map(() => 0), ...xDims] })(...a) as NDArray[],
      [...avalsOf(consts), ...avalsOf(carry), ...rowAvals],
    );
    const outs = bind(scanPrim, [...newBody.consts, ...consts, ...carry, ...xs], {
      body: newBody.program,
      nConsts: newBody.consts.length + nConsts,
      nCarry,
      length,
      reverse,
    });
    return [outs, outs.map((_, i) => (i < nCarry ? 0 : 1))];
  },
});


/** Positions of the float-valued arrays in `xs` (the ones that carry cotangents). */
const floatPositions = (xs: readonly AVal[]): number[] => xs.flatMap((x, i) => (isFloat(x.dtype) ? [i] : []));

/**
 * Reverse mode of scan: a forward scan that also emits the carry entering each step, then a
 * scan in the opposite direction whose body is the vjp of the original body at that step
 * (recomputing the step's forward pass, so only the carries are stored). Cotangents of the
 * constants are accumulated in the backward carry.
 */
function scanVjp(cts: NDArray[], ins: NDArray[], { body, nConsts, nCarry, length, reverse }: ScanParams): (NDArray | null)[] {
  const consts = ins.slice(0, nConsts);
  const init = ins.slice(nConsts, nConsts + nCarry);
  const xs = ins.slice(nConsts + nCarry);
  const nX = xs.length;
  const bodyAvals = body.inputs.map((v) => v.aval);
  const withCarries = traceClosed((...a) => [...body.evaluate(a).slice(0, nCarry), ...a.slice(nConsts, nConsts + nCarry)], bodyAvals);
  const fwd = bind(scanPrim, [...withCarries.consts, ...consts, ...init, ...xs], {
    body: withCarries.program,
    nConsts: withCarries.consts.length + nConsts,
    nCarry,
    length,
    reverse,
  });
  const carries = fwd.slice(nCarry);

  const fc = floatPositions(consts);
  const fk = floatPositions(init);
  const fx = floatPositions(xs);
  const outAvals = body.outputs.map((v) => v.aval);
  const fy = floatPositions(outAvals.slice(nCarry));
  const stepBackward = (...a: NDArray[]): NDArray[] => {
    let o = 0;
    const take = (n: number) => a.slice(o, (o += n));
    const cs = take(nConsts);
    const ctC = take(fk.length);
    const acc = take(fc.length);
    const ct = take(nCarry);
    const xt = take(nX);
    const ctY = take(fy.length);
    const f = (...d: NDArray[]) => {
      const cs2 = cs.slice();
      const c2 = ct.slice();
      const x2 = xt.slice();
      fc.forEach((i, k) => (cs2[i] = d[k]));
      fk.forEach((i, k) => (c2[i] = d[fc.length + k]));
      fx.forEach((i, k) => (x2[i] = d[fc.length + fk.length + k]));
      return body.evaluate([...cs2, ...c2, ...x2]);
    };
    const primals = [...fc.map((i) => cs[i]), ...fk.map((i) => ct[i]), ...fx.map((i) => xt[i])];
    const [, pull] = vjp(f, ...primals);
    const outCts = outAvals.map((av, j) => {
      if (j < nCarry) {
        const k = fk.indexOf(j);
        return k >= 0 ? ctC[k] : zerosLike(av);
      }
      const k = fy.indexOf(j - nCarry);
      return k >= 0 ? ctY[k] : zerosLike(av);
    });
    const g = (pull(outCts) as (NDArray | null)[]).map((x, k) => x ?? zerosLike(primals[k]));
    const gConsts = g.slice(0, fc.length);
    const gCarry = g.slice(fc.length, fc.length + fk.length);
    const gX = g.slice(fc.length + fk.length);
    return [...gCarry, ...acc.map((x, k) => addAny(x, gConsts[k])), ...gX];
  };
  const ctFinal = fk.map((i) => cts[i]);
  const acc0 = fc.map((i) => zerosLike(consts[i]));
  const ctYs = fy.map((j) => cts[nCarry + j]);
  const rowAvals = (arrs: NDArray[]) => arrs.map((x) => ({ shape: x.shape.slice(1), dtype: x.dtype }));
  const back = traceClosed(stepBackward, [...avalsOf(consts), ...avalsOf(ctFinal), ...avalsOf(acc0), ...rowAvals(carries), ...rowAvals(xs), ...rowAvals(ctYs)]);
  const res = bind(scanPrim, [...back.consts, ...consts, ...ctFinal, ...acc0, ...carries, ...xs, ...ctYs], {
    body: back.program,
    nConsts: back.consts.length + nConsts,
    nCarry: fk.length + fc.length,
    length,
    reverse: !reverse,
  });
  const out: (NDArray | null)[] = ins.map(() => null);
  fk.forEach((i, k) => (out[nConsts + i] = res[k]));
  fc.forEach((i, k) => (out[i] = res[fk.length + k]));
  fx.forEach((i, k) => (out[nConsts + nCarry + i] = res[fk.length + fc.length + k]));
  return out;
}

// ---- cond ------------------------------------------------------------------------------------

/** Parameters of `cond`: inputs are [index, ...consts of branch 0, ..., ...consts of branch k-1, ...operands]. */
export interface CondParams {
  readonly branches: readonly Program[];
  readonly nConsts: readonly number[];
}

/** The branch an index selects (clamped to the branches, like lax.switch), and where its constants start. */
function branchOf(index: number, nConsts: readonly number[]): [number, number] {
  const b = Math.min(Math.max(Math.trunc(index), 0), nConsts.length - 1);
  let off = 1;
  for (let i = 0; i < b; i++) off += nConsts[i];
  return [b, off];
}

const totalConsts = (nConsts: readonly number[]) => nConsts.reduce((a, b) => a + b, 0);

export const condPrim = definePrimitive<CondParams>({
  name: "cond",
  abstract: (_ins, { branches }) => branches[0].outputs.map((v) => v.aval),
  eager: (args, { branches, nConsts }) => {
    const [b, off] = branchOf(args[0].item(), nConsts);
    const ops = args.slice(1 + totalConsts(nConsts));
    return branches[b].evaluate([...args.slice(off, off + nConsts[b]), ...ops]);
  },
  js: (ins, params) => {
    let run: ((data: readonly TypedArray[]) => TypedArray[]) | undefined = genericRunners.get(params);
    if (!run) genericRunners.set(params, (run = condSpecialized(params, []).run));
    return run(ins.map((x) => x.data)).map((a) => a.slice());
  },
  tfjs: (tf, ins, { branches, nConsts }) => {
    const [b, off] = branchOf(readSync(ins[0], "cond"), nConsts);
    return replayTensors(tf, branches[b], [...ins.slice(off, off + nConsts[b]), ...ins.slice(1 + totalConsts(nConsts))]);
  },
  vjp: (cts, ins, _outs, { branches, nConsts }) => {
    const args = ins.slice(1);
    const fl = floatPositions(args);
    const ctPos = floatPositions(cts);
    const fns = branches.map((b, bi) => (...a: NDArray[]) => {
      const vals = a.slice(0, args.length);
      const ctv = a.slice(args.length);
      const own = (arr: NDArray[]) => {
        const [, off] = branchOf(bi, nConsts);
        return [...arr.slice(off - 1, off - 1 + nConsts[bi]), ...arr.slice(totalConsts(nConsts))];
      };
      const f = (...d: NDArray[]) => {
        const v2 = vals.slice();
        fl.forEach((i, k) => (v2[i] = d[k]));
        return b.evaluate(own(v2));
      };
      const primals = fl.map((i) => vals[i]);
      const [outs, pull] = vjp(f, ...primals);
      const outCts = (outs as NDArray[]).map((o, j) => {
        const k = ctPos.indexOf(j);
        return k >= 0 ? ctv[k] : zerosLike(o);
      });
      return (pull(outCts) as (NDArray | null)[]).map((x, k) => x ?? zerosLike(primals[k]));
    });
    const res = bindCond(ins[0], fns, [...args, ...ctPos.map((j) => cts[j])], "cond (gradient)");
    const out: (NDArray | null)[] = ins.map(() => null);
    fl.forEach((i, k) => (out[1 + i] = res[k]));
    return out;
  },
  batch: (vals, dims, { branches, nConsts }) => {
    const size = batchSize(vals, dims);
    const front = vals.map((v, i) => (dims[i] === null ? v : moveToFront(v, dims[i]!)));
    const fdims = dims.map((d) => (d === null ? null : 0));
    const nTot = totalConsts(nConsts);
    const ops = front.slice(1 + nTot);
    const opDims = fdims.slice(1 + nTot);
    const ownOf = (bi: number) => {
      const [, off] = branchOf(bi, nConsts);
      return { consts: front.slice(off, off + nConsts[bi]), dims: fdims.slice(off, off + nConsts[bi]) };
    };
    if (fdims[0] === null) {
      // one branch runs, for the whole batch
      const closed = branches.map((b, bi) => {
        const own = ownOf(bi);
        return traceClosed(
          (...a) => vmap((...z: NDArray[]) => b.evaluate(z), { inAxes: [...own.dims, ...opDims], axisSize: size })(...a) as NDArray[],
          avalsOf([...own.consts, ...ops]),
        );
      });
      const outs = bind(
        condPrim,
        [front[0], ...closed.flatMap((c, bi) => [...c.consts, ...ownOf(bi).consts]), ...ops],
        { branches: closed.map((c) => c.program), nConsts: closed.map((c, bi) => c.consts.length + nConsts[bi]) },
      );
      return [outs, outs.map(() => 0)];
    }
    // each member picks its own branch: run every branch on the whole batch and select
    const per = branches.map((b, bi) => {
      const own = ownOf(bi);
      return vmap((...z: NDArray[]) => b.evaluate(z), { inAxes: [...own.dims, ...opDims], axisSize: size })(...own.consts, ...ops) as NDArray[];
    });
    const idx = front[0];
    const outs = per[0].map((first, j) => {
      let r = first;
      for (let bi = 1; bi < per.length; bi++) {
        const take = bind(binaryPrims.ge, [idx, asArray(bi, idx.dtype)], null)[0];
        r = select(reshape(take, [size, ...r.shape.slice(1).map(() => 1)]), per[bi][j], r);
      }
      return r;
    });
    return [outs, outs.map(() => 0)];
  },
});

/**
 * Traces each branch function at the operands' shapes, checks that all branches return the
 * same shapes and dtypes, and binds `cond` on an int32 index.
 */
export function bindCond(index: NDArray, fns: readonly ((...ops: NDArray[]) => NDArray[])[], operands: readonly NDArray[], what = "cond"): NDArray[] {
  const closed = fns.map((f) => traceClosed(f, avalsOf(operands)));
  const ref = closed[0].program.outputs.map((v) => v.aval);
  closed.forEach((c, bi) => {
    const got = c.program.outputs.map((v) => v.aval);
    if (got.length !== ref.length || got.some((a, j) => !sameAval(a, ref[j])))
      throw new Error(
        `${what}: branches must return the same shapes and dtypes; branch 0 gives ${ref.map((a) => `${a.dtype}${fmt(a.shape)}`).join(", ")} but branch ${bi} gives ${got.map((a) => `${a.dtype}${fmt(a.shape)}`).join(", ")}`,
      );
  });
  const idx = index.dtype === "int32" ? index : castTo(index, "int32");
  return bind(
    condPrim,
    [idx, ...closed.flatMap((c) => c.consts), ...operands],
    { branches: closed.map((c) => c.program), nConsts: closed.map((c) => c.consts.length) },
  );
}

// ---- asynchronous tfjs kernels: one read of the predicate or index per step ---------------------

registerAsyncTfjs<WhileParams>("while", async (tf, ins, { cond, body, nCond, nBody }) => {
  const cc = ins.slice(0, nCond);
  const bc = ins.slice(nCond, nCond + nBody);
  const init = ins.slice(nCond + nBody);
  let carry = init;
  for (;;) {
    const [pred] = await replayTensorsAsync(tf, cond, [...cc, ...carry]);
    const go = (await pred.data())[0];
    pred.dispose();
    if (!go) break;
    const next = await replayTensorsAsync(tf, body, [...bc, ...carry]);
    if (carry !== init) tf.dispose(carry as TF.Tensor[]);
    carry = next;
  }
  return carry === init ? carry.map((t) => tf.clone(t)) : carry;
});

registerAsyncTfjs<ScanParams>("scan", async (tf, ins, { body, nConsts, nCarry, length, reverse }) => {
  const consts = ins.slice(0, nConsts);
  const init = ins.slice(nConsts, nConsts + nCarry);
  const xs = ins.slice(nConsts + nCarry);
  const ys: TF.Tensor[][] = body.outputs.slice(nCarry).map(() => []);
  let carry = init;
  for (let s = 0; s < length; s++) {
    const t = reverse ? length - 1 - s : s;
    const rows = xs.map((x) => rowOf(tf, x, t));
    const res = await replayTensorsAsync(tf, body, [...consts, ...carry, ...rows]);
    tf.dispose(rows as TF.Tensor[]);
    if (carry !== init) tf.dispose(carry as TF.Tensor[]);
    carry = res.slice(0, nCarry);
    res.slice(nCarry).forEach((y, j) => (ys[j][t] = y));
  }
  const stacked = stackOutputs(tf, ys, body, nCarry);
  return [...(carry === init ? carry.map((c) => tf.clone(c)) : carry), ...stacked];
});

registerAsyncTfjs<CondParams>("cond", async (tf, ins, { branches, nConsts }) => {
  const [b, off] = branchOf((await ins[0].data())[0], nConsts);
  return replayTensorsAsync(tf, branches[b], [...ins.slice(off, off + nConsts[b]), ...ins.slice(1 + totalConsts(nConsts))]);
});
