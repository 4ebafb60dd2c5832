/**
 * The `tfjs` back end of jit: replays a program through tfjs kernels (tfjs-cpu, wasm,
 * webgpu) inside one tf.tidy, so every intermediate tensor is freed when the call returns.
 */
import type * as TF from "@tensorflow/tfjs-core";
import { Concrete, type NDArray } from "../array.js";
import { tfjs, type Tf } from "../backend.js";
import type { Program, Var } from "../ir.js";

/** Runs `program` on tfjs tensors; returns arrays that own their output tensors. */
export function runTfjs(program: Program, args: readonly NDArray[]): NDArray[] {
  const tf = tfjs();
  const outs = tf.tidy(() =>
    // outputs are fresh tensors: never one of the inputs or constants, which their arrays own
    replayTensors(
      tf,
      program,
      args.map((a) => a.concrete().tensor()),
    ).map((t) => tf.clone(t)),
  );
  return outs.map((t, i) => Concrete.fromTensor(t, program.outputs[i].aval.dtype));
}

/**
 * Applies the program's equations to tensors (call inside a tidy). Outputs may be input or
 * constant tensors themselves.
 */
export function replayTensors(tf: Tf, program: Program, inputs: readonly TF.Tensor[]): TF.Tensor[] {
  const env = new Map<Var, TF.Tensor>();
  program.inputs.forEach((v, i) => env.set(v, inputs[i]));
  for (const [v, c] of program.consts) env.set(v, c.concrete().tensor());
  for (const e of program.eqns) {
    const ins = e.ins.map((v) => env.get(v)!);
    const avals = e.outs.map((v) => v.aval);
    const res = e.prim.tfjs(tf, ins, e.params, avals);
    res.forEach((t, j) => {
      const want = avals[j].dtype as "float32" | "int32" | "bool";
      env.set(e.outs[j], t.dtype === want ? t : tf.cast(t, want));
    });
  }
  return program.outputs.map((v) => env.get(v)!);
}
