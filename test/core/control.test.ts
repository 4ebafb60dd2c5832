/**
 * Control flow: whileLoop, forLoop, scan, cond, switchCase. Each against a plain JS loop or
 * branch (eager, jit js, jit tfjs, IR interpreter), reverse-mode gradients against finite
 * differences, vmap against stacking, transforms composed, error messages and memory.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cond, forLoop, grad, jit, makeProgram, np, random, scan, switchCase, vmap, whileLoop, type Array as NDArray } from "../../src/core/index.js";
import { tfjs } from "../../src/core/backend.js";
import { checkGradFD, expectClose, forBackends, withX64 } from "../helpers.js";

const collatzSteps = (n: number) => {
  let k = 0;
  while (n !== 1) {
    n = n % 2 === 0 ? n / 2 : 3 * n + 1;
    k++;
  }
  return k;
};

/** Collatz step count as a whileLoop over an int carry [n, steps]. */
const collatz = (n0: NDArray) =>
  whileLoop(
    ([n]: NDArray[]) => np.notEqual(n, 1),
    ([n, k]: NDArray[]) => [np.where(np.equal(np.mod(n, 2), 0), np.floorDivide(n, 2), np.add(np.multiply(n, 3), 1)), np.add(k, 1)],
    [n0, np.zerosLike(n0)],
  )[1];

/** A nonlinear recurrence: c <- c * tanh(x) + sin(c) * w, emitting c^2. */
const recurrence = (w: NDArray, c0: NDArray, xs: NDArray, reverse = false) =>
  scan((c: NDArray, x: NDArray) => [np.add(np.multiply(c, np.tanh(x)), np.multiply(np.sin(c), w)), np.square(c)] as const, c0, xs, { reverse });

const recurrenceJs = (w: number[], c0: number[], xs: number[][], reverse = false) => {
  let c = [...c0];
  const ys: number[][] = [];
  const order = xs.map((_, t) => (reverse ? xs.length - 1 - t : t));
  for (const t of order) {
    ys[t] = c.map((v) => v * v);
    c = c.map((v, i) => v * Math.tanh(xs[t][i]) + Math.sin(v) * w[i]);
  }
  return { c, ys };
};

const vec = (n: number) => fc.array(fc.double({ min: -1.5, max: 1.5, noNaN: true }), { minLength: n, maxLength: n });

