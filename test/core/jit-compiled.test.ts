/**
 * The jitted call's fast path (signatures matched without building keys) and the raw entry
 * point `jitted.compile(...args).call(inputs, outputs?)`: the generated program over flat typed
 * arrays.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { applySteps, type StepOp } from "../helpers.js";
import { np, grad, valueAndGrad, vmap, jit, setBackend, enableX64, whileLoop, scan, tree, type Array as NDArray, type TypedArray } from "../../src/core/index.js";

/** The leaves of a result, as host arrays. */
const hostLeaves = (out: unknown): TypedArray[] => (tree.leaves(out as tree.PyTree) as NDArray[]).map((a) => a.dataSync());

/** `compiled.call` on the arguments' leaves gives exactly the jitted call's leaves (same dtypes and values). */
function rawAgrees<F extends (...args: any[]) => any>(f: F, args: Parameters<F>, opts: { staticArgnums?: number[] } = {}): void {
  const j = jit(f, opts);
  const want = hostLeaves(j(...args));
  const c = j.compile(...args);
  expect(c.outputs.map((l) => l.size)).toEqual(want.map((w) => w.length));
  const got = c.call(c.flattenArgs(...args));
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => {
    expect(g.constructor).toBe(want[i].constructor);
    expect(Array.from(g)).toEqual(Array.from(want[i]));
  });
  // into arrays that held anything before: every element is written
  const dirty = c.newOutputs().map((o) => o.fill(7));
  const again = c.call(c.flattenArgs(...args), dirty);
  expect(again).toBe(dirty);
  again.forEach((g, i) => expect(Array.from(g)).toEqual(Array.from(want[i])));
}

/** Random compositions of primitives (as in jit.test.ts). */
const ops: StepOp[] = [
  (x, y) => np.add(x, y),
  (x, y) => np.multiply(x, np.tanh(y)),
  (x) => np.exp(np.negative(np.square(x))),
  (x, y) => np.where(np.greater(x, y), x, np.sin(y)),
  (x) => np.broadcastTo(np.sum(x, -1, true), x.shape),
  (x) => np.log1p(np.abs(x)),
  (x) => np.cumsum(x, 1),
  (x, y) => np.multiply(x, np.sum(np.matmul(x, np.transpose(y)))),
  (x) => np.reshape(np.slice(np.pad(x, [[1, 0], [0, 2]]), [0, 1], [2, 4]), x.shape),
  (x, y) => np.slice(np.concatenate([x, y], 1), [0, 2], [2, 5]),
];
const steps = fc.array(fc.tuple(fc.integer({ min: 0, max: ops.length - 1 }), fc.boolean()), { minLength: 1, maxLength: 6 });
const compose = (s: [number, boolean][]) => (x: NDArray, y: NDArray) => {
  const [a, b] = applySteps(ops, s, x, y);
  return [a, np.sum(np.multiply(a, b))];
};
const mat = fc.array(fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: 6, maxLength: 6 }).map((v) => np.reshape(np.array(v), [2, 3]));

