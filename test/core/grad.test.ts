import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  Array as NDArray,
  checkGrads,
  customVjp,
  getBackend,
  grad,
  hessian,
  jacobian,
  jvp,
  np,
  setBackend,
  stopGradient,
  valueAndGrad,
  vjp,
  type Nested,
} from "../../src/core/index.js";
import { checkGradFD, expectArray, expectClose, FC, flat, forBackends, randomData, withX64 } from "../helpers.js";

/** A fast-check arbitrary of `n` doubles in [lo, hi] whose magnitude is at least `away` from `from`. */
const vec = (n: number, lo: number, hi: number, avoid?: { from: number; away: number }) =>
  fc.array(
    fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }).filter((v) => !avoid || Math.abs(v - avoid.from) >= avoid.away),
    { minLength: n, maxLength: n },
  );

interface UCase {
  name: string;
  fn: (x: NDArray) => NDArray;
  lo: number;
  hi: number;
  avoid?: { from: number; away: number };
}

const UNARY: UCase[] = [
  { name: "negative", fn: np.negative, lo: -2, hi: 2 },
  { name: "abs", fn: np.abs, lo: -2, hi: 2, avoid: { from: 0, away: 0.05 } },
  { name: "exp", fn: np.exp, lo: -2, hi: 2 },
  { name: "expm1", fn: np.expm1, lo: -2, hi: 2 },
  { name: "log", fn: np.log, lo: 0.3, hi: 3 },
  { name: "log1p", fn: np.log1p, lo: -0.5, hi: 2 },
  { name: "sqrt", fn: np.sqrt, lo: 0.3, hi: 3 },
  { name: "sin", fn: np.sin, lo: -3, hi: 3 },
  { name: "cos", fn: np.cos, lo: -3, hi: 3 },
  { name: "tan", fn: np.tan, lo: -1, hi: 1 },
  { name: "arcsin", fn: np.arcsin, lo: -0.8, hi: 0.8 },
  { name: "arccos", fn: np.arccos, lo: -0.8, hi: 0.8 },
  { name: "arctan", fn: np.arctan, lo: -3, hi: 3 },
  { name: "sinh", fn: np.sinh, lo: -2, hi: 2 },
  { name: "cosh", fn: np.cosh, lo: -2, hi: 2 },
  { name: "tanh", fn: np.tanh, lo: -2, hi: 2 },
  { name: "arcsinh", fn: np.arcsinh, lo: -3, hi: 3 },
  { name: "arccosh", fn: np.arccosh, lo: 1.3, hi: 3 },
  { name: "arctanh", fn: np.arctanh, lo: -0.7, hi: 0.7 },
  { name: "sigmoid", fn: np.sigmoid, lo: -4, hi: 4 },
  { name: "erf", fn: np.erf, lo: -2, hi: 2 },
  { name: "erfc", fn: np.erfc, lo: -2, hi: 2 },
  { name: "square", fn: np.square, lo: -2, hi: 2 },
  { name: "reciprocal", fn: np.reciprocal, lo: 0.4, hi: 2 },
  { name: "log2", fn: np.log2, lo: 0.3, hi: 3 },
  { name: "log10", fn: np.log10, lo: 0.3, hi: 3 },
  { name: "exp2", fn: np.exp2, lo: -2, hi: 2 },
];

interface BCase {
  name: string;
  fn: (a: NDArray, b: NDArray) => NDArray;
  a: [number, number];
  b: [number, number];
  /** keep every a-b pair at least 0.05 apart (kinks of maximum/minimum, jumps of mod) */
  separated?: boolean;
}

const BINARY: BCase[] = [
  { name: "add", fn: np.add, a: [-2, 2], b: [-2, 2] },
  { name: "subtract", fn: np.subtract, a: [-2, 2], b: [-2, 2] },
  { name: "multiply", fn: np.multiply, a: [-2, 2], b: [-2, 2] },
  { name: "divide", fn: np.divide, a: [-2, 2], b: [0.5, 2] },
  { name: "power", fn: np.power, a: [0.5, 2], b: [-1.5, 2] },
  { name: "arctan2", fn: np.arctan2, a: [-2, 2], b: [0.3, 2] },
  { name: "maximum", fn: np.maximum, a: [-2, 2], b: [-2, 2], separated: true },
  { name: "minimum", fn: np.minimum, a: [-2, 2], b: [-2, 2], separated: true },
  { name: "mod", fn: np.mod, a: [0.1, 0.9], b: [1, 2] },
];

const BROADCAST: [number[], number[]][] = [
  [[2, 3], [2, 3]],
  [[2, 3], [3]],
  [[2, 1], [1, 3]],
  [[], [2, 3]],
  [[3, 1, 2], [2]],
];

const rnd = (shape: number[], seed: number, lo = -1, hi = 1): Nested => np.reshape(np.array(randomData(shape.reduce((a, b) => a * b, 1), seed, lo, hi)), shape).toArray();

/** Distinct values 0.5, 0.54, 0.58, ... in a seeded order: no two elements within 0.04 (no near-ties). */
const distinct = (shape: number[], seed: number): Nested => {
  const n = shape.reduce((a, b) => a * b, 1);
  const keys = randomData(n, seed);
  const order = keys.map((_, i) => i).sort((i, j) => keys[i] - keys[j]);
  const v = new Array<number>(n);
  order.forEach((i, r) => (v[i] = 0.5 + 0.04 * r));
  return np.reshape(np.array(v), shape).toArray();
};

