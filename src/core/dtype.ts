/** Element types an `Array` can hold. */
export type DType = "float32" | "float64" | "int32" | "bool";

/** Typed array storage for each dtype. */
export type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

let x64 = false;

/** Makes float64 the default float dtype on the `js` backend (like `jax_enable_x64`). */
export function enableX64(on = true): void {
  x64 = on;
}

/** Whether {@link enableX64} is in force. */
export function isX64(): boolean {
  return x64;
}

/** The default floating dtype: float32, or float64 under {@link enableX64}. */
export function defaultFloat(): DType {
  return x64 ? "float64" : "float32";
}

/** True for float32 and float64. */
export function isFloat(d: DType): boolean {
  return d === "float32" || d === "float64";
}

const rank: Record<DType, number> = { bool: 0, int32: 1, float32: 2, float64: 3 };

/** The dtype two operands promote to (bool < int32 < float32 < float64). */
export function promote(a: DType, b: DType): DType {
  return rank[a] >= rank[b] ? a : b;
}

/** Allocates zeroed storage for `n` elements of dtype `d`. */
export function allocate(d: DType, n: number): TypedArray {
  switch (d) {
    case "float32":
      return new Float32Array(n);
    case "float64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    case "bool":
      return new Uint8Array(n);
  }
}

/** Rounds a JS number to what dtype `d` stores (used for scalars and casts). */
export function coerce(d: DType, v: number): number {
  switch (d) {
    case "float32":
      return Math.fround(v);
    case "float64":
      return v;
    case "int32":
      return v | 0;
    case "bool":
      return v !== 0 ? 1 : 0; // NaN is true, as in NumPy and as cast does
  }
}
