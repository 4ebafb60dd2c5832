/**
 * The asynchronous replay of a program through tfjs kernels, for backends whose values can only
 * be read back asynchronously (WebGPU in Node). Equations run in order; a control-flow equation
 * awaits its predicate or branch index (one read per iteration, whatever the batch), and a
 * primitive whose kernel runs on the host awaits its operands. Every other equation is
 * dispatched synchronously, so the device never waits on the host between them. Intermediate
 * tensors are freed after their last use.
 */
import type * as TF from "@tensorflow/tfjs-core";
import { Concrete, type AVal, type NDArray } from "../array.js";
import { tfjs, type Tf } from "../backend.js";
import type { DType, TypedArray } from "../dtype.js";
import type { Program, Var } from "../ir.js";
import type { Primitive } from "../primitives/primitive.js";

/**
 * An asynchronous tfjs kernel: control flow (which reads predicates) and host kernels (which
 * read operands). Its outputs are fresh tensors (the caller owns them); it frees whatever else
 * it made.
 */
export type AsyncTfjsKernel<P> = (tf: Tf, ins: TF.Tensor[], params: P, outs: AVal[]) => Promise<TF.Tensor[]>;

const asyncKernels = new Map<string, AsyncTfjsKernel<any>>();

/** Registers the asynchronous kernel of a primitive (by its name). */
export function registerAsyncTfjs<P>(name: string, kernel: AsyncTfjsKernel<P>): void {
  asyncKernels.set(name, kernel);
}

/**
 * Registers the asynchronous form of a primitive whose tfjs kernel runs its JS kernel on host
 * copies of the operands: the operands are read with `await data()`.
 */
export function registerHostKernelAsync<P>(prim: Primitive<P>): void {
  registerAsyncTfjs<P>(prim.name, async (tf, ins, params, outs) => {
    const host = await Promise.all(
      ins.map(async (t) => {
        const raw = (await t.data()) as TypedArray;
        const data = t.dtype === "bool" && !(raw instanceof Uint8Array) ? Uint8Array.from(raw as ArrayLike<number>) : raw;
        return { data, shape: t.shape, dtype: t.dtype as DType };
      }),
    );
    return prim.js(host, params, outs).map((r, i) => tf.tensor(r as Float32Array | Int32Array | Uint8Array, outs[i].shape as number[], outs[i].dtype as "float32" | "int32" | "bool"));
  });
}

/**
 * Applies the program's equations to tensors. The inputs and constants stay owned by the
 * caller; every other tensor made here is freed unless it is an output. The outputs are fresh
 * tensors the caller owns (an output that is an input or constant is a clone, which shares its
 * storage).
 */
export async function replayTensorsAsync(tf: Tf, program: Program, inputs: readonly TF.Tensor[]): Promise<TF.Tensor[]> {
  const env = new Map<Var, TF.Tensor>();
  const owned = new Set<TF.Tensor>(inputs);
  const programInputs = new Set<Var>([...program.inputs, ...program.consts.map(([v]) => v)]);
  program.inputs.forEach((v, i) => env.set(v, inputs[i]));
  for (const [v, c] of program.consts) {
    const t = c.concrete().tensor();
    env.set(v, t);
    owned.add(t);
  }
  // the index of the last equation reading each variable (outputs are read after the last one)
  const lastUse = new Map<Var, number>();
  program.eqns.forEach((e, i) => e.ins.forEach((v) => lastUse.set(v, i)));
  for (const v of program.outputs) lastUse.set(v, Infinity);
  const refs = new Map<TF.Tensor, number>();
  const bindOut = (v: Var, t: TF.Tensor) => {
    env.set(v, t);
    refs.set(t, (refs.get(t) ?? 0) + 1);
  };
  const release = (v: Var) => {
    const t = env.get(v)!;
    env.delete(v);
    const n = (refs.get(t) ?? 0) - 1;
    if (n > 0) refs.set(t, n);
    else {
      refs.delete(t);
      if (!owned.has(t)) t.dispose();
    }
  };
  try {
    for (let i = 0; i < program.eqns.length; i++) {
      const e = program.eqns[i];
      const ins = e.ins.map((v) => env.get(v)!);
      const avals = e.outs.map((v) => v.aval);
      const kernel = asyncKernels.get(e.prim.name);
      const raw = kernel ? await kernel(tf, ins, e.params, avals) : tf.tidy(() => e.prim.tfjs(tf, ins, e.params, avals));
      const res = raw.map((t, j) => {
        const want = avals[j].dtype as "float32" | "int32" | "bool";
        if (t.dtype === want) return t;
        const c = tf.cast(t, want);
        if (!ins.includes(t) && !owned.has(t)) t.dispose();
        return c;
      });
      res.forEach((t, j) => bindOut(e.outs[j], t));
      // free what this equation read for the last time, and outputs nobody reads
      for (const v of new Set(e.ins)) if (lastUse.get(v) === i && !programInputs.has(v)) release(v);
      for (const v of e.outs) if (!lastUse.has(v)) release(v);
    }
    const taken = new Set<TF.Tensor>();
    return program.outputs.map((v) => {
      const t = env.get(v)!;
      if (owned.has(t) || taken.has(t)) return tf.clone(t);
      taken.add(t);
      return t;
    });
  } catch (err) {
    for (const [v, t] of env) if (refs.has(t)) release(v);
    throw err;
  }
}

/** Runs `program` on tfjs tensors asynchronously; returns arrays that own their output tensors. */
export async function runTfjsAsync(program: Program, args: readonly NDArray[]): Promise<NDArray[]> {
  const tf = tfjs();
  // WebGPU reports invalid work (a buffer over the device's limits, say) on the console and
  // goes on with garbage; an error scope turns it into an error
  const device = tf.getBackend() === "webgpu" ? (tf.backend() as unknown as { device?: GpuErrorScopes }).device : undefined;
  device?.pushErrorScope("validation");
  device?.pushErrorScope("out-of-memory");
  let outs: TF.Tensor[];
  try {
    outs = await replayTensorsAsync(
      tf,
      program,
      args.map((a) => a.concrete().tensor()),
    );
  } finally {
    const errors = device ? [await device.popErrorScope(), await device.popErrorScope()] : [];
    const err = errors.find((e) => e);
    if (err) throw new Error(`WebGPU rejected the program's work: ${err.message.split("\n")[0]}`);
  }
  return outs.map((t, i) => Concrete.fromTensor(t, program.outputs[i].aval.dtype));
}

/** The error scopes of a GPUDevice (WebGPU). */
interface GpuErrorScopes {
  pushErrorScope(filter: "validation" | "out-of-memory"): void;
  popErrorScope(): Promise<{ message: string } | null>;
}
