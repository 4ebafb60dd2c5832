/**
 * Bijective transforms and bijectTo: round trips, log-det-Jacobians against the autodiff
 * Jacobian (restricted to the free coordinates where the event shape changes), shapes, and
 * bijectTo mapping arbitrary reals into every continuous constraint.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jacobian, jit, linalg, np, vmap, type Array as NDArray } from "../../src/core/index.js";
import * as C from "../../src/distributions/constraints.js";
import * as dist from "../../src/distributions/index.js";
import * as T from "../../src/distributions/transforms.js";
import { expectClose, FC, flat, withX64 } from "../helpers.js";

/** A fast-check arbitrary of `n` doubles in [lo, hi]. */
const vec = (n: number, lo = -2, hi = 2) => fc.array(fc.double({ min: lo, max: hi, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n });

/** Row-major positions of the lower triangle (column <= row + diagonal) of an n x n matrix. */
const tril = (n: number, diagonal: number) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j <= Math.min(n - 1, i + diagonal); j++) out.push(i * n + j);
  return out;
};

interface Case {
  name: string;
  make: () => T.Transform;
  /** Length of the (flat) input vector. */
  n: number;
  /** Maps a vector of reals in [-2, 2] into the domain. */
  toDomain?: (x: number[]) => number[];
  /** The free coordinates of an output, as a flat vector (default: all of it). */
  free?: (y: NDArray) => NDArray;
  /** Whether the transform acts elementwise (its log-det is summed over the vector). */
  elementwise?: boolean;
  /** Where the input is constrained: its free coordinates and the input they determine. */
  freeInput?: { of: (x: NDArray) => NDArray; expand: (v: NDArray) => NDArray };
}

const takeFlat = (idx: number[]) => (y: NDArray) => np.take(np.ravel(y), np.array(idx, "int32"));

const CASES: Case[] = [
  { name: "ExpTransform", make: () => new T.ExpTransform(), n: 4, elementwise: true },
  { name: "AffineTransform", make: () => new T.AffineTransform([1, -2, 0.5, 3], [2, -0.5, 0.25, 4]), n: 4, elementwise: true },
  { name: "SigmoidTransform", make: () => new T.SigmoidTransform(), n: 4, elementwise: true },
  { name: "SoftplusTransform", make: () => new T.SoftplusTransform(), n: 4, elementwise: true },
  { name: "TanhTransform", make: () => new T.TanhTransform(), n: 4, elementwise: true },
  { name: "PowerTransform(2.5)", make: () => new T.PowerTransform(2.5), n: 4, elementwise: true, toDomain: (x) => x.map(Math.exp) },
  { name: "PowerTransform(-1)", make: () => new T.PowerTransform(-1), n: 4, elementwise: true, toDomain: (x) => x.map(Math.exp) },
  { name: "IdentityTransform", make: () => new T.IdentityTransform(), n: 3, elementwise: true },
  { name: "IndependentTransform(Exp, 1)", make: () => new T.IndependentTransform(new T.ExpTransform(), 1), n: 3 },
  { name: "StickBreakingTransform", make: () => new T.StickBreakingTransform(), n: 4, free: (y) => np.slice(y, [0], [4]) },
  { name: "OrderedTransform", make: () => new T.OrderedTransform(), n: 4 },
  { name: "CorrCholeskyTransform (D=3)", make: () => new T.CorrCholeskyTransform(), n: 3, free: takeFlat(tril(3, -1)) },
  { name: "CorrCholeskyTransform (D=4)", make: () => new T.CorrCholeskyTransform(), n: 6, free: takeFlat(tril(4, -1)) },
  { name: "LowerCholeskyTransform (D=3)", make: () => new T.LowerCholeskyTransform(), n: 6, free: takeFlat(tril(3, 0)) },
  { name: "bijectTo(positiveDefinite)", make: () => T.bijectTo(C.positiveDefinite), n: 6, free: takeFlat(tril(3, 0)) },
  { name: "bijectTo(corrMatrix)", make: () => T.bijectTo(C.corrMatrix), n: 3, free: takeFlat(tril(3, -1)) },
  { name: "bijectTo(positiveOrdered)", make: () => T.bijectTo(C.positiveOrdered), n: 4 },
  { name: "bijectTo(interval(-1, 3))", make: () => T.bijectTo(C.interval(-1, 3)), n: 3, elementwise: true },
  { name: "bijectTo(lessThan(2))", make: () => T.bijectTo(C.lessThan(2)), n: 3, elementwise: true },
  {
    name: "StickBreakingTransform.inv",
    make: () => new T.StickBreakingTransform().inv,
    n: 3,
    toDomain: (x) => flat(new T.StickBreakingTransform().forward(np.array(x))),
    freeInput: { of: (x) => np.slice(x, [0], [3]), expand: (v) => np.concatenate([v, np.reshape(np.subtract(1, np.sum(v)), [1])]) },
  },
];