describe("the raw compiled call equals the jitted call", () => {
  it("on random compositions of primitives, with and without grad", () => {
    fc.assert(
      fc.property(steps, mat, mat, (s, x, y) => {
        const f = compose(s);
        rawAgrees(f, [x, y]);
        rawAgrees(
          valueAndGrad((a: NDArray, b: NDArray) => f(a, b)[1] as NDArray, { argnums: [0, 1] }),
          [x, y],
        );
      }),
      { seed: 11, numRuns: 40 },
    );
  });

  it("on pytrees of arguments and results, with static arguments and numbers", () => {
    const f = (p: { w: NDArray; b: NDArray }, xs: NDArray[], k: number, s: number) => ({
      z: np.add(np.matmul(xs[0], p.w), p.b),
      pair: [np.multiply(np.sum(xs[1]), k), np.add(s, 1)],
      none: null,
    });
    const p = { w: np.array([0.5, -1, 2]), b: np.array(0.25) };
    const xs = [np.reshape(np.arange(6), [2, 3]), np.array([1, 2, 3])];
    rawAgrees(f, [p, xs, 3, 1.5], { staticArgnums: [2] });
    const c = jit(f, { staticArgnums: [2] }).compile(p, xs, 3, 1.5);
    expect(c.inputs.map((l) => [l.shape, l.dtype])).toEqual([
      [[], "float32"],
      [[3], "float32"],
      [[2, 3], "int32"],
      [[3], "float32"],
      [[], "float32"],
    ]);
    expect(c.outputs.map((l) => l.shape)).toEqual([[], [], [2]]);
    const outs = c.unflattenOutputs(c.call(c.flattenArgs(p, xs, 3, 1.5))) as { z: TypedArray; pair: TypedArray[]; none: null };
    expect(Array.from(outs.z)).toEqual([0.25 + 0 - 1 + 4, 0.25 + 1.5 - 4 + 10]);
    expect(outs.pair[0][0]).toBe(18);
    expect(outs.none).toBe(null);
  });

  it("on vmap of value and gradient, integer and boolean outputs, loops and scans", () => {
    const lp = (w: NDArray) => np.sum(np.subtract(np.log1p(np.square(w)), np.multiply(w, 0.5)));
    rawAgrees(vmap(valueAndGrad(lp)), [np.reshape(np.linspace(-2, 2, 12), [4, 3])]);
    rawAgrees((x: NDArray) => [np.astype(np.multiply(x, 3), "int32"), np.greater(x, 0), np.argmax(x)], [np.array([-1.5, 2.25, 0.5])]);
    rawAgrees((x: NDArray) => whileLoop((c: NDArray[]) => np.less(np.sum(c[0]), 50), (c: NDArray[]) => [np.multiply(c[0], 2), np.add(c[1], 1)], [x, np.array(0)]), [np.array([1, 2])]);
    rawAgrees((x: NDArray, xs: NDArray) => scan((c: NDArray, v: NDArray) => [np.add(c, v), np.multiply(c, v)], x, xs), [np.array([1, 2]), np.reshape(np.arange(6), [3, 2])]);
  });

  it("pads write zeros into output arrays that held anything (also row by row under vmap)", () => {
    const f = (x: NDArray) => [np.pad(x, [1, 2]), np.concatenate([x, np.exp(x)])];
    rawAgrees(f, [np.array([1, 2, 3])]);
    rawAgrees(vmap(f), [np.reshape(np.arange(6), [2, 3])]);
    const c = jit((x: NDArray) => np.pad(x, [[1, 0], [0, 1]])).compile(np.ones([2, 2]));
    const [out] = c.call([new Float32Array([1, 2, 3, 4])], [new Float32Array(9).fill(-5)]);
    expect(Array.from(out)).toEqual([0, 0, 0, 1, 2, 0, 3, 4, 0]);
  });

  it("in x64, float64 inputs and outputs", () => {
    enableX64(true);
    try {
      const f = (x: NDArray) => np.multiply(np.sin(x), 1 / 3);
      const x = np.array([0.1, 0.2]);
      expect(x.dtype).toBe("float64");
      rawAgrees(f, [x]);
      expect(jit(f).compile(x).inputs[0].dtype).toBe("float64");
    } finally {
      enableX64(false);
    }
  });
});

