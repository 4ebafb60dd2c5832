/**
 * Property tests of inference with fast-check and `simulate`: the runner chooses a seed and a
 * data-set size, `simulate` draws the parameters and the data from the model, and the property
 * checks the inference on them. When it fails, fast-check shrinks the case: to a smaller data
 * set and a simpler seed, so the counterexample is small enough to read.
 *
 * The inference checked first is exact (the conjugate update, written as a user would): it
 * passes. A version with a bug (it reads at most 5 observations) fails, and the counterexample
 * shrinks to a data set of 6: the smallest where the bug shows. Then NUTS itself, on a handful
 * of simulated data sets: its posterior mean is within Monte Carlo error of the exact one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { plate, sample } from "../../src/handlers/index.js";
import { MCMC, NUTS, simulate } from "../../src/infer/index.js";

/** mu ~ N(0, 1), y_i ~ N(mu, 1): the posterior of mu is N(sum(y) / (n + 1), 1 / (n + 1)). */
const normalNormal = (n: number, y?: NDArray) => {
  const mu = sample("mu", new dist.Normal(0, 1));
  plate("N", n, () => sample("y", new dist.Normal(mu, 1), { obs: y }));
};

const exactMean = (y: NDArray) => np.sum(y).item() / (y.shape[0] + 1);

/** A user's inference of the posterior mean: the conjugate update, optionally with a truncation bug. */
const conjugateMean = (y: NDArray, buggy: boolean) => {
  const used = buggy ? np.slice(y, [0], [Math.min(y.shape[0], 5)]) : y;
  return np.sum(used).item() / (used.shape[0] + 1);
};

const cases = fc.record({ seed: fc.nat({ max: 1_000_000 }), n: fc.integer({ min: 1, max: 40 }) });
const matchesExact = (buggy: boolean) =>
  fc.property(cases, ({ seed, n }) => {
    const { params, data } = simulate(normalNormal, random.key(seed), { observed: "y", modelArgs: [n] });
    expect(params.mu.shape).toEqual([]);
    expect(data.y.shape).toEqual([n]);
    return Math.abs(conjugateMean(data.y, buggy) - exactMean(data.y)) < 1e-4;
  });

describe("property tests of inference on simulated data", () => {
  it("a correct inference passes on every simulated data set", () => {
    fc.assert(matchesExact(false), { seed: 3, numRuns: 100 });
  });

  it("a bug is found, and the failing case shrinks to the smallest data set that shows it", () => {
    const out = fc.check(matchesExact(true), { seed: 3, numRuns: 100 });
    expect(out.failed).toBe(true);
    const [{ n }] = out.counterexample!;
    expect(n).toBe(6);
    expect(out.numShrinks).toBeGreaterThan(0);
  });

  it("NUTS's posterior mean is within Monte Carlo error of the exact one on simulated data sets", async () => {
    const mcmc = new MCMC(new NUTS(normalNormal), { numWarmup: 100, numSamples: 300, progressBar: false });
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: 1_000_000 }), fc.constantFrom(3, 10, 30), async (seed, n) => {
        const { data } = simulate(normalNormal, random.key(seed), { observed: "y", modelArgs: [n] });
        await mcmc.run(random.foldIn(random.key(seed), 1), n, data.y);
        const sd = Math.sqrt(1 / (n + 1));
        // 5 standard errors, with the effective sample size taken as a third of the draws
        return Math.abs(np.mean(mcmc.getSamples().mu).item() - exactMean(data.y)) < (5 * sd) / Math.sqrt(100);
      }),
      { seed: 5, numRuns: 12 },
    );
  });

  it("simulate: parameters and deterministic sites, data by site, and errors naming the site", () => {
    const sim = simulate(normalNormal, random.key(0), { observed: "y", modelArgs: [4] });
    expect(Object.keys(sim.params)).toEqual(["mu"]);
    expect(sim.trace.get("y")!.value).toBe(sim.data.y);
    expect(() => simulate(normalNormal, random.key(0), { observed: "z", modelArgs: [4] })).toThrow(/simulate: the model has no sample site 'z'/);
    expect(() => simulate(normalNormal, random.key(0), { observed: "y", modelArgs: [4, np.zeros([4])] })).toThrow(/simulate: site 'y' is already observed/);
  });
});
