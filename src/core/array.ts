/**
 * tyche's Array: an immutable n-dimensional array with a shape and a dtype. Concrete arrays
 * hold host typed arrays (`js` backend) or tfjs tensors (tfjs backends); tracers (under grad,
 * vmap, jit) are Arrays too, so model code never needs to know which it holds.
 */
import type * as TF from "@tensorflow/tfjs-core";
import { allocate, coerce, defaultFloat, type DType, type TypedArray } from "./dtype.js";
import { fmt, sizeOf, stridesOf, type Shape } from "./shape.js";
import { getBackend, readTensorSync, tfjs, tfjsIfLoaded, withBackend } from "./backend.js";

/** Nested number arrays, as produced by {@link NDArray.toArray}. */
export type Nested = number | Nested[];

/** Nested lists of numbers or booleans, as accepted by {@link asArray}. */
export type NestedInput = number | boolean | readonly NestedInput[];

/** Anything an op accepts as an array. */
export type ArrayLike = NDArray | NestedInput | TypedArray | TF.Tensor;

/** The abstract value of an array: its shape and dtype. */
export interface AVal {
  readonly shape: Shape;
  readonly dtype: DType;
}

/** tyche's array type (exported to users as `Array`). */
export abstract class NDArray implements AVal {
  abstract readonly shape: Shape;
  abstract readonly dtype: DType;

  /** Number of axes. */
  get ndim(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** The concrete value behind this array; throws for values that are abstract (under jit). */
  abstract concrete(): Concrete;

  /** Whether the value can be read now (false inside jit and vmap, where it is abstract). */
  get isConcrete(): boolean {
    return true;
  }

  /** The elements as a typed array (row-major), read synchronously. */
  dataSync(): TypedArray {
    return this.concrete().host();
  }

  /** The elements as a typed array, read asynchronously (the only read WebGPU allows). */
  async data(): Promise<TypedArray> {
    return this.concrete().hostAsync();
  }

  /** The elements as nested number arrays (a number for a scalar). */
  toArray(): Nested {
    return nest(this.dataSync(), this.shape, this.dtype);
  }

  /** The single element of a size-1 array. */
  item(): number {
    if (this.size !== 1) throw new Error(`item(): the array has shape ${fmt(this.shape)}, not a single element`);
    const v = this.dataSync()[0];
    return this.dtype === "bool" ? Number(v !== 0) : v;
  }

  /** A tfjs tensor with the same values (loads tfjs's module if needed: call setBackend first). */
  toTensor(): TF.Tensor {
    return this.concrete().tensor().clone();
  }

  toString(): string {
    return `Array(${fmt(this.shape)}, ${this.dtype})`;
  }
}

const registry =
  typeof FinalizationRegistry !== "undefined"
    ? new FinalizationRegistry<TF.Tensor>((t) => {
        if (!t.isDisposed) t.dispose();
      })
    : null;

/** A concrete array: values held on the host, in a tfjs tensor, or both (a cached copy). */
export class Concrete extends NDArray {
  readonly shape: Shape;
  readonly dtype: DType;
  private hostData: TypedArray | null;
  private tensorData: TF.Tensor | null;

  constructor(shape: Shape, dtype: DType, host: TypedArray | null, tensor: TF.Tensor | null) {
    super();
    this.shape = shape;
    this.dtype = dtype;
    this.hostData = host;
    this.tensorData = null;
    if (tensor) this.attachTensor(tensor);
  }

  /** Wraps host storage (taken, not copied). */
  static fromHost(shape: Shape, dtype: DType, data: TypedArray): Concrete {
    if (data.length !== sizeOf(shape)) throw new Error(`internal: ${data.length} values for shape ${fmt(shape)}`);
    return new Concrete(shape, dtype, data, null);
  }

  /** Wraps a tfjs tensor, which the array now owns and frees when it is collected. */
  static fromTensor(t: TF.Tensor, dtype?: DType): Concrete {
    const d = dtype ?? tensorDType(t);
    return new Concrete(t.shape.slice(), d, null, t);
  }