/** Values on the grid k/10 (+ 0.05 when `odd`): an odd and an even grid never come within 0.05. */
const grid = (shape: number[], seed: number, lo: number, hi: number, odd: boolean): Nested =>
  np.reshape(np.array(randomData(shape.reduce((a, b) => a * b, 1), seed, lo, hi).map((v) => Math.round(v * 10) / 10 + (odd ? 0.05 : 0))), shape).toArray();

forBackends(["js", "tfjs-cpu"], (backend) => {
  const runs = backend === "js" ? 20 : 8;

  describe("unary gradients vs finite differences (fast-check)", () => {
    for (const c of UNARY) {
      it(c.name, () => {
        fc.assert(
          fc.property(vec(3, c.lo, c.hi, c.avoid), (x) => checkGradFD(c.fn, [x])),
          FC(runs),
        );
      });
    }

    it("piecewise-constant ops have zero gradient", () => {
      for (const fn of [np.floor, np.ceil, np.round, np.sign]) {
        const g = grad((x: NDArray) => np.sum(np.multiply(fn(x), x)))(np.array([0.3, -1.7, 2.5]));
        expectClose(g, flat(fn(np.array([0.3, -1.7, 2.5]))));
      }
    });

    it("checkGrads (first and second order) on compositions", () => {
      const f = (x: NDArray) => np.sum(np.multiply(np.tanh(x), np.exp(np.sin(x))));
      const x = np.array([0.3, -0.7, 1.1]);
      checkGrads(f, [x], { order: 2, rtol: 2e-2, atol: 2e-2 });
      const g = (a: NDArray, b: NDArray) => np.divide(np.log1p(np.square(a)), np.add(np.exp(b), 1));
      checkGrads(g, [np.array([[0.5, -1.0]]), np.array([0.2, 0.4])], { order: 2, rtol: 2e-2, atol: 2e-2 });
    });
  });

  describe("binary gradients with broadcasting (unbroadcast)", () => {
    for (const c of BINARY) {
      it(c.name, () => {
        let seed = 100;
        for (const [sa, sb] of BROADCAST) {
          const [a, b] = c.separated ? [grid(sa, seed++, ...c.a, true), grid(sb, seed++, ...c.b, false)] : [rnd(sa, seed++, ...c.a), rnd(sb, seed++, ...c.b)];
          checkGradFD(c.fn, [a, b]);
        }
      });
    }

    it("random binary gradients (fast-check)", () => {
      fc.assert(
        fc.property(vec(3, 0.5, 2), vec(3, -2, 2), (a, b) => {
          checkGradFD((x, y) => np.add(np.multiply(np.power(x, y), np.divide(y, x)), np.subtract(x, np.arctan2(y, x))), [a, b]);
        }),
        FC(runs),
      );
    });

    it("where: gradient flows to the selected branch, broadcasting", () => {
      checkGradFD((a, b) => np.where(np.greater(a, 0), np.multiply(a, b), np.sin(b)), [[[0.5, -0.3, 1.2], [-1.1, 0.2, -0.4]], rnd([3], 2)]);
      const g = grad((a: NDArray, b: NDArray) => np.sum(np.where([true, false, true], a, b)), { argnums: [0, 1] })(np.array([1, 2, 3]), np.array(5));
      expectArray(g[0], [1, 0, 1]);
      expectArray(g[1], 1);
    });

    it("where with NaN in the unselected branch: NaN gradient, finite with the double-where trick", () => {
      const x = np.array([0, 4]);
      // as in JAX: sqrt'(0) = inf and the zero cotangent times inf gives NaN
      const naive = grad((v: NDArray) => np.sum(np.where(np.greater(v, 0), np.sqrt(v), 0)))(x);
      expect(Number.isNaN(flat(naive)[0])).toBe(true);
      expect(flat(naive)[1]).toBeCloseTo(0.25, 6);
      const safe = grad((v: NDArray) => {
        const pos = np.greater(v, 0);
        return np.sum(np.where(pos, np.sqrt(np.where(pos, v, 1)), 0));
      })(x);
      expectClose(safe, [0, 0.25]);
      // log of a negative number in the other branch: its vjp is finite (ct / x) here
      const lg = grad((v: NDArray) => np.sum(np.where(np.greater(v, 0), np.log(v), v)))(np.array([-1, 2]));
      expectClose(lg, [1, 0.5]);
    });

    it("maximum/minimum split the gradient evenly at ties", () => {
      const [ga, gb] = grad((a: NDArray, b: NDArray) => np.sum(np.maximum(a, b)), { argnums: [0, 1] })(np.array([1, 2, 3]), np.array([1, 5, 0]));
      expectArray(ga, [0.5, 0, 1]);
      expectArray(gb, [0.5, 1, 0]);
      const [ha, hb] = grad((a: NDArray, b: NDArray) => np.sum(np.minimum(a, b)), { argnums: [0, 1] })(np.array([1, 2, 3]), np.array([1, 5, 0]));
      expectArray(ha, [0.5, 1, 0]);
      expectArray(hb, [0.5, 0, 1]);
      // broadcast tie: the scalar collects one half from each tied element and all of the one it beats
      const gs = grad((b: NDArray) => np.sum(np.maximum(np.array([2, 2, 1]), b)))(np.array(2));
      expectArray(gs, 2);
      // clip passes the gradient inside the interval
      expectArray(grad((x: NDArray) => np.sum(np.clip(x, 0, 1)))(np.array([-1, 0.5, 2])), [0, 1, 0]);
    });

    it("power at zero", () => {
      const d = (b: number) => grad((x: NDArray) => np.power(x, b))(np.array(0)).item();
      expect(d(2)).toBe(0);
      expect(d(3)).toBe(0);
      expect(d(1)).toBe(1);
      expect(d(0)).toBe(0);
      expect(d(0.5)).toBe(Infinity);
      // derivative in the exponent at base 0 is 0 (as in JAX), and log(a) * a^b elsewhere
      const [gx, gy] = grad((x: NDArray, y: NDArray) => np.sum(np.power(x, y)), { argnums: [0, 1] })(np.array([0, 2]), np.array([2, 3]));
      expectClose(gx, [0, 12]);
      expectClose(gy, [0, 8 * Math.log(2)]);
      // square of a negative base through power with an integer exponent
      expectClose(grad((x: NDArray) => np.power(x, 2))(np.array(-3)), -6);
    });

    it("abs at 0 has gradient 0; integer-valued ops give no gradient", () => {
      expectArray(grad((x: NDArray) => np.abs(x))(np.array(0)), 0);
      expectArray(grad((x: NDArray) => np.sum(np.astype(np.astype(x, "int32"), "float32")))(np.array([1.5, 2])), [0, 0]);
    });
  });

  describe("reduction gradients", () => {
    const X = distinct([2, 3, 4], 9);
    for (const [name, fn] of [
      ["sum", np.sum],
      ["prod", np.prod],
      ["max", np.max],
      ["min", np.min],
      ["mean", np.mean],
      ["var", np.var],
      ["std", np.std],
    ] as const) {
      it(name, () => {
        for (const axis of [undefined, 0, -1, [0, 2], [1]] as const) {
          checkGradFD((x) => fn(x, axis as never), [X]);
          checkGradFD((x) => fn(x, axis as never, true), [X]);
        }
      });
    }

    it("cumsum, forward and reverse", () => {
      checkGradFD((x) => np.cumsum(x, 1), [X]);
      checkGradFD((x) => np.cumsum(x, 0, true), [X]);
      checkGradFD((x) => np.cumsum(x), [X]);
    });

    it("prod with 0, 1 and 2 zeros in a slice", () => {
      const x = np.array([
        [2, 3, 4],
        [2, 0, 4],
        [0, 3, 0],
        [0, 0, 0],
      ]);
      const g = grad((v: NDArray) => np.sum(np.prod(v, 1)))(x);
      expectArray(g, [
        [12, 8, 6],
        [0, 8, 0],
        [0, 0, 0],
        [0, 0, 0],
      ]);
      expectArray(grad((v: NDArray) => np.prod(v))(np.array([0, 5])), [5, 0]);
    });

    it("second derivatives of prod, with and without zeros", () => {
      const H = (v: number[]) => hessian((x: NDArray) => np.prod(x))(np.array(v));
      const closed = (v: number[]) => v.map((_, i) => v.map((_, j) => (i === j ? 0 : v.filter((_, k) => k !== i && k !== j).reduce((a, b) => a * b, 1))));
      for (const v of [
        [2, 3, 4],
        [0, 3, 4],
        [0, 3, 0],
        [1, 0, 2, 5],
      ])
        expectClose(H(v), closed(v));
    });

    it("max/min split the gradient among tied elements", () => {
      expectArray(grad((v: NDArray) => np.max(v))(np.array([1, 3, 3])), [0, 0.5, 0.5]);
      expectArray(grad((v: NDArray) => np.min(v))(np.array([2, 2, 2, 5])), [1 / 3, 1 / 3, 1 / 3, 0].map(Math.fround));
      expectArray(grad((v: NDArray) => np.sum(np.max(v, 1)))(np.array([[1, 1], [0, 2]])), [[0.5, 0.5], [0, 1]]);
    });

    it("integer and boolean reductions give no gradient path", () => {
      expectArray(grad((v: NDArray) => np.add(np.sum(np.astype(np.greater(v, 0), "float32")), np.sum(v)))(np.array([-1, 1])), [1, 1]);
      expectArray(grad((v: NDArray) => np.multiply(np.astype(np.argmax(v), "float32"), np.sum(v)))(np.array([1, 5, 2])), [1, 1, 1]);
    });
  });

  describe("layout gradients", () => {
    const A = rnd([2, 3], 21);
    const B = rnd([3, 4], 22);
    it("reshape, broadcastTo, transpose, expandDims, squeeze, moveaxis", () => {
      checkGradFD((x) => np.reshape(x, [3, 2]), [A]);
      checkGradFD((x) => np.broadcastTo(x, [4, 2, 3]), [A]);
      checkGradFD((x) => np.broadcastTo(x, [2, 3]), [[[1], [2]]]);
      checkGradFD((x) => np.transpose(x), [A]);
      checkGradFD((x) => np.transpose(np.reshape(x, [1, 2, 3]), [2, 0, 1]), [A]);
      checkGradFD((x) => np.squeeze(np.expandDims(x, 1), 1), [A]);
      checkGradFD((x) => np.moveaxis(np.reshape(x, [1, 2, 3]), 0, -1), [A]);
    });
    it("concatenate, stack, slice, split, pad, flip, tile", () => {
      checkGradFD((x, y) => np.concatenate([x, y, x], 0), [A, rnd([1, 3], 23)]);
      checkGradFD((x, y) => np.concatenate([x, y], -1), [A, rnd([2, 2], 24)]);
      checkGradFD((x, y) => np.stack([x, y], 1), [A, rnd([2, 3], 25)]);
      checkGradFD((x) => np.slice(x, [0, 1], [2, 3]), [A]);
      checkGradFD((x) => np.slice(x, [-1]), [A]);
      checkGradFD((x) => np.multiply(np.split(x, [1], 1)[1], np.split(x, [2], 1)[0]), [A]);
      checkGradFD((x) => np.pad(x, [[1, 0], [2, 1]]), [A]);
      checkGradFD((x) => np.flip(x, 1), [A]);
      checkGradFD((x) => np.flip(x), [A]);
      checkGradFD((x) => np.tile(x, [2, 2]), [A]);
      checkGradFD((x) => np.tile(x, 3), [[1, 2]]);
    });
    it("take and takeAlongAxis with repeated indices accumulate (scatter-add)", () => {
      expectArray(grad((x: NDArray) => np.sum(np.take(x, [0, 0, 2, 0])))(np.array([1, 2, 3])), [3, 0, 1]);
      const g = grad((x: NDArray) => np.sum(np.multiply(np.take(x, [1, 1, 0], 1), [[1, 2, 3]])))(np.array([[1, 2], [3, 4]]));
      expectArray(g, [[3, 3], [3, 3]]);
      checkGradFD((x) => np.take(x, [[2, 0], [2, 2]], 1), [A]);
      checkGradFD((x) => np.take(x, [1, 1, 0], 0), [A]);
      checkGradFD((x) => np.take(x, [5, 0, 5, -1]), [A]);
      const ta = grad((x: NDArray) => np.sum(np.takeAlongAxis(x, [[0, 0, 2], [1, 1, 1]], 1)))(np.array([[1, 2, 3], [4, 5, 6]]));
      expectArray(ta, [[2, 0, 1], [0, 3, 0]]);
      checkGradFD((x) => np.takeAlongAxis(x, [[0, 2, 2, 1]], 1), [A]);
      checkGradFD((x) => np.diagonal(x), [B]);
      checkGradFD((x) => np.trace(np.reshape(x, [3, 4])), [B]);
    });
    it("second order through layout, indexing and reduction rules (checkGrads order 2)", () => {
      const x = np.array(distinct([2, 3], 3));
      const y = np.array(distinct([3, 2], 4));
      const o2 = { order: 2, rtol: 2e-2, atol: 2e-2 };
      checkGrads((v: NDArray) => np.sum(np.power(np.take(v, [0, 0, 4, 5, 5]), 3)), [x], o2);
      checkGrads((v: NDArray) => np.multiply(np.sort(v, 1), np.exp(v)), [x], o2);
      checkGrads((v: NDArray) => np.multiply(np.max(v, 1, true), v), [x], o2);
      checkGrads((v: NDArray) => np.prod(v, 0), [x], o2);
      checkGrads((v: NDArray) => np.square(np.cumsum(v, 1)), [x], o2);
      checkGrads((a: NDArray, b: NDArray) => np.square(np.matmul(a, b)), [x, y], o2);
      checkGrads((a: NDArray, b: NDArray) => np.sin(np.einsum("ij,jk->ki", a, b)), [x, y], o2);
      checkGrads((v: NDArray) => np.square(np.pad(np.concatenate([v, np.flip(v, 0)], 1), 1)), [x], o2);
      checkGrads((v: NDArray) => np.exp(np.takeAlongAxis(v, [[2, 2, 0]], 1)), [x], o2);
      checkGrads((v: NDArray) => np.divide(v, np.std(v, 1, true)), [x], o2);
    });

    it("sort sends each cotangent back to where its value came from", () => {
      const w = [1, 10, 100, 1000];
      const g = grad((x: NDArray) => np.sum(np.multiply(np.sort(x), w)))(np.array([3, 1, 4, 2]));
      expectArray(g, [100, 1, 1000, 10]);
      checkGradFD((x) => np.sort(x, 0), [A]);
      checkGradFD((x) => np.sort(x, -1), [B]);
    });
    it("matmul (2-D, batched, broadcast, 1-D), einsum, dot, outer, tril, diag", () => {
      checkGradFD(np.matmul, [A, B]);
      checkGradFD(np.matmul, [rnd([2, 2, 3], 31), rnd([3, 2], 32)]);
      checkGradFD(np.matmul, [rnd([2, 1, 2, 3], 33), rnd([3, 3, 1], 34)]);
      checkGradFD(np.matmul, [rnd([3], 35), rnd([3], 36)]);
      checkGradFD(np.matmul, [rnd([3], 37), B]);
      checkGradFD(np.matmul, [A, rnd([3], 38)]);
      checkGradFD(np.matmul, [rnd([3], 39), rnd([2, 3, 2], 40)]);
      checkGradFD((a, b) => np.einsum("ij,jk->ik", a, b), [A, B]);
      checkGradFD((a, b) => np.einsum("bij,bkj->bik", a, b), [rnd([2, 2, 3], 41), rnd([2, 4, 3], 42)]);
      checkGradFD((a) => np.einsum("ij->", a), [A]);
      checkGradFD((a, b) => np.einsum("i,j->ij", a, b), [rnd([2], 43), rnd([3], 44)]);
      checkGradFD(np.dot, [rnd([3], 45), rnd([3], 46)]);
      checkGradFD(np.outer, [rnd([3], 47), rnd([2], 48)]);
      checkGradFD((x) => np.tril(x), [rnd([3, 3], 49)]);
      checkGradFD((x) => np.diag(x), [rnd([3], 50)]);
    });
  });

  describe("transforms", () => {
    it("grad with argnums as a number and a list", () => {
      const f = (a: NDArray, b: NDArray, c: NDArray) => np.sum(np.multiply(np.multiply(a, np.square(b)), np.exp(c)));
      const [a, b, c] = [np.array(2), np.array(3), np.array(0)];
      expectClose(grad(f)(a, b, c), 9);
      expectClose(grad(f, { argnums: 1 })(a, b, c), 12);
      const gs = grad(f, { argnums: [2, 0] })(a, b, c);
      expect(Array.isArray(gs)).toBe(true);
      expectClose(gs[0], 18);
      expectClose(gs[1], 9);
      // a single-element list still returns a list
      expect(grad(f, { argnums: [1] })(a, b, c)).toHaveLength(1);
    });

    it("grad over pytree arguments (objects and arrays)", () => {
      const params = { w: np.array([1, 2]), b: np.array(0.5), extra: [np.array(3), { z: np.array([1, -1]) }] as [NDArray, { z: NDArray }] };
      const f = (p: typeof params) => np.add(np.sum(np.multiply(p.w, p.w)), np.multiply(p.b, np.sum(p.extra[1].z)));
      const g = grad(f)(params);
      expect(Object.keys(g).sort()).toEqual(["b", "extra", "w"]);
      expectClose(g.w, [2, 4]);
      expectClose(g.b, 0);
      expectClose(g.extra[0], 0);
      expectClose(g.extra[1].z, [0.5, 0.5]);
      // plain numbers as leaves
      expectClose(grad((p: { x: NDArray }) => np.square(p.x))({ x: 3 } as never).x, 6);
    });

    it("hasAux and valueAndGrad", () => {
      const f = (x: NDArray) => {
        const y = np.square(x);
        return [np.sum(y), { y, label: "aux" }];
      };
      const [g, aux] = grad(f, { hasAux: true })(np.array([1, 2]));
      expectClose(g, [2, 4]);
      expectClose(aux.y, [1, 4]);
      expect(aux.label).toBe("aux");
      expect(aux.y.constructor.name).not.toMatch(/Tracer/);
      const [v, dg] = valueAndGrad((x: NDArray) => np.sum(np.sin(x)))(np.array([0, 1]));
      expectClose(v, Math.sin(1));
      expectClose(dg, [1, Math.cos(1)]);
      const [[v2, aux2], g2] = valueAndGrad(f, { hasAux: true })(np.array([3]));
      expectClose(v2, 9);
      expectClose(aux2.y, [9]);
      expectClose(g2, [6]);
    });

    it("vjp with several inputs and pytree outputs", () => {
      const [out, pb] = vjp((a: NDArray, b: NDArray) => ({ s: np.multiply(a, b), t: np.sin(a) }), np.array([1, 2]), np.array([3, 4]));
      expectClose(out.s, [3, 8]);
      const [ga, gb] = pb({ s: np.array([1, 1]), t: np.array([2, 0]) });
      expectClose(ga, [3 + 2 * Math.cos(1), 4]);
      expectClose(gb, [1, 2]);
    });

    it("jvp matches finite differences", () => {
      const f = (a: NDArray, b: NDArray) => np.multiply(np.exp(np.multiply(a, 0.5)), np.sum(np.sin(b)));
      const a = [0.2, -0.4];
      const b = [1.0, 0.3, -0.2];
      const ta = [1, -2];
      const tb = [0.5, 0.1, 0.3];
      const [out, tout] = jvp(f, [np.array(a), np.array(b)], [np.array(ta), np.array(tb)]);
      const h = 1e-3;
      const at = (s: number) =>
        flat(
          f(
            np.array(a.map((v, i) => v + s * ta[i])),
            np.array(b.map((v, i) => v + s * tb[i])),
          ),
        );
      const fd = at(h).map((v, i) => (v - at(-h)[i]) / (2 * h));
      expectClose(out, flat(f(np.array(a), np.array(b))));
      expectClose(tout, fd, { rtol: 2e-3, atol: 2e-3 });
    });

    it("jacobian and hessian vs closed forms", () => {
      const J = jacobian((x: NDArray) => np.stack([np.multiply(np.take(x, 0), np.take(x, 1)), np.sin(np.take(x, 2))]))(np.array([2, 3, 0.5]));
      expectClose(J, [[3, 2, 0], [0, 0, Math.cos(0.5)]]);
      expect(J.shape).toEqual([2, 3]);
      const Am = [[1, 2], [0, 3]];
      const H = hessian((x: NDArray) => np.sum(np.multiply(x, np.matmul(Am, x))))(np.array([0.3, -0.2]));
      expectClose(H, [[2, 2], [2, 6]]);
      const xs = [0.5, -1, 2];
      expectClose(hessian((x: NDArray) => np.sum(np.power(x, 3)))(np.array(xs)), xs.map((v, i) => xs.map((_, j) => (i === j ? 6 * v : 0))));
      // jacobian of an elementwise map is diagonal; of a matrix output has shape out + in
      expectClose(jacobian((x: NDArray) => np.exp(x))(np.array([0, 1])), [[1, 0], [0, Math.E]], { rtol: 1e-5 });
      expect(jacobian((x: NDArray) => np.outer(x, x))(np.array([1, 2])).shape).toEqual([2, 2, 2]);
      const Hm = hessian((x: NDArray) => np.sum(np.power(x, 3)))(np.array([[1, 2], [3, 4]]));
      expect(Hm.shape).toEqual([2, 2, 2, 2]);
      expectClose(np.reshape(Hm, [4, 4]), [1, 2, 3, 4].map((v, i) => [0, 1, 2, 3].map((j) => (i === j ? 6 * v : 0))));
    });

    it("grad of grad: derivatives of x^4 up to the fourth", () => {
      const f = (x: NDArray) => np.power(x, 4);
      const d1 = grad(f);
      const d2 = grad(d1);
      const d3 = grad(d2);
      const d4 = grad(d3);
      const x = np.array(1.5);
      expectClose(d1(x), 4 * 1.5 ** 3);
      expectClose(d2(x), 12 * 1.5 ** 2);
      expectClose(d3(x), 24 * 1.5);
      expectClose(d4(x), 24);
      expectClose(grad(grad(grad((v: NDArray) => np.multiply(np.sin(v), np.exp(v)))))(np.array(0.3)), Math.exp(0.3) * 2 * (Math.cos(0.3) - Math.sin(0.3)), { rtol: 1e-4 });
      expectClose(grad(grad((v: NDArray) => np.tanh(v)))(np.array(0.5)), -2 * Math.tanh(0.5) * (1 - Math.tanh(0.5) ** 2), { rtol: 1e-4 });
    });

    it("nested grads with closures do not confuse perturbations", () => {
      // d/dx [x * d/dy (x * y)] = d/dx [x^2] = 2x
      const f = (x: NDArray) => np.multiply(x, grad((y: NDArray) => np.multiply(x, y))(np.array(1)));
      expectClose(grad(f)(np.array(3)), 6);
      // Siskind & Pearlmutter: d/dx [x * d/dy (x + y)] = 1 (perturbation confusion would give 2)
      const g = (x: NDArray) => np.multiply(x, grad((y: NDArray) => np.add(x, y))(np.array(1)));
      expectClose(grad(g)(np.array(3)), 1);
      // the closure variable reaches the inner function only through the outer trace
      const h = (x: NDArray) => grad((y: NDArray) => np.multiply(np.sin(x), np.square(y)))(x);
      // h(x) = 2 x sin x; h'(x) = 2 sin x + 2 x cos x
      expectClose(grad(h)(np.array(0.7)), 2 * Math.sin(0.7) + 1.4 * Math.cos(0.7), { rtol: 1e-5 });
    });

    it("stopGradient blocks the gradient", () => {
      expectClose(grad((x: NDArray) => np.multiply(x, stopGradient(x)))(np.array(3)), 3);
      expectClose(grad((x: NDArray) => np.sum(stopGradient(np.exp(x))))(np.array([1, 2])), [0, 0]);
      expectArray(stopGradient([1, 2]), [1, 2]);
    });

    it("reading values inside an eagerly differentiated function (JS control flow)", () => {
      const f = (x: NDArray) => (x.item() > 0 ? np.square(x) : np.negative(x));
      expectClose(grad(f)(np.array(3)), 6);
      expectClose(grad(f)(np.array(-2)), -1);
      const loop = (x: NDArray) => {
        let y = x;
        while (y.item() < 100) y = np.multiply(y, 2);
        return y;
      };
      expectClose(grad(loop)(np.array(7)), 16); // 7 -> 112 after 4 doublings
      expect(flat(grad((x: NDArray) => np.sum(np.multiply(x, x.toArray() as number[])))(np.array([1, 2])))).toEqual([1, 2]);
    });

    it("np.array and np.stack of traced values keep the gradient", () => {
      expectClose(grad((x: NDArray) => np.sum(np.array([x, np.multiply(x, 2)] as never)))(np.array(1)), 3);
      expectClose(grad((x: NDArray) => np.sum(np.multiply(np.array([[x, 1], [2, np.square(x)]] as never), [[1, 1], [1, 1]])))(np.array(3)), 7);
      expectClose(grad((x: NDArray) => np.sum(np.stack([x, np.sin(x)])))(np.array(0)), 2);
      // a plain op given a nested list of traced values must not drop their gradient silently
      expect(() => grad((x: NDArray) => np.sum(np.add([x, x] as never, 1)))(np.array(1))).toThrow(/traced/);
    });

    it("the identity and a duplicated argument", () => {
      expectClose(grad((x: NDArray) => x)(np.array(2)), 1);
      const g = grad((p: { a: NDArray; b: NDArray }) => np.multiply(p.a, p.b))({ a: np.array(2), b: np.array(5) });
      expectClose(g.a, 5);
      expectClose(g.b, 2);
      const [, pb] = vjp((x: NDArray) => np.multiply(x, 3), np.array([1, 2]));
      expectClose(pb(np.array([1, 1]))[0], [3, 3]);
      expectClose(pb(np.array([2, 0]))[0], [6, 0]); // a pullback can be called again
    });

    it("a constant output has zero gradient", () => {
      expectArray(grad((_x: NDArray) => np.array(3))(np.array([1, 2])), [0, 0]);
      expectArray(grad((x: NDArray) => np.sum(np.multiply(np.zerosLike(x), 2)))(np.array([1, 2])), [0, 0]);
    });
  });

  describe("customVjp", () => {
    // mu(theta) solves mu + mu * exp(theta * mu) - 1 = 0 (elementwise); Newton in the forward pass
    const solve = (theta: NDArray): NDArray => {
      let mu = np.fullLike(theta, 0.5);
      for (let i = 0; i < 30; i++) {
        const e = np.exp(np.multiply(theta, mu));
        const g = np.subtract(np.add(mu, np.multiply(mu, e)), 1);
        const gmu = np.add(1, np.multiply(e, np.add(1, np.multiply(theta, mu))));
        mu = np.subtract(mu, np.divide(g, gmu));
      }
      return mu;
    };
    const implicit = customVjp(
      (theta: NDArray) => solve(theta),
      (theta: NDArray) => {
        const mu = solve(theta);
        return [mu, { mu, theta }];
      },
      ({ mu, theta }, ct: NDArray) => {
        // implicit function theorem: dmu/dtheta = -g_theta / g_mu
        const e = np.exp(np.multiply(theta, mu));
        const gTheta = np.multiply(np.square(mu), e);
        const gMu = np.add(1, np.multiply(e, np.add(1, np.multiply(theta, mu))));
        return [np.multiply(ct, np.negative(np.divide(gTheta, gMu)))];
      },
    );

    it("the forward pass solves the equation", () => {
      const th = [0.5, -0.3, 1.2];
      const mu = flat(implicit(np.array(th)));
      mu.forEach((m, i) => expect(Math.abs(m + m * Math.exp(th[i] * m) - 1)).toBeLessThan(1e-5));
    });

    it("the implicit-function gradient matches finite differences of the solver", () => {
      checkGradFD((t) => implicit(t), [[0.5, -0.3, 1.2]]);
      checkGradFD((t) => np.sum(np.square(implicit(np.multiply(t, 2)))), [[0.1, 0.7]]);
      checkGrads((t: NDArray) => implicit(t), [np.array([0.4, 0.9])]);
    });

    it("checkGrads catches a wrong backward rule", () => {
      const wrong = customVjp(
        (x: NDArray) => np.sin(x),
        (x: NDArray) => [np.sin(x), x],
        (x: NDArray, ct: NDArray) => [np.multiply(ct, np.multiply(np.cos(x), 1.5))],
      );
      const right = customVjp(
        (x: NDArray) => np.sin(x),
        (x: NDArray) => [np.sin(x), x],
        (x: NDArray, ct: NDArray) => [np.multiply(ct, np.cos(x))],
      );
      const x = np.array([0.3, -0.8]);
      expect(() => checkGrads(wrong, [x])).toThrow(/checkGrads/);
      expect(() => checkGrads(right, [x])).not.toThrow();
      // without differentiation the function is just f
      expectClose(wrong(x), flat(np.sin(x)));
    });

    it("customVjp inside nested grads and with several arguments", () => {
      const mulc = customVjp(
        (a: NDArray, b: NDArray) => np.multiply(a, b),
        (a: NDArray, b: NDArray) => [np.multiply(a, b), [a, b]],
        ([a, b]: NDArray[], ct: NDArray) => [np.multiply(ct, b), np.multiply(ct, a)],
      );
      const [ga, gb] = grad((a: NDArray, b: NDArray) => np.sum(mulc(a, b)), { argnums: [0, 1] })(np.array([1, 2]), np.array([3, 4]));
      expectClose(ga, [3, 4]);
      expectClose(gb, [1, 2]);
      // d2/dx2 of x * x through the custom rule = 2
      expectClose(grad(grad((x: NDArray) => mulc(x, x)))(np.array(5)), 2);
      // a null cotangent means no gradient for that argument
      const half = customVjp(
        (a: NDArray, b: NDArray) => np.add(a, b),
        (a: NDArray, b: NDArray) => [np.add(a, b), null],
        (_r: null, ct: NDArray) => [ct, null],
      );
      const [h1, h2] = grad((a: NDArray, b: NDArray) => half(a, b), { argnums: [0, 1] })(np.array(1), np.array(2));
      expectClose(h1, 1);
      expectClose(h2, 0);
      // pytree outputs: [sum, difference]
      const sd = customVjp(
        (a: NDArray, b: NDArray) => [np.add(a, b), np.subtract(a, b)] as NDArray[],
        (a: NDArray, b: NDArray) => [[np.add(a, b), np.subtract(a, b)] as NDArray[], null],
        (_r: null, [cs, cd]: NDArray[]) => [np.add(cs, cd), np.subtract(cs, cd)],
      );
      const [p1, p2] = grad(
        (a: NDArray, b: NDArray) => {
          const [s1, d1] = sd(a, b);
          return np.add(np.multiply(s1, 3), np.square(d1));
        },
        { argnums: [0, 1] },
      )(np.array(2), np.array(1));
      expectClose(p1, 3 + 2);
      expectClose(p2, 3 - 2);
    });
  });

  describe("errors", () => {
    it("grad of a non-scalar output", () => {
      expect(() => grad((x: NDArray) => np.multiply(x, 2))(np.array([1, 2]))).toThrow(/float scalar.*\[2\]/);
    });
    it("grad with respect to an int array", () => {
      expect(() => grad((x: NDArray) => np.sum(np.astype(x, "float32")))(np.array([1, 2], "int32"))).toThrow(/int32/);
    });
    it("argnums beyond the arguments", () => {
      expect(() => grad((x: NDArray) => np.sum(x), { argnums: 1 })(np.array([1]))).toThrow(/argnums/);
    });
    it("hasAux without a [value, aux] pair", () => {
      expect(() => grad((x: NDArray) => np.sum(x), { hasAux: true })(np.array([1]))).toThrow(/hasAux/);
    });
    it("an escaped tracer gives a clear error", () => {
      let leaked: NDArray | null = null;
      grad((x: NDArray) => {
        leaked = np.multiply(x, 2);
        return np.sum(leaked);
      })(np.array([1, 2]));
      expect(() => np.add(leaked!, 1)).toThrow(/escaped the transform/);
      expect(() => np.sum(leaked!)).toThrow(/escaped/);
      expect(() => grad((y: NDArray) => np.sum(np.multiply(y, leaked!)))(np.array(1))).toThrow(/escaped/);
    });
  });
});

