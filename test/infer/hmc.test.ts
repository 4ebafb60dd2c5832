/**
 * Unit oracles for the parts of HMC/NUTS (after NumPyro's test_hmc_util): dual averaging,
 * leapfrog orbits, Welford estimates, the warmup window schedule, the U-turn checkpoint
 * indices and criterion, and sanity of a single NUTS tree.
 */
import { describe, expect, it } from "vitest";
import { grad, jit, np, random, valueAndGrad, vmap, type Array as NDArray } from "../../src/core/index.js";
import { adaptInit, adaptUpdate, buildAdaptationSchedule, type AdaptState } from "../../src/infer/hmc/adaptation.js";
import { findReasonableStepSize } from "../../src/infer/hmc/step-size.js";
import { dualAveragingInit, dualAveragingUpdate } from "../../src/infer/hmc/dual-averaging.js";
import { kineticEnergy, leapfrog, type IntegratorState, type PotentialAndGrad } from "../../src/infer/hmc/integrator.js";
import { buildTree, checkpointRange, checkpointRangeOf, isTurning } from "../../src/infer/hmc/nuts.js";
import { welfordCovariance, welfordInit, welfordUpdate } from "../../src/infer/hmc/welford.js";
import { withX64 } from "../helpers.js";

const potentialOf = (u: (q: NDArray) => NDArray): PotentialAndGrad => (q) => valueAndGrad(u)(q) as [NDArray, NDArray];
const startAt = (pg: PotentialAndGrad, q: number[], p: number[]): IntegratorState => {
  const z = np.array(q);
  const [potential, g] = pg(z);
  return { z, r: np.array(p), potential, grad: g };
};
const integrate = (pg: PotentialAndGrad, s: IntegratorState, h: number, n: number) => {
  const one = np.ones([s.z.shape[0]]);
  const step = jit((st: IntegratorState) => leapfrog(pg, one, st, h));
  let cur = s;
  for (let i = 0; i < n; i++) cur = step(cur);
  return cur;
};

describe("dual averaging", () => {
  it("minimizes (x + 1)^2 with gamma 0.5 in 10 steps: the averaged iterate is -1", () => {
    let s = dualAveragingInit(0);
    for (let i = 0; i < 10; i++) s = dualAveragingUpdate(s, np.multiply(2, np.add(s.x, 1)), { gamma: 0.5 });
    expect(Math.abs(s.xBar.item() + 1)).toBeLessThan(1e-3);
  });
});

describe("leapfrog", () => {
  it("harmonic oscillator: reaches (sin 1, cos 1), conserves energy, and is reversible", () =>
    withX64(() => {
      const pg = potentialOf((q) => np.multiply(0.5, np.sum(np.square(q))));
      const s0 = startAt(pg, [0], [1]);
      const s1 = integrate(pg, s0, 0.01, 100);
      expect(Math.abs(s1.z.item() - Math.sin(1))).toBeLessThan(1e-4);
      expect(Math.abs(s1.r.item() - Math.cos(1))).toBeLessThan(1e-4);
      const one = np.ones([1]);
      const e = (s: IntegratorState) => s.potential.item() + kineticEnergy(one, s.r).item();
      expect(Math.abs(e(s1) - e(s0))).toBeLessThan(1e-5);
      const back = integrate(pg, { ...s1, r: np.negative(s1.r) }, 0.01, 100);
      expect(Math.abs(back.z.item())).toBeLessThan(1e-4);
      expect(Math.abs(back.r.item() + 1)).toBeLessThan(1e-4);
    }));
  it("circular orbit under U = -1/|q| returns to its start after one period", () =>
    withX64(() => {
      const pg = potentialOf((q) => np.negative(np.divide(1, np.sqrt(np.sum(np.square(q))))));
      const s = integrate(pg, startAt(pg, [1, 0], [0, 1]), 0.01, 628);
      const [q0, q1] = s.z.toArray() as number[];
      expect(Math.abs(q0 - 1)).toBeLessThan(5e-3);
      expect(Math.abs(q1)).toBeLessThan(5e-3);
    }));
  it("quartic potential: from q = 0.02 to q = -0.02 in 1810 steps", () =>
    withX64(() => {
      const pg = potentialOf((q) => np.multiply(0.25, np.sum(np.power(q, 4))));
      const s = integrate(pg, startAt(pg, [0.02], [0]), 0.1, 1810);
      expect(Math.abs(s.z.item() + 0.02)).toBeLessThan(1e-4);
      expect(Math.abs(s.r.item())).toBeLessThan(1e-4);
    }));
});

