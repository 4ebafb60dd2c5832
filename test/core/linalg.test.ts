/**
 * Linear algebra: values against direct reconstruction (L Lᵀ = A, op(a) x = b, A A⁻¹ = I,
 * closed-form determinants), gradients against finite differences (checkGrads, first and
 * second order) and closed forms, batching rules against stacked per-member results, and the
 * js backend against tfjs-cpu. Random inputs come from fast-check with fixed seeds.
 */
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { checkGrads, enableX64, grad, jit, np, setBackend, vmap, type Array as NDArray } from "../../src/core/index.js";
import { bind } from "../../src/core/interpreters/stack.js";
import * as la from "../../src/core/linalg.js";
import { choleskyPrim, invPrim, slogdetPrim, solvePrim, triangularSolvePrim, type TriangularSolveParams } from "../../src/core/primitives/linalg.js";
import type { Primitive } from "../../src/core/primitives/primitive.js";

// ---- helpers ---------------------------------------------------------------------------------

/** Largest error seen per check, printed at the end (the numbers quoted in reports). */
const worst = new Map<string, number>();
function record(name: string, err: number): number {
  worst.set(name, Math.max(worst.get(name) ?? 0, err));
  return err;
}
afterAll(() => {
  const rows = [...worst.entries()].map(([k, v]) => `  ${k.padEnd(58)} ${v.toExponential(2)}`);
  console.log(`max errors:\n${rows.join("\n")}`);
});

afterEach(async () => {
  enableX64(false);
  await setBackend("js");
});

/** A small deterministic PRNG (mulberry32) with normal draws. */
function rng(seed: number) {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return { u, normal };
}

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** An array of the default float dtype from flat values. */
function mk(vals: ArrayLike<number>, shape: readonly number[]): NDArray {
  return np.reshape(np.array(Array.from(vals)), shape);
}

/** Random normal array. */
function randn(seed: number, shape: readonly number[], scale = 1): NDArray {
  const r = rng(seed);
  return mk(
    Array.from({ length: prod(shape) }, () => scale * r.normal()),
    shape,
  );
}

/** Random SPD matrices M Mᵀ / n + I (condition number of a few units). */
function spd(seed: number, batch: readonly number[], n: number): NDArray {
  const M = randn(seed, [...batch, n, n]);
  return np.add(np.divide(np.matmul(M, np.matrixTranspose(M)), n), np.eye(n));
}

/** Random well-conditioned general matrices: N(0, 1/n) entries plus 2 I. */
function general(seed: number, batch: readonly number[], n: number): NDArray {
  return np.add(randn(seed, [...batch, n, n], 1 / Math.sqrt(n)), np.multiply(np.eye(n), 2));
}

/**
 * Random full matrices whose `lower` (or upper) triangle is a well-conditioned triangular
 * matrix (diagonal magnitude in [1, 2)); the other triangle holds garbage the solve must ignore.
 */
function triangularish(seed: number, batch: readonly number[], n: number): NDArray {
  const r = rng(seed);
  const vals: number[] = [];
  for (let t = 0; t < prod(batch); t++)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vals.push(i === j ? (r.u() < 0.5 ? -1 : 1) * (1 + r.u()) : 0.5 * r.normal());
  return mk(vals, [...batch, n, n]);
}

function maxAbs(x: NDArray): number {
  let m = 0;
  for (const v of x.dataSync()) m = Math.max(m, Number.isNaN(v) ? Infinity : Math.abs(v));
  return m;
}

function maxDiff(a: NDArray, b: NDArray): number {
  expect(a.shape).toEqual(b.shape);
  return maxAbs(np.subtract(a, b));
}

/** The matrix that `triangularSolve` uses: the named triangle, with ones on a unit diagonal. */
function effective(a: NDArray, lower: boolean, unit: boolean): NDArray {
  const t = lower ? np.tril(a) : np.triu(a);
  if (!unit) return t;
  const n = a.shape[a.ndim - 1];
  return np.add(np.subtract(t, np.multiply(t, np.eye(n))), np.eye(n));
}

