/**
 * Multivariate distributions: log densities, moments and entropies against the SciPy reference
 * (point by point and batched), draws at fixed keys (means and covariances), gradients of
 * reparameterized draws, values outside the support, validation, and the equivalence of the
 * alternative parameterizations.
 */
import { describe, expect, it } from "vitest";
import { grad, jit, np, random, vmap, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { checkGradFD } from "../helpers.js";
import { close, describeRefPoints, mismatches, refPoints, type RefPoint } from "./reference.js";

type Params = Record<string, any>;
type Matrix = number[][];

const MAKE: Record<string, (p: Params) => dist.Distribution> = {
  Dirichlet: (p) => new dist.Dirichlet(p.concentration),
  MultivariateNormal: (p) => new dist.MultivariateNormal(p.loc, p.covariance_matrix),
  MultivariateStudentT: (p) => new dist.MultivariateStudentT(p.df, p.loc, p.scale_tril),
  LKJCholesky: (p) => new dist.LKJCholesky(p.dimension, p.concentration),
  Wishart: (p) => new dist.Wishart(p.concentration, p.scale_matrix),
};

const flat = (x: NDArray) => Array.from(x.dataSync(), Number);
const matmulT = (L: Matrix): Matrix => L.map((ri) => L.map((rj) => ri.reduce((s, v, k) => s + v * rj[k], 0)));

/** Eigenvalues of a symmetric matrix (cyclic Jacobi rotations). */
function eigenvalues(M: Matrix): number[] {
  const A = M.map((r) => [...r]);
  const n = A.length;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (A[p][q] === 0) continue;
        const theta = (A[q][q] - A[p][p]) / (2 * A[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k][p];
          const akq = A[k][q];
          A[k][p] = c * akp - s * akq;
          A[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p][k];
          const aqk = A[q][k];
          A[p][k] = c * apk - s * aqk;
          A[q][k] = s * apk + c * aqk;
        }
      }
  }
  return A.map((r, i) => r[i]);
}

const condition = (M: Matrix) => {
  const e = eigenvalues(M).map(Math.abs);
  return Math.max(...e) / Math.min(...e);
};

/**
 * The README's relative tolerance for a multivariate point: 1e-4 where a matrix involved is
 * ill-conditioned (condition number ≥ 100: correlation 0.99, near-singular LKJ or Wishart
 * values), the default 1e-5 otherwise. `value` is one of the point's values, or undefined
 * for quantities of the parameters alone (moments, entropy).
 */
function rtolFor(p: RefPoint, value?: unknown): number {
  const mats: Matrix[] = [];
  if (p.params.covariance_matrix) mats.push(p.params.covariance_matrix as Matrix);
  if (p.params.scale_tril) mats.push(matmulT(p.params.scale_tril as Matrix));
  if (p.params.scale_matrix) mats.push(p.params.scale_matrix as Matrix);
  if (value !== undefined && p.name === "LKJCholesky") mats.push(matmulT(value as Matrix));
  if (value !== undefined && p.name === "Wishart") mats.push(value as Matrix);
  return mats.some((m) => condition(m) >= 100) ? 1e-4 : 1e-5;
}

function logProbMismatches(p: RefPoint, got: number[]): string[] {
  return p.log_prob.flatMap((r, i) => (close(got[i], r, rtolFor(p, p.values[i])) ? [] : [`#${i}: got ${got[i]}, ref ${r}`]));
}

/** A reference moment against a computed one; null means undefined (not finite here). */
function expectMoment(p: RefPoint, got: number[], ref: unknown, what: string): void {
  if (ref === null) {
    expect(got.every((v) => !Number.isFinite(v)), `${what} should be undefined`).toBe(true);
    return;
  }
  expect(mismatches(got, [ref].flat(3) as number[], rtolFor(p)), what).toEqual([]);
}

