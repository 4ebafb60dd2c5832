import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { applySteps, type StepOp } from "../helpers.js";
import { np, grad, valueAndGrad, vmap, jit, makeProgram, setBackend, enableX64, type Array } from "../../src/core/index.js";
import { definePrimitive } from "../../src/core/primitives/primitive.js";
import { bind1 } from "../../src/core/interpreters/stack.js";

const close = (a: Array, b: Array, tol = 1e-5) => {
  expect(a.shape).toEqual(b.shape);
  expect(a.dtype).toEqual(b.dtype);
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(y[i])) expect(Number.isNaN(x[i])).toBe(true);
    else expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(y[i])));
  }
};

/** Random compositions of primitives: a little expression language. */
const ops: StepOp[] = [
  (x, y) => np.add(x, y),
  (x, y) => np.multiply(x, np.tanh(y)),
  (x) => np.exp(np.negative(np.square(x))),
  (x, y) => np.where(np.greater(x, y), x, np.sin(y)),
  (x) => np.broadcastTo(np.sum(x, -1, true), x.shape),
  (x, y) => np.maximum(x, np.cos(y)),
  (x) => np.log1p(np.abs(x)),
  (x, y) => np.divide(x, np.add(1.5, np.square(y))),
  (x) => np.cumsum(x, 1),
  (x) => np.reshape(np.transpose(np.reshape(np.transpose(x), x.shape)), x.shape),
  (x, y) => np.multiply(x, np.sum(np.matmul(x, np.transpose(y)))),
  (x) => np.astype(np.astype(np.multiply(x, 3), "int32"), "float32"),
];
const program = fc.array(fc.tuple(fc.integer({ min: 0, max: ops.length - 1 }), fc.boolean()), { minLength: 1, maxLength: 8 });
const run = (steps: [number, boolean][]) => (x: Array, y: Array) => {
  const [a, b] = applySteps(ops, steps, x, y);
  return np.sum(np.multiply(a, b));
};
const mat = fc.array(fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: 6, maxLength: 6 }).map((v) => np.reshape(np.array(v), [2, 3]));

describe("jit equals eager", () => {
  it("on random compositions, with and without grad", () => {
    fc.assert(
      fc.property(program, mat, mat, (steps, x, y) => {
        const f = run(steps);
        close(jit(f)(x, y), f(x, y), 1e-4);
        const g = grad(f, { argnums: [0, 1] });
        const [gx, gy] = jit(g)(x, y) as Array[];
        const [ex, ey] = g(x, y) as Array[];
        close(gx, ex, 1e-3);
        close(gy, ey, 1e-3);
      }),
      { seed: 3, numRuns: 60 },
    );
  });

  it("in interpret mode and on tfjs-cpu", async () => {
    const f = (x: Array) => np.sum(np.multiply(np.sin(x), np.exp(x)));
    const x = np.array([0.5, 1, 2]);
    close(jit(grad(f), { mode: "interpret" })(x), grad(f)(x));
    await setBackend("tfjs-cpu");
    try {
      close(jit(grad(f))(x), grad(f)(x), 1e-5);
      close(jit(vmap(grad(f)))(np.stack([x, x])), np.stack([grad(f)(x), grad(f)(x)]), 1e-5);
    } finally {
      await setBackend("js");
    }
  });

  it("traces once per signature and respects static arguments", () => {
    let traces = 0;
    const f = jit(
      (x: Array, k: number) => {
        traces++;
        return np.multiply(x, k);
      },
      { staticArgnums: [1] },
    );
    f(np.ones([2]), 2);
    f(np.array([3, 4]), 2);
    expect(traces).toBe(1);
    expect((f(np.ones([2]), 5) as Array).toArray()).toEqual([5, 5]);
    f(np.ones([3]), 2);
    expect(traces).toBe(3);
    expect(f.cacheSize()).toBe(3);
  });

  it("grad of jit, jit of grad, vmap inside jit agree", () => {
    const lp = (w: Array, X: Array, y: Array) => {
      const l = np.matmul(X, w);
      return np.sum(np.subtract(np.multiply(y, l), np.log1p(np.exp(l))));
    };
    const X = np.reshape(np.linspace(-1, 1, 40), [8, 5]);
    const y = np.array([1, 0, 1, 1, 0, 0, 1, 0]);
    const w = np.array([0.1, -0.2, 0.3, 0.4, -0.5]);
    const [v0, g0] = valueAndGrad(lp)(w, X, y);
    const [v1, g1] = jit(valueAndGrad(lp))(w, X, y);
    close(v1, v0, 1e-5);
    close(g1, g0, 1e-5);
    close(grad((w: Array) => jit(lp)(w, X, y))(w), g0, 1e-5);
    const ws = np.stack([w, np.multiply(w, 2)]);
    close(jit(vmap((w: Array) => grad(lp)(w, X, y)))(ws), np.stack([g0, grad(lp)(np.multiply(w, 2), X, y)]), 1e-5);
  });

  it("reading a traced value is a clear error", () => {
    expect(() => jit((x: Array) => (x.item() > 0 ? x : np.negative(x)))(np.array(1))).toThrow(/inside jit/);
  });

  it("makeProgram lists the program and drops dead code", () => {
    const p = makeProgram(grad((x: Array) => np.sum(np.exp(x))))(np.ones([3]));
    const text = p.toString();
    expect(text).toMatch(/exp/);
    expect(text).not.toMatch(/sum/); // the value of the sum is not needed for the gradient
  });

  it("generated code embeds no user strings", () => {
    const hostile = "`${globalThis.pwned = 1}` \" ' \\ </script>";
    const tree = { [hostile]: np.array([1, 2]), ["${x}"]: np.array([3, 4]) };
    const f = jit((t: Record<string, Array>, tag: string) => np.add(t[hostile], t["${x}"]), { staticArgnums: [1] });
    expect((f(tree, hostile) as Array).toArray()).toEqual([4, 6]);
    const src = f.source(tree, hostile);
    expect(src).not.toContain("pwned");
    expect(src).not.toContain("${");
    expect(src).not.toContain("'");
    expect((globalThis as any).pwned).toBeUndefined();
  });

  it("outputs never alias reused buffers", () => {
    const f = jit((x: Array) => np.exp(np.add(x, 1)));
    const a = f(np.array([0]));
    f(np.array([1]));
    expect(a.dataSync()[0]).toBeCloseTo(Math.E, 5);
  });
});

