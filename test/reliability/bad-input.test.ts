/**
 * The bad-input catalogue: each kind of bad input, run through a seeded trace, NUTS and SVI,
 * gives an error that names the site and says what was wrong, and leaves no state behind: the
 * handler stack and the core's transform stack are empty afterwards, the same MCMC or SVI object
 * runs again on good input (its compiled programs are not corrupted), and repeating failures
 * keeps the tfjs tensor count flat.
 */
import { describe, expect, it } from "vitest";
import { np, random, type Array as NDArray } from "../../src/core/index.js";
import { tfjs } from "../../src/core/backend.js";
import { forBackends } from "../helpers.js";
import { stackDepth as transformDepth } from "../../src/core/interpreters/stack.js";
import * as dist from "../../src/distributions/index.js";
import { factor, plate, sample, seed, substitute, trace, withHandler, type Model } from "../../src/handlers/index.js";
import { stackDepth as handlerDepth } from "../../src/handlers/stack.js";
import { adam, AutoNormal, MCMC, NUTS, SVI, TraceELBO } from "../../src/infer/index.js";

const normalModel = (y?: NDArray) => {
  const mu = sample("mu", new dist.Normal(0, 1));
  plate("N", 3, () => sample("y", new dist.Normal(mu, 1), { obs: y }));
};
const poissonModel = (counts?: NDArray) => {
  const rate = sample("rate", new dist.Gamma(2, 1));
  plate("N", 3, () => sample("counts", new dist.Poisson(rate), { obs: counts }));
};
const bernoulliModel = (flips?: NDArray) => {
  const p = sample("p", new dist.Beta(2, 2));
  plate("N", 3, () => sample("flips", new dist.Bernoulli(p), { obs: flips }));
};
const betaModel = (props?: NDArray) => {
  const a = sample("a", new dist.Exponential(1));
  plate("N", 3, () => sample("props", new dist.Beta(a, 1), { obs: props }));
};
const binomialModel = (k?: NDArray) => {
  const p = sample("p", new dist.Beta(1, 1));
  plate("N", 3, () => sample("successes", new dist.Binomial(10, p), { obs: k }));
};

type Runner = "trace" | "nuts" | "svi";
const runners: Record<Runner, (model: Model, args: unknown[]) => Promise<unknown>> = {
  trace: async (model, args) => trace(seed(model, 0)).getTrace(...args),
  nuts: async (model, args) => {
    const mcmc = new MCMC(new NUTS(model), { numWarmup: 10, numSamples: 10, progressBar: false });
    await mcmc.run(random.key(0), ...args);
    return mcmc.getSamples();
  },
  svi: async (model, args) => {
    const svi = new SVI(model, new AutoNormal(model), adam(0.01), new TraceELBO(), { progressBar: false });
    return (await svi.run(random.key(0), 10, ...args)).losses;
  },
};

/** No handler installed, no transform (grad, vmap, jit trace) in progress. */
function expectClean(): void {
  expect(handlerDepth()).toBe(0);
  expect(transformDepth()).toBe(0);
}

interface Case {
  what: string;
  model: Model;
  args: unknown[];
  error: RegExp;
  /** Where the error shows (default: all three). */
  via?: readonly Runner[];
}

