/** Distributions on WebGPU: log densities and draws against the js backend. */
import { expect, it } from "vitest";
import { Array as NDArray, jit, np, random } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { describeWebGPU, onHost, values } from "./setup.js";

type Case = [string, () => dist.Distribution, () => NDArray];

const cases: Case[] = [
  ["Normal", () => new dist.Normal(np.array([0, 1.5]), np.array([1, 0.3])), () => np.array([[0.2, 1.1], [-3, 2]])],
  ["StudentT", () => new dist.StudentT(3, 0.5, 2), () => np.array([-4, 0.5, 10])],
  ["Gamma", () => new dist.Gamma(np.array([0.7, 3]), 2), () => np.array([0.01, 4])],
  ["Beta", () => new dist.Beta(2, 0.5), () => np.array([0.001, 0.5, 0.999])],
  ["HalfCauchy", () => new dist.HalfCauchy(5), () => np.array([0.1, 30])],
  ["Poisson", () => new dist.Poisson(np.array([0.5, 40])), () => np.array([0, 37])],
  ["Binomial", () => new dist.Binomial(20, np.array([0.1, 0.9])), () => np.array([3, 20])],
  ["Categorical", () => new dist.Categorical({ logits: np.array([0.1, -2, 1]) }), () => np.array([0, 2, 1], "int32")],
  ["Dirichlet", () => new dist.Dirichlet(np.array([0.5, 2, 3])), () => np.array([0.2, 0.3, 0.5])],
  ["MultivariateNormal", () => new dist.MultivariateNormal(np.array([0, 1]), { covarianceMatrix: np.array([[2, 0.5], [0.5, 1]]) }), () => np.array([[0.3, -1], [2, 2]])],
];

describeWebGPU("distributions on WebGPU", () => {
  it.each(cases)("%s.logProb agrees with the js backend", async (_name, make, value) => {
    const want = onHost(() => Array.from(make().logProb(value()).dataSync()));
    const got = await values(make().logProb(value()));
    got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want[i]))));
  });

  it("draws from a key agree with the js backend (gamma-based ones through f.async: their sampler reads on the host)", async () => {
    const dirichlet = jit((k: NDArray) => new dist.Dirichlet(np.array([1, 2, 3])).sample(k, [2]));
    const want = onHost(() => [new dist.Normal(1, 2).sample(random.key(5), [4]), dirichlet(random.key(6))].map((d) => Array.from(d.dataSync())));
    const got = await Promise.all([new dist.Normal(1, 2).sample(random.key(5), [4]), await dirichlet.async(random.key(6))].map(values));
    got.forEach((g, k) => g.forEach((v, i) => expect(Math.abs(v - want[k][i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want[k][i])))));
  });

  it("parameters held on the host are still validated", () => {
    expect(() => new dist.Normal(0, -1)).toThrow(/Normal: parameter 'scale'/);
  });
});