const batchShapes: readonly (readonly number[])[] = [[], [3], [2, 2]];
const arbCase = fc.record({ n: fc.integer({ min: 1, max: 6 }), batch: fc.constantFrom(...batchShapes), seed: fc.integer({ min: 0, max: 1 << 30 }) });
const allOptions: TriangularSolveParams[] = [];
for (const lower of [true, false]) for (const transposeA of [false, true]) for (const leftSide of [true, false]) for (const unitDiagonal of [false, true]) allOptions.push({ lower, transposeA, leftSide, unitDiagonal });
const arbOpts = fc.constantFrom(...allOptions);

/** Float32 and float64 variants of a property, with their tolerances. */
const precisions = [
  { name: "float32", x64: false, tol: 2e-6 },
  { name: "float64", x64: true, tol: 1e-14 },
] as const;

// ---- values ----------------------------------------------------------------------------------

describe("cholesky", () => {
  for (const p of precisions)
    it(`L is lower with a positive diagonal and L Lᵀ = A (${p.name}, n 1..6, batch [], [3], [2,2])`, () => {
      enableX64(p.x64);
      fc.assert(
        fc.property(arbCase, ({ n, batch, seed }) => {
          const A = spd(seed, batch, n);
          const L = la.cholesky(A);
          expect(L.dtype).toBe(p.x64 ? "float64" : "float32");
          expect(L.shape).toEqual([...batch, n, n]);
          expect(maxAbs(np.triu(L, 1))).toBe(0);
          expect(np.all(np.greater(np.diagonal(L), 0)).item()).toBe(1);
          const err = record(`cholesky: |L Lᵀ - A| / |A| (${p.name})`, maxDiff(np.matmul(L, np.matrixTranspose(L)), A) / maxAbs(A));
          expect(err).toBeLessThan(p.tol * 4);
        }),
        { seed: 101, numRuns: 40 },
      );
    });

  it("factors the symmetric part (A + Aᵀ)/2", () => {
    const A = spd(7, [2], 4);
    const skew = randn(8, [2, 4, 4], 0.3);
    const Ans = np.add(A, np.subtract(skew, np.matrixTranspose(skew)));
    expect(maxDiff(la.cholesky(Ans), la.cholesky(A))).toBeLessThan(1e-5);
  });

  for (const backend of ["js", "tfjs-cpu"] as const)
    it(`a non-positive-definite member is all NaN, the others are unaffected (${backend})`, async () => {
      await setBackend(backend);
      const good = spd(3, [], 3);
      const bad = np.array([
        [1, 2, 0],
        [2, 1, 0],
        [0, 0, 1],
      ]);
      const L = la.cholesky(np.stack([good, bad, good]));
      const [l0, l1, l2] = [0, 1, 2].map((i) => np.take(L, i, 0));
      expect(np.all(np.isnan(l1)).item()).toBe(1);
      expect(maxDiff(l0, la.cholesky(good))).toBeLessThan(1e-6);
      expect(maxDiff(l2, la.cholesky(good))).toBeLessThan(1e-6);
      expect(np.all(np.isnan(la.cholesky(np.negative(np.eye(2))))).item()).toBe(1);
    });

  it("rejects non-square input with a message naming the op and shape", () => {
    expect(() => la.cholesky(np.ones([2, 3]))).toThrow(/cholesky.*\[2,3\]/);
    expect(() => la.cholesky(np.ones([3]))).toThrow(/cholesky/);
  });

  it("casts integer input to the default float", () => {
    const L = la.cholesky(np.array([[4, 2], [2, 5]], "int32"));
    expect(L.dtype).toBe("float32");
    expect(L.toArray()).toEqual([
      [2, 0],
      [1, 2],
    ]);
  });
});

