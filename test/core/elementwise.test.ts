import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Array as NDArray, np, setBackend, getBackend, type DType } from "../../src/core/index.js";
import { expectArray, expectClose, FC, forBackends, mapOracle, randomData, size } from "../helpers.js";

const f32 = Math.fround;

/** Values of known special functions (from mpmath / scipy.special, float64). */
const ERF: [number, number][] = [
  [0, 0],
  [0.1, 0.1124629160182849],
  [0.5, 0.5204998778130465],
  [1, 0.8427007929497149],
  [-1.5, -0.9661051464753108],
  [2, 0.9953222650189527],
  [-3, -0.9999779095030014],
  [4, 0.9999999845827421],
];
const ERFC: [number, number][] = [
  [0, 1],
  [0.5, 0.4795001221869535],
  [1, 0.15729920705028513],
  [-1, 1.8427007929497148],
  [2, 0.004677734981047266],
  [3, 2.209049699858544e-5],
];

interface UnaryCase {
  name: string;
  fn: (x: NDArray | number[]) => NDArray;
  oracle: (x: number) => number;
  inputs: number[];
}

const UNARY: UnaryCase[] = [
  { name: "negative", fn: np.negative, oracle: (x) => -x, inputs: [-2.5, 0, 1, 3.25] },
  { name: "abs", fn: np.abs, oracle: Math.abs, inputs: [-2.5, -0, 0, 1, 3.25] },
  { name: "exp", fn: np.exp, oracle: Math.exp, inputs: [-3, -0.5, 0, 0.7, 2, 10] },
  { name: "expm1", fn: np.expm1, oracle: Math.expm1, inputs: [-1, -1e-5, 0, 1e-6, 0.3, 2] },
  { name: "log", fn: np.log, oracle: Math.log, inputs: [1e-3, 0.5, 1, 2, 100] },
  { name: "log1p", fn: np.log1p, oracle: Math.log1p, inputs: [-0.5, -1e-6, 0, 1e-6, 1, 10] },
  { name: "sqrt", fn: np.sqrt, oracle: Math.sqrt, inputs: [0, 0.25, 2, 9, 1e4] },
  { name: "sin", fn: np.sin, oracle: Math.sin, inputs: [-2, -0.5, 0, 1, 3] },
  { name: "cos", fn: np.cos, oracle: Math.cos, inputs: [-2, -0.5, 0, 1, 3] },
  { name: "tan", fn: np.tan, oracle: Math.tan, inputs: [-1.2, -0.5, 0, 0.4, 1] },
  { name: "arcsin", fn: np.arcsin, oracle: Math.asin, inputs: [-1, -0.5, 0, 0.3, 0.99] },
  { name: "arccos", fn: np.arccos, oracle: Math.acos, inputs: [-1, -0.5, 0, 0.3, 0.99] },
  { name: "arctan", fn: np.arctan, oracle: Math.atan, inputs: [-10, -0.5, 0, 0.3, 5] },
  { name: "sinh", fn: np.sinh, oracle: Math.sinh, inputs: [-2, -0.1, 0, 0.5, 3] },
  { name: "cosh", fn: np.cosh, oracle: Math.cosh, inputs: [-2, -0.1, 0, 0.5, 3] },
  { name: "tanh", fn: np.tanh, oracle: Math.tanh, inputs: [-20, -2, -0.1, 0, 0.5, 3, 20] },
  { name: "arcsinh", fn: np.arcsinh, oracle: Math.asinh, inputs: [-3, -0.1, 0, 0.5, 10] },
  { name: "arccosh", fn: np.arccosh, oracle: Math.acosh, inputs: [1, 1.5, 3, 10] },
  { name: "arctanh", fn: np.arctanh, oracle: Math.atanh, inputs: [-0.9, -0.1, 0, 0.5, 0.75] },
  { name: "sigmoid", fn: np.sigmoid, oracle: (x) => 1 / (1 + Math.exp(-x)), inputs: [-30, -2, 0, 0.5, 3, 30] },
  { name: "square", fn: np.square, oracle: (x) => x * x, inputs: [-3, -0.5, 0, 2] },
  { name: "reciprocal", fn: np.reciprocal, oracle: (x) => 1 / x, inputs: [-4, -0.5, 0.25, 2] },
  { name: "log2", fn: np.log2, oracle: Math.log2, inputs: [0.125, 1, 3, 1024] },
  { name: "log10", fn: np.log10, oracle: Math.log10, inputs: [0.01, 1, 3, 1000] },
  { name: "exp2", fn: np.exp2, oracle: (x) => 2 ** x, inputs: [-3, 0, 0.5, 10] },
  { name: "floor", fn: np.floor, oracle: Math.floor, inputs: [-2.5, -0.2, 0, 0.7, 3] },
  { name: "ceil", fn: np.ceil, oracle: Math.ceil, inputs: [-2.5, -0.2, 0, 0.7, 3] },
];

