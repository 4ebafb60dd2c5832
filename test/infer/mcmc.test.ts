/**
 * Known-answer tests of MCMC with NUTS and HMC at fixed keys: conjugate posteriors, a
 * correlated Gaussian with a dense mass matrix, divergences of a centered funnel and of a
 * step size that never adapts, determinism, chain methods, abort and resume.
 *
 * Tolerances come from the Monte Carlo error: a posterior mean is checked within 5 standard
 * errors sd/sqrt(ESS), with the ESS taken conservatively as a third of the draws (NUTS on
 * these targets reaches at least that), and variances within 5 standard errors of a variance
 * estimate, sd^2 sqrt(2/ESS).
 */
import { describe, expect, it } from "vitest";
import { np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { deterministic, plate, sample } from "../../src/handlers/index.js";
import { HMC, NUTS } from "../../src/infer/hmc/kernel.js";
import { MCMC } from "../../src/infer/mcmc.js";

const meanTol = (sd: number, n: number) => (5 * sd) / Math.sqrt(n / 3);
const varTol = (sd: number, n: number) => 5 * sd * sd * Math.sqrt(2 / (n / 3));

/** y_i ~ N(mu, 1), mu ~ N(0, 2): the posterior of mu is N(sum(y) / (n + 1/4), 1 / (n + 1/4)). */
const y = np.array([1.2, 0.4, 2.2, 1.7, 0.9, 1.4, 0.3, 1.9]);
const normalNormal = (obs: NDArray) => {
  const mu = sample("mu", new dist.Normal(0, 2));
  plate("N", obs.shape[0], () => sample("obs", new dist.Normal(mu, 1), { obs }));
};
const postPrec = 8 + 0.25;
const postMean = 10 / postPrec;
const postSd = Math.sqrt(1 / postPrec);

describe("NUTS on a conjugate normal-normal model", () => {
  for (const chainMethod of ["sequential", "vectorized"] as const) {
    it(`recovers the posterior with ${chainMethod} chains`, async () => {
      const mcmc = new MCMC(new NUTS(normalNormal), { numWarmup: 300, numSamples: 1000, numChains: 4, chainMethod, progressBar: false });
      await mcmc.run(random.key(1), y);
      const mu = mcmc.getSamples().mu;
      expect(mu.shape).toEqual([4000]);
      expect(mcmc.getSamples({ groupByChain: true }).mu.shape).toEqual([4, 1000]);
      expect(Math.abs(np.mean(mu).item() - postMean)).toBeLessThan(meanTol(postSd, 4000));
      expect(Math.abs(np.var(mu).item() - postSd ** 2)).toBeLessThan(varTol(postSd, 4000));
      const extra = mcmc.getExtraFields();
      expect(extra.diverging.shape).toEqual([4000]);
      expect(np.sum(np.astype(extra.diverging, "float32")).item()).toBe(0);
      const accept = np.mean(extra.acceptProb).item();
      expect(accept).toBeGreaterThan(0.6);
      expect(accept).toBeLessThan(0.99);
    });
  }
  it("the same key gives identical draws; another key different ones", async () => {
    const draws = async (k: number) => {
      const mcmc = new MCMC(new NUTS(normalNormal), { numWarmup: 50, numSamples: 50, progressBar: false });
      await mcmc.run(random.key(k), y);
      return Array.from(mcmc.getSamples().mu.dataSync());
    };
    const a = await draws(3);
    expect(await draws(3)).toEqual(a);
    expect(await draws(4)).not.toEqual(a);
  });
});

describe("a correlated Gaussian", () => {
  const cov = [
    [1, 0.95],
    [0.95, 1],
  ];
  const inv = (() => {
    const det = 1 - 0.95 ** 2;
    return np.array([
      [1 / det, -0.95 / det],
      [-0.95 / det, 1 / det],
    ]);
  })();
  const potentialFn = (z: NDArray) => np.multiply(0.5, np.sum(np.multiply(z, np.matmul(inv, z))));
  for (const denseMass of [false, true]) {
    it(`mean and covariance within Monte Carlo error (denseMass ${denseMass})`, async () => {
      const mcmc = new MCMC(new NUTS(null, { potentialFn, denseMass }), { numWarmup: 500, numSamples: 2000, numChains: 2, initParams: np.zeros([2, 2]), progressBar: false });
      await mcmc.run(random.key(7));
      const z = mcmc.getSamples().z;
      const m = np.mean(z, 0).toArray() as number[];
      m.forEach((v) => expect(Math.abs(v)).toBeLessThan(meanTol(1, 4000)));
      const c = np.subtract(z, np.mean(z, 0));
      const emp = np.divide(np.matmul(np.transpose(c), c), 3999).toArray() as number[][];
      emp.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - cov[i][j])).toBeLessThan(varTol(1, 4000))));
      if (denseMass) {
        // the adapted inverse mass matrix is the posterior covariance
        const im = mcmc.lastState[0].adapt.invMass.toArray() as number[][];
        expect(Math.abs(im[0][1] / Math.sqrt(im[0][0] * im[1][1]) - 0.95)).toBeLessThan(0.03);
      }
    });
  }
});