describe("triangularSolve", () => {
  for (const p of precisions)
    it(`op(a) x = b and x op(a) = b for all 16 option sets (${p.name}, n 1..6, batch [], [3], [2,2])`, () => {
      enableX64(p.x64);
      fc.assert(
        fc.property(arbCase, arbOpts, fc.integer({ min: 1, max: 3 }), ({ n, batch, seed }, o, k) => {
          const a = triangularish(seed, batch, n);
          const b = randn(seed + 1, o.leftSide ? [...batch, n, k] : [...batch, k, n]);
          const x = la.triangularSolve(a, b, o);
          expect(x.shape).toEqual(b.shape);
          let T = effective(a, o.lower, o.unitDiagonal);
          if (o.transposeA) T = np.matrixTranspose(T);
          const r = o.leftSide ? np.matmul(T, x) : np.matmul(x, T);
          // normwise backward error: |residual| / (|op(a)| |x| n)
          const err = record(`triangularSolve: backward error (${p.name})`, maxDiff(r, b) / (maxAbs(T) * Math.max(maxAbs(x), 1e-30) * n));
          expect(err).toBeLessThan(p.tol);
        }),
        { seed: 202, numRuns: 80 },
      );
    });

  it("accepts vectors (one axis fewer than a) on either side and broadcasts batch axes", () => {
    const a = triangularish(11, [], 4);
    const T = np.tril(a);
    const v = randn(12, [4]);
    const x = la.triangularSolve(a, v);
    expect(x.shape).toEqual([4]);
    expect(maxDiff(np.matmul(T, x), v)).toBeLessThan(1e-5);
    const y = la.triangularSolve(a, v, { leftSide: false });
    expect(maxDiff(np.matmul(y, T), v)).toBeLessThan(1e-5);
    // a unbatched, b batched (3, 4, 2); and a batched (2, 1, 4, 4) against b (1, 3, 4, 2)
    const B = randn(13, [3, 4, 2]);
    const X = la.triangularSolve(a, B);
    expect(X.shape).toEqual([3, 4, 2]);
    expect(maxDiff(np.matmul(T, X), B)).toBeLessThan(1e-5);
    const A2 = triangularish(14, [2, 1], 4);
    const X2 = la.triangularSolve(A2, np.expandDims(B, 0));
    expect(X2.shape).toEqual([2, 3, 4, 2]);
    expect(maxDiff(np.matmul(np.tril(A2), X2), np.broadcastTo(B, [2, 3, 4, 2]))).toBeLessThan(1e-5);
  });

  it("solveTriangular follows jax.scipy.linalg: upper by default, trans 'T'", () => {
    const a = triangularish(21, [], 5);
    const b = randn(22, [5]);
    expect(maxDiff(np.matmul(np.triu(a), la.solveTriangular(a, b)), b)).toBeLessThan(1e-5);
    expect(maxDiff(np.matmul(np.matrixTranspose(np.tril(a)), la.solveTriangular(a, b, { lower: true, trans: "T" })), b)).toBeLessThan(1e-5);
    expect(maxDiff(la.solveTriangular(a, b, { lower: true, trans: 1 }), la.triangularSolve(a, b, { transposeA: true }))).toBe(0);
  });

  it("rejects mismatched shapes naming both", () => {
    expect(() => la.triangularSolve(np.eye(3), np.ones([4, 2]))).toThrow(/triangularSolve.*\[3,3\].*\[4,2\]/);
    expect(() => la.triangularSolve(np.ones([3, 2]), np.ones([3, 2]))).toThrow(/square/);
  });
});