describe("Welford estimates", () => {
  const cov = [
    [1.0, 0.5, 0.2],
    [0.5, 2.0, -0.3],
    [0.2, -0.3, 0.5],
  ];
  const draws = random.multivariateNormal(random.key(3), np.zeros([3]), np.array(cov), [2000]);
  const rows = Array.from({ length: 2000 }, (_, i) => np.take(draws, i, 0));
  it("diagonal and dense estimates equal the two-pass sample covariance, which is near the truth", () => {
    let diag = welfordInit(3, false);
    let dense = welfordInit(3, true);
    for (const x of rows) {
      diag = welfordUpdate(diag, x);
      dense = welfordUpdate(dense, x);
    }
    const centred = np.subtract(draws, np.mean(draws, 0));
    const exact = np.divide(np.matmul(np.transpose(centred), centred), 1999).toArray() as number[][];
    const d = welfordCovariance(diag, false).toArray() as number[];
    const m = welfordCovariance(dense, false).toArray() as number[][];
    exact.forEach((row, i) =>
      row.forEach((v, j) => {
        expect(Math.abs(m[i][j] - v)).toBeLessThan(1e-5);
        if (i === j) expect(Math.abs(d[i] - v)).toBeLessThan(1e-5);
        // the standard error of a sample covariance is sqrt((s_ii s_jj + s_ij^2) / n): allow 4.5 of them
        const se = Math.sqrt((cov[i][i] * cov[j][j] + cov[i][j] ** 2) / 2000);
        expect(Math.abs(v - cov[i][j])).toBeLessThan(4.5 * se);
      }),
    );
  });
  it("regularization of a constant input is exactly 1e-3 * 5 / (n + 5) on the diagonal", () => {
    let s = welfordInit(2, false);
    for (let i = 0; i < 25; i++) s = welfordUpdate(s, np.array([0.3, -1]));
    const got = welfordCovariance(s).toArray() as number[];
    got.forEach((v) => expect(v).toBeCloseTo((1e-3 * 5) / 30, 9));
  });
});

describe("adaptation schedule", () => {
  it("matches Stan's windows for several numWarmup", () => {
    const table: [number, number[][]][] = [
      [18, [[0, 17]]],
      [50, [[0, 6], [7, 44], [45, 49]]],
      [100, [[0, 14], [15, 89], [90, 99]]],
      [150, [[0, 74], [75, 99], [100, 149]]],
      [200, [[0, 74], [75, 99], [100, 149], [150, 199]]],
      [280, [[0, 74], [75, 99], [100, 229], [230, 279]]],
      [1000, [[0, 74], [75, 99], [100, 149], [150, 249], [250, 449], [450, 949], [950, 999]]],
    ];
    for (const [n, windows] of table) expect(buildAdaptationSchedule(n)).toEqual(windows);
  });
});

describe("U-turn checkpoints", () => {
  it("checkpoint ranges of leaves match the worked examples", () => {
    const want: Record<number, [number, number]> = { 0: [1, 0], 1: [0, 0], 3: [0, 1], 5: [1, 1], 6: [3, 2], 7: [0, 2], 13: [2, 2], 15: [0, 3] };
    for (const [n, r] of Object.entries(want)) expect(checkpointRange(Number(n))).toEqual(r);
  });
  it("the in-graph checkpoint range equals the host one for every leaf of a depth-10 tree", () => {
    const f = jit(vmap((n: NDArray) => checkpointRangeOf(n, 11)));
    const [lo, hi] = f(np.arange(0, 1024, 1, "int32")) as NDArray[];
    const l = lo.dataSync();
    const h = hi.dataSync();
    for (let n = 0; n < 1024; n++) expect([l[n], h[n]]).toEqual(checkpointRange(n));
  });
  it("the turning table of NumPyro's tests", () => {
    const rCkpt = [1, 2, 3, -2];
    const rSumCkpt = [2, 4, 4, -1];
    const turningIn = (lo: number, hi: number) => {
      for (let i = hi; i >= lo; i--) {
        const span = 3 - rSumCkpt[i] + rCkpt[i];
        if (isTurning(np.ones([1]), np.array([rCkpt[i]]), np.array([1]), np.array([span])).item()) return true;
      }
      return false;
    };
    expect(turningIn(3, 2)).toBe(false);
    expect(turningIn(3, 3)).toBe(true);
    expect(turningIn(0, 0)).toBe(false);
    expect(turningIn(0, 1)).toBe(true);
    expect(turningIn(1, 3)).toBe(true);
  });
});

