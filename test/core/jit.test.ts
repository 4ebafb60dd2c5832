import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { np, grad, valueAndGrad, vmap, jit, makeProgram, setBackend, type Array } from "../../src/core/index.js";

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
type Op = (x: Array, y: Array) => Array;
const ops: Op[] = [
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
  let a = x;
  let b = y;
  for (const [k, swap] of steps) {
    const r = ops[k](a, b);
    if (swap) b = r;
    else a = r;
  }
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