describe("solves, inverse and determinants", () => {
  for (const p of precisions)
    it(`choleskySolve: (L Lᵀ) x = b for vector and matrix b (${p.name})`, () => {
      enableX64(p.x64);
      fc.assert(
        fc.property(arbCase, fc.boolean(), ({ n, batch, seed }, vec) => {
          const A = spd(seed, batch, n);
          const b = randn(seed + 5, vec ? [...batch, n] : [...batch, n, 2]);
          const x = la.choleskySolve(la.cholesky(A), b);
          expect(x.shape).toEqual(b.shape);
          const Ax = vec ? np.squeeze(np.matmul(A, np.expandDims(x, -1)), -1) : np.matmul(A, x);
          const err = record(`choleskySolve: |A x - b| / (|A| |x|) (${p.name})`, maxDiff(Ax, b) / (maxAbs(A) * maxAbs(x) * n));
          expect(err).toBeLessThan(p.tol * 2);
        }),
        { seed: 303, numRuns: 40 },
      );
    });

  for (const p of precisions)
    it(`solve and inv of general matrices (LU with pivoting) (${p.name})`, () => {
      enableX64(p.x64);
      fc.assert(
        fc.property(arbCase, ({ n, batch, seed }) => {
          const A = general(seed, batch, n);
          const b = randn(seed + 9, [...batch, n]);
          const x = la.solve(A, b);
          const Ax = np.squeeze(np.matmul(A, np.expandDims(x, -1)), -1);
          record(`solve: |A x - b| / (|A| |x|) (${p.name})`, maxDiff(Ax, b) / (maxAbs(A) * maxAbs(x) * n));
          expect(maxDiff(Ax, b) / (maxAbs(A) * maxAbs(x) * n)).toBeLessThan(p.tol * 2);
          const Ai = la.inv(A);
          const err = record(`inv: |A A⁻¹ - I| (${p.name})`, maxDiff(np.matmul(A, Ai), np.broadcastTo(np.eye(n), A.shape)));
          expect(err).toBeLessThan(p.tol * 20);
        }),
        { seed: 404, numRuns: 40 },
      );
    });

  it("solve needs pivoting where the leading entry is zero; inv and solve with assumeSpd", () => {
    const P = np.array([
      [0, 1, 0],
      [0, 0, 2],
      [3, 0, 0],
    ]);
    expect(la.solve(P, [1, 2, 3]).toArray()).toEqual([1, 1, 1]);
    expect(maxDiff(la.inv(P), np.array([[0, 0, 1 / 3], [1, 0, 0], [0, 0.5, 0]]))).toBeLessThan(1e-7);
    const A = spd(31, [2], 4);
    const I = np.broadcastTo(np.eye(4), [2, 4, 4]);
    expect(maxDiff(np.matmul(A, la.inv(A, { assumeSpd: true })), I)).toBeLessThan(1e-5);
    const B = randn(32, [2, 4, 3]);
    expect(maxDiff(np.matmul(A, la.solve(A, B, { assumeSpd: true })), B)).toBeLessThan(1e-5);
    expect(() => la.solve(np.eye(3), np.ones([4]))).toThrow(/solve.*\[3,3\].*\[4,1\]/);
  });

  it("slogdet and det against closed forms (2x2, 3x3 by cofactors), signs, singular input", () => {
    enableX64(true);
    const r = rng(41);
    for (let t = 0; t < 20; t++) {
      const v = Array.from({ length: 9 }, () => r.normal());
      const [a, b, c, d, e, f, g, h, i] = v;
      const d3 = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
      const [s, l] = la.slogdet(mk(v, [3, 3]));
      expect(s.item()).toBe(Math.sign(d3));
      record("slogdet: log|det| vs cofactors (float64)", Math.abs(l.item() - Math.log(Math.abs(d3))));
      expect(l.item()).toBeCloseTo(Math.log(Math.abs(d3)), 11);
      expect(la.det(mk(v, [3, 3])).item()).toBeCloseTo(d3, 11);
      expect(la.det(mk(v.slice(0, 4), [2, 2])).item()).toBeCloseTo(a * d - b * c, 12);
    }
    const [s0, l0] = la.slogdet(np.array([[1, 2], [2, 4]]));
    expect(s0.item()).toBe(0);
    expect(l0.item()).toBe(-Infinity);
    expect(la.det(np.zeros([0, 0])).item()).toBe(1);
  });

  for (const p of precisions)
    it(`logdet (Cholesky) = choleskyLogdet = slogdet for SPD, batched (${p.name})`, () => {
      enableX64(p.x64);
      fc.assert(
        fc.property(arbCase, ({ n, batch, seed }) => {
          const A = spd(seed, batch, n);
          const ld = la.logdet(A);
          expect(ld.shape).toEqual([...batch]);
          const [s, l] = la.slogdet(A);
          expect(np.all(np.equal(s, 1)).item()).toBe(1);
          const err = record(`logdet: Cholesky vs LU (${p.name})`, maxDiff(ld, l) / n);
          expect(err).toBeLessThan(p.tol * 10);
          expect(maxDiff(la.logdetFromCholesky(la.cholesky(A)), ld)).toBe(0);
        }),
        { seed: 505, numRuns: 30 },
      );
    });
});

