/**
 * Code generation of the jit `js` back end for the pieces that loops lean on: threefry2x32 and
 * the random-bit conversions written inline, elementwise expressions without untaken branches,
 * gathers with out-of-range indices, and control flow compiled into kernels specialized on the
 * constants of the program around them (sub-programs writing into reused arrays). Every case
 * is checked bit for bit against eager evaluation.
 */
import { describe, expect, it } from "vitest";
import { cond, jit, np, scan, vmap, whileLoop, type Array as NDArray } from "../../src/core/index.js";
import { bind } from "../../src/core/interpreters/stack.js";
import { bitsToUnitPrim, bitsXorPrim, threefry2x32 } from "../../src/core/primitives/random.js";
import { scatterAddPrim } from "../../src/core/primitives/layout.js";

const same = (got: NDArray, want: NDArray) => {
  expect(got.shape).toEqual(want.shape);
  expect(got.dtype).toBe(want.dtype);
  expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
};
const u32 = (x: number) => x | 0;

describe("random bits in generated code", () => {
  it("threefry2x32 on single values matches the known-answer vectors", () => {
    const f = jit((k0: NDArray, k1: NDArray, c0: NDArray, c1: NDArray) => threefry2x32(k0, k1, c0, c1));
    const cases: [number[], number[]][] = [
      [[0, 0, 0, 0], [0x6b200159, 0x99ba4efe]],
      [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0x1cb996fc, 0xbb002be7]],
      [[0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3], [0xc4923a9c, 0x483df7a0]],
    ];
    for (const [[k0, k1, c0, c1], [y0, y1]] of cases) {
      const [a, b] = f(...([k0, k1, c0, c1].map((v) => np.array(u32(v), "int32")) as [NDArray, NDArray, NDArray, NDArray])) as NDArray[];
      expect(a.item() >>> 0).toBe(y0);
      expect(b.item() >>> 0).toBe(y1);
    }
  });
  it("threefry2x32 over broadcast arrays (in a loop nest) equals the eager kernel", () => {
    const k0 = np.array(u32(0x243f6a88), "int32");
    const k1 = np.array([7, -3], "int32");
    const c0 = np.reshape(np.arange(0, 3, 1, "int32"), [3, 1]);
    const c1 = np.array([[1, 2]], "int32");
    const f = (a: NDArray, b: NDArray, c: NDArray, d: NDArray) => {
      const [y0, y1] = threefry2x32(a, b, c, d);
      return [y0, y1, np.add(y0, 1)];
    };
    const want = f(k0, k1, c0, c1);
    const got = jit(f)(k0, k1, c0, c1) as NDArray[];
    expect(got[0].shape).toEqual([3, 2]);
    want.forEach((w, i) => same(got[i], w));
  });
  it("bitsXor and bitsToUnit (float32 and float64) equal the eager kernels", () => {
    const a = np.array([0, -1, 123456789, u32(0x80000000), 0x7fffffff], "int32");
    const b = np.array([5, 3, -987654321, 1, u32(0xfffff000)], "int32");
    const f = (x: NDArray, y: NDArray) => {
      const [z] = bind(bitsXorPrim, [x, y], null);
      const [u32f] = bind(bitsToUnitPrim, [z], { dtype: "float32" });
      const [u64] = bind(bitsToUnitPrim, [x, z], { dtype: "float64" });
      return [z, u32f, u64, np.multiply(u32f, 2)];
    };
    const want = f(a, b);
    const got = jit(f)(a, b) as NDArray[];
    want.forEach((w, i) => same(got[i], w));
  });
});