describeRefPoints("against the SciPy reference, point by point", MAKE, (d, p, name) => {
  expect(logProbMismatches(p, flat(d.logProb(p.values as any))), "log_prob").toEqual([]);
  if (name !== "LKJCholesky") {
    expectMoment(p, flat(d.mean), p.mean, "mean");
    expectMoment(p, flat(d.variance), p.variance, "variance");
  }
  if (p.entropy !== null) expect(mismatches(d.entropy().dataSync(), [p.entropy], rtolFor(p)), "entropy").toEqual([]);
});

/** Points of one distribution with equal parameter shapes, stacked into one batch; values [maxValues, points, ...event]. */
function batches(name: string): { points: RefPoint[]; params: Params; values: unknown[][] }[] {
  const shapeOf = (v: unknown): number[] => (Array.isArray(v) ? [v.length, ...shapeOf(v[0])] : []);
  const groups = new Map<string, RefPoint[]>();
  for (const p of refPoints(name)) {
    const key = JSON.stringify(Object.entries(p.params).map(([k, v]) => (k === "dimension" ? v : shapeOf(v))));
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()]
    .filter((pts) => pts.length > 1)
    .map((points) => {
      const params: Params = {};
      for (const k of Object.keys(points[0].params)) params[k] = k === "dimension" ? points[0].params[k] : points.map((p) => p.params[k]);
      const nv = Math.max(...points.map((p) => p.values.length));
      const values = Array.from({ length: nv }, (_, i) => points.map((p) => p.values[Math.min(i, p.values.length - 1)]));
      return { points, params, values };
    });
}

describe("against the SciPy reference, batched (one call per batch of parameters)", () => {
  for (const name of Object.keys(MAKE)) {
    for (const { points, params, values } of batches(name)) {
      it(`${name} × ${points.length}`, () => {
        const d = MAKE[name](params);
        const P = points.length;
        expect(d.batchShape).toEqual([P]);
        const lp = flat(d.logProb(values as any));
        const ent = name === "LKJCholesky" ? null : flat(d.entropy());
        points.forEach((p, j) => {
          expect(logProbMismatches(p, p.values.map((_, i) => lp[i * P + j])), `${p.id} log_prob`).toEqual([]);
          if (ent && p.entropy !== null) expect(mismatches([ent[j]], [p.entropy], rtolFor(p)), `${p.id} entropy`).toEqual([]);
        });
      });
    }
  }
});

// ---- draws -----------------------------------------------------------------------------------

/** Sample means and covariances of draws [N, n]. */
function moments(x: NDArray): { mean: number[]; cov: Matrix } {
  const rows = x.toArray() as number[][];
  const N = rows.length;
  const n = rows[0].length;
  const mean = Array.from({ length: n }, (_, j) => rows.reduce((s, r) => s + r[j], 0) / N);
  const cov = mean.map((mi, i) => mean.map((mj, j) => rows.reduce((s, r) => s + (r[i] - mi) * (r[j] - mj), 0) / (N - 1)));
  return { mean, cov };
}

/** Means within 5 standard errors and covariances within 5 standard errors of their Gaussian-theory spread. */
function expectMoments(x: NDArray, mean: number[], cov: Matrix, kurtosisFactor = 1): void {
  const N = x.shape[0];
  const m = moments(x);
  mean.forEach((mu, i) => expect(Math.abs(m.mean[i] - mu), `mean ${i}`).toBeLessThan(5 * Math.sqrt(cov[i][i] / N)));
  cov.forEach((row, i) =>
    row.forEach((c, j) => {
      const se = Math.sqrt((kurtosisFactor * (cov[i][i] * cov[j][j] + c * c)) / N);
      expect(Math.abs(m.cov[i][j] - c), `cov ${i},${j}`).toBeLessThan(5 * se);
    }),
  );
}

