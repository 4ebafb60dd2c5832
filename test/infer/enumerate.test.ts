/**
 * Parallel enumeration of discrete latent sites: the summed-out log density against the same
 * marginal written by hand (local, global and nested discrete variables), NUTS on an enumerated
 * mixture against NUTS on the hand-marginalized model, and the errors for what is not supported.
 */
import { describe, expect, it } from "vitest";
import { jit, np, random, special, vmap, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { configEnumerate, deterministic, factor, plate, sample, trace, seed } from "../../src/handlers/index.js";
import { enumeratedLogDensity, inferDiscrete, initializeModel, MCMC, NUTS } from "../../src/infer/index.js";
import { expectClose } from "../helpers.js";

const N = 50;
const x = np.concatenate([np.add(random.normal(random.key(1), [30]), -2), np.add(random.normal(random.key(2), [20]), 3)], 0);
const weights = np.array([0.6, 0.4]);
const locs = np.array([-1.5, 2.5]);
const column = np.reshape(x, [N, 1]);

/** Each point from one of two unit-variance components, its component z local to the point. */
const mixture = (data: NDArray) => {
  const l = sample("locs", new dist.Normal(0, 10).expand([2]).toEvent(1));
  plate("N", N, () => {
    const z = sample("z", new dist.Categorical({ probs: weights }));
    sample("x", new dist.Normal(np.take(l, z), 1), { obs: data });
  });
};
/** The same with z summed out by hand. */
const mixtureByHand = (data: NDArray) => {
  const l = sample("locs", new dist.Normal(0, 10).expand([2]).toEvent(1));
  factor("x", np.sum(special.logsumexp(np.add(np.log(weights), new dist.Normal(l, 1).logProb(np.reshape(data, [N, 1]))), 1)));
};

/** A global label g ~ Bernoulli(0.5) choosing the row of `probs` each point's label z is drawn with. */
const nested = (probs: NDArray) => (data: NDArray) => {
  const g = sample("g", new dist.Bernoulli(0.5));
  plate("N", N, () => {
    const z = sample("z", new dist.Categorical({ probs: np.take(probs, g, 0) }));
    sample("x", new dist.Normal(np.take(locs, z), 1), { obs: data });
  });
};
/** log p(x | g) of the nested model, z summed out by hand. */
const logLikelihoodGiven = (probs: NDArray, g: number) => np.sum(special.logsumexp(np.add(np.log(np.take(probs, g, 0)), new dist.Normal(locs, 1).logProb(column)), 1)).item();

describe("enumeratedLogDensity", () => {
  it("sums out a local discrete variable: Σ_i log Σ_k w_k N(x_i | loc_k, 1)", () => {
    const [lp] = enumeratedLogDensity(configEnumerate(mixture), [x], { locs }, 1);
    const want = np.add(np.sum(new dist.Normal(0, 10).logProb(locs)), np.sum(special.logsumexp(np.add(np.log(weights), new dist.Normal(locs, 1).logProb(column)), 1)));
    expectClose(lp, want, { rtol: 1e-5 });
  });

  it("sums out a global discrete variable after the plate: log Σ_z p(z) Π_i N(x_i | loc_z, 1)", () => {
    const model = (data: NDArray) => {
      const z = sample("z", new dist.Bernoulli(0.3), { infer: { enumerate: "parallel" } });
      plate("N", N, () => sample("x", new dist.Normal(np.take(locs, z), 1), { obs: data }));
    };
    const [lp] = enumeratedLogDensity(model, [x], {}, 1);
    const perZ = [0, 1].map((z) => Math.log(z === 1 ? 0.3 : 0.7) + np.sum(new dist.Normal(np.take(locs, z), 1).logProb(x)).item());
    expectClose(lp, special.logsumexp(np.array(perZ)), { rtol: 1e-5 });
  });

  it("nests a local variable inside a global one: log Σ_g p(g) Π_i Σ_k p(k | g) N(x_i | loc_k, 1)", () => {
    const probs = np.array([
      [0.9, 0.1],
      [0.2, 0.8],
    ]);
    const model = nested(probs);
    const [lp, tr] = enumeratedLogDensity(configEnumerate(model), [x], {}, 1);
    expect(tr.get("g")!.value!.shape).toEqual([2, 1]);
    expect(tr.get("z")!.value!.shape).toEqual([2, 1, 1]);
    const perG = [0, 1].map((g) => Math.log(0.5) + logLikelihoodGiven(probs, g));
    expectClose(lp, special.logsumexp(np.array(perG)), { rtol: 1e-5 });
  });

  it("compiles: the jitted potential equals the eager one", () => {
    const info = initializeModel(random.key(0), configEnumerate(mixture), { modelArgs: [x] });
    expectClose(jit(info.potentialFn)({ locs }), info.potentialFn({ locs }), { rtol: 1e-6 });
  });
});

describe("NUTS with enumerated discrete sites", () => {
  it("the posterior of the mixture's locs equals the hand-marginalized model's", async () => {
    const run = async (model: (d: NDArray) => void) => {
      const mcmc = new MCMC(new NUTS(model), { numWarmup: 400, numSamples: 1000, numChains: 2, chainMethod: "vectorized", progressBar: false });
      await mcmc.run(random.key(3), x);
      return mcmc.getSamples();
    };
    const enumerated = await run(configEnumerate(mixture));
    const byHand = await run(mixtureByHand);
    expect(Object.keys(enumerated)).toEqual(["locs"]);
    // posterior sds ≈ 0.18 and 0.22; the standard error of a mean of 2000 draws is below 0.01
    expectClose(np.mean(enumerated.locs, 0), np.mean(byHand.locs, 0), { atol: 0.04 });
    expectClose(np.std(enumerated.locs, 0), np.std(byHand.locs, 0), { atol: 0.03 });
  });

  it("keeps deterministic sites that do not depend on enumerated values", async () => {
    const model = (data: NDArray) => {
      const l = sample("locs", new dist.Normal(0, 10).expand([2]).toEvent(1));
      deterministic("spread", np.subtract(np.take(l, 1), np.take(l, 0)));
      plate("N", N, () => {
        const z = sample("z", new dist.Categorical({ probs: weights }));
        deterministic("mean", np.take(l, z));
        sample("x", new dist.Normal(np.take(l, z), 1), { obs: data });
      });
    };
    const mcmc = new MCMC(new NUTS(configEnumerate(model)), { numWarmup: 100, numSamples: 50, progressBar: false });
    await mcmc.run(random.key(4), x);
    expect(Object.keys(mcmc.getSamples()).sort()).toEqual(["locs", "spread"]);
  });
});

describe("inferDiscrete", () => {
  // P(z_i = 1 | x_i, locs) = w_1 N(x_i | loc_1, 1) / Σ_k w_k N(x_i | loc_k, 1)
  const joint = np.add(np.log(weights), new dist.Normal(locs, 1).logProb(column));
  const responsibility = np.exp(np.subtract(np.take(joint, 1, 1), special.logsumexp(joint, 1)));

  it("draws each local label from its posterior: the frequency of z = 1 over 2000 draws is its responsibility", () => {
    const z = vmap((k: NDArray) => inferDiscrete(configEnumerate(mixture), k, { params: { locs }, modelArgs: [x] }).z)(random.split(random.key(5), 2000));
    expect(z.shape).toEqual([2000, N]);
    // binomial standard error at most 0.011
    expectClose(np.mean(z, 0), responsibility, { atol: 0.05 });
  });

  it("temperature 0 gives the most probable labels", () => {
    const z = inferDiscrete(configEnumerate(mixture), random.key(0), { params: { locs }, modelArgs: [x], temperature: 0 }).z;
    expect(Array.from(z.dataSync())).toEqual(Array.from(np.greater(responsibility, 0.5).dataSync()));
  });

  it("draws a global label and the local ones given it: P(g = 1 | x) matches the exact marginal", () => {
    // rows close enough that the data leave g uncertain (exact P(g = 1 | x) ≈ 0.51)
    const probs = np.array([
      [0.65, 0.35],
      [0.55, 0.45],
    ]);
    const model = nested(probs);
    const perG = [0, 1].map((g) => logLikelihoodGiven(probs, g));
    const exact = 1 / (1 + Math.exp(perG[0] - perG[1]));
    const draws = vmap((k: NDArray) => inferDiscrete(configEnumerate(model), k, { modelArgs: [x] }))(random.split(random.key(6), 2000));
    expect(draws.g.shape).toEqual([2000]);
    expect(draws.z.shape).toEqual([2000, N]);
    expect(exact).toBeGreaterThan(0.3);
    expect(exact).toBeLessThan(0.7);
    expectClose(np.mean(draws.g), exact, { atol: 4 * Math.sqrt((exact * (1 - exact)) / 2000) });
  });
});

describe("enumeration errors", () => {
  it("a discrete latent site that is not marked says how to enumerate it", () => {
    expect(() => initializeModel(random.key(0), mixture, { modelArgs: [x] })).toThrow(/site 'z' is discrete.*enumerate: "parallel".*configEnumerate/);
  });

  it("a local enumerated variable used outside its plate", () => {
    const model = () => {
      const zs = plate("N", 3, () => sample("z", new dist.Bernoulli(0.5)));
      sample("total", new dist.Normal(np.sum(zs, -1, true), 1), { obs: np.array([1]) });
    };
    expect(() => enumeratedLogDensity(configEnumerate(model), [], {}, 1)).toThrow(/enumerated site 'z' \(plates: N\) is used by a site in plates none/);
  });

  it("a scaled site (a subsampled plate)", () => {
    const model = () => {
      const l = sample("locs", new dist.Normal(0, 10).expand([2]).toEvent(1));
      plate("N", N, { subsampleSize: 10 }, (idx) => {
        const z = sample("z", new dist.Categorical({ probs: weights }));
        sample("x", new dist.Normal(np.take(l, z), 1), { obs: np.take(x, idx) });
      });
    };
    const seeded = seed(configEnumerate(model), random.key(0));
    expect(() => enumeratedLogDensity(seeded, [], { locs }, 1)).toThrow(/enumeration does not support scaled sites/);
  });

  it("a batch dimension no plate declares", () => {
    const model = () => {
      const z = sample("z", new dist.Bernoulli(0.5), { infer: { enumerate: "parallel" } });
      sample("x", new dist.Normal(np.add(z, np.zeros([3])), 1), { obs: np.zeros([3]) });
    };
    expect(() => enumeratedLogDensity(model, [], {}, 1)).toThrow(/site 'x': its log density has a batch dimension of size 3 at dim -1 that no enclosing plate declares/);
  });

  it("configEnumerate marks only discrete latent sites", () => {
    const tr = trace(seed(configEnumerate(mixture), random.key(0))).getTrace(x);
    const z = tr.get("z")!;
    const l = tr.get("locs")!;
    expect(z.type === "sample" && z.infer.enumerate).toBe("parallel");
    expect(l.type === "sample" && l.infer.enumerate).toBeUndefined();
  });
});