describe("elementwise expressions", () => {
  const specials = [0, -0, 1, -1, 2.5, -2.5, 7, -7, NaN, Infinity, -Infinity, 1e-30, -1e-30];
  const xs = specials.flatMap((a) => specials.map(() => a));
  const ys = specials.flatMap(() => specials);
  it("max, min, sign, mod, sigmoid, logical ops and max/min reductions equal eager on signed zeros, NaN and infinities", () => {
    const f = (x: NDArray, y: NDArray) => {
      const bx = np.notEqual(x, 0);
      const by = np.greater(y, 0);
      return [
        np.maximum(x, y),
        np.minimum(x, y),
        np.sign(x),
        np.mod(x, y),
        np.mod(np.astype(x, "int32"), np.add(np.astype(np.abs(y), "int32"), 1)),
        np.astype(np.logicalAnd(bx, by), "float32"),
        np.astype(np.logicalOr(bx, by), "float32"),
        np.astype(np.logicalXor(bx, by), "float32"),
        np.max(np.reshape(x, [specials.length, specials.length]), 1),
        np.min(np.reshape(y, [specials.length, specials.length]), 0),
      ];
    };
    const x = np.array(xs);
    const y = np.array(ys);
    const want = f(x, y);
    const got = jit(f)(x, y) as NDArray[];
    want.forEach((w, i) => same(got[i], w));
  });
  it("sigmoid of single values and arrays equals eager", () => {
    const x = np.array([-800, -30, -1, -0, 0, 1e-8, 1, 30, 800, NaN, -Infinity, Infinity]);
    same(jit((v: NDArray) => np.sigmoid(v))(x), np.sigmoid(x));
    for (const v of [-3, 0, 4]) same(jit((s: NDArray) => np.sigmoid(s))(np.array(v)), np.sigmoid(np.array(v)));
  });
  it("gather wraps negative indices once and clamps the rest, as eager does", () => {
    const x = np.reshape(np.arange(0, 12), [4, 3]);
    const idx = np.array([0, 3, -1, -4, -9, 7, 2], "int32");
    same(jit((a: NDArray, i: NDArray) => np.take(a, i, 0))(x, idx), np.take(x, idx, 0));
  });
});

describe("matrix products", () => {
  const mat = (r: number, c: number, seed: number) => np.reshape(np.sin(np.multiply(np.arange(seed, seed + r * c), 1.37)), [r, c]);
  it("short dot products written out, long ones side by side, every layout, equal eager bit for bit", () => {
    const cases: [NDArray, NDArray][] = [
      [mat(1000, 5, 0), mat(5, 1, 3)], // k = 5: written out
      [mat(7, 3, 1), mat(3, 4, 2)], // k = 3, n = 4
      [mat(5, 1000, 4), mat(1000, 1, 5)], // m n = 5: side by side
      [mat(2, 300, 6), mat(300, 3, 7)], // m n = 6
      [np.transpose(mat(300, 2, 8)), mat(300, 2, 9)], // transposed left operand
      [mat(3, 40, 10), np.transpose(mat(2, 40, 11))], // transposed right operand
      [np.reshape(mat(4, 30, 12), [2, 2, 30]), mat(30, 2, 13)], // batch of 2
      [np.full([3, 50], 0.5), mat(50, 2, 14)], // a constant operand
      [mat(1, 9, 15), mat(9, 9, 16)], // m n = 9: dot products
    ];
    for (const [a, b] of cases) {
      const f = (x: NDArray, y: NDArray) => np.matmul(x, y);
      same(jit(f)(a, b), f(a, b));
      // with a constant operand (captured), as a model's data is
      same(jit((y: NDArray) => np.matmul(a, y))(b), f(a, b));
    }
  });
});