// ---- gradients -------------------------------------------------------------------------------

describe("gradients", () => {
  it("cholesky: checkGrads (float32, batched)", () => {
    fc.assert(
      fc.property(fc.record({ n: fc.integer({ min: 1, max: 4 }), batch: fc.constantFrom(...batchShapes), seed: fc.integer({ min: 0, max: 1 << 30 }) }), ({ n, batch, seed }) => {
        checkGrads((a: NDArray) => la.cholesky(a), [spd(seed, batch, n)], { rtol: 2e-2, seed });
      }),
      { seed: 606, numRuns: 15 },
    );
  });

  it("cholesky: checkGrads (float64, n 1..6, batched), including non-symmetric directions", () => {
    enableX64(true);
    fc.assert(
      fc.property(arbCase, ({ n, batch, seed }) => {
        checkGrads((a: NDArray) => la.cholesky(a), [spd(seed, batch, n)], { seed });
      }),
      { seed: 607, numRuns: 25 },
    );
  });

  it("triangularSolve: checkGrads w.r.t. a and b for all 16 option sets (float64)", () => {
    enableX64(true);
    fc.assert(
      fc.property(arbCase, arbOpts, ({ n, batch, seed }, o) => {
        const a = triangularish(seed, batch, n);
        const b = randn(seed + 1, o.leftSide ? [...batch, n, 2] : [...batch, 2, n]);
        checkGrads((x: NDArray, y: NDArray) => la.triangularSolve(x, y, o), [a, b], { seed });
      }),
      { seed: 608, numRuns: 48 },
    );
  });

  it("triangularSolve: checkGrads (float32)", () => {
    for (const o of allOptions) checkGrads((x: NDArray, y: NDArray) => la.triangularSolve(x, y, o), [triangularish(5, [2], 3), randn(6, [2, 3, 3])], { rtol: 2e-2 });
  });

  it("gradient of a triangular solve w.r.t. a stays in the triangle it reads", () => {
    const a = triangularish(51, [], 4);
    const g = grad((x: NDArray) => np.sum(la.triangularSolve(x, np.ones([4, 2]), { lower: false, unitDiagonal: true })))(a);
    expect(maxAbs(np.tril(g))).toBe(0);
  });

  it("solve, inv, slogdet, det, choleskySolve: checkGrads (float64)", () => {
    enableX64(true);
    fc.assert(
      fc.property(arbCase, ({ n, batch, seed }) => {
        const A = general(seed, batch, n);
        const S = spd(seed + 3, batch, n);
        const b = randn(seed + 4, [...batch, n, 2]);
        checkGrads((a: NDArray, y: NDArray) => la.solve(a, y), [A, b], { seed });
        checkGrads((a: NDArray) => la.inv(a), [A], { seed });
        checkGrads((a: NDArray) => la.slogdet(a)[1], [A], { seed });
        checkGrads((a: NDArray) => la.det(a), [A], { seed });
        checkGrads((a: NDArray, y: NDArray) => la.choleskySolve(la.cholesky(a), y), [S, b], { seed });
      }),
      { seed: 609, numRuns: 20 },
    );
  });

  for (const p of precisions)
    it(`grad of logdet(A) is A⁻¹ (Cholesky and LU paths) (${p.name})`, () => {
      enableX64(p.x64);
      fc.assert(
        fc.property(arbCase, ({ n, batch, seed }) => {
          const A = spd(seed, batch, n);
          const I = np.broadcastTo(np.eye(n), A.shape);
          const g1 = grad((a: NDArray) => np.sum(la.logdet(a)))(A);
          const g2 = grad((a: NDArray) => np.sum(la.slogdet(a)[1]))(A);
          // A · grad = I checks against the definition of the inverse, not another inverse routine
          const e1 = record(`grad logdet (Cholesky): |A G - I| (${p.name})`, maxDiff(np.matmul(A, g1), I));
          const e2 = record(`grad logabsdet (LU): |A G - I| (${p.name})`, maxDiff(np.matmul(A, g2), I));
          expect(e1).toBeLessThan(p.tol * 100);
          expect(e2).toBeLessThan(p.tol * 100);
        }),
        { seed: 610, numRuns: 30 },
      );
    });

  for (const p of precisions)
    it(`grad of the quadratic form bᵀA⁻¹b: -A⁻¹bbᵀA⁻¹ w.r.t. A, 2A⁻¹b w.r.t. b (${p.name})`, () => {
      enableX64(p.x64);
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1 << 30 }), (n, seed) => {
          const A = spd(seed, [], n);
          const b = randn(seed + 1, [n]);
          // oracle from the definition: x solves A x = b (checked), G = -x xᵀ, g_b = 2x
          const x = la.solve(A, b);
          expect(maxDiff(np.matmul(A, x), b)).toBeLessThan(p.x64 ? 1e-12 : 1e-4);
          const want = np.negative(np.outer(x, x));
          for (const [path, q] of [
            ["Cholesky", (a: NDArray, y: NDArray) => np.sum(np.multiply(y, la.choleskySolve(la.cholesky(a), y)))],
            ["LU", (a: NDArray, y: NDArray) => np.sum(np.multiply(y, la.solve(a, y)))],
          ] as const) {
            const [gA, gb] = grad(q, { argnums: [0, 1] })(A, b);
            const e = record(`grad bᵀA⁻¹b (${path}): rel. error (${p.name})`, Math.max(maxDiff(gA, want) / maxAbs(want), maxDiff(gb, np.multiply(x, 2)) / maxAbs(x)));
            expect(e).toBeLessThan(p.x64 ? 1e-11 : 1e-4);
          }
        }),
        { seed: 611, numRuns: 25 },
      );
    });

  it("second derivatives (checkGrads order 2): cholesky and triangularSolve (float64)", () => {
    enableX64(true);
    fc.assert(
      fc.property(fc.record({ n: fc.integer({ min: 1, max: 4 }), batch: fc.constantFrom(...batchShapes), seed: fc.integer({ min: 0, max: 1 << 30 }) }), arbOpts, ({ n, batch, seed }, o) => {
        checkGrads((a: NDArray) => la.cholesky(a), [spd(seed, batch, n)], { order: 2, seed, directions: 2 });
        const a = triangularish(seed, batch, n);
        const b = randn(seed + 1, o.leftSide ? [...batch, n, 2] : [...batch, 2, n]);
        checkGrads((x: NDArray, y: NDArray) => la.triangularSolve(x, y, o), [a, b], { order: 2, seed, directions: 2 });
      }),
      { seed: 612, numRuns: 16 },
    );
  });

  it("second derivatives (checkGrads order 2): solve, inv, slogdet, logdet (float64)", () => {
    enableX64(true);
    const A = general(71, [2], 3);
    const S = spd(72, [2], 3);
    checkGrads((a: NDArray, y: NDArray) => la.solve(a, y), [A, randn(73, [2, 3])], { order: 2 });
    checkGrads((a: NDArray) => la.inv(a), [A], { order: 2 });
    checkGrads((a: NDArray) => la.slogdet(a)[1], [A], { order: 2 });
    checkGrads((a: NDArray) => la.logdet(a), [S], { order: 2 });
  });

  it("second derivatives (checkGrads order 2) in float32", () => {
    checkGrads((a: NDArray) => la.cholesky(a), [spd(81, [], 3)], { order: 2, eps: 3e-3, rtol: 5e-2 });
    checkGrads((x: NDArray, y: NDArray) => la.triangularSolve(x, y), [triangularish(82, [], 3), randn(83, [3, 2])], { order: 2, eps: 3e-3, rtol: 5e-2 });
  });
});

