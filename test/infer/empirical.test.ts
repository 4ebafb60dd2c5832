/**
 * Empirical approximations: weighted moments against closed forms, sampling frequencies
 * against the weights, the log mass of draws, joint sampling across sites, and errors.
 */
import { describe, expect, it } from "vitest";
import { np, random } from "../../src/core/index.js";
import { Empirical, EmpiricalPosterior } from "../../src/infer/index.js";
import { expectClose, flat } from "../helpers.js";

describe("Empirical", () => {
  const draws = [1, 2, 2, 5];

  it("equal weights: mean, population variance, shapes", () => {
    const e = new Empirical(np.array(draws));
    expect(e.numSamples).toBe(4);
    expect(e.eventShape).toEqual([]);
    expectClose(e.mean, 2.5);
    expectClose(e.variance, (1.5 ** 2 + 0.5 ** 2 * 2 + 2.5 ** 2) / 4);
  });

  it("weights: mean Σ w x and variance Σ w (x − mean)² with w ∝ exp(logWeights)", () => {
    const w = [0.1, 0.2, 0.3, 0.4];
    const e = new Empirical(np.array(draws), { logWeights: np.log(np.multiply(np.array(w), 7)) });
    const mean = w.reduce((a, wi, i) => a + wi * draws[i], 0);
    expectClose(e.mean, mean, { rtol: 1e-6 });
    expectClose(e.variance, w.reduce((a, wi, i) => a + wi * (draws[i] - mean) ** 2, 0), { rtol: 1e-6 });
  });

  it("event-shaped draws: moments per coordinate", () => {
    const e = new Empirical(np.array([[0, 10], [2, 20], [4, 60]]));
    expect(e.eventShape).toEqual([2]);
    expectClose(e.mean, [2, 30]);
    expectClose(e.variance, [8 / 3, (400 + 100 + 900) / 3], { rtol: 1e-6 });
  });

  it("sample picks draws with the frequencies of the weights (8000 draws, fixed key)", () => {
    const w = [0.1, 0.2, 0.3, 0.4];
    const e = new Empirical(np.array([10, 20, 30, 40]), { logWeights: np.log(np.array(w)) });
    const xs = e.sample(random.key(0), [8000]);
    expect(xs.shape).toEqual([8000]);
    const values = flat(xs);
    w.forEach((wi, i) => {
      const freq = values.filter((v) => v === 10 * (i + 1)).length / 8000;
      expect(Math.abs(freq - wi)).toBeLessThan(4 * Math.sqrt((wi * (1 - wi)) / 8000));
    });
  });

  it("event-shaped samples keep each draw whole", () => {
    const e = new Empirical(np.array([[1, -1], [2, -2], [3, -3]]));
    const xs = e.sample(random.key(1), [5, 2]);
    expect(xs.shape).toEqual([5, 2, 2]);
    const v = xs.toArray() as number[][][];
    for (const row of v) for (const [a, b] of row) expect(b).toBe(-a);
  });

  it("logProb: the log of the total weight of equal draws, −∞ elsewhere", () => {
    const e = new Empirical(np.array(draws));
    expectClose(e.logProb(np.array([2, 1, 5, 3])), [Math.log(0.5), Math.log(0.25), Math.log(0.25), -Infinity], { rtol: 1e-6 });
    const v = new Empirical(np.array([[0, 1], [0, 2]]));
    expectClose(v.logProb(np.array([[0, 2], [1, 1]])), [Math.log(0.5), -Infinity], { rtol: 1e-6 });
  });

  it("bad inputs are errors", () => {
    expect(() => new Empirical(np.array(3))).toThrow(/Empirical: samples need a leading axis of at least one draw, got shape \[\]/);
    expect(() => new Empirical(np.array(draws), { logWeights: np.zeros([3]) })).toThrow(/Empirical: logWeights must have shape \[4\] \(one per draw\), got \[3\]/);
  });
});

describe("EmpiricalPosterior", () => {
  const samples = { a: np.array([1, 2, 3, 4]), b: np.array([[2, 0], [4, 0], [6, 0], [8, 0]]) };

  it("joint draws: each sample takes every site from the same draw", () => {
    const post = new EmpiricalPosterior(samples);
    expect(post.numSamples).toBe(4);
    const s = post.sample(random.key(2), [50]);
    expect(s.a.shape).toEqual([50]);
    expect(s.b.shape).toEqual([50, 2]);
    expectClose(np.take(s.b, 0, 1), np.multiply(s.a, 2));
  });

  it("mean, variance and marginals by site, with weights", () => {
    const w = [0.4, 0.3, 0.2, 0.1];
    const post = new EmpiricalPosterior(samples, { logWeights: np.log(np.array(w)) });
    const meanA = w.reduce((acc, wi, i) => acc + wi * (i + 1), 0);
    expectClose(post.mean.a, meanA, { rtol: 1e-6 });
    expectClose(post.mean.b, [2 * meanA, 0], { rtol: 1e-6 });
    expectClose(post.variance.a, w.reduce((acc, wi, i) => acc + wi * (i + 1 - meanA) ** 2, 0), { rtol: 1e-6 });
    expectClose(post.marginal("b").logWeights, np.log(np.array(w)), { rtol: 1e-6 });
  });

  it("bad inputs are errors naming the sites", () => {
    expect(() => new EmpiricalPosterior({})).toThrow(/EmpiricalPosterior: no sites given/);
    expect(() => new EmpiricalPosterior({ a: np.zeros([4]), c: np.zeros([3]) })).toThrow(
      /every site needs the same number of draws along its leading axis: site 'c' has shape \[3\], site 'a' \[4\]/,
    );
    expect(() => new EmpiricalPosterior(samples).marginal("z")).toThrow(/EmpiricalPosterior: no site 'z' \(its sites: a, b\)/);
  });
});