interface BinaryCase {
  name: string;
  fn: (a: NDArray, b: NDArray) => NDArray;
  oracle: (a: number, b: number) => number;
  lo: [number, number];
  hi: [number, number];
}

const BINARY: BinaryCase[] = [
  { name: "add", fn: np.add, oracle: (a, b) => a + b, lo: [-3, -3], hi: [3, 3] },
  { name: "subtract", fn: np.subtract, oracle: (a, b) => a - b, lo: [-3, -3], hi: [3, 3] },
  { name: "multiply", fn: np.multiply, oracle: (a, b) => a * b, lo: [-3, -3], hi: [3, 3] },
  { name: "divide", fn: np.divide, oracle: (a, b) => a / b, lo: [-3, 0.5], hi: [3, 3] },
  { name: "power", fn: np.power, oracle: Math.pow, lo: [0.1, -2], hi: [3, 2] },
  { name: "maximum", fn: np.maximum, oracle: Math.max, lo: [-3, -3], hi: [3, 3] },
  { name: "minimum", fn: np.minimum, oracle: Math.min, lo: [-3, -3], hi: [3, 3] },
  { name: "arctan2", fn: np.arctan2, oracle: Math.atan2, lo: [-3, -3], hi: [3, 3] },
  { name: "mod", fn: np.mod, oracle: (a, b) => a - Math.floor(a / b) * b, lo: [-5, 0.5], hi: [5, 2] },
  { name: "less", fn: np.less, oracle: (a, b) => +(a < b), lo: [-1, -1], hi: [1, 1] },
  { name: "lessEqual", fn: np.lessEqual, oracle: (a, b) => +(a <= b), lo: [-1, -1], hi: [1, 1] },
  { name: "greater", fn: np.greater, oracle: (a, b) => +(a > b), lo: [-1, -1], hi: [1, 1] },
  { name: "greaterEqual", fn: np.greaterEqual, oracle: (a, b) => +(a >= b), lo: [-1, -1], hi: [1, 1] },
  { name: "equal", fn: np.equal, oracle: (a, b) => +(a === b), lo: [-1, -1], hi: [1, 1] },
  { name: "notEqual", fn: np.notEqual, oracle: (a, b) => +(a !== b), lo: [-1, -1], hi: [1, 1] },
];

const SHAPE_PAIRS: [number[], number[]][] = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[2, 1], [1, 3]],
  [[], [2, 3]],
  [[3], []],
  [[4, 1, 3], [2, 1]],
  [[1], [5]],
  [[0, 3], [3]],
  [[2, 0], [1, 1]],
];

const arr = (data: number[], shape: number[], dtype?: DType) => np.reshape(np.array(data, dtype), shape);