  override concrete(): Concrete {
    return this;
  }

  private attachTensor(t: TF.Tensor) {
    // one registration per array: a re-upload replaces the registration of the tensor it replaces
    if (this.tensorData) registry?.unregister(this);
    this.tensorData = t;
    registry?.register(this, t, this);
  }

  /** Host values (reads a tensor back once and caches it). */
  host(): TypedArray {
    if (!this.hostData) {
      const t = this.tensorData!;
      const v = readTensorSync(t, `reading an array of shape ${fmt(this.shape)}`) as TypedArray;
      this.hostData = toStorage(this.dtype, v);
    }
    return this.hostData;
  }

  /** Host values, read asynchronously. */
  async hostAsync(): Promise<TypedArray> {
    if (!this.hostData) {
      const v = (await this.tensorData!.data()) as TypedArray;
      this.hostData = toStorage(this.dtype, v);
    }
    return this.hostData;
  }

  /** The values as a tfjs tensor of the loaded tfjs backend (uploads host values once). */
  tensor(): TF.Tensor {
    if (!this.tensorData || this.tensorData.isDisposed) {
      if (this.dtype === "float64") throw new Error("float64 arrays are not supported by tfjs backends (they are float32 only); use the js backend for x64");
      const tf = tfjs();
      const h = this.hostData!;
      const t =
        this.dtype === "bool" ? tf.tensor(h, this.shape as number[], "bool") : tf.tensor(h as Float32Array | Int32Array, this.shape as number[], this.dtype as "float32" | "int32");
      // the array owns its tensor: an enclosing tf.tidy (a compiled program's replay uploading a
      // constant or an input) must not free it, or every call would upload it again
      this.attachTensor(tf.keep(t));
    }
    return this.tensorData!;
  }

  /** Whether a tensor copy exists (used to avoid needless uploads). */
  hasTensor(): boolean {
    return this.tensorData !== null && !this.tensorData.isDisposed;
  }

