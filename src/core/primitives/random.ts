/**
 * Random primitives: the Threefry-2x32 hash (counter-based, JAX / Random123), the conversion
 * of random bits to floats and bounded integers, and the rejection samplers (gamma, Poisson,
 * binomial) whose kernels draw from one key per element.
 *
 * Keys and random bits are int32 arrays holding uint32 bit patterns. The hash is a pure
 * function of (key, counter), so every kernel here is deterministic: the same key gives the
 * same values on every backend and every run.
 *
 * On WebGPU the hash and the bit conversions run as WGSL kernels (bit for bit the JS ones), so
 * keys and bits stay on the device. Elsewhere on tfjs, and for the rejection samplers, the tfjs
 * kernels read their inputs on the host, run the JS kernel and upload the result (a host round
 * trip, asynchronous in an asynchronous replay).
 */
import type * as TF from "@tensorflow/tfjs-core";
import type { AVal, NDArray } from "../array.js";
import { readTensorSync, type Tf } from "../backend.js";
import { allocate, isFloat, type DType, type TypedArray } from "../dtype.js";
import { bind, bind1 } from "../interpreters/stack.js";
import { broadcastShapes, fmt, sameShape, sizeOf, type Shape } from "../shape.js";
import { batchElementwise, moveToFront } from "./batching.js";
import { mul } from "./elementwise.js";
import { broadcastTo } from "./layout.js";
import { mapN } from "./kernels.js";
import { definePrimitive, type HostIn, type Primitive } from "./primitive.js";
import { bitsToIntWebGPU, bitsToUnitWebGPU, bitsXorWebGPU, onWebGPU, threefryWebGPU } from "./webgpu-random.js";
import { registerHostKernelAsync } from "../compile/tfjs-async.js";
import { digammaScalar, igammaNormalized, lgammaScalar } from "./special-kernels.js";

// ---- the Threefry-2x32 hash (20 rounds) ------------------------------------------------------

let out0 = 0;
let out1 = 0;

/**
 * Threefry-2x32 with 20 rounds on one block: key (k0, k1), counter (c0, c1), all uint32 bit
 * patterns (any JS numbers; only the low 32 bits count). The result is left in `out0`/`out1`
 * (int32 bit patterns) to avoid allocating: read it with {@link threefryPair}.
 */
function threefryBlock(k0: number, k1: number, c0: number, c1: number): void {
  const ks0 = k0 | 0;
  const ks1 = k1 | 0;
  const ks2 = 0x1bd11bda ^ ks0 ^ ks1;
  let x0 = (c0 + ks0) | 0;
  let x1 = (c1 + ks1) | 0;
  // rounds 1-4: rotations 13, 15, 26, 6
  x0 = (x0 + x1) | 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
  x0 = (x0 + ks1) | 0; x1 = (x1 + ks2 + 1) | 0;
  // rounds 5-8: rotations 17, 29, 16, 24
  x0 = (x0 + x1) | 0; x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0;
  x0 = (x0 + ks2) | 0; x1 = (x1 + ks0 + 2) | 0;
  // rounds 9-12
  x0 = (x0 + x1) | 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
  x0 = (x0 + ks0) | 0; x1 = (x1 + ks1 + 3) | 0;
  // rounds 13-16
  x0 = (x0 + x1) | 0; x1 = ((x1 << 17) | (x1 >>> 15)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 29) | (x1 >>> 3)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 16) | (x1 >>> 16)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 24) | (x1 >>> 8)) ^ x0;
  x0 = (x0 + ks1) | 0; x1 = (x1 + ks2 + 4) | 0;
  // rounds 17-20
  x0 = (x0 + x1) | 0; x1 = ((x1 << 13) | (x1 >>> 19)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 15) | (x1 >>> 17)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 26) | (x1 >>> 6)) ^ x0;
  x0 = (x0 + x1) | 0; x1 = ((x1 << 6) | (x1 >>> 26)) ^ x0;
  x0 = (x0 + ks2) | 0; x1 = (x1 + ks0 + 5) | 0;
  out0 = x0;
  out1 = x1;
}

/** Threefry-2x32 (20 rounds) of one block: returns the two output words as uint32 numbers. */
export function threefryPair(k0: number, k1: number, c0: number, c1: number): [number, number] {
  threefryBlock(k0, k1, c0, c1);
  return [out0 >>> 0, out1 >>> 0];
}

// ---- shared kernel plumbing ------------------------------------------------------------------