forBackends(["js", "tfjs-cpu"], (backend) => {
  describe("unary ops vs Math", () => {
    for (const c of UNARY) {
      it(c.name, () => {
        const xs = c.inputs.map(f32);
        const y = c.fn(xs);
        expect(y.dtype).toBe("float32");
        expectClose(
          y,
          xs.map((x) => f32(c.oracle(x))),
          { rtol: 3e-6, atol: 1e-6 },
        );
        // 2-D input keeps its shape
        const y2 = c.fn(np.reshape(np.array([xs[0], xs[1], xs[2], xs[xs.length - 1]]), [2, 2]) as never);
        expect(y2.shape).toEqual([2, 2]);
      });
    }

    it("erf and erfc vs reference values", () => {
      const tol = backend === "js" ? { rtol: 1e-6, atol: 1e-7 } : { rtol: 1e-5, atol: 5e-7 };
      expectClose(
        np.erf(ERF.map(([x]) => x)),
        ERF.map(([, v]) => v),
        tol,
      );
      expectClose(
        np.erfc(ERFC.map(([x]) => x)),
        ERFC.map(([, v]) => v),
        tol,
      );
    });

    it("erfc keeps relative accuracy in the right tail (js kernels)", () => {
      if (backend !== "js") return; // tfjs computes 1 - erf(x), absolute accuracy only
      expectClose(np.erfc([5, 8]), [1.5374597944280349e-12, 1.1224297172982928e-29], { rtol: 1e-5, atol: 0 });
    });

    it("special values: log(0), sqrt(-1), exp overflow, sign of NaN", () => {
      expectArray(np.log([0, -1]), [-Infinity, NaN]);
      expectArray(np.sqrt([-1]), [NaN]);
      expectArray(np.exp([100, -200]), [Infinity, 0]);
      expectArray(np.sign([-2.5, 0, 3, NaN]), [-1, 0, 1, NaN]);
      expectArray(np.tanh([Infinity, -Infinity]), [1, -1]);
    });

    it("round rounds half to even", () => {
      expectArray(np.round([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 0.49999997, 3.7, -3.7, 4]), [0, 2, 2, -0, -2, -2, 4, 0, 4, -4, 4], "float32");
    });

    it("isfinite, isnan, logicalNot give bool", () => {
      expectArray(np.isfinite([1, NaN, Infinity, -Infinity, 0]), [1, 0, 0, 0, 1], "bool");
      expectArray(np.isnan([1, NaN, Infinity]), [0, 1, 0], "bool");
      expectArray(np.logicalNot([true, false]), [0, 1], "bool");
    });

    it("dtypes: float ops on ints give float32, sign-like ops keep int32", () => {
      const i = np.array([-2, 0, 3], "int32");
      expectArray(np.exp(i), [Math.exp(-2), 1, Math.exp(3)].map(f32), "float32");
      expectArray(np.sqrt(np.array([4, 9], "int32")), [2, 3], "float32");
      expectArray(np.negative(i), [2, 0, -3], "int32");
      expectArray(np.abs(i), [2, 0, 3], "int32");
      expectArray(np.sign(i), [-1, 0, 1], "int32");
      expectArray(np.square(i), [4, 0, 9], "int32");
      expectArray(np.floor(i), [-2, 0, 3], "int32");
    });

    it("empty arrays and scalars", () => {
      const e = np.exp(np.zeros([0, 3]));
      expect(e.shape).toEqual([0, 3]);
      expect(e.toArray()).toEqual([]);
      const s = np.sin(0.5);
      expect(s.shape).toEqual([]);
      expect(s.item()).toBeCloseTo(Math.sin(0.5), 6);
    });
  });

  describe("binary ops vs a broadcasting oracle", () => {
    for (const c of BINARY) {
      it(c.name, () => {
        let seed = 11;
        for (const [sa, sb] of SHAPE_PAIRS) {
          const da = randomData(size(sa), seed++, c.lo[0], c.hi[0]).map(f32);
          const db = randomData(size(sb), seed++, c.lo[1], c.hi[1]).map(f32);
          // make some elements equal so comparisons and ties are exercised
          if (da.length && db.length) da[0] = db[0];
          const y = c.fn(arr(da, sa), arr(db, sb));
          const want = mapOracle(
            [
              { data: da, shape: sa },
              { data: db, shape: sb },
            ],
            c.oracle,
          );
          expect(y.shape, `${c.name} of ${JSON.stringify(sa)} and ${JSON.stringify(sb)}`).toEqual(want.shape);
          expectClose(
            y,
            want.data.map((v) => f32(v)),
            { rtol: 5e-6, atol: 2e-6, shape: want.shape },
          );
          // operand order swapped broadcasts the same way
          expect(c.fn(arr(db, sb), arr(da, sa)).shape).toEqual(want.shape);
        }
      });
    }

    it("comparisons return bool", () => {
      expect(np.less([1, 2], [2, 2]).dtype).toBe("bool");
      expectArray(np.equal(np.array([1, 2, 3], "int32"), 2), [0, 1, 0], "bool");
      expectArray(np.greaterEqual(np.array([1, 2, 3], "int32"), 2.5), [0, 0, 1], "bool");
    });

    it("logical ops", () => {
      const a = [true, true, false, false];
      const b = [true, false, true, false];
      expectArray(np.logicalAnd(a, b), [1, 0, 0, 0], "bool");
      expectArray(np.logicalOr(a, b), [1, 1, 1, 0], "bool");
      expectArray(np.logicalXor(a, b), [0, 1, 1, 0], "bool");
      expectArray(np.logicalAnd(np.reshape(np.array(a), [2, 2]), [true, false]), [[1, 0], [0, 0]], "bool");
    });

    it("mod takes the sign of the divisor (floats and ints)", () => {
      expectArray(np.mod([5, -5, 5, -5, 5.5, -5.5, 6, -6], [3, 3, -3, -3, -2, 2, 3, 3]), [2, 1, -1, -2, -0.5, 0.5, 0, 0], "float32");
      const i = np.mod(np.array([5, -5, 5, -5, 7], "int32"), np.array([3, 3, -3, -3, 7], "int32"));
      expectArray(i, [2, 1, -1, -2, 0], "int32");
      expectArray(np.mod(np.array([-7, 7], "int32"), 4), [1, 3], "int32");
    });

    it("floorDivide", () => {
      expectArray(np.floorDivide(np.array([7, -7, 6, -6], "int32"), 2), [3, -4, 3, -3], "int32");
      expectArray(np.floorDivide([7.5, -7.5], [2, 2]), [3, -4], "float32");
    });

    it("maximum and minimum propagate NaN from either side", () => {
      expectArray(np.maximum([NaN, 1, 2], [1, NaN, 1]), [NaN, NaN, 2]);
      expectArray(np.minimum([NaN, 1, 2], [1, NaN, 1]), [NaN, NaN, 1]);
    });

    it("power edge cases", () => {
      expectArray(np.power([0, 0, 2, -2, 4], [0, 2, -1, 3, 0.5]), [1, 0, 0.5, -8, 2]);
    });

    it("dtype promotion and weak typing of plain numbers", () => {
      const i = np.array([1, 2, 3], "int32");
      const f = np.array([1, 2, 3]);
      const bl = np.array([true, false, true]);
      expectArray(np.add(i, 2), [3, 4, 5], "int32");
      expectArray(np.add(2, i), [3, 4, 5], "int32");
      expectArray(np.multiply(i, 2), [2, 4, 6], "int32");
      expectArray(np.add(i, 2.5), [3.5, 4.5, 5.5], "float32");
      expectArray(np.subtract(2.5, i), [1.5, 0.5, -0.5], "float32");
      expectArray(np.add(f, 2), [3, 4, 5], "float32");
      expectArray(np.add(i, i), [2, 4, 6], "int32");
      expectArray(np.multiply(i, i), [1, 4, 9], "int32");
      expectArray(np.add(i, f), [2, 4, 6], "float32");
      expectArray(np.divide(i, np.array([2, 2, 2], "int32")), [0.5, 1, 1.5], "float32");
      expectArray(np.divide(i, 2), [0.5, 1, 1.5], "float32");
      expectArray(np.divide(3, np.array([2], "int32")), [1.5], "float32");
      expectArray(np.add(bl, 1), [2, 1, 2], "int32");
      expectArray(np.add(bl, i), [2, 2, 4], "int32");
      expectArray(np.multiply(bl, f), [1, 0, 3], "float32");
      const s = np.add(2, 3);
      expect(s.shape).toEqual([]);
      expect(s.item()).toBe(5);
    });

    it("arithmetic on bools stays 0/1 (true + true is true)", () => {
      const b = np.array([true, false, true, false]);
      const c = np.array([true, true, false, false]);
      const s = np.add(b, c);
      expectArray(s, [1, 1, 1, 0], "bool");
      expect(Array.from(s.dataSync())).toEqual([1, 1, 1, 0]);
      expectArray(np.sum(s), 3, "int32");
      expectArray(np.astype(s, "float32"), [1, 1, 1, 0], "float32");
      expectArray(np.multiply(b, c), [1, 0, 0, 0], "bool");
      expectArray(np.maximum(b, c), [1, 1, 1, 0], "bool");
      expectArray(np.astype(np.negative(b), "int32"), [1, 0, 1, 0], "int32");
      expectArray(np.abs(b), [1, 0, 1, 0], "bool");
    });

    it("short names and aliases", () => {
      expectArray(np.plus([1], [2]), [3]);
      expectArray(np.sub([1], [2]), [-1]);
      expectArray(np.mul([3], [2]), [6]);
      expectArray(np.div([3], [2]), [1.5]);
      expectArray(np.neg([3]), [-3]);
      expectArray(np.pow([3], [2]), [9]);
      expectArray(np.concat([[1], [2]]), [1, 2]);
      const a = np.array([1, 2]);
      expect(np.asarray(a)).toBe(a);
    });

    it("integer arithmetic stays exact", () => {
      const big = np.array([16777217, -16777217], "int32"); // not representable in float32
      expectArray(np.add(big, 1), [16777218, -16777216], "int32");
      expectArray(np.subtract(big, big), [0, 0], "int32");
    });
  });

  describe("where, clip, astype", () => {
    it("where broadcasts condition and branches", () => {
      const cond = np.array([[true], [false]]);
      expectArray(np.where(cond, [1, 2, 3], 0), [[1, 2, 3], [0, 0, 0]], "float32");
      expectArray(np.where([true, false, true], np.array([1, 2, 3], "int32"), 7), [1, 7, 3], "int32");
      expectArray(np.where([true, false], np.array([1, 2], "int32"), 0.5), [1, 0.5], "float32");
      expectArray(np.where(np.greater([1, -1, 2], 0), [1, 2, 3], [10, 20, 30]), [1, 20, 3]);
      expectArray(np.where(true, [NaN, 1], [0, 0]), [NaN, 1]);
    });

    it("clip", () => {
      expectArray(np.clip([-2, 0.5, 3], 0, 1), [0, 0.5, 1]);
      expectArray(np.clip([-2, 0.5, 3], null, 1), [-2, 0.5, 1]);
      expectArray(np.clip([-2, 0.5, 3], 0, null), [0, 0.5, 3]);
      expectArray(np.clip(np.array([-2, 5, 9], "int32"), 0, 6), [0, 5, 6], "int32");
      expectArray(np.clip([[-1, 2]], [0, 0], [[1], [3]]), [[0, 1], [0, 2]]);
    });

    it("astype truncates toward zero and maps nonzero to true", () => {
      expectArray(np.astype([1.7, -1.7, 0.2, -0.2, 3], "int32"), [1, -1, 0, 0, 3], "int32");
      expectArray(np.astype([0, 0.5, -2, NaN], "bool"), [0, 1, 1, 1], "bool");
      expectArray(np.astype(np.array([true, false]), "float32"), [1, 0], "float32");
      expectArray(np.astype(np.array([3, -4], "int32"), "float32"), [3, -4], "float32");
      expectArray(np.astype(np.array([3, 0], "int32"), "bool"), [1, 0], "bool");
    });
  });

  describe("creation", () => {
    it("array infers dtypes", () => {
      expectArray(np.array([[1, 2], [3, 4]]), [[1, 2], [3, 4]], "float32");
      expectArray(np.array([true, false]), [1, 0], "bool");
      expectArray(np.array(new Int32Array([1, 2])), [1, 2], "int32");
      expectArray(np.array(new Float32Array([1.5])), [1.5], "float32");
      expectArray(np.array(3), 3, "float32");
      expectArray(np.array([1.7, 2], "int32"), [1, 2], "int32");
      expectArray(np.array([16777217, -2147483647], "int32"), [16777217, -2147483647], "int32");
      expectArray(np.array([0, NaN, -0.5], "bool"), [0, 1, 1], "bool");
      expectArray(np.array(new Float32Array([0, 2.5]), "bool"), [0, 1], "bool");
      expectArray(np.array([]), [], "float32", [0]);
      expectArray(np.array([[], []]), [], "float32", [2, 0]);
    });

    it("zeros, ones, full, *Like", () => {
      expectArray(np.zeros([2, 2]), [[0, 0], [0, 0]], "float32");
      expectArray(np.ones(3, "int32"), [1, 1, 1], "int32");
      expectArray(np.full([2], 7.5), [7.5, 7.5], "float32");
      expectArray(np.full([2], true), [1, 1], "bool");
      expectArray(np.zerosLike(np.array([1, 2], "int32")), [0, 0], "int32");
      expectArray(np.onesLike([[1], [2]]), [[1], [1]], "float32");
      expectArray(np.fullLike(np.array([1, 2], "int32"), 4), [4, 4], "int32");
      expect(np.zeros([0]).shape).toEqual([0]);
    });

    it("arange, linspace, eye", () => {
      expectArray(np.arange(5), [0, 1, 2, 3, 4], "int32");
      expectArray(np.arange(2, 8, 3), [2, 5], "int32");
      expectArray(np.arange(5, 0, -2), [5, 3, 1], "int32");
      expectArray(np.arange(1, 2, 0.25), [1, 1.25, 1.5, 1.75], "float32");
      expectArray(np.arange(0), [], "int32", [0]);
      expectClose(np.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]);
      expectArray(np.linspace(2, 3, 1), [2]);
      expectArray(np.eye(2), [[1, 0], [0, 1]], "float32");
      expectArray(np.eye(2, 3, 1), [[0, 1, 0], [0, 0, 1]]);
      expectArray(np.eye(3, 2, -1), [[0, 0], [1, 0], [0, 1]]);
    });

    it("toArray, item, data", async () => {
      const a = np.array([[1, 2], [3, 4]]);
      expect(a.toArray()).toEqual([[1, 2], [3, 4]]);
      expect(Array.from(await a.data())).toEqual([1, 2, 3, 4]);
      expect(np.array(true).item()).toBe(1);
      expect(() => a.item()).toThrow(/item/);
      expect(a.ndim).toBe(2);
      expect(a.size).toBe(4);
    });
  });
});