// ---- batching rules --------------------------------------------------------------------------

/** Applies a primitive's batch rule and compares with binding it on each member and stacking. */
function checkBatchRule(prim: Primitive<any>, ins: NDArray[], dims: (number | null)[], params: unknown, size: number) {
  const [outs, outDims] = prim.batch!(ins, dims, params);
  for (let m = 0; m < size; m++) {
    const member = ins.map((x, i) => (dims[i] === null ? x : np.take(x, m, dims[i]!)));
    const want = bind(prim, member, params);
    outs.forEach((o, k) => {
      const got = outDims[k] === null ? o : np.take(o, m, outDims[k]!);
      record(`batch rule of ${prim.name} vs per-member`, maxDiff(got, want[k]));
      expect(maxDiff(got, want[k])).toBeLessThan(1e-6);
    });
  }
}

describe("batching rules (vmapped axis anywhere, operands batched or not)", () => {
  it("cholesky, inv, slogdet", () => {
    const A = np.moveaxis(spd(91, [3, 2], 4), 0, 1); // (2, 3, 4, 4): vmapped axis 1
    for (const prim of [choleskyPrim, invPrim, slogdetPrim]) {
      checkBatchRule(prim, [A], [1], null, 3);
      checkBatchRule(prim, [np.moveaxis(A, 1, 3)], [3], null, 3); // vmapped axis among the matrix axes
    }
  });

  it("triangularSolve and solve", () => {
    const a = triangularish(92, [2, 3], 3); // (2, 3, 3, 3)
    const aT = np.moveaxis(a, 0, 2); // vmapped axis 2: (3, 3, 2, 3)
    const b = randn(93, [3, 2, 3, 4]); // vmapped axis 1, member (3, 3, 4)
    const aU = np.take(a, 0, 0); // (3, 3, 3) unbatched member shape
    const bU = randn(94, [3, 3, 4]);
    for (const o of [allOptions[0], allOptions[5], allOptions[11]]) {
      const bb = o.leftSide ? b : np.swapaxes(b, -1, -2);
      const bbU = o.leftSide ? bU : np.swapaxes(bU, -1, -2);
      checkBatchRule(triangularSolvePrim, [aT, bb], [2, 1], o, 2);
      checkBatchRule(triangularSolvePrim, [aT, bbU], [2, null], o, 2);
      checkBatchRule(triangularSolvePrim, [aU, bb], [null, 1], o, 2);
    }
    const g = np.moveaxis(np.add(a, np.multiply(np.eye(3), 3)), 0, 2);
    checkBatchRule(solvePrim, [g, b], [2, 1], null, 2);
    checkBatchRule(solvePrim, [np.add(aU, np.multiply(np.eye(3), 3)), b], [null, 1], null, 2);
  });
});