const cases: Case[] = [
  // observed data
  { what: "NaN in observed data", model: normalModel, args: [np.array([1, NaN, 2])], error: /sample site 'y': observed value NaN at flat index 1 is not finite \(Normal, support real\)/ },
  { what: "Infinity in observed data", model: normalModel, args: [np.array([1, 2, -Infinity])], error: /sample site 'y': observed value -Infinity at flat index 2 is not finite/ },
  { what: "negative counts", model: poissonModel, args: [np.array([1, -2, 3])], error: /sample site 'counts': observed value -2 at flat index 1 is outside the support of Poisson \(nonnegativeInteger\)/ },
  { what: "fractional counts", model: poissonModel, args: [np.array([1, 2, 2.5])], error: /sample site 'counts': observed value 2.5 at flat index 2 is outside the support of Poisson/ },
  { what: "Bernoulli outcomes other than 0 and 1", model: bernoulliModel, args: [np.array([0, 1, 2])], error: /sample site 'flips': observed value 2 at flat index 2 is outside the support of Bernoulli \(boolean\)/ },
  { what: "proportions above 1", model: betaModel, args: [np.array([0.2, 1.5, 0.3])], error: /sample site 'props': observed value 1.5 at flat index 1 is outside the support of Beta \(unitInterval\)/ },
  { what: "more successes than trials", model: binomialModel, args: [np.array([3, 11, 2])], error: /sample site 'successes': observed value 11 at flat index 1 is outside the support of Binomial/ },
  // shapes
  { what: "observed data of the wrong shape", model: normalModel, args: [np.zeros([4])], error: /sample site 'y': observed value of shape \[4\] does not fit the distribution Normal of shape \[3\]/ },
  {
    what: "a batch shape that does not fit its plate",
    model: () => {
      const mu = sample("mu", new dist.Normal(np.zeros([4]), 1));
      plate("N", 3, () => sample("y", new dist.Normal(mu, 1), { obs: np.zeros([3]) }));
    },
    args: [],
    error: /sample site 'y' inside plate 'N' \(dim -1, size 3\): its batch shape \[4\] has size 4 at dim -1, where the plate needs 3/,
  },
  {
    what: "parameters whose shapes do not broadcast",
    model: () => {
      const mu = sample("mu", new dist.Normal(0, 1));
      sample("y", new dist.Normal(np.add(mu, np.zeros([4])), np.ones([3])), { obs: np.zeros([4]) });
    },
    args: [],
    error: /Normal: parameter shapes do not broadcast: loc \[4\], scale \[3\] \[raised in the model after site 'mu'\]/,
  },
  // missing arguments
  {
    what: "a missing data argument",
    model: (y: NDArray) => {
      const mu = sample("mu", new dist.Normal(0, 1));
      plate("N", y.shape[0], () => sample("y", new dist.Normal(mu, 1), { obs: y }));
    },
    args: [],
    error: /Cannot read properties of undefined \(reading 'shape'\) \[raised in the model after site 'mu'\]/,
  },
  {
    what: "a missing size argument",
    model: (n: number, y?: NDArray) => {
      const mu = sample("mu", new dist.Normal(0, 1));
      plate("N", n, () => sample("y", new dist.Normal(mu, 1), { obs: y }));
    },
    args: [],
    error: /plate 'N': size must be a positive integer, got undefined/,
  },
  // invalid distribution parameters
  {
    what: "a negative scale",
    model: () => {
      const mu = sample("mu", new dist.Normal(0, 1));
      sample("y", new dist.Normal(mu, -1), { obs: 0 });
    },
    args: [],
    error: /Normal: parameter 'scale' must satisfy positive \(got -1 at flat index 0\); its shape is \[\] \[raised in the model after site 'mu'\]/,
  },
  {
    what: "a probability above 1",
    model: () => {
      sample("mu", new dist.Normal(0, 1));
      sample("flip", new dist.Bernoulli(1.5), { obs: 1 });
    },
    args: [],
    error: /Bernoulli: parameter 'probs' must satisfy unitInterval \(got 1.5 at flat index 0\).*\[raised in the model after site 'mu'\]/,
  },
  // log densities that are never finite
  {
    what: "a log density that is never finite (a factor)",
    model: () => {
      const mu = sample("mu", new dist.Normal(0, 1));
      factor("never", np.multiply(np.exp(mu), -Infinity));
    },
    args: [],
    error: /initializeModel: no valid starting point in 100 tries: the log density of site 'never' \(Unit\) is -Infinity/,
    via: ["nuts", "svi"],
  },
  {
    what: "a log density that is never finite (NaN from unvalidated parameters)",
    model: () => {
      const s = sample("s", new dist.HalfNormal(1));
      sample("y", new dist.Normal(0, np.subtract(s, 1e9), { validateArgs: false }), { obs: 1 });
    },
    args: [],
    error: /initializeModel: no valid starting point in 100 tries: the log density of site 'y' \(Normal\) is NaN/,
    via: ["nuts", "svi"],
  },
  // throwing
  {
    what: "a handler that throws",
    model: substitute(normalModel, (site) => {
      if (site.name === "mu") throw new Error("lookup failed");
      return null;
    }),
    args: [np.zeros([3])],
    error: /lookup failed \[at sample site 'mu'\]/,
  },
  {
    what: "a handler that throws on the way back (postprocess)",
    model: withHandler(normalModel, () => ({
      postprocess(msg) {
        if (msg.type === "sample" && msg.name === "y") throw new RangeError("cannot record");
        return msg;
      },
    })),
    args: [np.zeros([3])],
    error: /cannot record \[at sample site 'y'\]/,
  },
  {
    what: "a model that throws",
    model: () => {
      sample("mu", new dist.Normal(0, 1));
      throw new TypeError("unsupported input");
    },
    args: [],
    error: /unsupported input \[raised in the model after site 'mu'\]/,
  },
  {
    what: "a model that reads a value under jit",
    model: () => {
      const mu = sample("mu", new dist.Normal(0, 1));
      if (mu.item() > 0) factor("f", 0);
    },
    args: [],
    error: /cannot read the value of a traced array .* inside jit.*\[raised in the model after site 'mu'\]/,
    via: ["nuts", "svi"],
  },
];