/** A loop-heavy function: a while loop with captured scalar and array constants, holding a nested while and a cond. */
const nested = (x0: NDArray) => {
  const scale = np.array([0.5, 2, -1]);
  const step = 0.25;
  return whileLoop(
    (c: { x: NDArray; n: NDArray; acc: NDArray; same: NDArray }) => np.less(c.n, 6),
    (c) => {
      // an inner loop halving until the norm is below 3 (constants captured from both levels)
      const inner = whileLoop(
        (v: NDArray) => np.greater(np.sum(np.abs(v)), 3),
        (v: NDArray) => np.multiply(v, 0.5),
        np.add(np.multiply(c.x, scale), step),
      );
      const picked = cond(np.equal(np.mod(c.n, 2), 0), (a: NDArray) => np.add(a, 1), (a: NDArray) => np.subtract(a, scale), inner);
      return { x: picked, n: np.add(c.n, np.array(1, "int32")), acc: np.add(c.acc, np.sum(picked)), same: c.same };
    },
    { x: x0, n: np.array(0, "int32"), acc: np.array(0), same: np.zeros([2, 2]) },
  );
};

describe("control flow compiled into specialized kernels", () => {
  it("nested while loops and a cond with captured constants equal eager", () => {
    const x0 = np.array([1, -2, 3]);
    const want = nested(x0);
    const got = jit(nested)(x0);
    for (const k of ["x", "n", "acc", "same"] as const) same(got[k], want[k]);
  });
  it("results of earlier calls are not overwritten by later ones (loop arrays are reused inside)", () => {
    const f = jit(nested);
    const a = f(np.array([1, -2, 3]));
    const keep = Array.from(a.x.dataSync());
    const b = f(np.array([0.1, 0.2, -4]));
    expect(Array.from(a.x.dataSync())).toEqual(keep);
    same(b.x, nested(np.array([0.1, 0.2, -4])).x);
    same(f(np.array([1, -2, 3])).x, a.x);
  });
  it("a while loop that runs zero times returns its initial carry (constants included)", () => {
    const f = jit((x: NDArray) => whileLoop((c: NDArray[]) => np.less(np.sum(c[1]), 0), (c: NDArray[]) => [np.add(c[0], 1), c[1]], [x, np.ones([2])]));
    const [a, b] = f(np.array([4, 5]));
    same(a, np.array([4, 5]));
    same(b, np.ones([2]));
  });
  it("loop bodies whose outputs are scatter-adds into zeros, pads, concatenations, repeats and passed-through inputs", () => {
    // each step writes its carry into arrays the previous-but-one step wrote: nothing may rely on them being zero
    const body = (c: { a: NDArray; p: NDArray; q: NDArray; r: NDArray; k: NDArray; n: NDArray }) => {
      const idx = np.astype(np.mod(np.add(np.arange(0, 3), c.n), 4), "int32");
      const [a] = bind(scatterAddPrim, [np.zeros([4]), idx, np.add(np.take(c.a, idx, 0), c.n)], { axis: 0 });
      const p = np.pad(np.multiply(np.slice(c.p, [1, 1], [3, 3]), 2), [[1, 1], [1, 1]]);
      const q = np.concatenate([np.slice(c.q, [1], [3]), np.add(np.slice(c.q, [0], [1]), c.n)], 0);
      return { a, p, q, r: a, k: c.k, n: np.add(c.n, 1) };
    };
    const f = (a0: NDArray) =>
      whileLoop((c: ReturnType<typeof body>) => np.less(c.n, 5), body, {
        a: a0,
        p: np.reshape(np.arange(1, 17), [4, 4]),
        q: np.array([1, 2, 3]),
        r: np.zeros([4]),
        k: np.array([9, 8]),
        n: np.array(0),
      });
    const want = f(np.array([1, -2, 3, 4]));
    const j = jit(f);
    for (let rep = 0; rep < 2; rep++) {
      const got = j(np.array([1, -2, 3, 4]));
      for (const k of ["a", "p", "q", "r", "k", "n"] as const) same(got[k], want[k]);
    }
  });
  it("scan with constants, xs and ys, forward, reverse and of length 0, equals eager", () => {
    const w = np.array([0.5, -1.5]);
    const body = (c: NDArray, x: NDArray) => [np.add(np.multiply(c, 0.9), np.multiply(x, w)), np.stack([c, np.multiply(x, 2)])] as const;
    const xs = np.reshape(np.arange(0, 10), [5, 2]);
    for (const reverse of [false, true]) {
      const f = (c0: NDArray, x: NDArray) => scan(body, c0, x, { reverse }) as [NDArray, NDArray];
      const [wc, wy] = f(np.array([1, 2]), xs);
      const [gc, gy] = jit(f)(np.array([1, 2]), xs);
      same(gc, wc);
      same(gy, wy);
    }
    const empty = (c0: NDArray) => scan((c: NDArray) => [np.add(c, 1), c] as const, c0, null, { length: 0 }) as [NDArray, NDArray];
    const [c, ys] = jit(empty)(np.array([3, 4]));
    same(c, np.array([3, 4]));
    expect(ys.shape).toEqual([0, 2]);
  });
  it("a scan whose body holds a while loop, run twice, equals eager both times", () => {
    const f = (c0: NDArray) =>
      scan(
        (c: NDArray) => {
          const d = whileLoop((v: NDArray) => np.less(np.sum(v), 10), (v: NDArray) => np.add(v, np.array([1, 2])), c);
          return [np.subtract(d, 7), d] as const;
        },
        c0,
        null,
        { length: 4 },
      ) as [NDArray, NDArray];
    const j = jit(f);
    for (const start of [np.array([0, 0]), np.array([5, -1])]) {
      const [wc, wy] = f(start);
      const [gc, gy] = j(start);
      same(gc, wc);
      same(gy, wy);
    }
  });
  it("vmap of the nested loops under jit equals the loops member by member", () => {
    const xs = np.array([
      [1, -2, 3],
      [0.5, 0.5, 0.5],
      [-4, 1, 0],
    ]);
    const got = jit(vmap(nested))(xs);
    for (let i = 0; i < 3; i++) {
      const want = nested(np.take(xs, i, 0));
      same(np.take(got.x, i, 0), want.x);
      same(np.take(got.acc, i, 0), want.acc);
    }
  });
  it("folds scalar constants of the program around a loop into the loop's code", () => {
    // the loop body's code is generated when the loop first runs; scalars captured by the body are literals there
    const f = jit((x: NDArray) => whileLoop((v: NDArray) => np.less(v, 100), (v: NDArray) => np.add(np.multiply(v, 3), 0.125), x));
    expect(f(np.array(1)).item()).toBe(nestedScalar(1));
  });
});