forBackends(["js", "tfjs-cpu"], () => {
  describe("whileLoop", () => {
    it("equals a JS loop eagerly, under jit and in the IR interpreter", () => {
      for (const n of [1, 6, 7, 27]) {
        const want = collatzSteps(n);
        const x = np.array(n, "int32");
        expect(collatz(x).item()).toBe(want);
        expect(jit(collatz)(x).item()).toBe(want);
        expect(jit(collatz, { mode: "interpret" })(x).item()).toBe(want);
      }
    });
    it("runs zero times when the predicate starts false", () => {
      const r = whileLoop((c: NDArray) => np.less(c, 0), (c: NDArray) => np.add(c, 1), np.array(5));
      expect(r.item()).toBe(5);
    });
    it("captures outer values (closures) as loop constants", () => {
      const f = (limit: NDArray, step: NDArray) => whileLoop((c: NDArray) => np.less(c, limit), (c: NDArray) => np.add(c, step), np.array(0));
      expect(f(np.array(10), np.array(3)).item()).toBe(12);
      expect(jit(f)(np.array(10), np.array(3)).item()).toBe(12);
    });
    it("vmap with a batched predicate runs until all are done and freezes finished members", () => {
      const ns = [1, 6, 7, 27, 97];
      const got = vmap(collatz)(np.array(ns, "int32"));
      expect(Array.from(got.dataSync())).toEqual(ns.map(collatzSteps));
      expect(Array.from(jit(vmap(collatz))(np.array(ns, "int32")).dataSync())).toEqual(ns.map(collatzSteps));
    });
    it("vmap with batched body constants and an unbatched predicate", () => {
      const f = (step: NDArray) => whileLoop(([i]: NDArray[]) => np.less(i, 4), ([i, s]: NDArray[]) => [np.add(i, 1), np.add(s, step)], [np.array(0), np.array(0)])[1];
      expectClose(vmap(f)(np.array([1, 2, 3])), [4, 8, 12]);
    });
    it("reverse-mode differentiation is refused with a clear error", () => {
      const f = (x: NDArray) => whileLoop((c: NDArray) => np.less(c, 10), (c: NDArray) => np.multiply(c, x), np.array(1));
      expect(() => grad(f)(np.array(2))).toThrow(/whileLoop: reverse-mode differentiation through a while loop is not supported/);
    });
    it("grad of a function whose while loop only uses non-differentiated values works", () => {
      const f = (x: NDArray) => np.multiply(x, whileLoop((c: NDArray) => np.less(c, 10), (c: NDArray) => np.add(c, 3), np.array(0)));
      expect(grad(f)(np.array(2)).item()).toBe(12);
    });
  });

  describe("scan", () => {
    it("equals a JS loop (forward and reverse), eager and under jit", () => {
      fc.assert(
        fc.property(vec(2), vec(2), fc.array(vec(2), { minLength: 0, maxLength: 6 }), fc.boolean(), (w, c0, xs, reverse) => {
          const want = recurrenceJs(w, c0, xs, reverse);
          const xa = xs.length ? np.array(xs) : np.zeros([0, 2]);
          const f = (a: NDArray, b: NDArray, c: NDArray) => recurrence(a, b, c, reverse);
          for (const g of [f, jit(f)]) {
            const [c, ys] = g(np.array(w), np.array(c0), xa);
            expectClose(c, want.c, { rtol: 1e-4, atol: 1e-5 });
            expect(ys.shape).toEqual([xs.length, 2]);
            if (xs.length) expectClose(ys, want.ys, { rtol: 1e-4, atol: 1e-5 });
          }
        }),
        { seed: 11, numRuns: 25 },
      );
    });
    it("takes pytrees for carry, xs and ys, and xs = null with a length", () => {
      const [c, ys] = scan(
        (carry: { a: NDArray; b: NDArray[] }, x: { u: NDArray }): [{ a: NDArray; b: NDArray[] }, { s: NDArray; t: NDArray[] }] => [
          { a: np.add(carry.a, x.u), b: [np.multiply(carry.b[0], 2)] },
          { s: carry.a, t: [x.u] },
        ],
        { a: np.array(0), b: [np.array(1)] },
        { u: np.array([1, 2, 3]) },
      );
      expect(c.a.item()).toBe(6);
      expect(c.b[0].item()).toBe(8);
      expectClose(ys.s, [0, 1, 3]);
      expectClose(ys.t[0], [1, 2, 3]);
      const [k] = scan((c: NDArray) => [np.add(c, 1), null] as const, np.array(0, "int32"), null, { length: 7 });
      expect(k.item()).toBe(7);
    });
  });

  describe("cond and switchCase", () => {
    const f = (x: NDArray) => cond(np.greater(x, 0), (y: NDArray) => np.multiply(y, y), (y: NDArray) => np.sin(y), x);
    it("takes the branch of the predicate, eager and under jit", () => {
      for (const x of [2, -2]) {
        const want = x > 0 ? x * x : Math.sin(x);
        expectClose(f(np.array(x)), want);
        expectClose(jit(f)(np.array(x)), want);
      }
    });
    it("switchCase clamps its index", () => {
      const g = (i: NDArray, x: NDArray) => switchCase(i, [(y: NDArray) => np.add(y, 1), (y: NDArray) => np.add(y, 10), (y: NDArray) => np.add(y, 100)], x);
      expect([-1, 0, 1, 2, 5].map((i) => jit(g)(np.array(i, "int32"), np.array(0)).item())).toEqual([1, 1, 10, 100, 100]);
      expect(Array.from(vmap(g)(np.array([-1, 0, 1, 2, 5], "int32"), np.zeros([5])).dataSync())).toEqual([1, 1, 10, 100, 100]);
    });
    it("vmap with a batched predicate picks per member; with an unbatched one runs one branch", () => {
      const xs = [2, -2, 0.5, -0.1];
      expectClose(vmap(f)(np.array(xs)), xs.map((x) => (x > 0 ? x * x : Math.sin(x))), { rtol: 1e-5 });
      const h = (p: NDArray, x: NDArray) => cond(p, (y: NDArray) => np.multiply(y, 2), (y: NDArray) => np.negative(y), x);
      expectClose(vmap(h, { inAxes: [null, 0] })(np.array(true), np.array(xs)), xs.map((x) => 2 * x));
    });
    it("branches that disagree on shapes are an error naming both", () => {
      expect(() => cond(np.array(true), () => np.zeros([2]), () => np.zeros([3]))).toThrow(/cond: branches must return the same shapes and dtypes; branch 0 gives float32\[3\] but branch 1 gives float32\[2\]/);
    });
  });

  describe("jit of functions with control flow on random keys", () => {
    it("a vmapped sampler inside a scan gives each member its own stream", () => {
      const walk = (key: NDArray) => scan((c: NDArray, k: NDArray) => {
        const s = np.add(c, random.normal(k));
        return [s, s] as const;
      }, np.array(0), random.split(key, 5))[1];
      const keys = random.split(random.key(0), 3);
      const paths = jit(vmap(walk))(keys);
      expect(paths.shape).toEqual([3, 5]);
      const rows = paths.toArray() as number[][];
      expect(new Set(rows.map((r) => r[4])).size).toBe(3);
      expectClose(paths, np.stack([0, 1, 2].map((i) => walk(np.reshape(np.slice(keys, [i, 0], [i + 1, 2]), [2])))), { rtol: 1e-5 });
    });
  });
});