describe("draws at fixed keys", () => {
  const N = 20000;
  it("MultivariateNormal: mean and covariance, for each parameterization", () => {
    const loc = [1, -2, 0.5];
    const cov = [
      [2, 0.6, -0.4],
      [0.6, 1, 0.2],
      [-0.4, 0.2, 0.5],
    ];
    const d = new dist.MultivariateNormal(loc, cov);
    const x = d.sample(random.key(1), [N]);
    expect(x.shape).toEqual([N, 3]);
    expectMoments(x, loc, cov);
    const byPrecision = new dist.MultivariateNormal(loc, { precisionMatrix: d.precisionMatrix });
    expectMoments(byPrecision.sample(random.key(2), [N]), loc, cov);
  });
  it("MultivariateNormal with batched parameters draws [...sample, ...batch, n]", () => {
    const d = new dist.MultivariateNormal([[0, 0], [10, -10]], np.eye(2));
    const x = d.sample(random.key(3), [500]);
    expect(x.shape).toEqual([500, 2, 2]);
    const m = flat(np.mean(x, 0));
    [0, 0, 10, -10].forEach((mu, i) => expect(Math.abs(m[i] - mu)).toBeLessThan(5 / Math.sqrt(500)));
  });
  it("LowRankMultivariateNormal: mean and covariance W Wᵀ + D", () => {
    const d = new dist.LowRankMultivariateNormal([0, 1, 2], [[1, 0], [0.5, 1], [0, 2]], [1, 2, 3]);
    expectMoments(d.sample(random.key(4), [N]), [0, 1, 2], d.covarianceMatrix.toArray() as Matrix);
  });
  it("MultivariateStudentT: mean and covariance df/(df − 2) L Lᵀ", () => {
    const df = 9;
    const L = [
      [1, 0],
      [0.5, 2],
    ];
    const d = new dist.MultivariateStudentT(df, [1, 2], L);
    const cov = matmulT(L).map((r) => r.map((v) => (v * df) / (df - 2)));
    // heavy tails: the covariance estimate spreads more (excess kurtosis 6/(df − 4) = 1.2)
    expectMoments(d.sample(random.key(5), [N]), [1, 2], cov, 3);
  });
  it("Dirichlet: mean and covariance, draws on the simplex", () => {
    const alpha = [0.5, 2, 3.5];
    const d = new dist.Dirichlet(alpha);
    const x = d.sample(random.key(6), [N]);
    expect(flat(d.support.check(x)).every((v) => v === 1)).toBe(true);
    const A = 6;
    const cov = alpha.map((ai, i) => alpha.map((aj, j) => ((i === j ? ai * A : 0) - ai * aj) / (A * A * (A + 1))));
    expectMoments(x, alpha.map((a) => a / A), cov, 2);
  });
  it("Dirichlet with tiny concentrations still draws valid simplex points", () => {
    const x = new dist.Dirichlet([0.01, 0.01, 0.01]).sample(random.key(7), [1000]);
    expect(flat(np.isfinite(x)).every((v) => v === 1)).toBe(true);
    expect(flat(np.abs(np.subtract(np.sum(x, -1), 1))).every((v) => v < 1e-5)).toBe(true);
  });
  it("Wishart: draws are positive definite with mean ν S and variance ν (S_ij² + S_ii S_jj)", () => {
    const S = [
      [2, 0.5],
      [0.5, 1],
    ];
    const d = new dist.Wishart(5, S);
    const x = d.sample(random.key(8), [N]);
    expect(x.shape).toEqual([N, 2, 2]);
    expect(flat(d.support.check(x)).every((v) => v === 1)).toBe(true);
    const m = flat(np.mean(x, 0));
    const v = flat(d.variance);
    flat(d.mean).forEach((mu, i) => expect(Math.abs(m[i] - mu)).toBeLessThan(5 * Math.sqrt(v[i] / N)));
    const sv = flat(np.variance(x, 0));
    v.forEach((vi, i) => expect(Math.abs(sv[i] - vi) / vi).toBeLessThan(0.1));
  });
  it("LKJCholesky and LKJ: valid factors and matrices; correlations have variance 1/(2η + D − 1)", () => {
    for (const [D, eta] of [
      [3, 1],
      [4, 2.5],
    ]) {
      const Ls = new dist.LKJCholesky(D, eta).sample(random.key(9 + D), [5000]);
      expect(Ls.shape).toEqual([5000, D, D]);
      expect(flat(dist.constraints.corrCholesky.check(Ls)).every((v) => v === 1)).toBe(true);
      const C = new dist.LKJ(D, eta).sample(random.key(20 + D), [5000]);
      expect(flat(dist.constraints.corrMatrix.check(C)).every((v) => v === 1)).toBe(true);
      const want = 1 / (2 * eta + D - 1);
      for (const c of [np.matmul(Ls, np.matrixTranspose(Ls)), C]) {
        const r = flat(np.slice(c, [0, D - 1, 0], [5000, D, 1]));
        const mean = r.reduce((s, v) => s + v, 0) / r.length;
        const variance = r.reduce((s, v) => s + v * v, 0) / r.length;
        expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(want / 5000));
        expect(Math.abs(variance - want) / want).toBeLessThan(0.08);
      }
      expect(flat(new dist.LKJ(D, eta).variance)[1]).toBeCloseTo(want, 6);
    }
  });
});

