import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Array as NDArray, np } from "../../src/core/index.js";
import { expectArray, expectClose, FC, flat, forBackends, randomData, reduceOracle, size } from "../helpers.js";

const f32 = Math.fround;
const SHAPE = [2, 3, 4];
const DATA = randomData(24, 5, -3, 3).map(f32);
const X = () => np.reshape(np.array(DATA), SHAPE);

type Axis = number | number[] | undefined;
const AXES: Axis[] = [undefined, 0, 1, 2, -1, -3, [0, 2], [-1, 0], [0, 1, 2], [1]];

const norm = (ax: Axis, nd: number): number[] =>
  ax === undefined ? Array.from({ length: nd }, (_, i) => i) : (typeof ax === "number" ? [ax] : ax).map((a) => (a < 0 ? a + nd : a)).sort((a, b) => a - b);

const kept = (shape: number[], axes: number[]) => shape.map((d, i) => (axes.includes(i) ? 1 : d));

interface RedCase {
  name: string;
  fn: (x: NDArray, axis: Axis, keepdims: boolean) => NDArray;
  oracle: (vals: number[]) => number;
  tol?: { rtol: number; atol: number };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const variance = (v: number[], ddof = 0) => {
  const m = mean(v);
  return v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - ddof);
};

const CASES: RedCase[] = [
  { name: "sum", fn: np.sum, oracle: (v) => v.reduce((a, b) => a + b, 0) },
  { name: "prod", fn: np.prod, oracle: (v) => v.reduce((a, b) => a * b, 1), tol: { rtol: 2e-5, atol: 1e-5 } },
  { name: "max", fn: np.max, oracle: (v) => Math.max(...v) },
  { name: "min", fn: np.min, oracle: (v) => Math.min(...v) },
  { name: "mean", fn: np.mean, oracle: mean },
  { name: "var", fn: (x, a, k) => np.var(x, a, k), oracle: (v) => variance(v) },
  { name: "var ddof=1", fn: (x, a, k) => np.var(x, a, k, 1), oracle: (v) => variance(v, 1) },
  { name: "std", fn: np.std, oracle: (v) => Math.sqrt(variance(v)) },
];

/** Groups the elements of DATA by their output position under `axes` and applies `oracle`. */
function oracleReduce(data: number[], shape: number[], axes: number[], oracle: (v: number[]) => number) {
  const groups = reduceOracle(data, shape, axes, NaN, () => NaN); // just for the output shape
  const buckets: number[][] = groups.data.map(() => []);
  const outShape = groups.shape;
  const ost = outShape.map((_, i) => size(outShape.slice(i + 1)));
  for (let i = 0; i < data.length; i++) {
    const idx = shape.map((d, k) => Math.floor(i / size(shape.slice(k + 1))) % d).filter((_, k) => !axes.includes(k));
    buckets[idx.reduce((o, v, k) => o + v * ost[k], 0)].push(data[i]);
  }
  return { data: buckets.map(oracle), shape: outShape };
}

