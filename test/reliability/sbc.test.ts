/**
 * Simulation-based calibration (`sbc` in tyche/infer): the machinery against exact conjugate
 * posteriors (uniform ranks: passes; too narrow or shifted: fails), its errors, its abort and
 * its histogram; then NUTS on normal-normal, logistic regression and eight schools passing at
 * fixed keys, and a NUTS on a model with a missing log-Jacobian failing, so the check has teeth.
 *
 * Thresholds: a calibrated method must give a Bonferroni-adjusted p-value above 0.01; a broken
 * one below 0.001. Keys are fixed, so each outcome is deterministic; the margins were checked to
 * be wide (calibrated runs give p around 0.2 to 1, broken ones 1e-4 or far less).
 */
import { describe, expect, it } from "vitest";
import { np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { eightSchools, logistic, normalNormal } from "./models.js";
import { deterministic, factor, plate, sample } from "../../src/handlers/index.js";
import { chiSquareSurvival, MCMC, NUTS, sbc, type SBCDraws } from "../../src/infer/index.js";
import { sbcPlot, toSvg } from "../../src/plots/index.js";

/** Exact posterior draws of normalNormal, optionally with a wrong scale or a shift (in posterior sds). */
const exactPosterior =
  (L: number, scaleFactor = 1, shift = 0) =>
  (key: NDArray, data: Readonly<Record<string, NDArray>>, n: number): SBCDraws => {
    const prec = n + 1;
    const sd = Math.sqrt(1 / prec);
    const mean = np.sum(data.y).item() / prec + shift * sd;
    return { mu: np.add(mean, np.multiply(sd * scaleFactor, random.normal(key, [L]))) };
  };

describe("chiSquareSurvival", () => {
  it("matches closed forms and SciPy", () => {
    const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThan(1e-12 + 1e-10 * Math.abs(b));
    for (const x of [0.1, 1, 3, 10, 40]) {
      close(chiSquareSurvival(x, 2), Math.exp(-x / 2));
      close(chiSquareSurvival(x, 4), Math.exp(-x / 2) * (1 + x / 2));
    }
    close(chiSquareSurvival(1, 1), 0.31731050786291415); // 2 (1 - Phi(1))
    close(chiSquareSurvival(3.841458820694124, 1), 0.05);
    expect(Math.abs(chiSquareSurvival(23.209251158954356, 10) - 0.01)).toBeLessThan(1e-10); // scipy.stats.chi2.ppf(0.99, 10)
    expect(chiSquareSurvival(0, 5)).toBe(1);
    expect(chiSquareSurvival(Infinity, 5)).toBe(0);
  });
});

describe("sbc with exact posteriors", () => {
  const base = { key: random.key(0), numSimulations: 200, numDraws: 99, observed: "y", modelArgs: [5] as [number] };

  it("passes exact posterior draws, with ranks in 0..L and consistent counts", async () => {
    const r = await sbc(normalNormal, { ...base, infer: exactPosterior(99) });
    expect(r.numSimulations).toBe(200);
    expect(r.numDraws).toBe(99);
    expect(r.bins).toBe(20);
    expect(r.binEdges[0]).toBe(0);
    expect(r.binEdges[r.bins]).toBe(100);
    expect(r.ranks.mu.shape).toEqual([200]);
    expect(r.ranks.mu.dtype).toBe("int32");
    expect(r.priorDraws.mu.shape).toEqual([200]);
    const ranks = Array.from(r.ranks.mu.dataSync());
    expect(Math.min(...ranks)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ranks)).toBeLessThanOrEqual(99);
    expect(r.counts.mu.shape).toEqual([20]);
    expect(np.sum(r.counts.mu).item()).toBe(200);
    expect(r.expected.every((e) => e === 10)).toBe(true);
    expect(r.elements.map((e) => e.label)).toEqual(["mu"]);
    expect(r.pValues.mu.item()).toBeCloseTo(r.elements[0].pValue, 5);
    expect(r.pValue).toBeGreaterThan(0.01);
  });

  it("fails a posterior too narrow (half the sd), too wide (twice) or shifted (by one sd)", async () => {
    for (const [scale, shift] of [
      [0.5, 0],
      [2, 0],
      [1, 1],
    ])
      expect((await sbc(normalNormal, { ...base, infer: exactPosterior(99, scale, shift) })).pValue).toBeLessThan(0.001);
  });

  it("thins more draws to numDraws, evenly spaced; defaults L to the draws of the first simulation", async () => {
    const r = await sbc(normalNormal, { ...base, numSimulations: 20, numDraws: 9, infer: exactPosterior(100) });
    expect(r.numDraws).toBe(9);
    expect(Math.max(...Array.from(r.ranks.mu.dataSync()))).toBeLessThanOrEqual(9);
    const d = await sbc(normalNormal, { ...base, numSimulations: 20, numDraws: undefined, infer: exactPosterior(30) });
    expect(d.numDraws).toBe(30);
    expect(d.bins).toBe(2);
    expect(d.binEdges).toEqual([0, 15, 31]);
    expect(d.expected).toEqual([(20 * 15) / 31, (20 * 16) / 31]);
  });

  it("checks vector sites element by element, and deterministic sites when named", async () => {
    const model = (y?: NDArray) => {
      const mu = sample("mu", new dist.Normal(0, 1));
      const z = sample("z", new dist.Normal(0, 1).expand([3]).toEvent(1));
      deterministic("w", np.add(z, mu));
      plate("N", 3, () => sample("y", new dist.Normal(np.add(z, mu), 1), { obs: y }));
    };
    // draws from the prior ignore the data, and are (trivially) calibrated: a limitation of SBC, which checks calibration only
    const fromPrior = (key: NDArray): SBCDraws => {
      const [a, b] = random.splitList(key, 2);
      const mu = random.normal(a, [49]);
      const z = random.normal(b, [49, 3]);
      return { mu, z, w: np.add(z, np.expandDims(mu, 1)) };
    };
    const r = await sbc(model, { key: random.key(2), numSimulations: 100, numDraws: 49, observed: "y", params: ["mu", "z", "w"], infer: fromPrior });
    expect(r.ranks.z.shape).toEqual([100, 3]);
    expect(r.counts.w.shape).toEqual([10, 3]);
    expect(r.pValues.z.shape).toEqual([3]);
    expect(r.elements.map((e) => e.label)).toEqual(["mu", "z[0]", "z[1]", "z[2]", "w[0]", "w[1]", "w[2]"]);
    expect(r.pValue).toBeGreaterThan(0.01);
    // the default checked sites are the latent sample sites
    const d = await sbc(model, { key: random.key(2), numSimulations: 10, observed: "y", infer: fromPrior });
    expect(Object.keys(d.ranks)).toEqual(["mu", "z"]);
  });

  it("stops at an abort signal and reports the simulations done", async () => {
    const controller = new AbortController();
    const r = await sbc(normalNormal, {
      ...base,
      infer: exactPosterior(99),
      signal: controller.signal,
      onSimulation: (i) => {
        if (i === 6) controller.abort();
      },
    });
    expect(r.numSimulations).toBe(7);
    expect(r.ranks.mu.shape).toEqual([7]);
  });

  it("errors name the simulation and the site", async () => {
    const run = (infer: Parameters<typeof sbc<[number]>>[1]["infer"], extra: object = {}) => sbc(normalNormal, { ...base, numSimulations: 3, infer, ...extra });
    await expect(run(() => ({ nu: np.zeros([99]) }))).rejects.toThrow(/sbc: simulation 0: the draws have no site 'mu' \(they have 'nu'\)/);
    await expect(run(() => ({ mu: np.zeros([99, 2]) }))).rejects.toThrow(/sbc: simulation 0: the draws of site 'mu' have shape \[99, 2\], expected \[draws, \]/);
    await expect(run(() => ({ mu: np.zeros([50]) }))).rejects.toThrow(/sbc: simulation 0: 50 draws of site 'mu', fewer than numDraws = 99/);
    await expect(run(() => ({ mu: np.full([99], NaN) }))).rejects.toThrow(/sbc: simulation 0: a draw of site 'mu' is NaN/);
    await expect(run(exactPosterior(99), { observed: "x" })).rejects.toThrow(/sbc: the model has no sample site 'x' to simulate data from/);
    await expect(run(exactPosterior(99), { params: ["sigma"] })).rejects.toThrow(/sbc: the model has no sample or deterministic site 'sigma' to check/);
    await expect(run(exactPosterior(99), { modelArgs: [5, np.zeros([5])] })).rejects.toThrow(/sbc: site 'y' is already observed in the simulation/);
    await expect(run(exactPosterior(99), { numSimulations: 1 })).rejects.toThrow(/sbc: numSimulations must be an integer >= 2, got 1/);
  });

  it("draws a rank histogram per element (Vega-Lite), with the uniform band", async () => {
    const r = await sbc(normalNormal, { ...base, numSimulations: 50, infer: exactPosterior(99, 0.5) });
    const spec = sbcPlot(r, { title: "SBC" }) as { data: { values: Record<string, number | string>[] } };
    const rows = spec.data.values;
    expect(rows).toHaveLength(r.bins);
    expect(rows.reduce((a, row) => a + (row.count as number), 0)).toBe(50);
    // 50 simulations in 5 bins: 10 expected, and the 99% band of Binomial(50, 0.2) is [3, 18]
    expect(rows[0]).toMatchObject({ expected: 10, lo: 3, hi: 18 });
    const svg = await toSvg(spec as never);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("mu (p = ");
    expect(() => sbcPlot(r, { sites: ["nu"] })).toThrow(/sbcPlot: no site 'nu' in the result/);
  });
});