describe("gradients of reparameterized draws", () => {
  it("MultivariateNormal: draws at a fixed key differentiate in loc and the covariance (vs finite differences)", () => {
    const key = random.key(11);
    checkGradFD(
      (loc, cov) => new dist.MultivariateNormal(loc, cov, { validateArgs: false }).sample(key, [4]),
      [
        [0.5, -1, 2],
        [
          [2, 0.3, 0.1],
          [0.3, 1, -0.2],
          [0.1, -0.2, 0.8],
        ],
      ],
    );
    checkGradFD((loc, L) => new dist.MultivariateNormal(loc, { scaleTril: L, validateArgs: false }).sample(key, [2]), [
      [1, 2],
      [
        [1.5, 0],
        [0.4, 0.7],
      ],
    ]);
  });
  it("MultivariateStudentT: draws differentiate in loc and scaleTril (vs finite differences)", () => {
    const key = random.key(12);
    checkGradFD((loc, L) => new dist.MultivariateStudentT(6, loc, L, { validateArgs: false }).sample(key, [3]), [
      [1, 2],
      [
        [1.5, 0],
        [0.4, 0.7],
      ],
    ]);
  });
  it("Dirichlet: the pathwise gradient of E[Σ w_i X_i²] matches finite differences of its closed form", () => {
    const alpha = [0.7, 2, 4];
    const w = [1, -2, 3];
    const exact = (a: number[]) => {
      const A = a.reduce((s, v) => s + v, 0);
      return a.reduce((s, ai, i) => s + (w[i] * ai * (ai + 1)) / (A * (A + 1)), 0);
    };
    const h = 1e-4;
    const fd = alpha.map((_, i) => {
      const up = [...alpha];
      const down = [...alpha];
      up[i] += h;
      down[i] -= h;
      return (exact(up) - exact(down)) / (2 * h);
    });
    const B = 20;
    const per = Array.from({ length: B }, (_, b) =>
      flat(grad((a: NDArray) => np.mean(np.sum(np.multiply(np.square(new dist.Dirichlet(a).sample(random.key(300 + b), [1000])), np.array(w)), -1)))(np.array(alpha))),
    );
    alpha.forEach((_, i) => {
      const gs = per.map((g) => g[i]);
      const mean = gs.reduce((s, v) => s + v, 0) / B;
      const se = Math.sqrt(gs.reduce((s, v) => s + (v - mean) ** 2, 0) / (B - 1) / B);
      expect(Math.abs(mean - fd[i]), `component ${i}: ${mean} vs ${fd[i]} (se ${se})`).toBeLessThan(5 * se + 1e-3);
    });
  });
});

// ---- support, validation, parameterizations ------------------------------------------------