forBackends(["js", "tfjs-cpu"], () => {
  describe("reductions over axes vs an oracle", () => {
    for (const c of CASES) {
      it(c.name, () => {
        for (const axis of AXES) {
          const axes = norm(axis, 3);
          const want = oracleReduce(DATA, SHAPE, axes, c.oracle);
          const y = c.fn(X(), axis, false);
          expectClose(y, want.data, { ...(c.tol ?? { rtol: 1e-5, atol: 1e-5 }), shape: want.shape });
          const yk = c.fn(X(), axis, true);
          expectClose(yk, want.data, { ...(c.tol ?? { rtol: 1e-5, atol: 1e-5 }), shape: kept(SHAPE, axes) });
        }
      });
    }

    it("random shapes and axis sets (fast-check)", () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 }).chain((shape) =>
            fc.tuple(fc.constant(shape), fc.subarray(shape.map((_, i) => i)), fc.boolean(), fc.integer({ min: 1, max: 1000 })),
          ),
          ([shape, axes, keepdims, seed]) => {
            const data = randomData(size(shape), seed, -2, 2).map(f32);
            const x = np.reshape(np.array(data), shape);
            const ax = axes.length === shape.length && seed % 2 ? undefined : axes;
            const all = norm(ax, shape.length);
            for (const [fn, init, f] of [
              [np.sum, 0, (a: number, b: number) => a + b],
              [np.max, -Infinity, Math.max],
              [np.min, Infinity, Math.min],
            ] as const) {
              const want = reduceOracle(data, shape, all, init, f);
              expectClose(fn(x, ax, keepdims), want.data, { rtol: 1e-5, atol: 1e-5, shape: keepdims ? kept(shape, all) : want.shape });
            }
          },
        ),
        FC(40),
      );
    });
  });

  describe("dtypes", () => {
    it("sum and prod of int32 and bool give int32; max/min keep dtype; mean of ints is float", () => {
      const i = np.array([[1, 2, 3], [4, 5, 6]], "int32");
      expectArray(np.sum(i), 21, "int32");
      expectArray(np.sum(i, 0), [5, 7, 9], "int32");
      expectArray(np.prod(i, 1), [6, 120], "int32");
      expectArray(np.max(i, 1), [3, 6], "int32");
      expectArray(np.min(i), 1, "int32");
      expectArray(np.sum(np.array([true, true, false])), 2, "int32");
      expectArray(np.mean(i, 1), [2, 5], "float32");
      expectArray(np.var(i), Math.fround(35 / 12), "float32");
      expectArray(np.cumsum(i, 1), [[1, 3, 6], [4, 9, 15]], "int32");
      expectArray(np.cumsum(np.array([true, false, true])), [1, 1, 2], "int32");
    });

    it("any and all", () => {
      const b = np.array([[true, false], [true, true]]);
      expectArray(np.any(b, 1), [1, 1], "bool");
      expectArray(np.all(b, 1), [0, 1], "bool");
      expectArray(np.all(b, 0, true), [[1, 0]], "bool");
      expectArray(np.any([0, 0, 2]), 1, "bool");
      expectArray(np.all([1, 0.5, -1]), 1, "bool");
      expectArray(np.all(np.array([[1, 0]], "int32"), -1), [0], "bool");
    });
  });

  describe("edge cases", () => {
    it("empty arrays: identities of sum, prod, any, all", () => {
      expectArray(np.sum(np.zeros([0])), 0);
      expectArray(np.prod(np.zeros([0])), 1);
      expectArray(np.sum(np.zeros([0, 3]), 0), [0, 0, 0]);
      expectArray(np.sum(np.zeros([0, 3]), 1), [], undefined, [0]);
      expectArray(np.prod(np.zeros([2, 0]), 1), [1, 1]);
      expectArray(np.any(np.zeros([0], "bool")), 0, "bool");
      expectArray(np.all(np.zeros([0], "bool")), 1, "bool");
      expectArray(np.all(np.zeros([2, 0], "bool"), 1), [1, 1], "bool");
      expectArray(np.sum(np.zeros([0], "int32")), 0, "int32");
      expectArray(np.mean(np.zeros([0])), NaN);
      expectArray(np.cumsum(np.zeros([0])), [], undefined, [0]);
    });

    it("scalars and size-1 axes", () => {
      expectArray(np.sum(5), 5);
      expectArray(np.max(np.array(-2)), -2);
      expectArray(np.sum(np.array([[1], [2]]), 1), [1, 2]);
      expectArray(np.sum(np.array([[1, 2]]), 0, true), [[1, 2]]);
      expectArray(np.mean(np.array([[4]]), [0, 1]), 4);
    });

    it("max and min propagate NaN", () => {
      expectArray(np.max([1, NaN, 3]), NaN);
      expectArray(np.min([NaN, 1, 3]), NaN);
      expectArray(np.max([1, 3, NaN]), NaN);
      expectArray(np.max([[1, NaN], [3, 2]], 1), [NaN, 3]);
      expectArray(np.min([[1, NaN], [3, 2]], 0), [1, NaN]);
      expectArray(np.sum([1, NaN]), NaN);
      expectArray(np.max([-Infinity, -Infinity]), -Infinity);
    });
  });

  describe("argmax, argmin", () => {
    const a = [
      [3, 7, 7, 1],
      [9, 0, 0, 9],
    ];
    it("flattened, along axes, keepdims", () => {
      expectArray(np.argmax(a), 4, "int32");
      expectArray(np.argmin(a), 5, "int32");
      expectArray(np.argmax(a, 1), [1, 0], "int32");
      expectArray(np.argmax(a, -1, true), [[1], [0]], "int32");
      expectArray(np.argmin(a, 0), [0, 1, 1, 0], "int32");
      expectArray(np.argmax(np.array([[5]]), 0), [0], "int32");
      // keepdims without an axis keeps every axis (as length 1), as in NumPy
      expectArray(np.argmax(a, undefined, true), [[4]], "int32");
      expectArray(np.argmin(np.reshape(np.arange(8), [2, 2, 2]), undefined, true), [[[0]]], "int32");
    });
    it("ties give the first occurrence", () => {
      expectArray(np.argmax([1, 4, 4, 4]), 1);
      expectArray(np.argmin([2, 0, 0]), 1);
      expectArray(np.argmax(np.array([2, 5, 5], "int32")), 1);
    });
    it("NaN is the extremum (first NaN), as in NumPy", () => {
      expectArray(np.argmax([1, NaN, 5, NaN]), 1);
      expectArray(np.argmin([1, NaN, -5]), 1);
      expectArray(np.argmax([[NaN, 1], [0, 2]], 1), [0, 1]);
      expectArray(np.argmax([[2, NaN], [3, 1]], 0), [1, 0]);
    });
  });

  describe("cumsum", () => {
    it("along axes, flattened, reversed", () => {
      const x = [
        [1, 2, 3],
        [4, 5, 6],
      ];
      expectArray(np.cumsum(x), [1, 3, 6, 10, 15, 21]);
      expectArray(np.cumsum(x, 0), [[1, 2, 3], [5, 7, 9]]);
      expectArray(np.cumsum(x, -1), [[1, 3, 6], [4, 9, 15]]);
      expectArray(np.cumsum(x, 1, true), [[6, 5, 3], [15, 11, 6]]);
      expectArray(np.cumsum(x, 0, true), [[5, 7, 9], [4, 5, 6]]);
    });
    it("matches a running sum on random data", () => {
      const d = randomData(60, 3).map(f32);
      const y = flat(np.cumsum(np.reshape(np.array(d), [3, 20]), 1));
      let k = 0;
      for (let r = 0; r < 3; r++) {
        let acc = 0;
        for (let c = 0; c < 20; c++) {
          acc += d[r * 20 + c];
          expect(Math.abs(y[k++] - acc)).toBeLessThan(1e-5);
        }
      }
    });
  });
});