/** Random arrays of a given shape with entries in [-2, 2]. */
const arrayOf = (shape: number[]) =>
  fc
    .array(fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1) })
    .map((v) => np.reshape(np.array(v), shape));
const shapeOf = (minRank: number, maxRank: number) => fc.array(fc.integer({ min: 1, max: 4 }), { minLength: minRank, maxLength: maxRank });
const range = (n: number) => globalThis.Array.from({ length: n }, (_, i) => i);
const permOf = (rank: number) => fc.shuffledSubarray(range(rank), { minLength: rank, maxLength: rank });

/** jit(f) and jit(grad of sum f) agree with eager on `args`. */
function agrees(f: (...a: Array[]) => Array, args: Array[], tol = 1e-4) {
  close(jit(f)(...args), f(...args), tol);
  const g = grad((...a: Array[]) => np.sum(np.multiply(f(...a), np.cos(f(...a)))), { argnums: args.map((_, i) => i) });
  const got = jit(g)(...args) as Array[];
  (g(...args) as Array[]).forEach((e, i) => close(got[i], e, 1e-3));
}

describe("jit js code generation", () => {
  it("reductions over any axes, with keepdims, fused with their operand", () => {
    const reducers = [np.sum, np.max, np.min, np.prod, np.mean];
    fc.assert(
      fc.property(
        shapeOf(1, 3).chain((s) => fc.tuple(arrayOf(s), fc.subarray(range(s.length)), fc.boolean(), fc.integer({ min: 0, max: reducers.length - 1 }))),
        ([x, axes, keep, r]) => agrees((a) => np.add(reducers[r](np.subtract(np.multiply(np.exp(a), 0.5), a), axes, keep), 1), [x]),
      ),
      { seed: 7, numRuns: 40 },
    );
  });

  it("matmul of any shapes, batched and broadcast, with transposed operands", () => {
    const dims = fc.integer({ min: 1, max: 4 });
    fc.assert(
      fc.property(
        fc.tuple(dims, dims, dims, fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }), fc.boolean(), fc.boolean(), fc.boolean()).chain(([m, k, n, batch, ta, tb, bcast]) => {
          const bBatch = bcast ? batch.map(() => 1) : batch;
          return fc.tuple(arrayOf(ta ? [...batch, k, m] : [...batch, m, k]), arrayOf(tb ? [...bBatch, n, k] : [...bBatch, k, n]), fc.constant([ta, tb] as const));
        }),
        ([a, b, [ta, tb]]) => agrees((x, y) => np.matmul(ta ? np.swapaxes(x, -1, -2) : x, tb ? np.swapaxes(y, -1, -2) : y), [a, b]),
      ),
      { seed: 11, numRuns: 40 },
    );
    const v = np.array([1, -2, 0.5]);
    const M = np.reshape(np.linspace(-1, 1, 12), [4, 3]);
    agrees((m, x) => np.matmul(m, x), [M, v]);
    agrees((x, m) => np.matmul(x, np.transpose(m)), [v, M]);
    agrees((x) => np.dot(x, x), [v]);
  });

  it("transposes, slices, flips and reshapes read in place", () => {
    fc.assert(
      fc.property(
        shapeOf(1, 4).chain((s) => fc.tuple(arrayOf(s), permOf(s.length), fc.subarray(range(s.length)))),
        ([x, perm, flipAxes]) =>
          agrees((a) => {
            const t = np.transpose(a, perm);
            const sl = np.slice(t, t.shape.map((d) => (d > 1 ? 1 : 0)));
            const fl = flipAxes.length ? np.flip(sl, flipAxes.filter((ax) => ax < sl.ndim)) : sl;
            return np.add(np.reshape(fl, [-1]), np.sum(np.square(t)));
          }, [x]),
      ),
      { seed: 5, numRuns: 40 },
    );
  });

  it("pads and concatenations, added where they do and do not overlap", () => {
    const x = np.array([0.5, -1, 2]);
    const y = np.array([1.5, 0.25]);
    agrees((a, b) => np.add(np.pad(a, [0, 2]), np.pad(b, [3, 0])), [x, y]); // disjoint
    agrees((a, b) => np.add(np.pad(a, [1, 1]), np.pad(b, [2, 1])), [x, y]); // overlapping
    agrees((a, b) => np.add(np.add(np.pad(a, [0, 3]), np.pad(np.exp(b), [3, 1])), np.pad(np.reshape(np.sum(a), [1]), [5, 0])), [x, y]);
    agrees((a, b) => np.multiply(np.concatenate([a, np.tanh(b), a]), 2), [x, y]);
    agrees((a) => np.reshape(np.pad(np.reshape(a, [3, 1]), [[1, 0], [0, 2]]), [12]), [x]);
  });

  it("vmap inside jit: per-row programs equal eager vmap", () => {
    const fs: ((x: Array) => Array)[] = [
      (x) => np.sum(np.exp(x)),
      (x) => np.divide(np.exp(x), np.sum(np.exp(x), -1, true)),
      (x) => np.cumsum(np.multiply(x, 2), -1),
      (x) => np.matmul(np.outer(x, x), x),
      (x) => np.flip(np.pad(np.slice(x, [1], [3]), [1, 2])),
      (x) => np.concatenate([x, np.broadcastTo(np.max(x), [2])]),
      (x) => np.take(np.square(x), np.array([0, 0, 3], "int32")),
      (x) => np.add(np.prod(x), np.min(np.sin(x))),
      (x) => {
        const s = np.reshape(np.slice(x, [0], [1]), []);
        const rest = np.slice(x, [1], [4]);
        return np.add(np.multiply(np.sum(np.square(np.subtract(rest, s))), -0.5), np.log1p(np.exp(s)));
      },
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: fs.length - 1 }), fc.integer({ min: 1, max: 5 }).chain((b) => arrayOf([b, 4])), (k, xs) => {
        close(jit(vmap(fs[k]))(xs), vmap(fs[k])(xs), 1e-4);
        const vg = vmap(valueAndGrad((x: Array) => np.sum(fs[k](x))));
        const [v1, g1] = jit(vg)(xs) as Array[];
        const [v0, g0] = vg(xs) as Array[];
        close(v1, v0, 1e-4);
        close(g1, g0, 1e-3);
      }),
      { seed: 13, numRuns: 40 },
    );
  });

  it("gather and scatter-add, with negative, out-of-range and repeated indices", () => {
    const x = np.reshape(np.linspace(-1, 2, 24), [2, 3, 4]);
    const indices = [np.array(2, "int32"), np.array([0, -1, 2, 2, 7, -9], "int32"), np.array([[1, 0], [0, 0]], "int32")];
    for (const axis of [0, 1, 2])
      for (const idx of indices) {
        agrees((a) => np.take(np.exp(a), idx, axis), [x]);
        agrees((a) => np.add(np.sum(np.take(a, idx, axis)), np.take(np.multiply(a, a), idx, axis)), [x]);
      }
  });

  it("integers wrap and booleans stay 0/1 as in eager", () => {
    const big = np.array([70000, -70000, 46341], "int32");
    const f = (a: Array) => [np.multiply(a, a), np.add(np.multiply(a, 40000), 1), np.sum(np.multiply(a, a)), np.abs(np.negative(a))];
    (jit(f)(big) as Array[]).forEach((r, i) => expect(r.toArray()).toEqual((f(big)[i] as Array).toArray()));
    const p = np.array([true, false, true]);
    const q = np.array([true, true, false]);
    const g = (a: Array, b: Array) => [np.add(a, b), np.multiply(a, b), np.sum(a), np.subtract(np.astype(a, "int32"), np.astype(b, "int32")), np.max(a), np.min(b)];
    (jit(g)(p, q) as Array[]).forEach((r, i) => {
      const e = g(p, q)[i];
      expect(r.dtype).toBe(e.dtype);
      expect(r.toArray()).toEqual(e.toArray());
    });
  });

  it("empty axes reduce to the initial values", () => {
    const e = np.zeros([3, 0]);
    const f = (a: Array) => [np.sum(a, 1), np.max(a, 1), np.min(a, 1), np.prod(a, 1), np.sum(a), np.concatenate([a, a], 1), np.matmul(a, np.zeros([0, 2]))];
    (jit(f)(e) as Array[]).forEach((r, i) => expect(r.toArray()).toEqual((f(e)[i] as Array).toArray()));
  });

  it("in x64 (float64) the generated code computes exactly what eager does", () => {
    enableX64(true);
    try {
      const mat64 = fc.array(fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: 6, maxLength: 6 }).map((v) => np.reshape(np.array(v, "float64"), [2, 3]));
      // every op but the last (a cast through float32, whose temporaries the generated code keeps in doubles)
      const program64 = fc.array(fc.tuple(fc.integer({ min: 0, max: ops.length - 2 }), fc.boolean()), { minLength: 1, maxLength: 8 });
      fc.assert(
        fc.property(program64, mat64, mat64, (steps, x, y) => {
          const f = run(steps);
          expect(jit(f)(x, y).dataSync()[0]).toBe(f(x, y).dataSync()[0]);
          const d = (u: Array, w: Array) => np.divide(np.add(u, w), np.array([3, 7, 0.1], "float64"));
          expect(jit(d)(x, y).toArray()).toEqual(d(x, y).toArray());
        }),
        { seed: 17, numRuns: 30 },
      );
    } finally {
      enableX64(false);
    }
  });

  it("outputs are fresh arrays even when they are inputs, constants, views or repeated", () => {
    const c = np.array([1, 2, 3, 4]);
    const f = jit((x: Array) => {
      const s = np.exp(x);
      return [x, c, np.reshape(s, [2, 2]), s, s, np.transpose(np.reshape(s, [2, 2])), np.sum(s), np.slice(s, [1], [3])];
    });
    const first = f(np.array([0, 1, 2, 3])) as Array[];
    const snapshot = first.map((a) => a.toArray());
    f(np.array([5, 6, 7, 8]));
    first.forEach((a, i) => expect(a.toArray()).toEqual(snapshot[i]));
    expect(first[5].toArray()).toEqual(np.transpose(np.reshape(np.exp(np.array([0, 1, 2, 3])), [2, 2])).toArray());
  });

  it("calls the kernels of other primitives, and copies outputs they alias from reused arrays", () => {
    // a primitive the generated code knows nothing about, whose kernel returns its operand's storage
    const passThrough = definePrimitive<{ scale: number }>({
      name: "testPassThrough",
      abstract: ([x]) => [{ shape: x.shape, dtype: x.dtype }],
      js: ([x]) => [x.data],
      tfjs: (_tf, [x]) => [x],
    });
    const f = jit((x: Array) => {
      const y = bind1(passThrough, [np.slice(np.exp(x), [1], [3])], { scale: 2 });
      return [y, np.add(y, 1)];
    });
    const [a, b] = f(np.array([0, 1, 2, 3])) as Array[];
    const expected = [Math.exp(1), Math.exp(2)];
    f(np.array([4, 5, 6, 7]));
    a.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    b.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i] + 1, 4));
    expect(f.source(np.array([0, 1, 2, 3]))).toMatch(/K\[0\]\(\[\{data:/);
  });
});
