/**
 * NUTS against known posteriors at fixed keys: conjugate beta-bernoulli and
 * dirichlet-categorical (exact posterior means and sds), a logistic regression that recovers
 * its generating coefficients, and eight schools against a long Stan run. Tolerances are 5
 * Monte Carlo standard errors computed from each run's own bulk ESS (sd / sqrt(ESS)).
 */
import { describe, expect, it } from "vitest";
import { np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { plate, sample } from "../../src/handlers/index.js";
import { essBulk, MCMC, NUTS, rhat } from "../../src/infer/index.js";

/** Posterior means and sds (per element) and their Monte Carlo standard errors from the bulk ESS. */
function moments(grouped: NDArray) {
  const flat = np.reshape(grouped, [grouped.shape[0] * grouped.shape[1], ...grouped.shape.slice(2)]);
  const mean = Array.from(np.mean(flat, 0).dataSync());
  const sd = Array.from(np.std(flat, 0).dataSync());
  const ess = Array.from(essBulk(grouped).dataSync());
  return { mean, sd, ess, se: sd.map((s, i) => s / Math.sqrt(ess[i])) };
}

async function nuts(model: (...a: any[]) => void, args: unknown[], key: number, opts: { numWarmup?: number; numSamples?: number; numChains?: number } = {}) {
  const mcmc = new MCMC(new NUTS(model), { numWarmup: opts.numWarmup ?? 500, numSamples: opts.numSamples ?? 1000, numChains: opts.numChains ?? 2, progressBar: false });
  await mcmc.run(random.key(key), ...args);
  return mcmc;
}

describe("conjugate posteriors", () => {
  it("beta-bernoulli: p ~ Beta(1.1, 1.1) per column, 200 Bernoulli(0.9 | 0.1) draws", async () => {
    const data = np.astype(random.bernoulli(random.key(10), np.array([0.9, 0.1]), [200, 2]), "float32");
    const model = (obs: NDArray) => {
      const p = sample("p", new dist.Beta(np.full([2], 1.1), np.full([2], 1.1)).toEvent(1));
      plate("N", 200, () => sample("obs", new dist.Bernoulli(p).toEvent(1), { obs }));
    };
    const mcmc = await nuts(model, [data], 1);
    const m = moments(mcmc.getSamples({ groupByChain: true }).p);
    const heads = Array.from(np.sum(data, 0).dataSync());
    heads.forEach((h, i) => {
      const a = 1.1 + h;
      const b = 1.1 + 200 - h;
      const mean = a / (a + b);
      const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
      expect(Math.abs(m.mean[i] - mean)).toBeLessThan(5 * m.se[i]);
      expect(Math.abs(m.sd[i] - sd) / sd).toBeLessThan(0.1);
    });
  });
  it("dirichlet-categorical: p ~ Dirichlet(1, 1, 1), 500 draws of Categorical(0.1, 0.6, 0.3)", async () => {
    const data = random.categorical(random.key(11), np.log(np.array([0.1, 0.6, 0.3])), -1, [500]);
    const model = (obs: NDArray) => {
      const p = sample("p", new dist.Dirichlet(np.ones([3])));
      plate("N", 500, () => sample("obs", new dist.Categorical(p), { obs }));
    };
    const mcmc = await nuts(model, [data], 2);
    const m = moments(mcmc.getSamples({ groupByChain: true }).p);
    const counts = [0, 1, 2].map((k) => np.sum(np.astype(np.equal(data, k), "float32")).item());
    const a0 = 500 + 3;
    counts.forEach((c, k) => {
      const a = c + 1;
      expect(Math.abs(m.mean[k] - a / a0)).toBeLessThan(5 * m.se[k]);
      const sd = Math.sqrt((a * (a0 - a)) / (a0 * a0 * (a0 + 1)));
      expect(Math.abs(m.sd[k] - sd) / sd).toBeLessThan(0.1);
    });
  });
});

describe("logistic regression", () => {
  it("recovers its generating coefficients (within 4 posterior sds)", async () => {
    const [kx, ky] = random.splitList(random.key(12), 2);
    const X = random.normal(kx, [500, 3]);
    const truth = [1, 2, 3];
    const y = np.astype(random.bernoulli(ky, np.sigmoid(np.matmul(X, np.array(truth)))), "float32");
    const model = (X: NDArray, obs: NDArray) => {
      const coefs = sample("coefs", new dist.Normal(np.zeros([3]), 1).toEvent(1));
      plate("N", 500, () => sample("obs", new dist.Bernoulli({ logits: np.matmul(X, coefs) }), { obs }));
    };
    const mcmc = await nuts(model, [X, y], 3, { numWarmup: 300, numSamples: 500 });
    const m = moments(mcmc.getSamples({ groupByChain: true }).coefs);
    truth.forEach((t, i) => expect(Math.abs(m.mean[i] - t)).toBeLessThan(4 * m.sd[i]));
  });
});

describe("eight schools (non-centered) against a long Stan run", () => {
  // rstan 2.21.7 on the same model, 4 chains x 50,000 draws after 2,000 warmup, seed 20261121
  // (Stan's Monte Carlo standard errors of the means: 0.0077 for mu, 0.0087 for tau)
  const stan = { mu: { mean: 4.403, sd: 3.318 }, tau: { mean: 3.583, sd: 3.183 } };
  it("matches Stan's posterior means and sds; R-hat < 1.01 and a sane ESS", async () => {
    const y = np.array([28, 8, -3, 7, -1, 1, 18, 12]);
    const sigma = np.array([15, 10, 16, 11, 9, 11, 10, 18]);
    const model = () => {
      const mu = sample("mu", new dist.Normal(0, 5));
      const tau = sample("tau", new dist.HalfCauchy(5));
      plate("J", 8, () => {
        const thetaTilde = sample("theta_tilde", new dist.Normal(0, 1));
        sample("obs", new dist.Normal(np.add(mu, np.multiply(tau, thetaTilde)), sigma), { obs: y });
      });
    };
    const mcmc = await nuts(model, [], 4, { numChains: 4, numWarmup: 500, numSamples: 1000 });
    const draws = mcmc.getSamples({ groupByChain: true });
    for (const site of ["mu", "tau"] as const) {
      const m = moments(draws[site]);
      expect(Math.abs(m.mean[0] - stan[site].mean)).toBeLessThan(5 * m.se[0] + 0.02);
      expect(Math.abs(m.sd[0] - stan[site].sd) / stan[site].sd).toBeLessThan(0.15);
      expect(m.ess[0]).toBeGreaterThan(400);
      expect(m.ess[0]).toBeLessThan(8000);
      expect(rhat(draws[site]).item()).toBeLessThan(1.01);
    }
  });
});