/** Reads tfjs tensors on the host as kernel operands. */
function hostOf(xs: TF.Tensor[], avals: readonly AVal[]): HostIn[] {
  return xs.map((t, i) => {
    const d = avals[i].dtype;
    const raw = readTensorSync(t, "a random kernel's operand") as TypedArray;
    const data = d === "bool" && !(raw instanceof Uint8Array) ? Uint8Array.from(raw as unknown as number[]) : raw;
    return { data, shape: t.shape, dtype: d };
  });
}

function tfDType(d: DType): "float32" | "int32" | "bool" {
  if (d === "float64") throw new Error("float64 arrays are not supported by tfjs backends (they are float32 only); use the js backend for x64");
  return d;
}

/** A tfjs kernel that runs the JS kernel on host copies of the inputs (a host round trip). */
function viaHost<P>(js: Primitive<P>["js"]): Primitive<P>["tfjs"] {
  return (tf: Tf, ins: TF.Tensor[], params: P, outs: AVal[]) => {
    const host = hostOf(
      ins,
      ins.map((t) => ({ shape: t.shape, dtype: t.dtype as DType })),
    );
    const res = js(host, params, outs);
    return res.map((r, i) => tf.tensor(r as Float32Array | Int32Array | Uint8Array, outs[i].shape as number[], tfDType(outs[i].dtype)));
  };
}

function requireInt(name: string, xs: readonly AVal[]) {
  for (const x of xs) if (x.dtype !== "int32") throw new Error(`${name}: expects int32 bit patterns, got ${x.dtype}`);
}

/** Reads operand `x` broadcast to `n` elements of `shape` (no copy when it already has them). */
function full(x: HostIn, shape: Shape): TypedArray {
  if (sameShape(x.shape, shape)) return x.data;
  return mapN([x], shape, x.dtype, (v) => v);
}

// ---- threefry2x32 ----------------------------------------------------------------------------

/**
 * `threefry2x32(k0, k1, x0, x1) -> [y0, y1]`: the Threefry-2x32 hash elementwise over four
 * broadcast int32 operands (key words and counter words, uint32 bit patterns).
 */
export const threefry2x32Prim: Primitive<null> = definePrimitive<null>({
  name: "threefry2x32",
  abstract: (ins) => {
    if (ins.length !== 4) throw new Error(`threefry2x32: expects 4 operands (k0, k1, x0, x1), got ${ins.length}`);
    requireInt("threefry2x32", ins);
    const shape = broadcastShapes("threefry2x32", ...ins.map((x) => x.shape));
    return [
      { shape, dtype: "int32" },
      { shape, dtype: "int32" },
    ];
  },
  js: (ins, _p, [o]) => {
    const n = sizeOf(o.shape);
    const [k0, k1, x0, x1] = ins.map((x) => full(x, o.shape));
    const y0 = new Int32Array(n);
    const y1 = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      threefryBlock(k0[i], k1[i], x0[i], x1[i]);
      y0[i] = out0;
      y1[i] = out1;
    }
    return [y0, y1];
  },
  tfjs: (tf, ins, p, outs) => (onWebGPU(tf) ? threefryWebGPU(tf, ins, outs[0].shape) : viaHost(threefry2x32Prim.js)(tf, ins, p, outs)),
  vjp: () => [null, null, null, null],
});
threefry2x32Prim.batch = batchElementwise(threefry2x32Prim);

/** Applies the Threefry-2x32 hash elementwise (operands broadcast): [y0, y1]. */
export function threefry2x32(k0: NDArray, k1: NDArray, x0: NDArray, x1: NDArray): [NDArray, NDArray] {
  const [y0, y1] = bind(threefry2x32Prim, [k0, k1, x0, x1], null);
  return [y0, y1];
}

/** Bitwise xor of two int32 arrays (broadcasting): combines the two hash words into 32 random bits. */
export const bitsXorPrim: Primitive<null> = definePrimitive<null>({
  name: "bitsXor",
  abstract: ([a, b]) => {
    requireInt("bitsXor", [a, b]);
    return [{ shape: broadcastShapes("bitsXor", a.shape, b.shape), dtype: "int32" }];
  },
  js: (ins, _p, [o]) => [mapN(ins, o.shape, "int32", (a, b) => a ^ b)],
  tfjs: (tf, ins, p, outs) => (onWebGPU(tf) ? [bitsXorWebGPU(tf, ins, outs[0].shape)] : viaHost(bitsXorPrim.js)(tf, ins, p, outs)),
  vjp: () => [null, null],
});
bitsXorPrim.batch = batchElementwise(bitsXorPrim);