describe("values outside the support give -Infinity, not NaN", () => {
  it("Dirichlet: a vector that does not sum to 1, or has a negative entry", () => {
    const lp = flat(new dist.Dirichlet([1, 2, 3]).logProb([[0.5, 0.6, 0.1], [-0.1, 0.6, 0.5], [0.2, 0.3, 0.5]]));
    expect(lp.slice(0, 2)).toEqual([-Infinity, -Infinity]);
    expect(Number.isFinite(lp[2])).toBe(true);
  });
  it("LKJCholesky: rows of norm ≠ 1 or an upper entry; LKJ: a non-unit diagonal", () => {
    const lp = flat(
      new dist.LKJCholesky(2, 1.5).logProb([
        [
          [1, 0],
          [0.5, 0.5],
        ],
        [
          [1, 0.1],
          [0.6, 0.8],
        ],
      ]),
    );
    expect(lp).toEqual([-Infinity, -Infinity]);
    expect(
      new dist.LKJ(2, 1.5)
        .logProb([
          [2, 0.5],
          [0.5, 1],
        ])
        .item(),
    ).toBe(-Infinity);
  });
  it("Wishart: a matrix that is not positive definite", () => {
    const lp = new dist.Wishart(4, np.eye(2)).logProb([
      [1, 2],
      [2, 1],
    ]);
    expect(lp.item()).toBe(-Infinity);
  });
});

describe("invalid parameters throw, naming the distribution and the parameter", () => {
  const cases: [() => unknown, RegExp][] = [
    [
      () =>
        new dist.MultivariateNormal([0, 0], [
          [1, 2],
          [2, 1],
        ]),
      /MultivariateNormal: parameter 'covarianceMatrix' must satisfy positiveDefinite/,
    ],
    [() => new dist.MultivariateNormal([0, 0], { precisionMatrix: [[1, 0], [0, -1]] }), /MultivariateNormal: parameter 'precisionMatrix' must satisfy positiveDefinite/],
    [() => new dist.MultivariateNormal([0, 0], { scaleTril: [[1, 1], [0, 1]] }), /MultivariateNormal: parameter 'scaleTril' must satisfy lowerCholesky/],
    [() => new dist.MultivariateNormal([0, 0, 0], np.eye(2)), /MultivariateNormal: parameter 'loc' of shape \[3\] does not match 'covarianceMatrix' of shape \[2, 2\]/],
    [() => new dist.MultivariateNormal([0, 0], [1, 2]), /MultivariateNormal: parameter 'covarianceMatrix' must be a \(batch of\) square matrices/],
    [() => new dist.MultivariateNormal([0, 0], { scaleTril: np.eye(2), covarianceMatrix: np.eye(2) } as any), /MultivariateNormal: give exactly one of/],
    [() => new dist.MultivariateNormal(np.zeros([3, 2]), np.broadcastTo(np.eye(2), [2, 2, 2])), /MultivariateNormal: parameter shapes do not broadcast/],
    [() => new dist.Dirichlet([1, 0, 2]), /Dirichlet: parameter 'concentration' must satisfy independent\(positive, 1\)/],
    [() => new dist.Dirichlet(2), /Dirichlet: parameter 'concentration' must have at least 1 dimension/],
    [() => new dist.MultivariateStudentT(-1, [0, 0], np.eye(2)), /MultivariateStudentT: parameter 'df' must satisfy positive/],
    [() => new dist.MultivariateStudentT(3, [0, 0], [[1, 0], [0, -1]]), /MultivariateStudentT: parameter 'scaleTril' must satisfy lowerCholesky/],
    [() => new dist.LowRankMultivariateNormal([0, 0], [[1], [2]], [1, -1]), /LowRankMultivariateNormal: parameter 'covDiag'/],
    [() => new dist.LowRankMultivariateNormal([0, 0, 0], [[1], [2]], [1, 1]), /LowRankMultivariateNormal: shapes of loc \[3\], covFactor \[2, 1\] and covDiag \[2\] do not agree/],
    [() => new dist.LKJCholesky(1, 1), /LKJCholesky: dimension must be an integer of at least 2, got 1/],
    [() => new dist.LKJ(3, -1), /LKJ: parameter 'concentration' must satisfy positive/],
    [() => new dist.Wishart(0.5, np.eye(2)), /Wishart: parameter 'concentration' must satisfy \(1, ∞\)/],
    [() => new dist.Wishart(3, [[1, 2], [2, 1]]), /Wishart: parameter 'scaleMatrix' must satisfy positiveDefinite/],
    [() => new dist.Wishart(3, { rateMatrix: [[1, 2], [2, 1]] }), /Wishart: parameter 'rateMatrix' must satisfy positiveDefinite/],
    [() => new dist.Dirichlet([1, 2]).logProb([0.5, 0.25, 0.25]), /Dirichlet.logProb: value of shape \[3\] does not fit batch shape \[\] and event shape \[2\]/],
  ];
  cases.forEach(([make, message], i) => it(`case ${i}: ${message.source.slice(0, 70)}`, () => expect(make).toThrow(message)));
});

