/**
 * tyche/core: the functional array core. Arrays and the `np` namespace, grad and friends,
 * pytrees, backends. (No knowledge of probability lives here.)
 *
 * @packageDocumentation
 */
import "./interpreters/eager.js";

export { NDArray as Array, asArray, checkReadable, toHost, type ArrayLike, type Nested, type AVal } from "./array.js";
export { enableX64, isX64, defaultFloat, type DType, type TypedArray } from "./dtype.js";
export { setBackend, getBackend, withBackend, type BackendName } from "./backend.js";
export * as np from "./numpy.js";
export * as tree from "./tree.js";
export type { PyTree, TreeDef } from "./tree.js";
export { ravel } from "./tree.js";
export {
  grad,
  valueAndGrad,
  vjp,
  jvp,
  jacobian,
  hessian,
  stopGradient,
  customVjp,
  checkGrads,
  vmap,
  jit,
  makeProgram,
  type GradOptions,
  type CheckGradsOptions,
  type VmapOptions,
  type AxisSpec,
  type JitOptions,
  type Jitted,
} from "./transforms.js";
export type { Compiled, LeafLayout } from "./compile/jit.js";
export { whileLoop, forLoop, scan, cond, switchCase, type ScanOptions } from "./control.js";
export type { Program } from "./ir.js";
export * as special from "./special.js";
export * as linalg from "./linalg.js";
export * as random from "./random.js";