/** The input array of a case from fast-check reals. */
const input = (c: Case, xs: number[]) => np.array(c.toDomain ? c.toDomain(xs) : xs);

describe("round trips: inverse(forward(x)) = x", () => {
  for (const c of CASES) {
    it(c.name, () => {
      const t = c.make();
      fc.assert(
        fc.property(vec(c.n), (xs) => {
          const x = input(c, xs);
          const y = t.forward(x);
          expect(y.shape).toEqual(t.forwardShape(x.shape));
          expect(flat(t.codomain.check(y)).every((b) => b === 1)).toBe(true);
          expectClose(t.inverse(y), x, { rtol: 1e-3, atol: 1e-4 });
        }),
        FC(20),
      );
    });
  }
});

describe("logAbsDetJacobian equals log |det| of the autodiff Jacobian (float64)", () => {
  for (const c of CASES) {
    it(c.name, () => {
      withX64(() => {
        const t = c.make();
        fc.assert(
          fc.property(vec(c.n), (xs) => {
            const x = np.astype(input(c, xs), "float64");
            const expand = c.freeInput?.expand ?? ((v: NDArray) => v);
            const f = (v: NDArray) => np.ravel((c.free ?? ((y: NDArray) => y))(t.forward(expand(v))));
            const J = jacobian(f)(c.freeInput ? c.freeInput.of(x) : x);
            const [, logdet] = linalg.slogdet(J);
            let ld = t.logAbsDetJacobian(x, t.forward(x));
            if (c.elementwise) ld = np.sum(ld);
            expect(ld.shape).toEqual([]);
            expectClose(ld, logdet, { rtol: 1e-7, atol: 1e-8 });
          }),
          FC(10),
        );
      });
    });
  }
});

describe("shapes", () => {
  it("matrix and simplex transforms map shapes both ways and batch over leading axes", () => {
    const cases: [T.Transform, number[], number[]][] = [
      [new T.StickBreakingTransform(), [5, 3], [5, 4]],
      [new T.CorrCholeskyTransform(), [2, 6], [2, 4, 4]],
      [new T.LowerCholeskyTransform(), [2, 6], [2, 3, 3]],
      [T.bijectTo(C.positiveDefinite), [7, 10], [7, 4, 4]],
      [T.bijectTo(C.corrMatrix), [3], [3, 3]],
    ];
    for (const [t, xs, ys] of cases) {
      expect(t.forwardShape(xs)).toEqual(ys);
      expect(t.inverseShape(ys)).toEqual(xs);
      const x = np.reshape(np.linspace(-1, 1, xs.reduce((a, b) => a * b, 1)), xs);
      const y = t.forward(x);
      expect(y.shape).toEqual(ys);
      expect(t.logAbsDetJacobian(x, y).shape).toEqual(xs.slice(0, -1));
    }
  });
  it("a vector whose length is not triangular is an error naming the transform", () => {
    expect(() => new T.CorrCholeskyTransform().forward(np.zeros([4]))).toThrow(/CorrCholeskyTransform: a vector of length 4 is not the strictly lower triangle/);
    expect(() => new T.LowerCholeskyTransform().forwardShape([5])).toThrow(/LowerCholeskyTransform: a vector of length 5/);
  });
  it("ComposeTransform sums elementwise log-dets over the event dimensions of the whole", () => {
    const t = new T.ComposeTransform([new T.ExpTransform(), new T.StickBreakingTransform()]);
    expect(t.domain.eventDim).toBe(1);
    expect(t.codomain.eventDim).toBe(1);
    const x = np.array([[0.1, -0.3, 0.7]]);
    const y = t.forward(x);
    const expected = np.add(np.sum(x, -1), new T.StickBreakingTransform().logAbsDetJacobian(np.exp(x), y));
    expectClose(t.logAbsDetJacobian(x, y), expected, { shape: [1] });
  });
  it("transforms trace under jit and batch under vmap", () => {
    const t = new T.CorrCholeskyTransform();
    const x = np.array([[0.3, -1.2, 0.5], [2, 0.1, -0.7]]);
    const direct = t.forward(x);
    expectClose(jit((v: NDArray) => t.forward(v))(x), direct);
    expectClose(vmap((v: NDArray) => t.forward(v))(x), direct);
    expectClose(
      vmap((v: NDArray) => t.logAbsDetJacobian(v, t.forward(v)))(x),
      t.logAbsDetJacobian(x, direct),
    );
  });
});