describe("divergences", () => {
  it("a step size of 10 that never adapts diverges on every iteration", async () => {
    const data = random.normal(random.key(0), [1000]);
    const model = (obs: NDArray) => {
      const loc = sample("loc", new dist.Normal(0, 1));
      plate("N", 1000, () => sample("obs", new dist.Normal(loc, 1), { obs }));
    };
    const mcmc = new MCMC(new NUTS(model, { stepSize: 10, adaptStepSize: false, adaptMassMatrix: false }), { numWarmup: 100, numSamples: 100, progressBar: false });
    await mcmc.run(random.key(1), data);
    expect(mcmc.numDivergences()).toEqual([100]);
  });
  it("centered eight schools reports divergences; its non-centered form almost none", async () => {
    const y = np.array([28, 8, -3, 7, -1, 1, 18, 12]);
    const sigma = np.array([15, 10, 16, 11, 9, 11, 10, 18]);
    const centered = () => {
      const mu = sample("mu", new dist.Normal(0, 5));
      const tau = sample("tau", new dist.HalfCauchy(5));
      plate("J", 8, () => {
        const theta = sample("theta", new dist.Normal(mu, tau));
        sample("obs", new dist.Normal(theta, sigma), { obs: y });
      });
    };
    const nonCentered = () => {
      const mu = sample("mu", new dist.Normal(0, 5));
      const tau = sample("tau", new dist.HalfCauchy(5));
      plate("J", 8, () => {
        const thetaTilde = sample("theta_tilde", new dist.Normal(0, 1));
        deterministic("theta", np.add(mu, np.multiply(tau, thetaTilde)));
        sample("obs", new dist.Normal(np.add(mu, np.multiply(tau, thetaTilde)), sigma), { obs: y });
      });
    };
    const run = async (model: () => void) => {
      const mcmc = new MCMC(new NUTS(model), { numWarmup: 300, numSamples: 500, progressBar: false });
      await mcmc.run(random.key(2));
      return mcmc.numDivergences()[0];
    };
    // the centered funnel between tau and theta makes a few percent of transitions diverge
    expect(await run(centered)).toBeGreaterThanOrEqual(5);
    expect(await run(nonCentered)).toBeLessThanOrEqual(2);
  });
});

describe("HMC", () => {
  it("samples N(1, 0.5^2) with a fixed trajectory length", async () => {
    const potentialFn = (z: NDArray) => np.multiply(0.5, np.sum(np.square(np.divide(np.subtract(z, 1), 0.5))));
    const mcmc = new MCMC(new HMC(null, { potentialFn, trajectoryLength: 2 }), { numWarmup: 300, numSamples: 2000, initParams: np.array(0), progressBar: false });
    await mcmc.run(random.key(4));
    const z = mcmc.getSamples().z;
    expect(Math.abs(np.mean(z).item() - 1)).toBeLessThan(meanTol(0.5, 2000));
    expect(Math.abs(np.std(z).item() - 0.5)).toBeLessThan(0.05);
  });
});

describe("driver", () => {
  it("an aborted run stops cleanly and keeps the draws so far", async () => {
    const controller = new AbortController();
    const mcmc = new MCMC(new NUTS(normalNormal), {
      numWarmup: 64,
      numSamples: 100000,
      chunkSize: 64,
      progressBar: false,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.iteration >= 64 + 128) controller.abort();
      },
    });
    await mcmc.run(random.key(1), y);
    expect(mcmc.getSamples().mu.shape).toEqual([128]);
  });
  it("postWarmupState continues from the last state without warmup", async () => {
    const mcmc = new MCMC(new NUTS(normalNormal), { numWarmup: 200, numSamples: 200, progressBar: false });
    await mcmc.run(random.key(1), y);
    const step = mcmc.lastState[0].adapt.stepSize.item();
    mcmc.postWarmupState = mcmc.lastState;
    await mcmc.run(random.key(2), y);
    expect(mcmc.getSamples().mu.shape).toEqual([200]);
    expect(mcmc.getExtraFields().stepSize.dataSync().every((s) => s === Math.fround(step))).toBe(true);
    expect(Math.abs(np.mean(mcmc.getSamples().mu).item() - postMean)).toBeLessThan(meanTol(postSd, 200));
  });
  it("a second run on new data of the same shapes reuses the compiled program", async () => {
    let traced = 0;
    const model = (obs: NDArray) => {
      if (!obs.isConcrete) traced++;
      const mu = sample("mu", new dist.Normal(0, 2));
      plate("N", obs.shape[0], () => sample("obs", new dist.Normal(mu, 1), { obs }));
    };
    const mcmc = new MCMC(new NUTS(model), { numWarmup: 100, numSamples: 200, progressBar: false });
    await mcmc.run(random.key(1), y);
    const first = traced;
    expect(first).toBeGreaterThan(0);
    const shifted = np.add(y, 10);
    await mcmc.run(random.key(1), shifted);
    expect(traced).toBe(first);
    // the draws follow the new data: the posterior mean moves by 10 * 8 / (8 + 1/4)
    expect(Math.abs(np.mean(mcmc.getSamples().mu).item() - (postMean + 80 / postPrec))).toBeLessThan(meanTol(postSd, 200));
  });
  it("thinning keeps every k-th draw", async () => {
    const mcmc = new MCMC(new NUTS(normalNormal), { numWarmup: 20, numSamples: 30, thinning: 3, progressBar: false });
    await mcmc.run(random.key(1), y);
    expect(mcmc.getSamples().mu.shape).toEqual([10]);
  });
  it("bad options are errors naming the option", async () => {
    await expect(new MCMC(new NUTS(null, { potentialFn: (z: NDArray) => np.sum(np.square(z)) }), { numChains: 2, initParams: np.zeros([3]) }).run(random.key(0))).rejects.toThrow(
      /MCMC: with numChains = 2, initParams needs a leading axis of length 2 on every leaf/,
    );
    expect(() => new MCMC(new NUTS(normalNormal), { numSamples: 0 })).toThrow(/MCMC: numSamples must be an integer >= 1, got 0/);
    expect(() => new NUTS(normalNormal, { maxTreeDepth: 0 })).toThrow(/NUTS: maxTreeDepth must be an integer in \[1, 30\], got 0/);
  });
});
