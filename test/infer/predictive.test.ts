/**
 * Predictive (prior, from posterior samples, from a guide; returnSites; batchNdims) against a
 * loop of seeded runs, and logLikelihood against the formula.
 */
import { describe, expect, it } from "vitest";
import { np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { deterministic, factor, param, plate, sample, seed, substitute, trace } from "../../src/handlers/index.js";
import { logLikelihood, Predictive, type Params } from "../../src/infer/index.js";
import { expectClose } from "../helpers.js";

const J = 8;
const SIGMA = [15, 10, 16, 11, 9, 11, 10, 18];
const Y = [28, 8, -3, 7, -1, 1, 18, 12];

function model(y?: number[]) {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("J", J, () => {
    const tt = sample("theta_tilde", new dist.Normal(0, 1));
    const theta = deterministic("theta", np.add(mu, np.multiply(tau, tt)));
    sample("obs", new dist.Normal(theta, SIGMA), { obs: y });
  });
  factor("penalty", -1);
}

const row = (p: Params, i: number): Params => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, np.take(v, i, 0)]));

describe("Predictive", () => {
  it("prior predictive: every latent, observed and deterministic site, as a loop of seeded runs would give", () => {
    const n = 6;
    const out = new Predictive(model, { numSamples: n }).call(random.key(0));
    expect(Object.keys(out).sort()).toEqual(["mu", "obs", "tau", "theta", "theta_tilde"]);
    expect(out.obs.shape).toEqual([n, J]);
    expect(out.mu.shape).toEqual([n]);
    const keys = random.splitList(random.key(0), n);
    for (let i = 0; i < n; i++) {
      const tr = trace(seed(model, keys[i])).getTrace();
      expectClose(np.take(out.obs, i, 0), tr.get("obs")!.value!, { rtol: 1e-5, atol: 1e-5 });
      expectClose(np.take(out.theta, i, 0), tr.get("theta")!.value!, { rtol: 1e-5, atol: 1e-5 });
    }
  });

  it("posterior predictive: sites in the samples are fixed, deterministic sites recomputed", () => {
    const samples = { mu: np.array([0, 1, 2, 3]), tau: np.array([1, 2, 3, 4]), theta_tilde: np.ones([4, J]), theta: np.zeros([4, J]) };
    const out = new Predictive(model, { posteriorSamples: samples }).call(random.key(1));
    expect(Object.keys(out).sort()).toEqual(["obs", "theta"]);
    expectClose(out.theta, np.broadcastTo(np.reshape(np.array([1, 3, 5, 7]), [4, 1]), [4, J]));
    const keys = random.splitList(random.key(1), 4);
    for (let i = 0; i < 4; i++) {
      const fixed = { mu: samples.mu, tau: samples.tau, theta_tilde: samples.theta_tilde };
      const obs = trace(seed(substitute(model, row(fixed, i)), keys[i])).getTrace().get("obs")!.value!;
      expectClose(np.take(out.obs, i, 0), obs, { rtol: 1e-5, atol: 1e-4 });
    }
  });

  it("returnSites may name observed and deterministic sites; batchNdims keeps [chains, draws]", () => {
    const samples = { mu: np.zeros([2, 3]), tau: np.ones([2, 3]), theta_tilde: np.zeros([2, 3, J]) };
    const out = new Predictive(model, { posteriorSamples: samples, batchNdims: 2, returnSites: ["obs", "theta", "mu"] }).call(random.key(2), Y);
    expect(Object.keys(out).sort()).toEqual(["mu", "obs", "theta"]);
    expect(out.obs.shape).toEqual([2, 3, J]);
    expectClose(out.obs, np.broadcastTo(np.array(Y), [2, 3, J]));
    expectClose(out.theta, np.zeros([2, 3, J]));
    expect(out.mu.shape).toEqual([2, 3]);
  });

  it("draws the latent sites from a guide with its params", () => {
    const guide = () => {
      sample("mu", new dist.Normal(param("mu_loc", 0), 0.01));
      sample("tau", new dist.Normal(param("tau_loc", 1), 0.01));
      plate("J", J, () => sample("theta_tilde", new dist.Normal(0, 0.01)));
    };
    const out = new Predictive(model, { guide, params: { mu_loc: 10, tau_loc: 2 }, numSamples: 50 }).call(random.key(3));
    expect(out.obs.shape).toEqual([50, J]);
    expect(Object.keys(out).sort()).toEqual(["obs", "theta"]);
    expectClose(np.mean(out.theta), 10, { atol: 0.05 });
    const sd = np.std(np.subtract(out.obs, out.theta), 0).toArray() as number[];
    sd.forEach((s, j) => expect(Math.abs(s / SIGMA[j] - 1)).toBeLessThan(0.45));
  });

  it("errors say what is wrong", () => {
    expect(() => new Predictive(model, {})).toThrow("Predictive: numSamples (a positive integer) is needed without posteriorSamples");
    expect(() => new Predictive(model, { posteriorSamples: { mu: np.zeros([3]) }, guide: model })).toThrow("Predictive: give posteriorSamples or a guide, not both");
    expect(() => new Predictive(model, { posteriorSamples: { mu: np.zeros([3]), tau: np.ones([4]) } })).toThrow(
      "Predictive: posterior samples disagree on the batch shape: [4] at site 'tau', [3] at site 'mu'",
    );
    expect(() => new Predictive(model, { posteriorSamples: { mu: np.zeros([3]) }, numSamples: 5 })).toThrow(/numSamples is 5 but posteriorSamples hold 3 draws/);
    expect(() => new Predictive(model, { numSamples: 2, returnSites: ["nope"] }).call(random.key(0))).toThrow(/returnSites names 'nope', which is not a site of the model/);
  });
});

describe("logLikelihood", () => {
  it("is the pointwise log density of each observed site at each draw", () => {
    const n = 5;
    const samples = {
      mu: np.array([0, 1, 2, 3, 4]),
      tau: np.array([1, 1, 2, 2, 3]),
      theta_tilde: np.reshape(np.linspace(-1, 1, n * J), [n, J]),
    };
    const ll = logLikelihood(model, samples, Y);
    expect(Object.keys(ll)).toEqual(["obs"]);
    expect(ll.obs.shape).toEqual([n, J]);
    const theta = np.add(np.reshape(samples.mu, [n, 1]), np.multiply(np.reshape(samples.tau, [n, 1]), samples.theta_tilde));
    const expected: NDArray = new dist.Normal(theta, SIGMA).logProb(np.array(Y));
    expectClose(ll.obs, expected, { rtol: 1e-5 });
    expect(() => logLikelihood(model, {}, Y)).toThrow("logLikelihood: posteriorSamples is empty");
  });
});