describe("bad input: an error that names the site and what was wrong, and no state left behind", () => {
  for (const c of cases) {
    for (const via of c.via ?? (["trace", "nuts", "svi"] as const)) {
      it(`${c.what} (${via})`, async () => {
        expectClean();
        await expect(runners[via](c.model, c.args)).rejects.toThrow(c.error);
        expectClean();
      });
    }
  }

  it("the error keeps its class, and its stack shows the new message", async () => {
    const model = () => {
      sample("mu", new dist.Normal(0, 1));
      throw new TypeError("unsupported input");
    };
    let caught: unknown = null;
    try {
      trace(seed(model, 0)).getTrace();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(TypeError);
    expect((caught as Error).stack).toMatch(/^TypeError: unsupported input \[raised in the model after site 'mu'\]/);
  });

  it("masked entries are not checked: NaN where obsMask is false is fine", () => {
    const model = (y: NDArray) => plate("N", 3, () => sample("y", new dist.Normal(0, 1), { obs: y, obsMask: np.array([true, false, true]) }));
    const tr = trace(seed(model, 0)).getTrace(np.array([1, NaN, 3]));
    expect(Number.isFinite(tr.get("y")!.value!.toArray() as unknown as number)).toBe(false);
    expect((tr.get("y")!.value!.toArray() as number[]).every(Number.isFinite)).toBe(true);
  });

  it("validateArgs: false turns the check of observed data off; bounds that may be latent are not checked", () => {
    const unchecked = () => sample("k", new dist.Poisson(2, { validateArgs: false }), { obs: -1 });
    expect(trace(seed(unchecked, 0)).getTrace().get("k")!.value!.item()).toBe(-1);
    // Uniform(0, t) with t latent: data above t says something about t, not about the data
    const latentBound = () => sample("u", new dist.Uniform(0, sample("t", new dist.Exponential(1))), { obs: 100 });
    expect(() => trace(seed(latentBound, 0)).getTrace()).not.toThrow();
  });
});

describe("after an error, the same objects work on good input", () => {
  it("MCMC: a run on NaN data, then on good data (the compiled program reused)", async () => {
    const mcmc = new MCMC(new NUTS(normalModel), { numWarmup: 50, numSamples: 50, progressBar: false });
    await expect(mcmc.run(random.key(0), np.array([1, NaN, 2]))).rejects.toThrow(/sample site 'y'/);
    expectClean();
    await mcmc.run(random.key(0), np.array([1, 2, 3]));
    expect(mcmc.getSamples().mu.shape).toEqual([50]);
    expect(Number.isFinite(np.mean(mcmc.getSamples().mu).item())).toBe(true);
  });

  it("MCMC: a model that fails only while compiling, then a good run of the same object", async () => {
    const model = (strict: boolean, y: NDArray) => {
      const mu = sample("mu", new dist.Normal(0, 1));
      if (strict && mu.item() > 100) factor("f", 0); // reads a value: fails under jit only
      plate("N", 3, () => sample("y", new dist.Normal(mu, 1), { obs: y }));
    };
    const mcmc = new MCMC(new NUTS(model), { numWarmup: 20, numSamples: 20, progressBar: false });
    await expect(mcmc.run(random.key(0), true, np.zeros([3]))).rejects.toThrow(/inside jit/);
    expectClean();
    await mcmc.run(random.key(0), false, np.zeros([3]));
    expect(mcmc.getSamples().mu.shape).toEqual([20]);
  });

  it("SVI: a run on out-of-support data, then on good data", async () => {
    const svi = new SVI(poissonModel, new AutoNormal(poissonModel), adam(0.05), new TraceELBO(), { progressBar: false });
    await expect(svi.run(random.key(0), 20, np.array([1, -1, 2]))).rejects.toThrow(/sample site 'counts'/);
    expectClean();
    const { losses } = await svi.run(random.key(0), 20, np.array([1, 3, 2]));
    expect((losses.toArray() as number[]).every(Number.isFinite)).toBe(true);
  });
});

describe("repeated failures keep memory flat (tfjs-cpu tensors)", () => {
  forBackends(["tfjs-cpu"], () => {

    const settle = async () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (typeof gc !== "function") throw new Error("run vitest with --expose-gc (vitest.config.ts execArgv)");
      for (let round = 0; round < 4; round++) {
        gc();
        for (let t = 0; t < 5; t++) await new Promise((r) => setTimeout(r, 0));
      }
    };

    it("200 failing NUTS and SVI runs (bad data, a throwing model) leave the tensor count flat", async () => {
      const bad = np.array([1, NaN, 2]);
      const throwing = () => {
        sample("mu", new dist.Normal(0, 1));
        throw new Error("boom");
      };
      const mcmc = new MCMC(new NUTS(normalModel), { numWarmup: 10, numSamples: 10, progressBar: false });
      const svi = new SVI(normalModel, new AutoNormal(normalModel), adam(0.01), new TraceELBO(), { progressBar: false });
      const failures = async (n: number) => {
        for (let i = 0; i < n; i++) {
          await expect(mcmc.run(random.key(i), bad)).rejects.toThrow(/sample site 'y'/);
          await expect(svi.run(random.key(i), 5, bad)).rejects.toThrow(/sample site 'y'/);
          expect(() => trace(seed(throwing, i)).getTrace()).toThrow(/boom/);
        }
      };
      await failures(20);
      await settle();
      const base = tfjs().memory().numTensors;
      await failures(200);
      await settle();
      const after = tfjs().memory().numTensors;
      expect(after - base, `tensors: ${base} before, ${after} after`).toBeLessThanOrEqual(20);
      expectClean();
    });
  });
});
