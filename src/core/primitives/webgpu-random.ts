/**
 * WGSL kernels of the PRNG primitives on tfjs's WebGPU backend (the Threefry-2x32 hash, the
 * xor of its words, bits to floats and to bounded integers), so that keys and random bits stay
 * on the device. They compute bit for bit what the JS kernels compute (uint32 arithmetic,
 * wrapping), so a key gives the same draws on every backend.
 */
import type * as TF from "@tensorflow/tfjs-core";
import type { Tf } from "../backend.js";
import { moveExact } from "./webgpu-exact.js";
import { runWgsl } from "./webgpu-program.js";

/** Whether tfjs's active backend is WebGPU (where these kernels replace host round trips). */
export function onWebGPU(tf: Tf): boolean {
  return tf.getBackend() === "webgpu";
}

const THREEFRY_WGSL = `
fn rotl(x: u32, r: u32) -> u32 { return (x << r) | (x >> (32u - r)); }
fn threefry(k0: u32, k1: u32, c0: u32, c1: u32) -> vec2<u32> {
  let ks2 = 0x1bd11bdau ^ k0 ^ k1;
  var x0 = c0 + k0;
  var x1 = c1 + k1;
  let ks = array<u32, 3>(k0, k1, ks2);
  let rot = array<u32, 8>(13u, 15u, 26u, 6u, 17u, 29u, 16u, 24u);
  for (var g = 0u; g < 5u; g++) {
    for (var r = 0u; r < 4u; r++) {
      x0 = x0 + x1;
      x1 = rotl(x1, rot[(g % 2u) * 4u + r]) ^ x0;
    }
    x0 = x0 + ks[(g + 1u) % 3u];
    x1 = x1 + ks[(g + 2u) % 3u] + g + 1u;
  }
  return vec2<u32>(x0, x1);
}`;

/**
 * Runs an elementwise WGSL body over operands broadcast to `shape`: an operand of one element
 * is read at 0, one of the full size at `index`; others are broadcast on the device first.
 * The body reads `a0, a1, ...` (u32 bit patterns) and sets `result[index]`.
 */
function elementwise(tf: Tf, name: string, ins: readonly TF.Tensor[], shape: readonly number[], dtype: "float32" | "int32", helpers: string, body: string): TF.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tidy(() => {
    // full-size operands are broadcast with float32 positions, which keep their bits
    const flat = ins.map((t) => (t.size === 1 || t.size === n ? tf.reshape(t, [t.size]) : moveExact(tf, [t], [0], ([p]) => tf.reshape(tf.broadcastTo(p, shape as number[]), [n]))));
    const reads = flat.map((t, i) => `let a${i} = bitcast<u32>(${names[i]}[${t.size === 1 ? "0" : "index"}]);`).join("\n    ");
    const key = `${name}_${flat.map((t) => (t.size === 1 ? "s" : "v")).join("")}`;
    return tf.reshape(runWgsl(tf, key, flat, names.slice(0, flat.length), n, dtype, helpers, `${reads}\n    ${body}`), shape as number[]);
  });
}

const names = ["A", "B", "C", "D"];

/** Threefry-2x32 of broadcast (k0, k1, c0, c1) on the device: the two output words. */
export function threefryWebGPU(tf: Tf, ins: readonly TF.Tensor[], shape: readonly number[]): TF.Tensor[] {
  return [0, 1].map((w) => elementwise(tf, `threefry${w}`, ins, shape, "int32", THREEFRY_WGSL, `result[index] = bitcast<i32>(threefry(a0, a1, a2, a3)[${w}]);`));
}

/** Bitwise xor of two int32 operands on the device. */
export function bitsXorWebGPU(tf: Tf, ins: readonly TF.Tensor[], shape: readonly number[]): TF.Tensor {
  return elementwise(tf, "xor", ins, shape, "int32", "", "result[index] = bitcast<i32>(a0 ^ a1);");
}

/** Random bits to float32 uniform in [0, 1) (the top 23 bits times 2^-23) on the device. */
export function bitsToUnitWebGPU(tf: Tf, ins: readonly TF.Tensor[], shape: readonly number[]): TF.Tensor {
  return elementwise(tf, "unit", ins, shape, "float32", "", "result[index] = f32(a0 >> 9u) * 1.1920928955078125e-7;");
}

/** Two random words to an int32 in [minval, maxval) by JAX's randint arithmetic, on the device. */
export function bitsToIntWebGPU(tf: Tf, ins: readonly TF.Tensor[], shape: readonly number[]): TF.Tensor {
  return elementwise(
    tf,
    "randint",
    ins,
    shape,
    "int32",
    "",
    `let mn = bitcast<i32>(a2);
    let mx = bitcast<i32>(a3);
    var span = 1u;
    if (mx > mn) { span = a3 - a2; }
    var mult = 65536u % span;
    mult = (mult * mult) % span;
    let off = (((a0 % span) * mult) + (a1 % span)) % span;
    result[index] = bitcast<i32>(a2 + off);`,
  );
}
