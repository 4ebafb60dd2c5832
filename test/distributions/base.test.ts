/**
 * The Distribution base: shapes of sample/logProb, expand, toEvent (Independent), mask,
 * validation errors and values outside the support; Normal against the SciPy reference.
 */
import { describe, expect, it } from "vitest";
import { jit, np, random, vmap } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { mismatches, refPoints } from "./reference.js";

describe("Normal against the SciPy reference", () => {
  for (const p of refPoints("Normal")) {
    it(p.id, () => {
      const d = new dist.Normal(p.params.loc as number, p.params.scale as number);
      expect(mismatches(d.logProb(p.values as number[]).dataSync(), p.log_prob)).toEqual([]);
      expect(mismatches(d.cdf(p.values as number[]).dataSync(), p.cdf!, 1e-4, 1e-6)).toEqual([]);
      expect(mismatches(d.entropy().dataSync(), [p.entropy!])).toEqual([]);
      expect(mismatches(d.mean.dataSync(), [p.mean as number])).toEqual([]);
      expect(mismatches(d.variance.dataSync(), [p.variance as number])).toEqual([]);
    });
  }
});

describe("shapes", () => {
  const d = new dist.Normal(np.zeros([3]), np.ones([2, 1]));
  it("batch shape broadcasts the parameters", () => {
    expect(d.batchShape).toEqual([2, 3]);
    expect(d.eventShape).toEqual([]);
    expect(d.sample(random.key(0), [5]).shape).toEqual([5, 2, 3]);
    expect(d.logProb(np.zeros([4, 1, 3])).shape).toEqual([4, 2, 3]);
  });
  it("parameters that do not broadcast name the distribution and both shapes", () => {
    expect(() => new dist.Normal(np.zeros([3]), np.ones([2]))).toThrow(/Normal: parameter shapes do not broadcast: loc \[3\], scale \[2\]/);
  });
  it("a value that does not broadcast with the batch shape is an error naming the shapes", () => {
    expect(() => d.logProb(np.zeros([4]))).toThrow(/Normal.logProb: value of shape \[4\] does not fit batch shape \[2, 3\]/);
  });
  it("toEvent moves batch dims into the event and sums the log density over them", () => {
    const ind = d.toEvent(1);
    expect(ind.batchShape).toEqual([2]);
    expect(ind.eventShape).toEqual([3]);
    const x = d.sample(random.key(1), [4]);
    const lp = ind.logProb(x);
    expect(lp.shape).toEqual([4, 2]);
    expect(Array.from(lp.dataSync())).toEqual(Array.from(np.sum(d.logProb(x), -1).dataSync()));
    expect(() => d.toEvent(3)).toThrow(/reinterpretedBatchNdims must be an integer in \[0, 2\]/);
  });
  it("expand broadcasts the batch and draws independent members", () => {
    const base = new dist.Normal(np.array([[0], [10]]), 1); // batch [2, 1]
    const e = base.expand([5, 2, 3]);
    expect(e.batchShape).toEqual([5, 2, 3]);
    const x = e.sample(random.key(2), [7]);
    expect(x.shape).toEqual([7, 5, 2, 3]);
    const v = x.toArray() as number[][][][];
    // member (0, 1, j) is centred at 10, (0, 0, j) at 0, and the 3 columns differ
    expect(Math.abs(v[0][0][1][0] - 10)).toBeLessThan(6);
    expect(Math.abs(v[0][0][0][0])).toBeLessThan(6);
    expect(new Set(v[0][0][0]).size).toBe(3);
    expect(new Set(v.map((s) => s[0][0][0])).size).toBe(7);
    expect(e.logProb(x).shape).toEqual([7, 5, 2, 3]);
    expect(e.mean.shape).toEqual([5, 2, 3]);
    expect(() => base.expand([3, 3])).toThrow(/cannot expand batch shape \[2, 1\] to \[3, 3\]/);
  });
  it("expanded draws have the base's moments", () => {
    const e = new dist.Normal(3, 2).expand([1000]);
    const x = e.sample(random.key(3), [20]);
    const m = np.mean(x).item();
    const s = np.std(x).item();
    // 20000 draws: the mean's standard error is 2/sqrt(20000) = 0.014
    expect(Math.abs(m - 3)).toBeLessThan(5 * 0.0142);
    expect(Math.abs(s - 2)).toBeLessThan(0.05);
  });
  it("mask zeroes the log density where the mask is false", () => {
    const m = new dist.Normal(np.zeros([3]), 1).mask(np.array([true, false, true]));
    const lp = m.logProb(np.array([1, 1, 1])).dataSync();
    expect(lp[1]).toBe(0);
    expect(lp[0]).toBeCloseTo(-0.5 - 0.5 * Math.log(2 * Math.PI), 6);
    expect(() => new dist.Normal(np.zeros([3]), 1).mask(np.array([true, false]))).toThrow(/mask of shape \[2\] does not broadcast with batch shape \[3\]/);
  });
});

describe("validation", () => {
  it("a bad parameter names the distribution, the parameter and the constraint", () => {
    expect(() => new dist.Normal(0, -1)).toThrow(/Normal: parameter 'scale' must satisfy positive \(got -1 at flat index 0\)/);
    expect(() => new dist.Normal(0, -1, { validateArgs: false })).not.toThrow();
  });
  it("validation can be switched off globally", () => {
    dist.enableValidation(false);
    try {
      expect(() => new dist.Normal(0, -1)).not.toThrow();
    } finally {
      dist.enableValidation(true);
    }
  });
  it("parameters under jit and vmap are not read", () => {
    const f = jit((s) => new dist.Normal(0, s).logProb(1));
    expect(f(np.array(2)).item()).toBeCloseTo(-0.125 - Math.log(2) - 0.5 * Math.log(2 * Math.PI), 5);
    const g = vmap((s) => new dist.Normal(0, s).logProb(1));
    expect(g(np.array([1, 2])).shape).toEqual([2]);
  });
});
