/** Shape arithmetic shared by kernels, shape rules and interpreters. */

/** A shape: one non-negative length per axis. */
export type Shape = readonly number[];

/** Number of elements of a shape. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape (in elements). */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** True when two shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Formats a shape as `[2,3]` for error messages. */
export function fmt(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

/** NumPy broadcasting of several shapes; throws naming `op` and the shapes when they do not broadcast. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    const off = nd - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i];
      const o = out[off + i];
      if (d === o || d === 1) continue;
      if (o === 1) out[off + i] = d;
      else throw new Error(`${op}: shapes ${shapes.map(fmt).join(" and ")} do not broadcast (axis ${off + i}: ${o} vs ${d})`);
    }
  }
  return out;
}

/** Normalizes a possibly negative axis against `ndim`, with an error naming `op`. */
export function normAxis(op: string, axis: number, ndim: number): number {
  const a = axis < 0 ? axis + ndim : axis;
  if (!Number.isInteger(a) || a < 0 || a >= ndim) throw new Error(`${op}: axis ${axis} is out of range for an array of rank ${ndim}`);
  return a;
}

/** Normalizes an axis argument (one axis, several, or all when undefined/null) to a sorted list. */
export function normAxes(op: string, axis: number | readonly number[] | null | undefined, ndim: number): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === "number" ? [axis] : [...axis];
  const out = list.map((a) => normAxis(op, a, ndim));
  if (new Set(out).size !== out.length) throw new Error(`${op}: repeated axis in ${JSON.stringify(axis)}`);
  return out.sort((x, y) => x - y);
}

/**
 * Strides to read an array of shape `from` as if broadcast to `to` (0 on broadcast axes).
 * `from` must broadcast to `to`.
 */
export function broadcastStrides(from: Shape, to: Shape): number[] {
  const st = stridesOf(from);
  const off = to.length - from.length;
  const out = new Array<number>(to.length).fill(0);
  for (let i = 0; i < from.length; i++) out[off + i] = from[i] === 1 && to[off + i] !== 1 ? 0 : st[i];
  return out;
}
