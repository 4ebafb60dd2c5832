/**
 * Pareto smoothed importance sampling against closed forms: the generalized Pareto fit on an
 * exact quantile grid, k̂ of normal importance ratios (k = 1 − σq² for a N(0, σq²) proposal and
 * a N(0, 1) target), the smoothing's invariants, and importance resampling of a deliberately
 * wrong guide on a conjugate model.
 */
import { describe, expect, it } from "vitest";
import { np, random } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { plate, sample } from "../../src/handlers/index.js";
import { AutoNormal, fitGeneralizedPareto, importanceResample, psis } from "../../src/infer/index.js";
import { expectClose, flat } from "../helpers.js";

/** The generalized Pareto quantile (location 0). */
const gpQuantile = (p: number, k: number, sigma: number) => (sigma * (Math.pow(1 - p, -k) - 1)) / k;

/** log N(x | 0, 1) − log N(x | 0, σq²) at `n` draws from the proposal. */
const normalRatios = (sigmaQ: number, n: number, seed: number) =>
  flat(random.normal(random.key(seed), [n])).map((z) => {
    const x = sigmaQ * z;
    return -0.5 * x * x + 0.5 * z * z + Math.log(sigmaQ);
  });

describe("fitGeneralizedPareto", () => {
  for (const [k, sigma] of [
    [0.3, 2],
    [0.8, 0.5],
    [-0.2, 1],
  ]) {
    it(`recovers k = ${k}, σ = ${sigma} from an exact quantile grid (the prior's pull towards 0.5 included)`, () => {
      const n = 2000;
      const x = Array.from({ length: n }, (_, i) => gpQuantile((i + 0.5) / n, k, sigma));
      const fit = fitGeneralizedPareto(x);
      expect(fit.k).toBeCloseTo((n * k + 5) / (n + 10), 1);
      expect(Math.abs(fit.sigma / sigma - 1)).toBeLessThan(0.05);
    });
  }
  it("rejects too few or unsorted exceedances", () => {
    expect(() => fitGeneralizedPareto([1])).toThrow(/at least 2/);
    expect(() => fitGeneralizedPareto([2, 1, 3])).toThrow(/ascending/);
  });
});

describe("psis", () => {
  // tail index of the ratios: P(w > t) ~ t^(−1/(1−σq²)), so k = 1 − σq². k̂ approaches it slowly from below
  // (measured: 0.05 below at σq = 0.5 with 100,000 draws); the mean of 5 estimates has a standard error of about 0.015
  for (const sigmaQ of [0.5, 0.7, 0.8]) {
    it(`k̂ of normal ratios with proposal sd ${sigmaQ} is near 1 − σq² = ${(1 - sigmaQ * sigmaQ).toFixed(2)}`, () => {
      const ks = [1, 2, 3, 4, 5].map((seed) => psis(normalRatios(sigmaQ, 100_000, seed)).paretoK);
      expect(Math.abs(ks.reduce((a, b) => a + b) / ks.length - (1 - sigmaQ * sigmaQ))).toBeLessThan(0.08);
    });
  }
  it("a proposal wider than the target gives bounded ratios: k̂ well below 0.5", () => {
    expect(psis(normalRatios(1.5, 10_000, 2)).paretoK).toBeLessThan(0.3);
  });

  it("normalizes, keeps the order of the ratios, caps the smoothed tail at the largest ratio and leaves the body alone", () => {
    const raw = normalRatios(0.6, 2000, 3);
    const { logWeights, ess } = psis(raw);
    const lse = Math.log(Array.from(logWeights).reduce((a, v) => a + Math.exp(v), 0));
    expect(lse).toBeCloseTo(0, 10);
    const order = raw.map((_, i) => i).sort((a, b) => raw[a] - raw[b]);
    for (let j = 1; j < order.length; j++) expect(logWeights[order[j]]).toBeGreaterThanOrEqual(logWeights[order[j - 1]] - 1e-12);
    const shift = logWeights[order[0]] - raw[order[0]];
    const maxRaw = Math.max(...raw);
    expect(logWeights[order[order.length - 1]] - shift).toBeLessThanOrEqual(maxRaw + 1e-9);
    // the body (all but the tail of ⌈min(S/5, 3√S)⌉ = 135 ratios) is only shifted
    for (const i of order.slice(0, 2000 - 136)) expect(logWeights[i] - raw[i]).toBeCloseTo(shift, 9);
    expect(ess).toBeGreaterThan(1);
    expect(ess).toBeLessThan(2000);
  });

  it("a draw outside the target keeps weight 0; NaN, +Infinity and no finite ratio are errors", () => {
    const raw = [...normalRatios(0.9, 200, 4), -Infinity];
    expect(psis(raw).logWeights[200]).toBe(-Infinity);
    expect(() => psis([0, NaN, 1])).toThrow(/log ratio 1 is NaN/);
    expect(() => psis([0, Infinity])).toThrow(/log ratio 1 is Infinity/);
    expect(() => psis([-Infinity, -Infinity])).toThrow(/every log ratio is -Infinity/);
  });
});

describe("importanceResample", () => {
  // mu ~ N(0, 1), y_i ~ N(mu, 1), 5 points: the posterior is N(Σy / 6, 1/6)
  const y = np.array([0.9, 1.4, 0.2, 1.1, 0.6]);
  const model = (data: typeof y) => {
    const mu = sample("mu", new dist.Normal(0, 1));
    plate("N", 5, () => sample("obs", new dist.Normal(mu, 1), { obs: data }));
  };
  const mean = 4.2 / 6;
  const sd = Math.sqrt(1 / 6);

  it("corrects a guide that is off by half a posterior sd and too wide: mean and sd of the exact posterior, k̂ small", () => {
    const guide = new AutoNormal(model);
    const params = { mu_auto_loc: np.array(mean + 0.5 * sd), mu_auto_scale: np.array(1.3 * sd) };
    const r = importanceResample(model, guide, params, random.key(0), { numProposals: 8000, numDraws: 4000, modelArgs: [y] });
    expect(r.samples.mu.shape).toEqual([4000]);
    expect(r.logWeights.shape).toEqual([8000]);
    expect(r.paretoK).toBeLessThan(0.5);
    // resampling error: sd · sqrt(1/4000 + 1/ess) ≈ 0.03 sd
    expectClose(np.mean(r.samples.mu), mean, { atol: 0.1 * sd });
    expectClose(np.std(r.samples.mu), sd, { rtol: 0.1 });
    // the guide itself is off
    const raw = guide.samplePosterior(random.key(1), params, { sampleShape: [4000] }).mu;
    expect(np.mean(raw).item() - mean).toBeGreaterThan(0.4 * sd);
  });

  it("flags a guide far too narrow for the posterior: k̂ > 0.7", () => {
    const guide = new AutoNormal(model);
    const params = { mu_auto_loc: np.array(mean + sd), mu_auto_scale: np.array(0.3 * sd) };
    const r = importanceResample(model, guide, params, random.key(0), { numProposals: 4000, numDraws: 100, modelArgs: [y] });
    expect(r.paretoK).toBeGreaterThan(0.7);
  });

  it("rejects a bad number of proposals", () => {
    expect(() => importanceResample(model, new AutoNormal(model), {}, random.key(0), { numProposals: 0, modelArgs: [y] })).toThrow(/numProposals must be a positive integer/);
  });
});
