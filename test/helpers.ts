import { stridesOf } from "../src/core/shape.js";
/**
 * Shared test helpers: running a block per backend, comparing arrays with tolerances, plain-JS
 * oracles (broadcasting, reductions over axes) and central finite differences.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import { Array as NDArray, enableX64, getBackend, grad, isX64, np, setBackend, type ArrayLike, type BackendName, type DType, type Nested } from "../src/core/index.js";

export type Backend = BackendName;

/** Runs `fn` inside a describe block per backend, selecting the backend in beforeAll and restoring it in afterAll. */
export function forBackends(names: readonly Backend[], fn: (backend: Backend) => void): void {
  for (const name of names) {
    describe(`[${name}]`, () => {
      let prev: Backend = "js";
      beforeAll(async () => {
        prev = getBackend();
        await setBackend(name);
      });
      afterAll(async () => {
        await setBackend(prev);
      });
      fn(name);
    });
  }
}

/** Runs `fn` with float64 as the default float (js backend only), restoring the previous setting. */
export function withX64<T>(fn: () => T): T {
  const was = isX64();
  enableX64(true);
  try {
    return fn();
  } finally {
    enableX64(was);
  }
}

/** The elements of an array-like as a flat list of numbers (bools as 0/1). */
export function flat(x: ArrayLike | Nested): number[] {
  if (x instanceof NDArray) return Array.from(x.dataSync(), (v) => (x.dtype === "bool" ? Number(v !== 0) : v));
  if (typeof x === "number") return [x];
  if (typeof x === "boolean") return [Number(x)];
  if (ArrayBuffer.isView(x)) return Array.from(x as unknown as Iterable<number>);
  if (Array.isArray(x)) return (x as unknown[]).flatMap((e) => flat(e as Nested));
  throw new Error(`flat: cannot read ${typeof x}`);
}

/** The shape of a nested JS array. */
export function shapeOf(x: Nested): number[] {
  const s: number[] = [];
  let p: unknown = x;
  while (Array.isArray(p)) {
    s.push(p.length);
    p = p[0];
  }
  return s;
}

export interface Tol {
  rtol?: number;
  atol?: number;
}

/** True when two numbers agree within tolerance (NaN matches NaN, infinities must be equal). */
export function close(a: number, b: number, rtol: number, atol: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (!Number.isFinite(a) || !Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= atol + rtol * Math.abs(b);
}

/** Asserts that `actual` has `shape` (when given) and its values are within tolerance of `expected`. */
export function expectClose(actual: ArrayLike | Nested, expected: ArrayLike | Nested, tol: Tol & { shape?: readonly number[] } = {}): void {
  const rtol = tol.rtol ?? 1e-5;
  const atol = tol.atol ?? 1e-6;
  if (actual instanceof NDArray) {
    const want = tol.shape ?? (expected instanceof NDArray ? expected.shape : typeof expected === "number" ? undefined : Array.isArray(expected) ? shapeOf(expected as Nested) : undefined);
    if (want) expect(actual.shape, "shape").toEqual([...want]);
  }
  const a = flat(actual);
  const e = flat(expected);
  expect(a.length, "number of elements").toBe(e.length);
  const bad: string[] = [];
  for (let i = 0; i < a.length; i++) if (!close(a[i], e[i], rtol, atol)) bad.push(`[${i}] ${a[i]} vs ${e[i]}`);
  if (bad.length) expect.fail(`values differ (rtol ${rtol}, atol ${atol}) at ${bad.length} of ${a.length} elements: ${bad.slice(0, 8).join("; ")}`);
}

/** Asserts exact equality of values, shape and (optionally) dtype. */
export function expectArray(actual: NDArray, expected: Nested | number[], dtype?: DType, shape?: readonly number[]): void {
  if (dtype) expect(actual.dtype, "dtype").toBe(dtype);
  expect(actual.shape, "shape").toEqual(shape ? [...shape] : typeof expected === "number" ? [] : shapeOf(expected as Nested));
  const a = flat(actual);
  const e = flat(expected as Nested);
  expect(a.length).toBe(e.length);
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i] + 0, e[i] + 0) && !(Number.isNaN(a[i]) && Number.isNaN(e[i]))) expect.fail(`element ${i}: ${a[i]} vs ${e[i]} (got ${JSON.stringify(a)}, expected ${JSON.stringify(e)})`);
}

// ---- plain JS oracles -----------------------------------------------------------------------

/** Row-major strides (the core's own helper). */
export const strides = stridesOf;

export const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Multi-index of flat offset `i` in `shape`. */
export function unravelIndex(i: number, shape: readonly number[]): number[] {
  const st = strides(shape);
  return shape.map((d, k) => Math.floor(i / st[k]) % d);
}

/** NumPy broadcast of shapes (throws on mismatch). */
export function broadcastShape(...shapes: (readonly number[])[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes)
    for (let i = 0; i < s.length; i++) {
      const k = nd - s.length + i;
      if (s[i] === out[k] || s[i] === 1) continue;
      if (out[k] === 1) out[k] = s[i];
      else throw new Error("oracle: no broadcast");
    }
  return out;
}

/** Reads element `idx` (of the broadcast shape) from a flat array of shape `shape`. */
export function readBroadcast(data: readonly number[], shape: readonly number[], idx: readonly number[]): number {
  const st = strides(shape);
  const off = idx.length - shape.length;
  let o = 0;
  for (let i = 0; i < shape.length; i++) o += (shape[i] === 1 ? 0 : idx[off + i]) * st[i];
  return data[o];
}

