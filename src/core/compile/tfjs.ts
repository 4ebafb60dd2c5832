/**
 * The `tfjs` back end of jit: replays a program through tfjs kernels (tfjs-cpu, wasm,
 * webgpu) inside one tf.tidy, so every intermediate tensor is freed when the call returns.
 */
import type * as TF from "@tensorflow/tfjs-core";
import { Concrete, type NDArray } from "../array.js";
import { tfjs } from "../backend.js";
import type { Program, Var } from "../ir.js";

/** Runs `program` on tfjs tensors; returns arrays that own their output tensors. */
export function runTfjs(program: Program, args: readonly NDArray[]): NDArray[] {
  const tf = tfjs();
  const outs = tf.tidy(() => {
    const env = new Map<Var, TF.Tensor>();
    program.inputs.forEach((v, i) => env.set(v, args[i].concrete().tensor()));
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
    // outputs are fresh tensors: never one of the inputs or constants, which their arrays own
    return program.outputs.map((v) => tf.clone(env.get(v)!));
  });
  return outs.map((t, i) => Concrete.fromTensor(t, program.outputs[i].aval.dtype));
}