// ---- gradients agree across backends on random compositions --------------------------------

const GOPS: [string, (x: NDArray) => NDArray][] = [
  ["tanh", np.tanh],
  ["sin", np.sin],
  ["softplus", (x) => np.log1p(np.exp(x))],
  ["centre", (x) => np.subtract(x, np.mean(x, 1, true))],
  ["logsumexp", (x) => np.subtract(x, np.log(np.sum(np.exp(x), -1, true)))],
  ["matmul", (x) => np.multiply(np.matmul(x, np.transpose(x)), 0.3)],
  ["sortRows", (x) => np.sort(x, 1)],
  ["cumsum", (x) => np.multiply(np.cumsum(x, 1), 0.5)],
  ["flipTake", (x) => np.take(np.flip(x, 0), [1, 1, 0], 0)],
  ["maxTie", (x) => np.add(x, np.max(x, 0, true))],
  ["prod", (x) => np.add(x, np.prod(np.tanh(x), 1, true))],
  ["where", (x) => np.where(np.greater(x, 0), np.sqrt(np.add(x, 1)), np.exp(x))],
  ["slicePad", (x) => np.add(x, np.pad(np.slice(x, [0, 1]), [[0, 0], [1, 0]]))],
];

describe("js and tfjs-cpu gradients agree on random compositions", () => {
  it("same gradients within float32 tolerance", async () => {
    const prev = getBackend();
    try {
      await fc.assert(
        fc.asyncProperty(
          vec(6, -1.5, 1.5),
          fc.array(fc.integer({ min: 0, max: GOPS.length - 1 }), { minLength: 1, maxLength: 4 }),
          async (data, prog) => {
            const f = (x: NDArray) => {
              let y = x;
              for (const k of prog) {
                y = GOPS[k][1](y);
                if (y.ndim === 2 && y.shape[0] !== 2) y = np.slice(y, [0], [2]);
              }
              return np.sum(np.multiply(y, np.reshape(np.arange(y.size), y.shape)));
            };
            const run = () => flat(grad(f)(np.reshape(np.array(data), [2, 3])));
            await setBackend("js");
            const a = run();
            await setBackend("tfjs-cpu");
            const b = run();
            expectClose(b, a, { rtol: 5e-4, atol: 5e-4 });
          },
        ),
        FC(25, 5),
      );
    } finally {
      await setBackend(prev);
    }
  });
});

describe("float64 gradients (js backend, x64)", () => {
  it("tight agreement with central differences in float64", () => {
    withX64(() => {
      const f = (x: NDArray) => np.sum(np.multiply(np.log1p(np.square(x)), np.cos(x)));
      const x = [0.3, -1.2, 2.1];
      const g = flat(grad(f)(np.array(x)));
      const fx = (v: number[]) => v.reduce((s, t) => s + Math.log1p(t * t) * Math.cos(t), 0);
      x.forEach((_, i) => {
        const p = [...x];
        const m = [...x];
        p[i] += 1e-6;
        m[i] -= 1e-6;
        expect(Math.abs(g[i] - (fx(p) - fx(m)) / 2e-6)).toBeLessThan(1e-8);
      });
      expect(grad(f)(np.array(x)).dtype).toBe("float64");
      checkGrads(f, [np.array(x)], { order: 2 });
    });
  });
});