// ---- bits to floats and integers -------------------------------------------------------------

/**
 * Random bits to floats uniform in [0, 1), as JAX does: float32 from one word (its top 23
 * bits as the mantissa: `bitcast(bits >>> 9 | 0x3f800000) - 1`); float64 from two words
 * (hi, lo: the top 52 of the 64 bits as the mantissa).
 */
export const bitsToUnitPrim: Primitive<{ dtype: DType }> = definePrimitive<{ dtype: DType }>({
  name: "bitsToUnit",
  abstract: (ins, { dtype }) => {
    if (dtype !== "float32" && dtype !== "float64") throw new Error(`bitsToUnit: dtype must be float32 or float64, got ${dtype}`);
    const want = dtype === "float64" ? 2 : 1;
    if (ins.length !== want) throw new Error(`bitsToUnit: ${dtype} needs ${want} word operand(s), got ${ins.length}`);
    requireInt("bitsToUnit", ins);
    return [{ shape: broadcastShapes("bitsToUnit", ...ins.map((x) => x.shape)), dtype }];
  },
  js: (ins, { dtype }, [o]) => {
    if (dtype === "float32") return [mapN(ins, o.shape, "float32", (b) => (b >>> 9) * 1.1920928955078125e-7)];
    return [mapN(ins, o.shape, "float64", (hi, lo) => ((hi >>> 0) * 1048576 + (lo >>> 12)) * 2.220446049250313e-16)];
  },
  tfjs: (tf, ins, p, outs) => (onWebGPU(tf) && p.dtype === "float32" ? [bitsToUnitWebGPU(tf, ins, outs[0].shape)] : viaHost(bitsToUnitPrim.js)(tf, ins, p, outs)),
  vjp: (_c, ins) => ins.map(() => null),
});
bitsToUnitPrim.batch = batchElementwise(bitsToUnitPrim);

/**
 * `bitsToInt(hi, lo, minval, maxval)`: two random words to an int32 in [minval, maxval), by
 * JAX's randint arithmetic (uint32, wrapping): `((hi % span) * (2^32 % span) + lo % span) % span`.
 * When maxval <= minval the result is minval.
 */
export const bitsToIntPrim: Primitive<null> = definePrimitive<null>({
  name: "bitsToInt",
  abstract: (ins) => {
    requireInt("bitsToInt", ins);
    return [{ shape: broadcastShapes("bitsToInt", ...ins.map((x) => x.shape)), dtype: "int32" }];
  },
  js: (ins, _p, [o]) => [
    mapN(ins, o.shape, "int32", (hi, lo, mn, mx) => {
      const span = mx <= mn ? 1 : (mx - mn) >>> 0;
      // uint32 arithmetic throughout, as JAX (2^16 squared wraps to 0 for spans above 2^16)
      let mult = 65536 % span;
      mult = (Math.imul(mult, mult) >>> 0) % span;
      const a = Math.imul((hi >>> 0) % span, mult) >>> 0;
      const off = ((a + ((lo >>> 0) % span)) >>> 0) % span;
      return (mn + off) | 0;
    }),
  ],
  tfjs: (tf, ins, p, outs) => (onWebGPU(tf) ? [bitsToIntWebGPU(tf, ins, outs[0].shape)] : viaHost(bitsToIntPrim.js)(tf, ins, p, outs)),
  vjp: () => [null, null, null, null],
});
bitsToIntPrim.batch = batchElementwise(bitsToIntPrim);

// ---- per-element streams for the rejection samplers ------------------------------------------

const TWO_POW_M53 = 1.1102230246251565e-16;

/**
 * A deterministic stream of random numbers from one key: block j is Threefry(key, (0, j)),
 * read word by word. Doubles use 53 random bits.
 */
