/**
 * Bit-exact int32 data movement on WebGPU. tfjs's WebGPU kernels move int32 values through
 * float32, which keeps integers below 2^24 but garbles Threefry keys and random bits. So a
 * movement op (slice, concatenate, transpose, gather, select, stacking scan outputs, ...) on
 * int32 operands runs instead on float32 *positions* (exact for fewer than 2^24 elements), and a
 * WGSL kernel then copies the int32 words found at those positions.
 */
import type * as TF from "@tensorflow/tfjs-core";
import type { AVal } from "../array.js";
import type { Tf } from "../backend.js";
import type { Primitive } from "./primitive.js";
import { runWgsl } from "./webgpu-program.js";

const MAX_POSITIONS = 2 ** 24;

/**
 * `op(ins)`, with the operands at `data` moved bit for bit when they are int32 on WebGPU (`op`
 * must only move those operands' elements around, never compute with them). Elsewhere it is
 * `op(ins)` itself.
 */
export function moveExact(tf: Tf, ins: readonly TF.Tensor[], data: readonly number[], op: (ins: TF.Tensor[]) => TF.Tensor): TF.Tensor {
  const ints = data.filter((i) => ins[i].dtype === "int32");
  if (ints.length === 0 || tf.getBackend() !== "webgpu") return op(ins.slice());
  return tf.tidy(() => {
    const replaced = ins.slice();
    const offsets: number[] = [];
    let total = 0;
    for (const i of ints) {
      offsets.push(total);
      replaced[i] = tf.reshape(tf.range(total, total + ins[i].size, 1, "float32"), ins[i].shape);
      total += ins[i].size;
    }
    if (total >= MAX_POSITIONS) throw new Error(`WebGPU: moving ${total} int32 elements at once exceeds the 2^24 that float32 positions address exactly`);
    const pos = op(replaced);
    const words = ints.map((i) => tf.reshape(ins[i], [-1]));
    const names = words.map((_, k) => `W${k}`);
    const pick = names
      .map((w, k) => {
        const read = `result[index] = ${w}[p - ${offsets[k]}];`;
        return k === names.length - 1 ? `{ ${read} }` : `if (p < ${offsets[k + 1]}) { ${read} } else `;
      })
      .join("");
    const out = runWgsl(tf, `move_${offsets.join("_")}`, [...words, tf.reshape(pos, [-1])], [...names, "P"], pos.size, "int32", "", `let p = i32(P[index]);\n    ${pick}`);
    return tf.reshape(out, pos.shape);
  });
}

/**
 * A movement primitive's tfjs kernel made bit-exact for int32 operands at `data` (or all of
 * them) on WebGPU (the kernel must only move those operands' elements).
 */
export function exactMovement<P>(data: readonly number[] | "all", kernel: Primitive<P>["tfjs"]): Primitive<P>["tfjs"] {
  return (tf: Tf, ins: TF.Tensor[], params: P, outs: AVal[]) => {
    if (outs[0].dtype !== "int32" || tf.getBackend() !== "webgpu") return kernel(tf, ins, params, outs);
    const asFloat = outs.map((o) => ({ ...o, dtype: "float32" as const }));
    return [moveExact(tf, ins, data === "all" ? ins.map((_, i) => i) : data, (xs) => kernel(tf, xs, params, asFloat)[0])];
  };
}