/** Elementwise oracle over broadcast operands: returns flat values and the shape. */
export function mapOracle(operands: { data: readonly number[]; shape: readonly number[] }[], f: (...v: number[]) => number): { data: number[]; shape: number[] } {
  const shape = broadcastShape(...operands.map((o) => o.shape));
  const n = size(shape);
  const data: number[] = [];
  for (let i = 0; i < n; i++) {
    const idx = unravelIndex(i, shape);
    data.push(f(...operands.map((o) => readBroadcast(o.data, o.shape, idx))));
  }
  return { data, shape };
}

/** Reduction oracle over `axes` (sorted, non-negative). */
export function reduceOracle(data: readonly number[], shape: readonly number[], axes: readonly number[], init: number, f: (acc: number, v: number) => number): { data: number[]; shape: number[] } {
  const outShape = shape.filter((_, i) => !axes.includes(i));
  const out = new Array<number>(size(outShape)).fill(init);
  const ost = strides(outShape);
  for (let i = 0; i < data.length; i++) {
    const idx = unravelIndex(i, shape).filter((_, k) => !axes.includes(k));
    let o = 0;
    idx.forEach((v, k) => (o += v * ost[k]));
    out[o] = f(out[o], data[i]);
  }
  return { data: out, shape: outShape };
}

/** Deterministic pseudo-random numbers in [lo, hi) (an LCG; for fixed test data). */
export function seeded(seed: number): (lo?: number, hi?: number) => number {
  let s = seed >>> 0 || 1;
  return (lo = 0, hi = 1) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  };
}

/** `n` deterministic pseudo-random numbers in [lo, hi). */
export function randomData(n: number, seed: number, lo = -1, hi = 1): number[] {
  const r = seeded(seed);
  return Array.from({ length: n }, () => r(lo, hi));
}

// ---- finite differences ---------------------------------------------------------------------

/** Central-difference gradient of a scalar JS function of a vector. */
export function numericGrad(f: (x: number[]) => number, x: readonly number[], h = 1e-5): number[] {
  return x.map((_, i) => {
    const p = [...x];
    const m = [...x];
    p[i] += h;
    m[i] -= h;
    return (f(p) - f(m)) / (2 * h);
  });
}

type ArrFn = (...xs: NDArray[]) => NDArray;

export interface FDOptions extends Tol {
  /** Finite-difference step (default 1e-6 in float64, 1e-2 in float32). */
  eps?: number;
  /** Which arguments to check (default all). */
  argnums?: number[];
  /** Seed of the fixed output weights. */
  seed?: number;
}

/**
 * Checks the reverse-mode gradient of `f` against central differences, element by element,
 * for every argument. A non-scalar output is reduced with fixed pseudo-random weights first
 * (so the vjp is checked along one direction). On the js backend the check runs in float64
 * with tight tolerances; on tfjs backends it runs in float32 with looser ones.
 */
export function checkGradFD(f: ArrFn, args: readonly (Nested | number)[], opts: FDOptions = {}): void {
  const f64 = getBackend() === "js";
  const run = () => {
    const xs = args.map((a) => np.array(a));
    const y0 = f(...xs);
    const w = np.reshape(np.array(randomData(y0.size, opts.seed ?? 7, 0.5, 1.5)), y0.shape);
    const scalar = (...zs: NDArray[]) => np.sum(np.multiply(f(...zs), w));
    const argnums = opts.argnums ?? args.map((_, i) => i);
    const grads = grad(scalar, { argnums })(...xs) as NDArray[];
    const eps = opts.eps ?? (f64 ? 1e-6 : 1e-2);
    const rtol = opts.rtol ?? (f64 ? 1e-6 : 2e-2);
    const atol = opts.atol ?? (f64 ? 1e-7 : 2e-3);
    argnums.forEach((k, gi) => {
      const base = flat(xs[k]);
      const shape = xs[k].shape;
      const fd = base.map((_, i) => {
        const at = (d: number) => {
          const v = [...base];
          v[i] += d;
          const zs = xs.map((x, j) => (j === k ? np.reshape(np.array(v), shape) : x));
          return scalar(...zs).item();
        };
        return (at(eps) - at(-eps)) / (2 * eps);
      });
      expect(grads[gi].shape, `gradient shape of argument ${k}`).toEqual([...shape]);
      const ad = flat(grads[gi]);
      const bad: string[] = [];
      ad.forEach((a, i) => {
        if (!close(a, fd[i], rtol, atol)) bad.push(`[${i}] ad ${a} vs fd ${fd[i]}`);
      });
      if (bad.length) expect.fail(`gradient of argument ${k} differs from finite differences (rtol ${rtol}, atol ${atol}): ${bad.slice(0, 6).join("; ")}`);
    });
  };
  if (f64) withX64(run);
  else run();
}

/** fast-check settings used throughout: fixed seed, few runs. */
export const FC = (numRuns = 30, seed = 1) => ({ seed, numRuns });

/** A binary op of a random program (see {@link applySteps}). */
export type StepOp = (x: NDArray, y: NDArray) => NDArray;

/**
 * Runs a random program of ops on (x, y): each step `[k, swap]` replaces y (swap) or x by
 * `ops[k](x, y)`; returns the final pair. With fast-check it composes random programs of
 * primitives for the jit properties.
 */
export function applySteps(ops: readonly StepOp[], steps: readonly [number, boolean][], x: NDArray, y: NDArray): [NDArray, NDArray] {
  let a = x;
  let b = y;
  for (const [k, swap] of steps) {
    const r = ops[k](a, b);
    if (swap) b = r;
    else a = r;
  }
  return [a, b];
}