describe("alternative parameterizations agree", () => {
  const loc = [1, -1, 0.5];
  const cov = [
    [2, 0.6, -0.4],
    [0.6, 1, 0.2],
    [-0.4, 0.2, 0.5],
  ];
  const x = [
    [0, 0, 0],
    [1, 2, -1],
  ];
  it("MultivariateNormal by covariance, precision, scaleTril, and the options object", () => {
    const byCov = new dist.MultivariateNormal(loc, cov);
    const want = flat(byCov.logProb(x));
    const alternatives = [
      new dist.MultivariateNormal(loc, { covarianceMatrix: cov }),
      new dist.MultivariateNormal(loc, { precisionMatrix: byCov.precisionMatrix }),
      new dist.MultivariateNormal(loc, { scaleTril: byCov.scaleTril }),
    ];
    for (const d of alternatives) {
      expect(mismatches(d.logProb(x).dataSync(), want, 1e-4)).toEqual([]);
      expect(mismatches(d.covarianceMatrix.dataSync(), cov.flat(), 1e-4, 1e-5)).toEqual([]);
      expect(mismatches(d.entropy().dataSync(), flat(byCov.entropy()), 1e-5)).toEqual([]);
    }
  });
  it("MultivariateNormal: a scalar loc broadcasts to the event; batch shapes broadcast", () => {
    const d = new dist.MultivariateNormal(0, np.broadcastTo(np.eye(2), [3, 2, 2]));
    expect(d.batchShape).toEqual([3]);
    expect(d.eventShape).toEqual([2]);
    expect(d.logProb([0, 0]).shape).toEqual([3]);
    expect(d.logProb(np.zeros([5, 1, 2])).shape).toEqual([5, 3]);
  });
  it("LowRankMultivariateNormal equals the MultivariateNormal of its covariance", () => {
    const d = new dist.LowRankMultivariateNormal(loc, [[1, 0], [0.5, 1], [0, 2]], [1, 2, 3]);
    const full = new dist.MultivariateNormal(loc, d.covarianceMatrix);
    expect(mismatches(d.logProb(x).dataSync(), flat(full.logProb(x)))).toEqual([]);
    expect(mismatches(d.entropy().dataSync(), flat(full.entropy()))).toEqual([]);
    expect(mismatches(d.variance.dataSync(), flat(full.variance))).toEqual([]);
    expect(mismatches(d.scaleTril.dataSync(), flat(full.scaleTril))).toEqual([]);
  });
  it("Wishart by scaleMatrix, rateMatrix and scaleTril", () => {
    const S = [
      [2, 0.5],
      [0.5, 1],
    ];
    const X = [
      [3, 1],
      [1, 2],
    ];
    const byScale = new dist.Wishart(4, S);
    const want = byScale.logProb(X).item();
    // S⁻¹ (det S = 1.75)
    const inv = [
      [1 / 1.75, -0.5 / 1.75],
      [-0.5 / 1.75, 2 / 1.75],
    ];
    for (const d of [new dist.Wishart(4, { rateMatrix: inv }), new dist.Wishart(4, { scaleTril: byScale.scaleTril })]) {
      expect(d.logProb(X).item()).toBeCloseTo(want, 4);
      expect(d.entropy().item()).toBeCloseTo(byScale.entropy().item(), 4);
    }
  });
  it("MultivariateStudentT tends to the MultivariateNormal as df grows", () => {
    const L = [
      [1, 0],
      [0.3, 0.8],
    ];
    const t = new dist.MultivariateStudentT(1e6, [0, 1], L);
    const n = new dist.MultivariateNormal([0, 1], { scaleTril: L });
    expect(mismatches(t.logProb([[0.5, 0.5], [-1, 2]]).dataSync(), flat(n.logProb([[0.5, 0.5], [-1, 2]])), 1e-4, 1e-5)).toEqual([]);
    expect(t.entropy().item()).toBeCloseTo(n.entropy().item(), 4);
  });
});