describe("raw compiled call: buffers", () => {
  const f = jit((x: NDArray) => [np.exp(x), np.sum(x)]);
  const x = np.array([0, 1, 2]);

  it("reuses its own output arrays between calls, in a frozen list", () => {
    const c = f.compile(x);
    const a = new Float32Array([0, 1, 2]);
    const first = c.call([a]);
    const [e0, s0] = first;
    expect(Object.isFrozen(first)).toBe(true);
    expect(s0[0]).toBe(3);
    a[0] = 1;
    const second = c.call([a]);
    expect(second).toBe(first);
    expect(second[0]).toBe(e0);
    expect(second[1]).toBe(s0);
    expect(s0[0]).toBe(4); // overwritten in place
    expect(e0[0]).toBeCloseTo(Math.E, 5);
    // another compile has arrays of its own
    expect(f.compile(x).call([a])[0]).not.toBe(e0);
  });

  it("writes into output arrays the caller gives, and returns them", () => {
    const c = f.compile(x);
    const outs = c.newOutputs();
    expect(outs.map((o) => o.length)).toEqual([3, 1]);
    expect(c.call([new Float32Array([1, 1, 1])], outs)).toBe(outs);
    expect(outs[1][0]).toBe(3);
    // views into one buffer that do not overlap are fine
    const buf = new Float32Array(4);
    const views = [buf.subarray(0, 3), buf.subarray(3, 4)];
    c.call([new Float32Array([0, 0, 2])], views);
    expect(Array.from(buf)).toEqual([1, 1, Math.fround(Math.exp(2)), 2]);
  });

  it("rejects wrong numbers, types and lengths of arrays with clear errors", () => {
    const c = f.compile(x);
    const good = new Float32Array(3);
    expect(() => c.call([])).toThrow(/expected 1 input array .*got 0/);
    expect(() => c.call([good, good])).toThrow(/expected 1 input array .*got 2/);
    expect(() => c.call([new Float32Array(4)])).toThrow(/input 0 must be a Float32Array of length 3 \(float32, shape \[3\]\), got a Float32Array of length 4/);
    expect(() => c.call([new Float64Array(3)])).toThrow(/input 0 must be a Float32Array .*got a Float64Array of length 3/);
    expect(() => c.call([[1, 2, 3] as unknown as Float32Array])).toThrow(/input 0 must be a Float32Array .*got an array of 3 elements/);
    expect(() => c.call([null as unknown as Float32Array])).toThrow(/input 0 must be .*got null/);
    expect(() => c.call(good as unknown as Float32Array[])).toThrow(/inputs must be an array of typed arrays/);
    expect(() => c.call([good], [new Float32Array(3)])).toThrow(/expected 2 output arrays .*got 1/);
    expect(() => c.call([good], [new Float32Array(3), new Int32Array(1)])).toThrow(/output 1 must be a Float32Array of length 1/);
  });

  it("rejects outputs that share memory with inputs or with each other", () => {
    const c = f.compile(x);
    const [e] = c.call([new Float32Array(3)]);
    expect(() => c.call([e])).toThrow(/input 0 shares memory with output 0 \(an array an earlier call returned\)/);
    expect(() => c.call([e.slice()])).not.toThrow();
    const buf = new Float32Array(4);
    expect(() => c.call([new Float32Array(3)], [buf.subarray(0, 3), buf.subarray(2, 3)])).toThrow(/outputs 0 and 1 share memory/);
    const outs = c.newOutputs();
    expect(() => c.call([outs[0]], outs)).toThrow(/input 0 shares memory with output 0/);
  });

  it("compile needs the js backend, code generation and concrete arguments", async () => {
    expect(() => jit((v: NDArray) => np.exp(v), { mode: "interpret" }).compile(x)).toThrow(/mode: 'interpret'/);
    const compileInside = (v: NDArray) => {
      jit((u: NDArray) => np.sum(u)).compile(v);
      return np.sum(v);
    };
    expect(() => grad(compileInside)(x)).toThrow(/concrete arguments/);
    await setBackend("tfjs-cpu");
    try {
      expect(() => f.compile(x)).toThrow(/'js' backend, not on 'tfjs-cpu'/);
    } finally {
      await setBackend("js");
    }
  });

  it("flattenArgs checks the signature; unflattenOutputs restores the result's structure", () => {
    const c = f.compile(x);
    expect(() => c.flattenArgs(np.array([1, 2]))).toThrow(/another signature/);
    const a = np.array([3, 4, 5]);
    const ins = c.flattenArgs(a);
    expect(Array.from(ins[0])).toEqual([3, 4, 5]);
    expect(ins[0]).not.toBe(a.dataSync()); // a copy, to update in place
    const tree_ = c.unflattenOutputs(c.call(ins)) as TypedArray[];
    expect(tree_[1][0]).toBe(12);
    expect(() => c.unflattenOutputs([new Float32Array(3)])).toThrow(/expected 2 output arrays/);
  });
});