class KeyStream {
  private ctr = 0;
  private spare = 0;
  private hasSpare = false;
  private cachedNormal = 0;
  private hasNormal = false;
  constructor(
    private readonly k0: number,
    private readonly k1: number,
  ) {}
  /** Next 32 random bits as a uint32 number. */
  word(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    threefryBlock(this.k0, this.k1, 0, this.ctr++);
    this.spare = out1 >>> 0;
    this.hasSpare = true;
    return out0 >>> 0;
  }
  /** Uniform in the open interval (0, 1), 53-bit resolution. */
  uniform(): number {
    const a = this.word() >>> 5;
    const b = this.word() >>> 6;
    return (a * 67108864 + b + 0.5) * TWO_POW_M53;
  }
  /** Standard normal (Box-Muller, the second value kept for the next call). */
  normal(): number {
    if (this.hasNormal) {
      this.hasNormal = false;
      return this.cachedNormal;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const t = 2 * Math.PI * this.uniform();
    this.cachedNormal = r * Math.sin(t);
    this.hasNormal = true;
    return r * Math.cos(t);
  }
}

// ---- gamma -----------------------------------------------------------------------------------

/** log of one Gamma(a, 1) draw (Marsaglia-Tsang; a < 1 boosted: Gamma(a+1) * U^(1/a)). */
function logGammaDraw(s: KeyStream, a: number): number {
  if (!(a > 0)) return NaN;
  if (a === Infinity) return Infinity;
  const boost = a < 1;
  const b = boost ? a + 1 : a;
  const d = b - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  let logx: number;
  for (;;) {
    const z = s.normal();
    const t = 1 + c * z;
    if (t <= 0) continue;
    const v = t * t * t;
    const u = s.uniform();
    const z2 = z * z;
    if (u < 1 - 0.0331 * z2 * z2 || Math.log(u) < 0.5 * z2 + d * (1 - v + Math.log(v))) {
      logx = Math.log(d) + Math.log(v);
      break;
    }
  }
  if (boost) logx += Math.log(s.uniform()) / a;
  return logx;
}

/** Checks the operands of a per-element sampler: keys [...S, 2], parameters of shape S. */
function perElementShape(name: string, keys: AVal, params: readonly AVal[]): Shape {
  if (keys.dtype !== "int32" || keys.shape.length === 0 || keys.shape[keys.shape.length - 1] !== 2)
    throw new Error(`${name}: keys must be an int32 array of shape [...,2], got ${keys.dtype} ${fmt(keys.shape)}`);
  const s = keys.shape.slice(0, -1);
  for (const p of params) if (!sameShape(p.shape, s)) throw new Error(`${name}: parameter of shape ${fmt(p.shape)} for keys of shape ${fmt(keys.shape)} (expected ${fmt(s)})`);
  return s;
}

/**
 * Batching rule of a per-element sampler: batch axes to the front; unbatched operands are
 * broadcast along the batch (an unbatched key is shared by every member, as vmap means).
 */
function batchPerElement<P>(prim: Primitive<P>): NonNullable<Primitive<P>["batch"]> {
  return (ins, dims, params) => {
    const b = ins.find((_, i) => dims[i] !== null)!;
    const size = b.shape[dims[ins.indexOf(b)]!];
    const moved = ins.map((x, i) => (dims[i] === null ? broadcastTo(x, [size, ...x.shape]) : moveToFront(x, dims[i]!)));
    const outs = bind(prim, moved, params);
    return [outs, outs.map(() => 0)];
  };
}

/**
 * `randomGamma(keys[...,2], a[...]) -> x[...]`: one Gamma(a, 1) draw per element from that
 * element's own key (Marsaglia-Tsang, with U^(1/a) for a < 1). With `log`, the draw's log
 * (accurate for tiny a, where the draw itself underflows). Gradient w.r.t. `a` by implicit
 * reparameterization: dx/da = -(dF(x; a)/da) / f(x; a).
 */
export const randomGammaPrim: Primitive<{ log: boolean }> = definePrimitive<{ log: boolean }>({
  name: "randomGamma",
  abstract: ([keys, a]) => {
    const s = perElementShape("randomGamma", keys, [a]);
    if (!isFloat(a.dtype)) throw new Error(`randomGamma: the concentration must be float, got ${a.dtype}`);
    return [{ shape: s, dtype: a.dtype }];
  },
  js: ([keys, a], { log }, [o]) => {
    const n = sizeOf(o.shape);
    const out = allocate(o.dtype, n);
    for (let i = 0; i < n; i++) {
      const lx = logGammaDraw(new KeyStream(keys.data[2 * i], keys.data[2 * i + 1]), a.data[i]);
      out[i] = log ? lx : Math.exp(lx);
    }
    return [out];
  },
  tfjs: (tf, ins, p, outs) => viaHost(randomGammaPrim.js)(tf, ins, p, outs),
  vjp: ([ct], [, a], [x], { log }) => [null, mul(ct, bind1(gammaGradPrim, [a, x], { log }))],
});
randomGammaPrim.batch = batchPerElement(randomGammaPrim);

/**
 * d log x / da for x ~ Gamma(a, 1) held at its quantile (implicit reparameterization), from
 * log x. Below x = a + 1 from the series P(a, x) = x^a e^-x / Gamma(a) * G, above from the
 * continued fraction Q(a, x) = x^a e^-x / Gamma(a) * H; G, H and their a-derivatives are
 * evaluated together (dual numbers), so nothing under- or overflows:
 * d log x/da = -(G (log x - psi(a)) + G') resp. H (log x - psi(a)) + H'.
 */
export function gammaLogSampleGrad(a: number, logx: number): number {
  if (!(a > 0) || Number.isNaN(logx)) return NaN;
  if (logx === Infinity) return 0;
  const lx = logx - digammaScalar(a);
  const [series, g, dg] = igammaNormalized(a, Math.exp(logx), true);
  return series ? -(g * lx + dg) : g * lx + dg;
}

/**
 * `gammaGrad(a, x)`: dx/da of a Gamma(a, 1) draw x (with `log`: d log x/da, x given as log x).
 * No derivative of its own: second derivatives of gamma draws are not supported.
 */
export const gammaGradPrim: Primitive<{ log: boolean }> = definePrimitive<{ log: boolean }>({
  name: "randomGammaGrad",
  abstract: ([a, x]) => {
    if (!isFloat(a.dtype) || a.dtype !== x.dtype) throw new Error(`randomGammaGrad: expects two float operands of one dtype, got ${a.dtype} and ${x.dtype}`);
    return [{ shape: broadcastShapes("randomGammaGrad", a.shape, x.shape), dtype: a.dtype }];
  },
  js: (ins, { log }, [o]) => [
    mapN(ins, o.shape, o.dtype, (a, x) => {
      if (log) return gammaLogSampleGrad(a, x);
      if (x === 0) return 0;
      return x * gammaLogSampleGrad(a, Math.log(x));
    }),
  ],
  tfjs: (tf, ins, p, outs) => viaHost(gammaGradPrim.js)(tf, ins, p, outs),
  vjp: () => {
    throw new Error("randomGamma: second derivatives of gamma draws with respect to the concentration are not supported");
  },
});
gammaGradPrim.batch = batchElementwise(gammaGradPrim);

// ---- Poisson ---------------------------------------------------------------------------------

const INT32_MAX = 2147483647;

/** One Poisson(rate) draw: Knuth's product of uniforms below 10, Hörmann's PTRS above. -1 for an invalid rate. */
function poissonDraw(s: KeyStream, lam: number): number {
  if (!(lam >= 0)) return -1;
  if (lam === 0) return 0;
  if (lam < 10) {
    const L = Math.exp(-lam);
    let k = 0;
    let p = s.uniform();
    while (p > L) {
      k++;
      p *= s.uniform();
    }
    return k;
  }
  if (lam >= INT32_MAX) return INT32_MAX;
  // PTRS: W. Hörmann, "The transformed rejection method for generating Poisson random variables" (1993)
  const slam = Math.sqrt(lam);
  const loglam = Math.log(lam);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = s.uniform() - 0.5;
    const V = s.uniform();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + lam + 0.43);
    if (us >= 0.07 && V <= vr) return Math.min(k, INT32_MAX);
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lam + k * loglam - lgammaScalar(k + 1)) return Math.min(k, INT32_MAX);
  }
}