describe("sbc of NUTS", () => {
  /** One MCMC object per model, run on every simulated data set: its compiled chunks are reused. */
  const nutsInfer = <A extends unknown[]>(model: (...args: any[]) => void, obs: string, opts = { numWarmup: 150, numSamples: 198 }) => {
    const mcmc = new MCMC(new NUTS(model), { ...opts, progressBar: false });
    return async (key: NDArray, data: Readonly<Record<string, NDArray>>, ...args: A) => {
      await mcmc.run(key, ...args, data[obs]);
      return mcmc.getSamples();
    };
  };

  it("passes on normal-normal (100 simulations x 99 draws)", async () => {
    const r = await sbc(normalNormal, { key: random.key(0), numSimulations: 100, numDraws: 99, observed: "y", modelArgs: [5], infer: nutsInfer(normalNormal, "y") });
    expect(r.pValue).toBeGreaterThan(0.01);
  });

  it("passes on logistic regression", async () => {
    const r = await sbc(logistic, { key: random.key(3), numSimulations: 100, numDraws: 99, observed: "y", infer: nutsInfer(logistic, "y", { numWarmup: 200, numSamples: 198 }) });
    expect(r.elements).toHaveLength(3);
    expect(r.pValue).toBeGreaterThan(0.01);
  });

  it("passes on eight schools (non-centered), hyperparameters and effects", async () => {
    const r = await sbc(eightSchools, {
      key: random.key(3),
      numSimulations: 100,
      numDraws: 99,
      observed: "obs",
      params: ["mu", "tau", "theta"],
      infer: nutsInfer(eightSchools, "obs", { numWarmup: 200, numSamples: 198 }),
    });
    expect(r.elements).toHaveLength(10);
    expect(r.pValue).toBeGreaterThan(0.01);
  });

  it("fails NUTS on a model that leaves out the log-Jacobian of a scale parameter", async () => {
    // the true model: sigma ~ Exponential(1), y_i ~ N(0, sigma)
    const scaleModel = (n: number, y?: NDArray) => {
      const s = sample("sigma", new dist.Exponential(1));
      plate("N", n, () => sample("y", new dist.Normal(0, s), { obs: y }));
    };
    // the bug: sampling log(sigma) with the prior density of sigma but without + log(sigma), the log |d sigma / d log(sigma)|
    const missingJacobian = (n: number, y?: NDArray) => {
      const z = sample("log_sigma", new dist.ImproperUniform(dist.constraints.real, [], []));
      const s = deterministic("sigma", np.exp(z));
      factor("prior", new dist.Exponential(1).logProb(s));
      plate("N", n, () => sample("y", new dist.Normal(0, s), { obs: y }));
    };
    const opts = { key: random.key(1), numSimulations: 200, numDraws: 99, observed: "y", modelArgs: [2] as [number], params: ["sigma"] };
    const good = await sbc(scaleModel, { ...opts, infer: nutsInfer(scaleModel, "y") });
    expect(good.pValue).toBeGreaterThan(0.01);
    const bad = await sbc(scaleModel, { ...opts, infer: nutsInfer(missingJacobian, "y") });
    expect(bad.pValue).toBeLessThan(0.001);
    // the posterior is pulled towards 0: the prior draw ranks high
    const counts = Array.from(bad.counts.sigma.dataSync());
    expect(counts[counts.length - 1]).toBeGreaterThan(2 * bad.expected[counts.length - 1]);
  });
});