describe("LKJ densities", () => {
  it("LKJCholesky(2, η) integrates to 1 over the off-diagonal entry", () => {
    for (const eta of [0.7, 1, 3]) {
      const M = 4001;
      const r = Array.from({ length: M }, (_, i) => -1 + (2 * (i + 0.5)) / M);
      const Ls = r.map((v) => [
        [1, 0],
        [v, Math.sqrt(1 - v * v)],
      ]);
      const p = flat(np.exp(new dist.LKJCholesky(2, eta).logProb(Ls)));
      const total = (p.reduce((s, v) => s + v, 0) * 2) / M;
      expect(total).toBeCloseTo(1, eta < 1 ? 1 : 3);
    }
  });
  it("LKJ(C) = LKJCholesky(L) − log |∂C/∂L| = LKJCholesky(L) − Σ_i (D − i) log L_ii", () => {
    const D = 4;
    const Ls = new dist.LKJCholesky(D, 2).sample(random.key(40), [3]);
    const C = np.matmul(Ls, np.matrixTranspose(Ls));
    const viaL = flat(new dist.LKJCholesky(D, 2).logProb(Ls));
    const viaC = flat(new dist.LKJ(D, 2).logProb(C));
    const diag = np.diagonal(Ls).toArray() as number[][];
    diag.forEach((d, s) => {
      const jac = d.reduce((acc, v, i) => acc + (D - 1 - i) * Math.log(v), 0);
      expect(viaC[s]).toBeCloseTo(viaL[s] - jac, 3);
    });
  });
});

describe("log densities are core-op programs: jit and vmap", () => {
  it("MultivariateNormal under jit and vmap gives the eager values", () => {
    const cov = np.array([
      [2, 0.3],
      [0.3, 1],
    ]);
    const f = (loc: NDArray, x: NDArray) => new dist.MultivariateNormal(loc, cov).logProb(x);
    const loc = np.array([
      [0, 1],
      [2, -1],
    ]);
    const x = np.array([
      [0.5, 0.5],
      [1, 1],
    ]);
    const eager = flat(f(loc, x));
    expect(mismatches(jit(f)(loc, x).dataSync(), eager)).toEqual([]);
    expect(mismatches(vmap(f)(loc, x).dataSync(), eager)).toEqual([]);
  });
  it("Dirichlet and Wishart log densities jit", () => {
    const f = (a: NDArray) => new dist.Dirichlet(a).logProb([0.2, 0.3, 0.5]);
    expect(jit(f)(np.array([1, 2, 3])).item()).toBeCloseTo(f(np.array([1, 2, 3])).item(), 5);
    const g = (nu: NDArray) => new dist.Wishart(nu, np.eye(2)).logProb(np.eye(2));
    expect(jit(g)(np.array(4)).item()).toBeCloseTo(g(np.array(4)).item(), 5);
  });
});