describe("reverse mode through scan, forLoop and cond (finite differences, float64)", () => {
  it("scan: gradients with respect to constants, initial carry and xs, forward and reverse", () => {
    for (const reverse of [false, true]) {
      checkGradFD(
        (w, c0, xs) => {
          const [c, ys] = recurrence(w, c0, xs, reverse);
          return np.add(np.sum(c), np.sum(np.multiply(ys, np.array([[1], [2], [3]]))));
        },
        [[0.3, -0.7], [0.5, 1.2], [[0.1, 0.4], [-0.3, 0.9], [1.1, -0.5]]],
      );
    }
  });
  it("forLoop: power by repeated multiplication and its second derivative", () => {
    const f = (x: NDArray) => forLoop(0, 5, (_i, c: NDArray) => np.multiply(c, x), np.array(1));
    withX64(() => {
      expect(grad(f)(np.array(1.5)).item()).toBeCloseTo(5 * 1.5 ** 4, 10);
      expect(grad(grad(f))(np.array(1.5)).item()).toBeCloseTo(20 * 1.5 ** 3, 10);
      expect(jit(grad(f))(np.array(1.5)).item()).toBeCloseTo(5 * 1.5 ** 4, 10);
    });
  });
  it("forLoop with array bounds is a while loop with the same result", () => {
    const f = (n: NDArray) => forLoop(np.array(0, "int32"), n, (i, c: NDArray) => np.add(c, np.astype(i, "float32")), np.array(0));
    expect(f(np.array(5, "int32")).item()).toBe(10);
    expect(jit(f)(np.array(6, "int32")).item()).toBe(15);
  });
  it("cond: gradient of the taken branch, including captured values", () => {
    checkGradFD((x, a) => cond(np.greater(np.sum(x), 0), (y: NDArray) => np.multiply(np.sin(y), a), (y: NDArray) => np.multiply(np.exp(y), np.square(a)), x), [[0.3, 0.5], [2.0]]);
    checkGradFD((x, a) => cond(np.greater(np.sum(x), 0), (y: NDArray) => np.multiply(np.sin(y), a), (y: NDArray) => np.multiply(np.exp(y), np.square(a)), x), [[-0.3, -0.5], [2.0]]);
  });
  it("grad of vmap and vmap of grad of a scan agree with a loop of grads", () => {
    const loss = (w: NDArray, xs: NDArray) => np.sum(recurrence(w, np.array([0.2, -0.1]), xs)[1]);
    const xs = np.array([[[0.1, 0.4], [-0.3, 0.9]], [[0.5, -0.2], [0.7, 0.3]], [[1.0, 0.0], [-1.0, 0.2]]]);
    const w = np.array([0.3, -0.7]);
    const perMember = [0, 1, 2].map((i) => grad(loss)(w, np.reshape(np.slice(xs, [i, 0, 0], [i + 1, 2, 2]), [2, 2])));
    expectClose(vmap(grad(loss), { inAxes: [null, 0] })(w, xs), np.stack(perMember), { rtol: 1e-5 });
    const summed = (v: NDArray) => np.sum(vmap(loss, { inAxes: [null, 0] })(v, xs));
    expectClose(grad(summed)(w), np.sum(np.stack(perMember), 0), { rtol: 1e-5 });
    expectClose(jit(grad(summed))(w), np.sum(np.stack(perMember), 0), { rtol: 1e-5 });
  });
});

describe("programs and errors", () => {
  it("a loop is one equation holding its sub-programs", () => {
    const text = makeProgram(collatz)(np.array(7, "int32")).toString();
    expect(text).toMatch(/= while\[cond=/);
    expect(text.match(/^ {4}v/gm)?.length).toBe(1);
  });
  it("a body that changes the carry's shape or dtype names the leaf and both types", () => {
    expect(() => whileLoop((c: NDArray) => np.less(np.sum(c), 3), (c: NDArray) => np.concatenate([c, c]), np.zeros([2]))).toThrow(
      /whileLoop bodyFn: carry leaf 0 changed from float32\[2\] to float32\[4\]/,
    );
    expect(() => scan((c: NDArray, x: NDArray) => [np.astype(c, "int32"), x] as const, np.array(0), np.zeros([3]))).toThrow(/scan f: carry leaf 0 changed from float32\[\] to int32\[\]/);
  });
  it("scan needs a length when xs is null and consistent leading axes", () => {
    expect(() => scan((c: NDArray) => [c, null] as const, np.array(0))).toThrow(/scan: give `length` when xs is null/);
    expect(() => scan((c: NDArray) => [c, null] as const, np.array(0), [np.zeros([2]), np.zeros([3])])).toThrow(/disagree on the number of steps: 2, 3/);
  });
});

describe("memory", () => {
  forBackends(["tfjs-cpu"], () => {
    it("a long jitted while loop on tfjs keeps the tensor count flat", () => {
      const tf = tfjs();
      const f = jit((x: NDArray) => whileLoop(([i]: NDArray[]) => np.less(i, 2000), ([i, v]: NDArray[]) => [np.add(i, 1), np.add(np.multiply(v, 0.5), 1)], [np.array(0), x])[1]);
      f(np.ones([64]));
      const before = tf.memory().numTensors;
      const r = f(np.ones([64]));
      expectClose(r, np.full([64], 2));
      expect(tf.memory().numTensors - before).toBeLessThanOrEqual(4);
    });
  });
});
