/** Loops shared by the JS kernels: elementwise maps with NumPy broadcasting. */
import { allocate, type DType, type TypedArray } from "../dtype.js";
import { broadcastStrides, sameShape, sizeOf, type Shape } from "../shape.js";
import type { HostIn } from "./primitive.js";

/** Reads `x` (of shape `from`) broadcast to `to` into a new contiguous array of dtype `d`. */
export function broadcastCopy(x: TypedArray, from: Shape, to: Shape, d: DType): TypedArray {
  const n = sizeOf(to);
  const out = allocate(d, n);
  if (sameShape(from, to)) {
    out.set(x);
    return out;
  }
  if (x.length === 1) {
    out.fill(x[0]);
    return out;
  }
  const st = broadcastStrides(from, to);
  const nd = to.length;
  const idx = new Array<number>(nd).fill(0);
  let off = 0;
  for (let i = 0; i < n; i++) {
    out[i] = x[off];
    for (let ax = nd - 1; ax >= 0; ax--) {
      idx[ax]++;
      off += st[ax];
      if (idx[ax] < to[ax]) break;
      off -= st[ax] * to[ax];
      idx[ax] = 0;
    }
  }
  return out;
}

/** Applies `f` elementwise over any number of broadcast operands into a new array of dtype `d`. */
export function mapN(ins: readonly HostIn[], outShape: Shape, d: DType, f: (...v: number[]) => number): TypedArray {
  const n = sizeOf(outShape);
  const out = allocate(d, n);
  if (ins.length === 1) {
    const a = ins[0].data;
    if (a.length === n) for (let i = 0; i < n; i++) out[i] = f(a[i]);
    else {
      const b = broadcastCopy(a, ins[0].shape, outShape, ins[0].dtype);
      for (let i = 0; i < n; i++) out[i] = f(b[i]);
    }
    return out;
  }
  if (ins.length === 2) {
    const [A, B] = ins;
    const a = A.data;
    const b = B.data;
    if (a.length === n && b.length === n) for (let i = 0; i < n; i++) out[i] = f(a[i], b[i]);
    else if (a.length === n && b.length === 1) {
      const s = b[0];
      for (let i = 0; i < n; i++) out[i] = f(a[i], s);
    } else if (a.length === 1 && b.length === n) {
      const s = a[0];
      for (let i = 0; i < n; i++) out[i] = f(s, b[i]);
    } else {
      const aa = broadcastCopy(a, A.shape, outShape, A.dtype);
      const bb = broadcastCopy(b, B.shape, outShape, B.dtype);
      for (let i = 0; i < n; i++) out[i] = f(aa[i], bb[i]);
    }
    return out;
  }
  const full = ins.map((x) => (x.data.length === n ? x.data : broadcastCopy(x.data, x.shape, outShape, x.dtype)));
  const v = new Array<number>(ins.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < full.length; k++) v[k] = full[k][i];
    out[i] = f(...v);
  }
  return out;
}