const nestedScalar = (v: number) => {
  let x = v;
  while (x < 100) x = Math.fround(Math.fround(x * 3) + 0.125);
  return x;
};

describe("large programs", () => {
  // 200 layers of a small network: the generated code is far past V8's limit on the size of an optimized function
  const ws = Array.from({ length: 200 }, (_, i) => np.multiply(np.cos(np.reshape(np.arange(i, i + 16), [4, 4])), 0.5));
  const deep = (x: NDArray) => {
    let h = x;
    ws.forEach((w, i) => (h = np.add(np.tanh(np.matmul(h, w)), np.multiply(h, i % 3 === 0 ? 0.5 : 0.25))));
    return h;
  };
  const x = np.reshape(np.sin(np.arange(0, 12)), [3, 4]);

  it("split into segment functions, equal to eager evaluation", () => {
    const f = jit(deep);
    const source = f.source(x);
    expect(source.length).toBeGreaterThan(60_000);
    expect(source).toContain("function segment1()");
    same(f(x), deep(x));
  });
  it("segments of a loop body that writes into the loop's arrays, values hoisted across segments", () => {
    const body = (c: NDArray, t: NDArray): [NDArray, NDArray] => {
      const h = deep(np.add(c, t));
      return [np.multiply(h, 0.5), np.sum(h)];
    };
    const ts = np.array([0.1, -0.2, 0.3]);
    const [c, ys] = jit((c0: NDArray) => scan(body, c0, ts))(x);
    const [wc, wys] = scan(body, x, ts);
    same(c, wc);
    same(ys, wys);
  });
});