describe("the jitted call's fast path keeps every behaviour", () => {
  it("matches signatures by structure, shapes, dtypes, static values and backend", async () => {
    let traces = 0;
    const f = jit(
      (p: Record<string, NDArray> | null, k: number | object, s: NDArray) => {
        traces++;
        return p === null ? np.multiply(s, 2) : np.add(np.multiply(p.a, typeof k === "number" ? k : 10), s);
      },
      { staticArgnums: [1] },
    );
    const one = np.ones([2]);
    expect((f({ a: one }, 2, np.array(1)) as NDArray).toArray()).toEqual([3, 3]);
    expect((f({ a: np.array([2, 3]) }, 2, np.array(1)) as NDArray).toArray()).toEqual([5, 7]);
    expect(traces).toBe(1);
    expect((f({ a: one }, 3, np.array(1)) as NDArray).toArray()).toEqual([4, 4]); // another static value
    expect((f({ a: one, b: one }, 3, np.array(1)) as NDArray).toArray()).toEqual([4, 4]); // another key
    expect((f({ a: one }, 3, 1 as unknown as NDArray) as NDArray).toArray()).toEqual([4, 4]); // a number leaf: same signature
    expect(traces).toBe(3);
    expect((f(null, 3, np.array(2)) as NDArray).toArray()).toEqual(4); // null instead of a dict
    expect(() => f(undefined as unknown as null, 3, np.array(2))).toThrow(); // undefined is another structure: f reads p.a
    const obj = {};
    expect((f({ a: one }, obj, np.array(1)) as NDArray).toArray()).toEqual([11, 11]);
    expect((f({ a: one }, obj, np.array(1)) as NDArray).toArray()).toEqual([11, 11]);
    expect((f({ a: np.ones([3]) }, 2, np.array(0)) as NDArray).toArray()).toEqual([2, 2, 2]); // another shape
    expect((f({ a: np.astype(np.ones([2]), "int32") }, 2, np.array(0)) as NDArray).dtype).toBe("float32"); // another dtype
    const before = f.cacheSize();
    // alternating between signatures seen lately traces nothing new
    for (let i = 0; i < 3; i++) {
      f({ a: one }, 2, np.array(1));
      f({ a: one }, 3, np.array(1));
      f(null, 3, np.array(2));
    }
    expect(f.cacheSize()).toBe(before);
    // another backend: the tfjs replay, then the js program again
    await setBackend("tfjs-cpu");
    try {
      expect((f({ a: one }, 2, np.array(1)) as NDArray).toArray()).toEqual([3, 3]);
    } finally {
      await setBackend("js");
    }
    expect((f({ a: one }, 2, np.array(1)) as NDArray).toArray()).toEqual([3, 3]);
  });

  it("numbers follow the default float dtype", () => {
    const f = jit((a: NDArray) => np.multiply(a, 2));
    expect(f(1.5 as unknown as NDArray).dtype).toBe("float32");
    enableX64(true);
    try {
      const y = f(1.5 as unknown as NDArray);
      expect(y.dtype).toBe("float64");
      expect(y.item()).toBe(3);
    } finally {
      enableX64(false);
    }
    expect(f(1.5 as unknown as NDArray).dtype).toBe("float32");
  });

  it("tracers pass through a jitted function whose concrete signature was seen", () => {
    const f = jit((w: NDArray) => np.sum(np.square(w)));
    const w = np.array([1, 2, 3]);
    expect(f(w).item()).toBe(14);
    expect(grad((v: NDArray) => f(v))(w).toArray()).toEqual([2, 4, 6]);
    expect((vmap((v: NDArray) => f(v))(np.stack([w, w])) as NDArray).toArray()).toEqual([14, 14]);
    expect(jit((v: NDArray) => f(v))(w).item()).toBe(14);
    expect(f(w).item()).toBe(14);
  });

  it("results are fresh arrays with the program's shapes, in the result's structure", () => {
    const f = jit((x: NDArray) => ({ b: [np.exp(x), x], a: np.sum(x) }));
    const x = np.array([0, 1]);
    const r1 = f(x) as { a: NDArray; b: NDArray[] };
    const r2 = f(x) as { a: NDArray; b: NDArray[] };
    expect(Object.keys(r1)).toEqual(["a", "b"]);
    expect(r1.a.shape).toEqual([]);
    expect(r1.b[0].shape).toEqual([2]);
    expect(r1.b[0].dataSync()).not.toBe(r2.b[0].dataSync());
    expect(r1.b[1].toArray()).toEqual([0, 1]);
    const g = jit((x: NDArray) => [x, np.negative(x)]);
    const [a, b] = g(x) as NDArray[];
    expect(b.toArray()).toEqual([-0, -1]);
    expect(a.toArray()).toEqual([0, 1]);
  });
});
