/** The eager interpreter: runs a primitive's kernel on the current backend. */
import { Concrete, type NDArray } from "../array.js";
import { onTfjs, tfjs } from "../backend.js";
import { allocate } from "../dtype.js";
import { sizeOf } from "../shape.js";
import type { Primitive } from "../primitives/primitive.js";
import { installEager } from "./stack.js";

function runEager(prim: Primitive<any>, args: Concrete[], params: unknown): NDArray[] {
  if (prim.eager) return prim.eager(args, params);
  const outs = prim.abstract(args, params);
  if (onTfjs()) {
    const tf = tfjs();
    // an empty output has no values to compute (and tfjs kernels mishandle some empty shapes)
    if (outs.every((o) => sizeOf(o.shape) === 0)) return outs.map((o) => Concrete.fromHost(o.shape, o.dtype, allocate(o.dtype, 0)));
    const ins = args.map((a) => a.tensor());
    const ts = tf.tidy(() =>
      prim.tfjs(tf, ins, params, outs).map((t, i) => {
        const want = outs[i].dtype;
        if (t.dtype !== want) return tf.cast(t, want as "float32" | "int32" | "bool");
        // an output must never share its tensor with an input: each array owns its tensor
        return ins.includes(t) ? t.clone() : t;
      }),
    );
    return ts.map((t, i) => Concrete.fromTensor(t, outs[i].dtype));
  }
  const ins = args.map((a) => ({ data: a.host(), shape: a.shape, dtype: a.dtype }));
  const data = prim.js(ins, params, outs);
  return data.map((d, i) => Concrete.fromHost(outs[i].shape, outs[i].dtype, d));
}

installEager(runEager);