  /** Whether host values exist. */
  hasHost(): boolean {
    return this.hostData !== null;
  }
}

/**
 * Runs `check`, which reads `values` synchronously (a validation): as is on most backends; on
 * WebGPU on the host (`js` backend), and not at all (undefined) when a value lives only on the
 * device, where, like a traced value, it cannot be read synchronously.
 */
export function checkReadable<T>(values: readonly NDArray[], check: () => T): T | undefined {
  if (getBackend() !== "webgpu") return check();
  if (!values.every((v) => v.isConcrete && v.concrete().hasHost())) return undefined;
  return withBackend("js", check);
}

/**
 * A copy of `x` held on the host, read asynchronously: how values leave WebGPU (and a cheap
 * no-op copy of arrays already on the host). Ops on it under the `js` backend never touch tfjs.
 */
export async function toHost(x: NDArray): Promise<NDArray> {
  const c = x.concrete();
  return c.hasHost() && !c.hasTensor() ? c : Concrete.fromHost(c.shape, c.dtype, await c.hostAsync());
}

function tensorDType(t: TF.Tensor): DType {
  if (t.dtype === "float32" || t.dtype === "int32" || t.dtype === "bool") return t.dtype;
  throw new Error(`tyche arrays cannot hold tfjs dtype '${t.dtype}'`);
}

function toStorage(d: DType, v: TypedArray): TypedArray {
  if (d === "bool" && !(v instanceof Uint8Array)) return Uint8Array.from(v as unknown as number[]);
  return v;
}

function nest(data: TypedArray, shape: Shape, dtype: DType): Nested {
  const isBool = dtype === "bool";
  if (shape.length === 0) return isBool ? Number(data[0] !== 0) : data[0];
  const st = stridesOf(shape);
  const rec = (axis: number, off: number): Nested => {
    const out: Nested[] = [];
    for (let i = 0; i < shape[axis]; i++) {
      const o = off + i * st[axis];
      out.push(axis === shape.length - 1 ? (isBool ? Number(data[o] !== 0) : data[o]) : rec(axis + 1, o));
    }
    return out;
  };
  return rec(0, 0);
}

function isTensor(x: unknown): x is TF.Tensor {
  const tf = tfjsIfLoaded();
  if (tf && x instanceof tf.Tensor) return true;
  return typeof x === "object" && x !== null && "dataSync" in x && "dataId" in x && "shape" in x;
}

function isTyped(x: unknown): x is TypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

function dtypeOfTyped(x: TypedArray): DType {
  if (x instanceof Float64Array) return "float64";
  if (x instanceof Int32Array) return "int32";
  if (x instanceof Uint8Array) return "bool";
  return "float32";
}

/** Reads nested arrays into a flat list and a shape; throws on ragged input. */
function flattenNested(x: unknown): { values: number[]; shape: number[]; allBool: boolean } {
  const shape: number[] = [];
  let probe: unknown = x;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values: number[] = [];
  let allBool = true;
  const rec = (v: unknown, axis: number) => {
    if (axis === shape.length) {
      if (typeof v === "boolean") values.push(v ? 1 : 0);
      else if (typeof v === "number") {
        allBool = false;
        values.push(v);
      } else if (v instanceof NDArray && !(v instanceof Concrete)) {
        throw new Error("array: a nested list holds traced values (under grad/vmap/jit); build it with np.array or np.stack so that they stay traced");
      } else if (v instanceof NDArray && v.size === 1) {
        allBool = false;
        values.push(v.item());
      } else throw new Error(`array: expected a number at depth ${axis}, got ${Array.isArray(v) ? "a nested array (ragged input)" : typeof v}`);
      return;
    }
    if (!Array.isArray(v) || v.length !== shape[axis]) throw new Error(`array: ragged nested array (axis ${axis} should have length ${shape[axis]})`);
    for (const e of v) rec(e, axis + 1);
  };
  rec(x, 0);
  if (values.length === 0) allBool = false;
  return { values, shape, allBool };
}

/**
 * Converts anything array-like to a tyche array. Numbers and nested number arrays become the
 * default float dtype unless `dtype` says otherwise; typed arrays keep their own dtype;
 * booleans become bool. Arrays (and tracers) pass through unchanged when no dtype is asked for.
 */
export function asArray(x: ArrayLike, dtype?: DType): NDArray {
  if (x instanceof NDArray) {
    if (dtype && dtype !== x.dtype) throw new Error(`asArray: got a ${x.dtype} array where ${dtype} was required (use np.astype)`);
    return x;
  }
  if (typeof x === "number") {
    const d = dtype ?? defaultFloat();
    const s = allocate(d, 1);
    s[0] = coerce(d, x);
    return Concrete.fromHost([], d, s);
  }
  if (typeof x === "boolean") {
    const d = dtype ?? "bool";
    const s = allocate(d, 1);
    s[0] = x ? 1 : 0;
    return Concrete.fromHost([], d, s);
  }
  if (isTyped(x)) {
    const d = dtype ?? dtypeOfTyped(x);
    const s = allocate(d, x.length);
    for (let i = 0; i < x.length; i++) s[i] = coerce(d, x[i]);
    return Concrete.fromHost([x.length], d, s);
  }
  if (Array.isArray(x)) {
    const { values, shape, allBool } = flattenNested(x);
    const d = dtype ?? (allBool ? "bool" : defaultFloat());
    const s = allocate(d, values.length);
    for (let i = 0; i < values.length; i++) s[i] = coerce(d, values[i]);
    return Concrete.fromHost(shape, d, s);
  }
  if (isTensor(x)) {
    const c = Concrete.fromTensor(x.clone());
    if (dtype && dtype !== c.dtype) throw new Error(`asArray: got a ${c.dtype} tensor where ${dtype} was required`);
    return c;
  }
  throw new Error(`asArray: cannot convert ${typeof x} to an array`);
}