describe("bijectTo maps any reals into its constraint", () => {
  const CONSTRAINTS: [string, C.Constraint, number[]][] = [
    ["real", C.real, [5]],
    ["positive", C.positive, [5]],
    ["nonnegative", C.nonnegative, [5]],
    ["unitInterval", C.unitInterval, [5]],
    ["interval(-2, 7)", C.interval(-2, 7), [5]],
    ["greaterThan(3)", C.greaterThan(3), [5]],
    ["greaterThanEq(-1)", C.greaterThanEq(-1), [5]],
    ["lessThan(-4)", C.lessThan(-4), [5]],
    ["circular", C.circular, [5]],
    ["realVector", C.realVector, [2, 3]],
    ["positiveVector", C.positiveVector, [2, 3]],
    ["independent(positive, 2)", C.independent(C.positive, 2), [2, 3]],
    ["simplex", C.simplex, [2, 4]],
    ["ordered", C.ordered, [2, 4]],
    ["positiveOrdered", C.positiveOrdered, [2, 4]],
    ["lowerCholesky", C.lowerCholesky, [2, 6]],
    ["corrCholesky", C.corrCholesky, [2, 6]],
    ["corrMatrix", C.corrMatrix, [2, 3]],
    ["positiveDefinite", C.positiveDefinite, [2, 6]],
  ];
  for (const [name, c, shape] of CONSTRAINTS) {
    it(name, () => {
      const t = T.bijectTo(c);
      const n = shape.reduce((a, b) => a * b, 1);
      fc.assert(
        fc.property(vec(n, -4, 4), (xs) => {
          const y = t.forward(np.reshape(np.array(xs), shape));
          expect(flat(c.check(y)).every((b) => b === 1)).toBe(true);
        }),
        FC(20),
      );
    });
  }
  it("the codomain of an interval's transform is the interval", () => {
    const cod = T.bijectTo(C.interval(-2, 7)).codomain as C.Interval;
    expect(cod.lower!.item()).toBe(-2);
    expect(cod.upper!.item()).toBe(7);
    const lt = T.bijectTo(C.lessThan(-4)).codomain as C.Interval;
    expect(lt.lower).toBeNull();
    expect(lt.upper!.item()).toBe(-4);
  });
  it("the supports of one-sided truncations map onto half-lines", () => {
    const right = T.bijectTo(new dist.TruncatedNormal(0, 1, null, 2).support);
    const left = T.bijectTo(new dist.TruncatedDistribution(new dist.Gamma(2), { low: 1 }).support);
    const x = np.array([-3, 0, 3]);
    expect(flat(right.forward(x)).every((v) => v < 2 && Number.isFinite(v))).toBe(true);
    expect(flat(left.forward(x)).every((v) => v > 1 && Number.isFinite(v))).toBe(true);
  });
  it("discrete constraints have no bijection", () => {
    expect(() => T.bijectTo(C.nonnegativeInteger)).toThrow(/bijectTo: nonnegativeInteger is a discrete constraint/);
    expect(() => T.bijectTo(C.boolean)).toThrow(/discrete/);
    expect(() => T.bijectTo(C.integerInterval(0, 3))).toThrow(/discrete/);
    expect(() => T.bijectTo(C.multinomial(5))).toThrow(/bijectTo: no transform onto the constraint multinomial/);
  });
});