describe("under vmap and jit", () => {
  it("vmap of each op equals the batched op; unbatched operands broadcast", () => {
    const S = spd(95, [3], 4);
    const G = general(96, [3], 4);
    const T = triangularish(97, [3], 4);
    const b = randn(98, [3, 4]);
    expect(maxDiff(vmap((a: NDArray) => la.cholesky(a))(S), la.cholesky(S))).toBe(0);
    expect(maxDiff(vmap((a: NDArray, y: NDArray) => la.solve(a, y))(G, b), la.solve(G, b))).toBe(0);
    expect(maxDiff(vmap((a: NDArray) => la.inv(a))(G), la.inv(G))).toBe(0);
    expect(maxDiff(vmap((a: NDArray) => la.slogdet(a)[1])(G), la.slogdet(G)[1])).toBe(0);
    const t0 = np.take(T, 0, 0);
    const viaVmap = vmap((y: NDArray) => la.triangularSolve(t0, y, { lower: false, leftSide: false }))(b);
    expect(maxDiff(viaVmap, la.triangularSolve(t0, b, { lower: false, leftSide: false }))).toBe(0);
    const g = (a: NDArray) => grad((x: NDArray) => la.logdet(x))(a);
    expect(maxDiff(vmap(g)(S), grad((x: NDArray) => np.sum(la.logdet(x)))(S))).toBeLessThan(1e-6);
  });

  it("jit of values and gradients equals eager", () => {
    const S = spd(99, [], 4);
    const b = randn(100, [4]);
    const q = (a: NDArray, y: NDArray) => np.sum(np.multiply(y, la.choleskySolve(la.cholesky(a), y)));
    expect(jit(q)(S, b).item()).toBe(q(S, b).item());
    const gq = grad(q, { argnums: [0, 1] });
    const [j0, j1] = jit(gq)(S, b) as NDArray[];
    const [e0, e1] = gq(S, b) as NDArray[];
    expect(maxDiff(j0, e0)).toBeLessThan(1e-6);
    expect(maxDiff(j1, e1)).toBeLessThan(1e-6);
    expect(maxDiff(jit((a: NDArray) => la.inv(a))(S), la.inv(S))).toBe(0);
  });
});