/** `randomPoisson(keys[...,2], rate[...]) -> int32[...]`: one Poisson draw per element from its own key. */
export const randomPoissonPrim: Primitive<null> = definePrimitive<null>({
  name: "randomPoisson",
  abstract: ([keys, rate]) => {
    const s = perElementShape("randomPoisson", keys, [rate]);
    if (!isFloat(rate.dtype)) throw new Error(`randomPoisson: the rate must be float, got ${rate.dtype}`);
    return [{ shape: s, dtype: "int32" }];
  },
  js: ([keys, rate], _p, [o]) => {
    const n = sizeOf(o.shape);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = poissonDraw(new KeyStream(keys.data[2 * i], keys.data[2 * i + 1]), rate.data[i]);
    return [out];
  },
  tfjs: (tf, ins, p, outs) => viaHost(randomPoissonPrim.js)(tf, ins, p, outs),
  vjp: () => [null, null],
});
randomPoissonPrim.batch = batchPerElement(randomPoissonPrim);

// ---- binomial --------------------------------------------------------------------------------

/** log(k!) - [log sqrt(2 pi) + (k + 1/2) log(k + 1) - (k + 1)] for integer k >= 0 (table, then Stirling series). */
const STIRLING_TAIL = [
  0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509, 0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
  0.00833056343336287,
];
function stirlingTail(k: number): number {
  if (k < 10) return STIRLING_TAIL[k];
  const kp1sq = (k + 1) * (k + 1);
  return (1 / 12 - (1 / 360 - 1 / 1260 / kp1sq) / kp1sq) / (k + 1);
}

