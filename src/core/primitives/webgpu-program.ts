/**
 * Custom WGSL kernels on tfjs's WebGPU backend: an elementwise body over flat operands, run
 * through the backend's own program runner (its buffers, pipeline cache and command stream).
 */
import type * as TF from "@tensorflow/tfjs-core";
import type { Tf } from "../backend.js";

/** What tfjs's WebGPU backend needs of a program (its `WebGPUProgram` interface). */
interface WgslProgram {
  readonly variableNames: string[];
  readonly outputShape: number[];
  readonly shaderKey: string;
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly workgroupSize: [number, number, number];
  readonly size: boolean;
  getUserCode(): string;
}

interface WebGPUBackendLike {
  runWebGPUProgram(program: WgslProgram, inputs: TF.TensorInfo[], dtype: "float32" | "int32"): TF.TensorInfo;
}

const WORKGROUP = 256;
const MAX_GROUPS = 65535;

/**
 * Runs `body` once per output element `index` (0 <= index < n) over the flat tensors `ins`,
 * declared to the shader as storage arrays named `names` (i32 for int32 and bool, f32 for
 * float32); the body sets `result[index]`. `key` names the shader in tfjs's pipeline cache:
 * it must determine `helpers` and `body`.
 */
export function runWgsl(tf: Tf, key: string, ins: readonly TF.Tensor[], names: readonly string[], n: number, dtype: "float32" | "int32", helpers: string, body: string): TF.Tensor {
  if (n === 0) return tf.zeros([0], dtype);
  const groups = Math.ceil(n / WORKGROUP);
  const x = Math.min(groups, MAX_GROUPS);
  const program: WgslProgram = {
    variableNames: names.slice(),
    outputShape: [n],
    shaderKey: `tyche_${key}`,
    dispatchLayout: { x: [0] },
    dispatch: [x, Math.ceil(groups / x), 1],
    workgroupSize: [WORKGROUP, 1, 1],
    size: true,
    getUserCode: () => `${helpers}
fn main(index: i32) {
  if (index < uniforms.size) {
    ${body}
  }
}`,
  };
  const backend = tf.backend() as unknown as WebGPUBackendLike;
  return tf.engine().makeTensorFromTensorInfo(backend.runWebGPUProgram(program, ins.slice(), dtype));
}
