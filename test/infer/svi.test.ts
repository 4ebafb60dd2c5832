/**
 * SVI and the ELBOs (NumPyro's test_svi.py, tests 23, 27, 28 and 30 of the notes): Beta–Bernoulli
 * fits against the exact posterior mean, exact losses at initialization, subsample scaling,
 * subsampled gradients against their expectations, minibatching under jit, jit against eager,
 * stable updates, callbacks and resume.
 */
import { describe, expect, it } from "vitest";
import { np, random, valueAndGrad, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { constraints, transforms } from "../../src/distributions/index.js";
import { factor, mask, param, plate, sample, scale, subsample, substitute } from "../../src/handlers/index.js";
import {
  adam,
  convergenceCheck,
  klDivergence,
  RenyiELBO,
  sgd,
  SVI,
  TraceELBO,
  TraceMeanFieldELBO,
  tracker,
  type Params,
} from "../../src/infer/index.js";
import { expectClose } from "../helpers.js";

const DATA = np.array([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]);

function betaBernoulliModel(data: NDArray) {
  const f = sample("beta", new dist.Beta(1, 1));
  plate("N", data.shape[0], () => sample("obs", new dist.Bernoulli(f), { obs: data }));
}

function betaGuide() {
  const a = param("alpha_q", 1.0, { constraint: constraints.positive });
  const b = param("beta_q", 1.0, { constraint: constraints.positive });
  sample("beta", new dist.Beta(a, b));
}

const ratio = (p: Params) => p.alpha_q.item() / (p.alpha_q.item() + p.beta_q.item());
const quiet = { progressBar: false };

describe("SVI fits (Beta–Bernoulli)", () => {
  it("custom guide: the unconstrained init is log 1 = 0, and 10000 Adam steps find the posterior mean 9/12", async () => {
    const svi = new SVI(betaBernoulliModel, betaGuide, adam(0.01), new TraceELBO(), quiet);
    const state = svi.init(random.key(1), DATA);
    expect(svi.optimizer.getParams(state.optimState).alpha_q.item()).toBe(0);
    const { params, losses } = await svi.resume(state, 10000, DATA);
    expect(losses.shape).toEqual([10000]);
    expect(Math.abs(ratio(params) - 0.75)).toBeLessThanOrEqual(0.03 + 0.03 * 0.75);
  });

  it("run from random initial params: losses of shape [numSteps], ratio near 0.8", async () => {
    const guide = () => {
      const a = param("alpha_q", (k) => random.exponential(k), { constraint: constraints.positive });
      const b = param("beta_q", (k) => random.exponential(k), { constraint: constraints.positive });
      sample("beta", new dist.Beta(a, b));
    };
    const { params, losses } = await new SVI(betaBernoulliModel, guide, adam(0.05), new TraceELBO(), quiet).run(random.key(1), 1000, DATA);
    expect(losses.shape).toEqual([1000]);
    expect(Math.abs(ratio(params) - 0.8)).toBeLessThanOrEqual(0.05 + 0.05 * 0.8);
  });

  it("vectorized (vmap) and sequential (scan) particles give the same losses", async () => {
    const fit = (vectorizeParticles: boolean) =>
      new SVI(betaBernoulliModel, betaGuide, adam(0.1), new TraceELBO({ numParticles: 3, vectorizeParticles }), quiet).run(random.key(0), 100, DATA);
    const [a, b] = [await fit(true), await fit(false)];
    expectClose(a.losses, b.losses, { rtol: 1e-5, atol: 1e-5 });
  });
});

describe("exact losses at initialization (test 27)", () => {
  it("params with composed constraints round-trip through init/getParams; evaluate = log N(obs|c,d) - log N(obs|a,b)", () => {
    const k = random.splitList(random.key(0), 5);
    const aInit = np.add(np.exp(random.normal(k[0])), 1);
    const bInit = np.exp(random.normal(k[1]));
    const cInit = random.uniform(k[2], [], undefined, -2, -1);
    const dInit = random.uniform(k[3]);
    const obs = random.normal(k[4]);
    const model = () => {
      const a = param("a", aInit, { constraint: constraints.greaterThan(1) });
      const b = param("b", bInit, { constraint: constraints.positive });
      sample("x", new dist.Normal(a, b), { obs });
    };
    const guide = () => {
      const c = param("c", cInit, { constraint: constraints.interval(-2, -1) });
      const d = param("d", dInit, { constraint: constraints.unitInterval });
      sample("y", new dist.Normal(c, d), { obs });
    };
    const svi = new SVI(model, guide, adam(0.01), new TraceELBO(), quiet);
    const state = svi.init(random.key(0));
    const params = svi.getParams(state);
    expectClose(params.a, aInit, { rtol: 1e-5 });
    expectClose(params.b, bInit, { rtol: 1e-5 });
    expectClose(params.c, cInit, { rtol: 1e-5 });
    expectClose(params.d, dInit, { rtol: 1e-5 });
    const expected = np.subtract(new dist.Normal(cInit, dInit).logProb(obs), new dist.Normal(aInit, bInit).logProb(obs));
    expectClose(svi.evaluate(state), expected, { rtol: 1e-5 });
  });

  it("dynamic support: a transformed prior against a substituted Uniform guide gives log q(2) - log p(2)", () => {
    const prior = new dist.TransformedDistribution(new dist.Normal(), [
      new transforms.AffineTransform(0, 2),
      new transforms.SigmoidTransform(),
      new transforms.AffineTransform(0, 3),
    ]);
    const q = new dist.Uniform(0, 3);
    const model = () => sample("x", prior);
    const guide = substitute(() => sample("x", q), { x: 2 });
    const svi = new SVI(model, guide, adam(0.01), new TraceELBO(), quiet);
    const loss = svi.evaluate(svi.init(random.key(0)));
    expectClose(loss, np.subtract(q.logProb(2), prior.logProb(2)), { rtol: 1e-5 });
  });

  it("a model param without an initial value takes the guide's; factor drives a shared param to its target", async () => {
    const model = () => {
      const s = param("shared");
      factor("neg_loss", np.negative(np.square(np.subtract(s, 5))));
    };
    const guide = () => {
      param("shared", 1.0);
    };
    const svi = new SVI(model, guide, adam(0.01), new TraceELBO(), quiet);
    expectClose(svi.getParams(svi.init(random.key(0))).shared, 1.0);
    const { params } = await svi.run(random.key(0), 1000);
    expectClose(params.shared, 5, { atol: 0.1 });
  });

  it("a model and guide without params or latent sites run", async () => {
    const { losses } = await new SVI(() => {}, () => {}, adam(1), new TraceELBO(), quiet).run(random.key(0), 10);
    expectClose(losses, new Array(10).fill(0));
  });
});

describe("TraceELBO", () => {
  it("honors masks and scales recorded on sites", () => {
    const y = np.array([0.1, -0.4, 2.0, 1.0]);
    const keep = np.array([true, true, false, false]);
    const model = () => plate("N", 4, () => mask(() => sample("obs", new dist.Normal(0, 1), { obs: y }), keep)());
    const kept = -np.sum(new dist.Normal(0, 1).logProb(np.array([0.1, -0.4]))).item();
    const elbo = new TraceELBO();
    expectClose(elbo.loss(random.key(0), {}, model, () => {}), kept, { rtol: 1e-6 });
    expectClose(elbo.loss(random.key(0), {}, scale(model, 3), () => {}), 3 * kept, { rtol: 1e-6 });
  });
});

describe("TraceMeanFieldELBO", () => {
  it("with no data the loss is KL(q||p) exactly (analytic, no sampling noise)", () => {
    const [m, s] = [0.3, 0.5];
    const model = () => sample("z", new dist.Normal(0, 1).expand([3]).toEvent(1));
    const guide = () => sample("z", new dist.Normal(np.full([3], m), s).toEvent(1));
    const loss = new TraceMeanFieldELBO().loss(random.key(0), {}, model, guide);
    expectClose(loss, 3 * (Math.log(1 / s) + (s * s + m * m) / 2 - 0.5), { rtol: 1e-5 });
  });

  it("klDivergence: Normal–Normal closed form, through expand and toEvent; null for unknown pairs", () => {
    const q = new dist.Normal(np.array([0.5, -1]), np.array([0.7, 2]));
    const p = new dist.Normal(1, 1.5);
    const want = [0, 1].map((i) => {
      const [mq, sq] = [[0.5, -1][i], [0.7, 2][i]];
      return Math.log(1.5 / sq) + (sq * sq + (mq - 1) ** 2) / (2 * 1.5 * 1.5) - 0.5;
    });
    expectClose(klDivergence(q, p.expand([2]))!, want, { rtol: 1e-5 });
    expectClose(klDivergence(q.toEvent(1), p.expand([2]).toEvent(1))!, want[0] + want[1], { rtol: 1e-5 });
    expect(klDivergence(new dist.Beta(1, 2), new dist.Beta(2, 2))).toBeNull();
  });

  it("falls back to the sampled estimate per site (equal to TraceELBO where no KL is known)", () => {
    const key = random.key(3);
    const params = { alpha_q: np.array(2.0), beta_q: np.array(3.0) };
    const mf = new TraceMeanFieldELBO().loss(key, params, betaBernoulliModel, betaGuide, DATA);
    const tr = new TraceELBO().loss(key, params, betaBernoulliModel, betaGuide, DATA);
    expectClose(mf, tr, { rtol: 1e-6 });
  });
});

describe("RenyiELBO", () => {
  it("equals TraceELBO (loss and gradient) when the guide has no latent sites", () => {
    const model = (x: NDArray) => sample("obs", new dist.Normal(0, 1), { obs: x });
    const guide = () => {};
    const lossAt = (elbo: TraceELBO | RenyiELBO) => valueAndGrad((x: NDArray) => elbo.loss(random.key(0), {}, model, guide, x))(np.array(2.0));
    const [l0, g0] = lossAt(new TraceELBO());
    for (const alpha of [0, 2]) {
      const [l, g] = lossAt(new RenyiELBO({ alpha, numParticles: 10 }));
      expectClose(l, l0, { rtol: 1e-6 });
      expectClose(g, g0, { rtol: 1e-6 });
    }
    expect(() => new RenyiELBO({ alpha: 1 })).toThrow(/alpha must not be 1/);
  });

  it("subsample scaling (test 28): each of 100 sites contributes log 0.6, with or without subsampleSize 2", () => {
    const model = (subsampleSize?: number) =>
      plate("N", 100, { subsampleSize }, () => {
        sample("x", new dist.Normal(0, 1));
        sample("obs", new dist.Bernoulli(0.6), { obs: 1 });
      });
    const guide = (subsampleSize?: number) => plate("N", 100, { subsampleSize }, () => sample("x", new dist.Normal(0, 1)));
    const renyi = new RenyiELBO({ numParticles: 10 });
    const full = renyi.loss(random.key(0), {}, model, guide);
    const sub = renyi.loss(random.key(0), {}, model, guide, 2);
    expectClose(full, -100 * Math.log(0.6), { rtol: 1e-5 });
    expectClose(sub, full, { rtol: 1e-5 });
  });

  it("fits the Beta–Bernoulli posterior mean (10 particles, 10000 Adam steps)", async () => {
    const { params } = await new SVI(betaBernoulliModel, betaGuide, adam(0.01), new RenyiELBO({ numParticles: 10 }), quiet).run(random.key(1), 10000, DATA);
    expect(Math.abs(ratio(params) - 0.75)).toBeLessThanOrEqual(0.03 + 0.03 * 0.75);
  });
});

describe("subsampling", () => {
  const data = np.array([-0.5, 2.0]);
  const model = (subsampleSize: number) =>
    plate("data", 2, { subsampleSize }, (ind) => {
      const z = sample("z", new dist.Normal(0, 1));
      sample("x", new dist.Normal(z, 1), { obs: np.take(data, ind) });
    });
  const guide = (subsampleSize: number) => {
    const s = param("scale", 1.0);
    plate("data", 2, { subsampleSize }, () => {
      const loc = param("loc", np.zeros([2]), { eventDim: 0 });
      sample("z", new dist.Normal(loc, s));
    });
  };

  for (const s of [1, 2]) {
    it(`gradients of the loss (test 30, handler scale ${s}) are s·[0.5, -2] for loc and 2s for scale; subsampling by 1 and summing halves match`, () => {
      const [m, g] = s === 1 ? [model, guide] : [scale(model, s), scale(guide, s)];
      const elbo = new TraceELBO({ numParticles: 20000 });
      const params = { loc: np.zeros([2]), scale: np.array(1.0) };
      const gradAt = (mm: typeof m, gg: typeof g, size: number) => valueAndGrad((p: Params) => elbo.loss(random.key(0), p, mm, gg, size))(params)[1] as Params;
      const full = gradAt(m, g, 2);
      expectClose(full.loc, [0.5 * s, -2 * s], { atol: 0.06 * s, rtol: 0 });
      expectClose(full.scale, 2 * s, { atol: 0.06 * s, rtol: 0 });
      const at = (i: number) => gradAt(substitute(m, { data: np.array([i], "int32") }), substitute(g, { data: np.array([i], "int32") }), 1);
      const [g0, g1] = [at(0), at(1)];
      expectClose(np.divide(np.add(g0.loc, g1.loc), 2), [0.5 * s, -2 * s], { atol: 0.06 * s, rtol: 0 });
      expectClose(np.divide(np.add(g0.scale, g1.scale), 2), 2 * s, { atol: 0.06 * s, rtol: 0 });
    });
  }

  it("under jit each step draws a fresh subsample, and the subsampled loss is unbiased for the full-data loss", () => {
    const y = np.array(Array.from({ length: 100 }, (_, i) => Math.sin(i)));
    const model = (data: NDArray) => {
      const mu = param("mu", 0.5);
      plate("N", 100, { subsampleSize: 10 }, () => sample("obs", new dist.Normal(mu, 1), { obs: subsample(data, "N") }));
    };
    const svi = new SVI(model, () => {}, adam(0.01), new TraceELBO(), quiet);
    const state = svi.init(random.key(0), y);
    const losses = random.splitList(random.key(1), 400).map((k) => svi.evaluate({ ...state, rngKey: k }, y).item());
    const mean = losses.reduce((a, b) => a + b, 0) / losses.length;
    const sd = Math.sqrt(losses.reduce((a, b) => a + (b - mean) ** 2, 0) / (losses.length - 1));
    expect(new Set(losses.map((l) => l.toFixed(4))).size).toBeGreaterThan(100);
    const full = -np.sum(new dist.Normal(0.5, 1).logProb(y)).item();
    expect(Math.abs(mean - full)).toBeLessThan(4 * (sd / Math.sqrt(losses.length)));
  });

  it("a minibatched fit finds the full-data posterior of a global mean", async () => {
    const y = np.array(Array.from({ length: 100 }, (_, i) => 1 + 0.1 * Math.sin(7 * i)));
    const model = (data: NDArray) => {
      const mu = sample("mu", new dist.Normal(0, 10));
      plate("N", 100, { subsampleSize: 10 }, () => sample("obs", new dist.Normal(mu, 1), { obs: subsample(data, "N") }));
    };
    const guide = () => {
      const loc = param("loc", 0.0);
      const sd = param("sd", 0.5, { constraint: constraints.positive });
      sample("mu", new dist.Normal(loc, sd));
    };
    const { params } = await new SVI(model, guide, adam(0.01), new TraceELBO({ numParticles: 4 }), quiet).run(random.key(2), 3000, y);
    const precision = 100 + 1 / 100;
    expectClose(params.loc, np.sum(y).item() / precision, { atol: 0.03 });
    expectClose(params.sd, 1 / Math.sqrt(precision), { atol: 0.03 });
  });
});

describe("SVI mechanics", () => {
  it("jit and eager steps give the same losses and params", () => {
    const make = (jit: boolean) => new SVI(betaBernoulliModel, betaGuide, adam(0.1), new TraceELBO({ numParticles: 2 }), { ...quiet, jit });
    const [compiled, eager] = [make(true), make(false)];
    let [s1, s2] = [compiled.init(random.key(4), DATA), eager.init(random.key(4), DATA)];
    for (let i = 0; i < 5; i++) {
      const [n1, l1] = compiled.update(s1, DATA);
      const [n2, l2] = eager.update(s2, DATA);
      expectClose(l1, l2, { rtol: 1e-5, atol: 1e-5 });
      [s1, s2] = [n1, n2];
    }
    expectClose(compiled.getParams(s1).alpha_q, eager.getParams(s2).alpha_q, { rtol: 1e-5 });
  });

  it("data arrays are inputs of the compiled step: new data of the same shape reuses it", () => {
    let traced = 0;
    const model = (data: NDArray) => {
      traced++;
      betaBernoulliModel(data);
    };
    const svi = new SVI(model, betaGuide, adam(0.1), new TraceELBO(), quiet);
    const state = svi.init(random.key(0), DATA);
    svi.update(state, DATA);
    const after = traced;
    const other = np.array([0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    const [, loss] = svi.update(state, other);
    expect(traced).toBe(after);
    const eager = new SVI(betaBernoulliModel, betaGuide, adam(0.1), new TraceELBO(), { ...quiet, jit: false });
    expectClose(loss, eager.update(eager.init(random.key(0), DATA), other)[1], { rtol: 1e-5 });
  });

  it("stableUpdate keeps the state when the loss is not finite and reports NaN", () => {
    const model = () => factor("f", np.log(param("p")));
    const guide = () => {
      param("p", -1.0);
    };
    const stable = new SVI(model, guide, sgd(0.1), new TraceELBO(), { ...quiet, stableUpdate: true });
    const s0 = stable.init(random.key(0));
    const [s1, loss] = stable.update(s0);
    expect(Number.isNaN(loss.item())).toBe(true);
    expectClose(stable.getParams(s1).p, -1);
    expect(s1.rngKey.toArray()).not.toEqual(s0.rngKey.toArray());
    // without it, the step is taken along the (finite) gradient of the NaN loss
    const plain = new SVI(model, guide, sgd(0.1), new TraceELBO(), quiet);
    expect(plain.getParams(plain.update(plain.init(random.key(0)))[0]).p.item()).not.toBeCloseTo(-1, 3);
  });

  const target = () => factor("f", np.negative(np.square(np.subtract(param("s"), 5))));
  const start = () => {
    param("s", 1.0);
  };

  it("resume continues a fit exactly: 300 + 300 steps equal 600", async () => {
    const svi = new SVI(betaBernoulliModel, betaGuide, adam(0.05), new TraceELBO(), quiet);
    const whole = await svi.run(random.key(5), 600, DATA);
    const first = await svi.run(random.key(5), 300, DATA);
    const rest = await svi.resume(first.state, 300, DATA);
    expectClose(np.concatenate([first.losses, rest.losses]), whole.losses, { rtol: 1e-6 });
    expectClose(rest.params.alpha_q, whole.params.alpha_q, { rtol: 1e-6 });
    await expect(new SVI(betaBernoulliModel, betaGuide, adam(0.05), new TraceELBO()).resume(first.state, 10, DATA)).rejects.toThrow(/init/);
  });

  it("losses have one entry per step when steps do not fill the last chunk", async () => {
    const { losses } = await new SVI(target, start, sgd(0.01), new TraceELBO(), { ...quiet, chunkSize: 64 }).run(random.key(0), 150);
    expect(losses.shape).toEqual([150]);
  });

  it("convergenceCheck stops early once the params stop moving", async () => {
    const check = convergenceCheck({ tol: 1e-5, every: 50 });
    const { params, losses } = await new SVI(target, start, sgd(0.1), new TraceELBO(), { ...quiet, callbacks: [check] }).run(random.key(0), 10000);
    expect(check.convergedAt).not.toBeNull();
    expect(losses.shape).toEqual([check.convergedAt!]);
    expect(check.convergedAt!).toBeLessThan(1000);
    expectClose(params.s, 5, { atol: 1e-3 });
  });

  it("tracker records a function of the params after every step, across resume", async () => {
    const track = tracker((p: Params) => ({ sq: np.square(p.s) }));
    const svi = new SVI(target, start, sgd(0.1), new TraceELBO(), { ...quiet, callbacks: [track] });
    const first = await svi.run(random.key(0), 120);
    // s1 = 1 - 0.1 * 2 (1 - 5) = 1.8
    expectClose(np.take(track.values!.sq, 0), 1.8 * 1.8, { rtol: 1e-5 });
    const { params } = await svi.resume(first.state, 30);
    expect(track.values!.sq.shape).toEqual([150]);
    expectClose(np.take(track.values!.sq, 149), np.square(params.s), { rtol: 1e-6 });
  });

  it("a latent model site missing from the guide is an error naming it", () => {
    const svi = new SVI(betaBernoulliModel, () => {}, adam(0.1), new TraceELBO(), quiet);
    expect(() => svi.init(random.key(0), DATA)).toThrow(/site 'beta' is latent in the model/);
  });
});