/** Binomial(n, p) for p <= 1/2 by inversion (sequential search from 0); for n p < 10. */
function binomialInversion(s: KeyStream, n: number, p: number): number {
  const q = 1 - p;
  const qn = Math.exp(n * Math.log1p(-p));
  const np = n * p;
  const bound = Math.min(n, np + 10 * Math.sqrt(np * q + 1));
  const ratio = p / q;
  for (;;) {
    let x = 0;
    let px = qn;
    let u = s.uniform();
    let restart = false;
    while (u > px) {
      x++;
      if (x > bound) {
        restart = true;
        break;
      }
      u -= px;
      px *= ((n - x + 1) * ratio) / x;
    }
    if (!restart) return x;
  }
}

/**
 * Binomial(n, p) for p <= 1/2 and n p >= 10 by BTRS, Hörmann's transformed rejection with
 * squeeze ("The generation of binomial random variates", 1993), exact acceptance test.
 */
function binomialBtrs(s: KeyStream, n: number, p: number): number {
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const r = p / q;
  const m = Math.floor((n + 1) * p);
  // the parts of log f(k)/f(m) that do not depend on k
  const logRm = (m + 0.5) * Math.log((m + 1) / (r * (n - m + 1))) + stirlingTail(m) + stirlingTail(n - m);
  for (;;) {
    const u = s.uniform() - 0.5;
    let v = s.uniform();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && v <= vr) return k;
    v = Math.log((v * alpha) / (a / (us * us) + b));
    // log f(k)/f(m) through Stirling's formula with exact tails, grouped to avoid cancellation
    const bound =
      logRm + (n + 1) * Math.log((n - m + 1) / (n - k + 1)) + (k + 0.5) * Math.log((r * (n - k + 1)) / (k + 1)) - stirlingTail(k) - stirlingTail(n - k);
    if (v <= bound) return k;
  }
}

/** One Binomial(n, p) draw; -1 for invalid parameters (n < 0 or not an integer, p outside [0, 1]). */
function binomialDraw(s: KeyStream, n: number, p: number): number {
  if (!(n >= 0) || !Number.isInteger(n) || !(p >= 0 && p <= 1)) return -1;
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  const flip = p > 0.5;
  const pp = flip ? 1 - p : p;
  const k = n * pp < 10 ? binomialInversion(s, n, pp) : binomialBtrs(s, n, pp);
  return flip ? n - k : k;
}

/**
 * `randomBinomial(keys[...,2], n[...], p[...]) -> int32[...]`: one Binomial(n, p) draw per
 * element (inversion for n min(p, 1-p) < 10, BTRS above; both exact).
 */
export const randomBinomialPrim: Primitive<null> = definePrimitive<null>({
  name: "randomBinomial",
  abstract: ([keys, n, p]) => {
    const s = perElementShape("randomBinomial", keys, [n, p]);
    return [{ shape: s, dtype: "int32" }];
  },
  js: ([keys, n, p], _p, [o]) => {
    const size = sizeOf(o.shape);
    const out = new Int32Array(size);
    for (let i = 0; i < size; i++) out[i] = binomialDraw(new KeyStream(keys.data[2 * i], keys.data[2 * i + 1]), n.data[i], p.data[i]);
    return [out];
  },
  tfjs: (tf, ins, p, outs) => viaHost(randomBinomialPrim.js)(tf, ins, p, outs),
  vjp: () => [null, null, null],
});
randomBinomialPrim.batch = batchPerElement(randomBinomialPrim);

for (const p of [randomGammaPrim, gammaGradPrim, randomPoissonPrim, randomBinomialPrim]) registerHostKernelAsync(p as Primitive<unknown>);