describe("a NUTS tree", () => {
  const pg = potentialOf((q) => np.multiply(0.5, np.sum(np.square(q))));
  const tree = (eps: number, key: number) => buildTree(pg, np.ones([1]), np.array(eps), startAt(pg, [0], [1]), 10, 10, random.key(key));
  it("is sane for step sizes 0.01, 1 and 100", () => {
    for (const eps of [0.01, 1, 100]) {
      for (const key of [0, 1, 2]) {
        const t = tree(eps, key);
        const depth = t.depth.item();
        const steps = t.numSteps.item();
        expect(steps).toBeGreaterThanOrEqual(2 ** (depth - 1));
        expect(t.acceptProb.item()).toBeLessThanOrEqual(1);
        if (depth < 10) expect(t.turning.item() || t.diverging.item()).toBeTruthy();
        if (eps === 100) {
          expect(t.diverging.item()).toBe(1);
          expect(steps).toBe(1);
        }
        if (eps === 0.01) expect(steps).toBeGreaterThan(10);
      }
    }
  });
  it("compiles and differentiates nothing it should not: a jitted tree equals the eager one", () => {
    const f = jit((k: NDArray) => buildTree(pg, np.ones([1]), np.array(0.3), startAt(pg, [0], [1]), 10, 10, k).state.z);
    expect(f(random.key(5)).item()).toBeCloseTo(tree(0.3, 5).state.z.item(), 5);
    expect(grad((x: NDArray) => np.sum(np.square(x)))(np.array([1])).item()).toBe(2);
  });
});

describe("initial step-size search", () => {
  // U = q²/2, K = p²/2, p = 1, q = 0: one step of size e gives an energy error of e⁴/8, so the
  // acceptance crosses 0.8 at e = (8·(-log 0.8))^(1/4)
  const threshold = (8 * -Math.log(0.8)) ** 0.25;
  const pg = potentialOf((q) => np.multiply(0.5, np.sum(np.square(q))));
  const find = (eps0: number) =>
    withX64(() => {
      const z = np.array([0]);
      const [potential, g] = pg(z);
      return findReasonableStepSize(pg, np.ones([1]), { z, potential, grad: g }, eps0, () => np.array([1]), random.key(0)).item();
    });
  it("from a small step size, stops at the first size past the crossing", () => {
    const s = find(0.1);
    expect(s / 2).toBeLessThan(threshold);
    expect(threshold).toBeLessThan(s);
  });
  it("from a large step size, stops at the first size below the crossing", () => {
    const s = find(10);
    expect(s).toBeLessThan(threshold);
    expect(threshold).toBeLessThan(2 * s);
  });
  it("runs inside NUTS when asked", async () => {
    const { MCMC, NUTS } = await import("../../src/infer/index.js");
    const mcmc = new MCMC(new NUTS(null, { potentialFn: (z: NDArray) => np.multiply(50, np.sum(np.square(z))), findHeuristicStepSize: true, adaptStepSize: false }), {
      numWarmup: 0,
      numSamples: 20,
      initParams: np.zeros([2]),
      progressBar: false,
    });
    await mcmc.run(random.key(1));
    // the potential's curvature is 100: a reasonable step is well below the default of 1
    const eps = mcmc.getExtraFields().stepSize.dataSync()[0];
    expect(eps).toBeLessThan(0.5);
    expect(eps).toBeGreaterThan(0.01);
  });
});

describe("the warmup adapter over a scripted warmup of 150 iterations (windows [0,74] [75,99] [100,149])", () => {
  it("adapts the step size throughout, the mass only at the end of the slow window, and restarts dual averaging there", () => {
    const opts = { numWarmup: 150 };
    let s: AdaptState = adaptInit(3, 1, null, opts);
    const z = np.array([0.3, -1, 2]);
    const at = (i: number, accept: number) => (s = adaptUpdate(s, np.array(i, "int32"), z, np.array(accept), opts));
    const steps: number[] = [];
    for (let i = 0; i < 75; i++) steps.push(at(i, 0.7 + (0.1 * i) / 74).stepSize.item());
    // acceptance below the target shrinks the step size; the mass matrix is untouched
    expect(steps[74]).toBeLessThan(steps[0]);
    expect(Array.from(s.invMass.dataSync())).toEqual([1, 1, 1]);
    const before = s.stepSize.item();
    for (let i = 75; i < 100; i++) at(i, 0.8 + (0.1 * (i - 75)) / 24);
    // acceptance above the target grows it; a constant z in the slow window leaves only the regularization
    const endOfSlow = s.stepSize.item();
    expect(endOfSlow).toBeGreaterThan(before);
    Array.from(s.invMass.dataSync()).forEach((v) => expect(v).toBeCloseTo((1e-3 * 5) / (25 + 5), 9));
    // at the target acceptance the restarted dual averaging stays at its prox centre log(10 eps)
    for (let i = 100; i < 150; i++) at(i, 0.8);
    expect(s.stepSize.item() / endOfSlow).toBeCloseTo(10, 4);
  });
});