// ---- backends --------------------------------------------------------------------------------

describe("js backend == tfjs-cpu backend (float32)", () => {
  /** Runs `f` on both backends and returns [js result, tfjs result] as host copies. */
  async function both(f: () => NDArray[]): Promise<[NDArray[], NDArray[]]> {
    await setBackend("js");
    const j = f().map((x) => mk(x.dataSync(), x.shape));
    await setBackend("tfjs-cpu");
    const t = f().map((x) => mk(x.dataSync(), x.shape));
    await setBackend("js");
    return [j, t];
  }

  it("values of every op, n 1..6, batch [], [3], [2,2]", async () => {
    for (const batch of batchShapes)
      for (let n = 1; n <= 6; n++) {
        const seed = 1000 * n + batch.length;
        const A = spd(seed, batch, n);
        const G = general(seed + 1, batch, n);
        const T = triangularish(seed + 2, batch, n);
        const b = randn(seed + 3, [...batch, n, 2]);
        const bR = randn(seed + 4, [...batch, 2, n]);
        const [js, tf] = await both(() => [
          la.cholesky(A),
          ...allOptions.map((o) => la.triangularSolve(T, o.leftSide ? b : bR, o)),
          la.choleskySolve(la.cholesky(A), b),
          la.solve(G, b),
          la.inv(G),
          ...la.slogdet(G),
          la.logdet(A),
        ]);
        js.forEach((x, i) => {
          const err = maxDiff(x, tf[i]) / Math.max(1, maxAbs(x));
          record("backends: values js vs tfjs-cpu (relative)", err);
          expect(err, `output ${i}, n ${n}, batch [${batch}]`).toBeLessThan(1e-5);
        });
      }
  });

  it("gradients of every op, batched", async () => {
    const A = spd(2001, [2], 4);
    const G = general(2002, [2], 4);
    const T = triangularish(2003, [2], 4);
    const b = randn(2004, [2, 4, 3]);
    const W = np.reshape(np.linspace(-1, 1, 16), [4, 4]);
    const f = (a: NDArray) => np.sum(np.multiply(la.cholesky(a), W));
    const [js, tf] = await both(() => [
      grad(f)(A),
      ...allOptions.filter((o) => o.leftSide).flatMap((o) => grad((x: NDArray, y: NDArray) => np.sum(np.square(la.triangularSolve(x, y, o))), { argnums: [0, 1] })(T, b) as NDArray[]),
      grad((a: NDArray) => np.sum(la.logdet(a)))(A),
      grad((a: NDArray) => np.sum(la.slogdet(a)[1]))(G),
      ...(grad((a: NDArray, y: NDArray) => np.sum(la.solve(a, y)), { argnums: [0, 1] })(G, b) as NDArray[]),
      grad((a: NDArray) => np.sum(la.inv(a)))(G),
    ]);
    js.forEach((x, i) => {
      const err = maxDiff(x, tf[i]) / Math.max(1, maxAbs(x));
      record("backends: gradients js vs tfjs-cpu (relative)", err);
      expect(err, `gradient ${i}`).toBeLessThan(1e-5);
    });
  });
});