// ---- the two backends agree on random compositions of ops -------------------------------------

const W = np.array(randomData(16, 99, -1, 1));
const OPS: [string, (x: NDArray) => NDArray][] = [
  ["tanh", (x) => np.tanh(x)],
  ["sin", (x) => np.sin(x)],
  ["scale", (x) => np.multiply(x, 1.5)],
  ["addColSum", (x) => np.add(x, np.sum(x, 0, true))],
  ["subRowMax", (x) => np.subtract(x, np.max(x, -1, true))],
  ["expClip", (x) => np.exp(np.clip(x, -3, 3))],
  ["log1pAbs", (x) => np.log1p(np.abs(x))],
  ["hypot1", (x) => np.sqrt(np.add(np.square(x), 1))],
  ["sort0", (x) => np.sort(x, 0)],
  ["cumsum1", (x) => np.cumsum(x, 1)],
  ["flip1", (x) => np.flip(x, 1)],
  ["reshapeT", (x) => np.reshape(np.transpose(np.reshape(np.transpose(x), [3, 4])), [3, 4])],
  ["softsign", (x) => np.divide(x, np.add(np.abs(x), 1))],
  ["matmulW", (x) => np.multiply(np.matmul(x, np.reshape(W, [4, 4])), 0.5)],
  ["leaky", (x) => np.where(np.greater(x, 0), x, np.multiply(x, 0.1))],
  ["maxmin", (x) => np.maximum(x, np.minimum(np.multiply(x, 2), 0.5))],
  ["standardize", (x) => np.divide(np.subtract(x, np.mean(x, 1, true)), np.add(np.std(x, 1, true), 1))],
  ["take", (x) => np.take(x, [2, 0, 1], 0)],
  ["rotate", (x) => np.concatenate([np.slice(x, [0, 2]), np.slice(x, [0, 0], [null, 2])], 1)],
  ["padSlice", (x) => np.add(x, np.pad(np.slice(x, [1, 1], [2, 3]), [[1, 1], [1, 1]]))],
  ["tile", (x) => np.tile(np.slice(x, [0, 0], [3, 2]), [1, 2])],
  ["einsum", (x) => np.multiply(np.einsum("ij,jk->ik", x, np.reshape(W, [4, 4])), 0.5)],
  ["atan2", (x) => np.arctan2(x, 1.3)],
  ["sigmoidErf", (x) => np.add(np.sigmoid(x), np.erf(np.multiply(x, 0.5)))],
  ["pow", (x) => np.power(np.add(np.abs(x), 0.5), 1.7)],
];

describe("js and tfjs-cpu agree on random compositions", () => {
  it("same values within float32 tolerance", async () => {
    const prev = getBackend();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.double({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: 12, maxLength: 12 }),
          fc.array(fc.integer({ min: 0, max: OPS.length - 1 }), { minLength: 1, maxLength: 5 }),
          async (data, prog) => {
            const run = () => {
              let x = np.reshape(np.array(data), [3, 4]);
              for (const k of prog) x = OPS[k][1](x);
              return [x.toArray(), np.sum(x).item()] as const;
            };
            await setBackend("js");
            const a = run();
            await setBackend("tfjs-cpu");
            const b = run();
            const names = prog.map((k) => OPS[k][0]).join(" > ");
            expectClose(b[0], a[0], { rtol: 2e-4, atol: 2e-5 });
            expect(Math.abs(b[1] - a[1]) <= 1e-4 + 1e-4 * Math.abs(a[1]), `${names}: sum ${b[1]} vs ${a[1]}`).toBe(true);
          },
        ),
        FC(40, 3),
      );
    } finally {
      await setBackend(prev);
    }
  });
});
