/**
 * Autoguides (NumPyro's test_autoguide.py, tests 24–27 of the notes) against exact posteriors:
 * normal–normal ADVI, Beta–Bernoulli posterior means (and the MAP for AutoDelta), a correlated
 * Gaussian's covariance, the analytic Hessian of a linear-Gaussian model, exact initial losses,
 * local latent sites under subsampling, and the guide's use with Predictive.
 */
import { describe, expect, it } from "vitest";
import { linalg, np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { deterministic, param, plate, sample, seed, substitute, trace } from "../../src/handlers/index.js";
import {
  adam,
  AutoDelta,
  AutoDiagonalNormal,
  AutoIAF,
  AutoLaplaceApproximation,
  AutoLowRankMultivariateNormal,
  AutoMultivariateNormal,
  AutoNormal,
  exponentialDecay,
  initToMedian,
  initToValue,
  Predictive,
  SVI,
  TraceELBO,
  TraceMeanFieldELBO,
  type AutoGuide,
  type Params,
} from "../../src/infer/index.js";
import { expectClose } from "../helpers.js";

const quiet = { progressBar: false };
const mean0 = (x: NDArray) => np.mean(x, 0);
const std0 = (x: NDArray) => np.std(x, 0);

describe("normal–normal ADVI recovers the exact posterior", () => {
  // mu ~ N(0, 2), y_i ~ N(mu, 1): posterior precision 1/4 + n, mean sum(y) / precision
  const y = np.array([0.5, 1.5, 2.0, 0.8, 1.2]);
  const precision = 1 / 4 + 5;
  const exactMean = 6.0 / precision;
  const exactSd = Math.sqrt(1 / precision);
  const model = (data: NDArray) => {
    const mu = sample("mu", new dist.Normal(0, 2));
    plate("N", 5, () => sample("obs", new dist.Normal(mu, 1), { obs: data }));
  };

  for (const Guide of [AutoNormal, AutoDiagonalNormal, AutoIAF]) {
    it(`${Guide.name}: posterior mean and sd`, async () => {
      const guide = new Guide(model);
      const svi = new SVI(model, guide, adam(exponentialDecay(0.05, 1000, 0.1)), new TraceELBO({ numParticles: 8 }), quiet);
      const { params } = await svi.run(random.key(0), 3000, y);
      const draws = guide.samplePosterior(random.key(1), params, { sampleShape: [4000] }).mu;
      expect(draws.shape).toEqual([4000]);
      // Monte Carlo error of 4000 draws: sd/63 for the mean
      expectClose(mean0(draws), exactMean, { atol: 0.03 });
      expectClose(std0(draws), exactSd, { rtol: 0.08 });
      expectClose(guide.median(params).mu, exactMean, { atol: 0.02 });
      const q = guide.quantiles(params, [0.1, 0.5, 0.9]).mu;
      expectClose(q, [-1.2815516, 0, 1.2815516].map((z) => exactMean + z * exactSd), { atol: 0.04 });
    });
  }
});

describe("Beta–Bernoulli with autoguides (test 24)", () => {
  const data = np.transpose(np.array([[1, 1, 1, 1, 1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]]));
  const N = 10;
  const model = (d?: NDArray) => {
    const f = sample("beta", new dist.Beta(np.ones([2]), np.ones([2])).toEvent());
    plate("N", N, () => sample("obs", new dist.Bernoulli(f).toEvent(1), { obs: d }));
  };
  const posteriorMean = [9 / 12, 5 / 12];
  const posteriorMode = [8 / 10, 4 / 10];

  const guides: [string, () => AutoGuide, number[]][] = [
    ["AutoNormal", () => new AutoNormal(model, { initLocFn: initToMedian(2) }), posteriorMean],
    ["AutoDiagonalNormal", () => new AutoDiagonalNormal(model, { initLocFn: initToMedian(2) }), posteriorMean],
    ["AutoMultivariateNormal", () => new AutoMultivariateNormal(model, { initLocFn: initToMedian(2) }), posteriorMean],
    ["AutoLowRankMultivariateNormal", () => new AutoLowRankMultivariateNormal(model, { initLocFn: initToMedian(2) }), posteriorMean],
    ["AutoLaplaceApproximation", () => new AutoLaplaceApproximation(model, { initLocFn: initToMedian(2) }), posteriorMean],
    // MAP in constrained space: the mode of Beta(1 + Σy, 1 + N − Σy)
    ["AutoDelta", () => new AutoDelta(model, { initLocFn: initToMedian(2) }), posteriorMode],
  ];

  for (const [name, make, target] of guides) {
    it(`${name}: posterior mean ≈ ${target.map((t) => t.toFixed(3)).join(", ")}; median, quantiles and Predictive shapes`, async () => {
      const guide = make();
      const svi = new SVI(model, guide, adam(0.01), new TraceELBO(), quiet);
      const { params } = await svi.run(random.key(1), 3000, data);
      const samples = guide.samplePosterior(random.key(1), params, { sampleShape: [1000] });
      expect(samples.beta.shape).toEqual([1000, 2]);
      expectClose(mean0(samples.beta), target, { atol: name === "AutoDelta" ? 0.02 : 0.05 });
      expect(guide.median(params).beta.shape).toEqual([2]);
      expect(guide.quantiles(params, [0.2, 0.5, 0.8]).beta.shape).toEqual([3, 2]);
      const fromSamples = new Predictive(model, { posteriorSamples: samples }).call(random.key(1), undefined);
      expect(fromSamples.obs.shape).toEqual([1000, N, 2]);
      const fromGuide = new Predictive(model, { guide, params, numSamples: 1000 }).call(random.key(1), undefined);
      expect(fromGuide.obs.shape).toEqual([1000, N, 2]);
    });
  }
});

describe("full-rank and low-rank guides", () => {
  // no data: the posterior is the prior, a correlated Gaussian
  const cov = [
    [1.0, 0.8, 0.3],
    [0.8, 1.5, -0.4],
    [0.3, -0.4, 0.7],
  ];
  const model = () => sample("x", new dist.MultivariateNormal(np.array([1, -1, 0.5]), np.array(cov)));

  it("AutoMultivariateNormal recovers the covariance and mean of a correlated Gaussian", async () => {
    const guide = new AutoMultivariateNormal(model);
    const svi = new SVI(model, guide, adam(exponentialDecay(0.03, 1500, 0.1)), new TraceELBO({ numParticles: 16 }), quiet);
    const { params } = await svi.run(random.key(0), 4000);
    const L = params.auto_scale_tril;
    expectClose(np.matmul(L, np.transpose(L)), cov, { atol: 0.05 });
    expectClose(params.auto_loc, [1, -1, 0.5], { atol: 0.03 });
    const draws = guide.samplePosterior(random.key(3), params, { sampleShape: [2000] }).x;
    expect(draws.shape).toEqual([2000, 3]);
  });

  it("AutoLowRankMultivariateNormal captures a rank-one correlation", async () => {
    // covariance diag(0.1) + w wᵀ
    const w = [1.0, 0.8, -0.6];
    const lowRank = w.map((wi, i) => w.map((wj, j) => wi * wj + (i === j ? 0.1 : 0)));
    const m = () => sample("x", new dist.MultivariateNormal(np.zeros([3]), np.array(lowRank)));
    const guide = new AutoLowRankMultivariateNormal(m, { rank: 1 });
    const svi = new SVI(m, guide, adam(exponentialDecay(0.03, 1500, 0.1)), new TraceELBO({ numParticles: 16 }), quiet);
    const { params } = await svi.run(random.key(0), 4000);
    const posterior = guide.getPosterior(params) as dist.LowRankMultivariateNormal;
    expectClose(posterior.covarianceMatrix, lowRank, { atol: 0.06 });
  });

  it("quantiles of AutoMultivariateNormal use the marginal standard deviations", () => {
    const m = () => sample("x", new dist.Normal(0, 1).expand([2]).toEvent(1));
    const guide = new AutoMultivariateNormal(m);
    seed(guide, random.key(0))();
    const params = { auto_loc: np.zeros([2]), auto_scale_tril: np.array([[1, 0], [0.5, 0.5]]) };
    const actual = guide.quantiles(params, [0.3]).x;
    const sd = [1, Math.sqrt(0.5)];
    expectClose(actual, [sd.map((s) => -0.5244005 * s)], { rtol: 1e-5 });
  });
});

describe("AutoIAF", () => {
  // a banana: y ~ N(0, 1), x | y ~ N(y², 0.5), so E[x | y] = y², which no normal guide can express
  const banana = () => {
    const y = sample("y", new dist.Normal(0, 1));
    sample("x", new dist.Normal(np.square(y), 0.5));
  };

  it("learns a nonlinear dependence: x regressed on y² from its draws has slope ≈ 1 (a full-rank normal's ≈ 0)", async () => {
    const slope = async (guide: AutoGuide) => {
      const svi = new SVI(banana, guide, adam(exponentialDecay(0.01, 4000, 0.1)), new TraceELBO({ numParticles: 16 }), quiet);
      const { params } = await svi.run(random.key(0), 4000);
      const d = guide.samplePosterior(random.key(1), params, { sampleShape: [4000] });
      const y2 = np.square(d.y);
      const c = np.subtract(y2, np.mean(y2));
      return [np.divide(np.sum(np.multiply(c, np.subtract(d.x, np.mean(d.x)))), np.sum(np.square(c))).item(), np.mean(d.x).item(), np.std(d.y).item()];
    };
    const [b, meanX, sdY] = await slope(new AutoIAF(banana, { hiddenDims: [16, 16] }));
    expect(b).toBeGreaterThan(0.8);
    expect(b).toBeLessThan(1.2);
    expect(meanX).toBeCloseTo(1, 0);
    expect(Math.abs(sdY - 1)).toBeLessThan(0.15);
    const [bNormal] = await slope(new AutoMultivariateNormal(banana));
    expect(Math.abs(bNormal)).toBeLessThan(0.2);
  });

  it("the density of a draw while fitting (base density minus the flows' log-det) equals the flow distribution's logProb", async () => {
    const guide = new AutoIAF(banana, { hiddenDims: [8, 8] });
    const svi = new SVI(banana, guide, adam(0.02), new TraceELBO({ numParticles: 4 }), quiet);
    const { params } = await svi.run(random.key(0), 300);
    const tr = trace(seed(substitute(guide, params), random.key(5))).getTrace();
    const base = tr.get("_auto_latent_base")!;
    const latent = tr.get("_auto_latent")!;
    if (base.type !== "sample" || latent.type !== "sample") throw new Error("expected sample sites");
    const fitting = np.add(base.fn.logProb(base.value!), latent.fn.logProb(latent.value!));
    expectClose(guide.getPosterior(params).logProb(latent.value!), fitting, { atol: 1e-4 });
  });

  it("starts where the normal guides start: at the init locs with scale initScale", () => {
    const guide = new AutoIAF(banana, { initLocFn: initToValue({ y: 0.5, x: -1 }), initScale: 0.2 });
    const svi = new SVI(banana, guide, adam(0.01), new TraceELBO(), quiet);
    const params = svi.getParams(svi.init(random.key(0)));
    const d = guide.samplePosterior(random.key(1), params, { sampleShape: [4000] });
    expectClose(np.mean(d.y), 0.5, { atol: 0.02 });
    expectClose(np.std(d.x), 0.2, { rtol: 0.05 });
    expect(() => new AutoIAF(banana, { numFlows: 0 })).toThrow(/numFlows must be a positive integer/);
  });
});

describe("AutoLaplaceApproximation", () => {
  // a, b ~ N(0, 10), y ~ N(a + b x, 1): -log p is quadratic with Hessian XᵀX + I/100
  const x = [-1.5, -0.3, 0.4, 1.1, 2.0, 0.7];
  const y = x.map((xi, i) => 1 + 2 * xi + 0.3 * Math.sin(3 * i));
  const model = (xs: NDArray, ys: NDArray) => {
    const a = sample("a", new dist.Normal(0, 10));
    const b = sample("b", new dist.Normal(0, 10));
    plate("N", xs.shape[0], () => sample("y", new dist.Normal(np.add(a, np.multiply(b, xs)), 1), { obs: ys }));
  };
  const sx = x.reduce((s, v) => s + v, 0);
  const sxx = x.reduce((s, v) => s + v * v, 0);
  const H = [
    [x.length + 0.01, sx],
    [sx, sxx + 0.01],
  ];

  it("the precision is the analytic Hessian, and the fit finds the MAP with covariance H⁻¹", async () => {
    const guide = new AutoLaplaceApproximation(model);
    const svi = new SVI(model, guide, adam(exponentialDecay(0.1, 1000, 0.1)), new TraceELBO(), quiet);
    const { params } = await svi.run(random.key(0), 3000, np.array(x), np.array(y));
    expectClose(guide.precision(params), H, { rtol: 1e-4 });
    const sy = y.reduce((s, v) => s + v, 0);
    const sxy = x.reduce((s, v, i) => s + v * y[i], 0);
    const map = linalg.solve(np.array(H), np.array([sy, sxy]));
    expectClose(params.auto_loc, map, { atol: 2e-3 });
    const median = guide.median(params);
    expectClose(np.stack([median.a, median.b]), map, { atol: 2e-3 });
    const posterior = guide.getPosterior(params) as dist.MultivariateNormal;
    expectClose(posterior.covarianceMatrix, linalg.inv(np.array(H)), { rtol: 1e-3 });
  });
});

describe("initialization and exact initial losses", () => {
  it("AutoDiagonalNormal (test 27): the loss at init is log N(x | initLoc, 0.1) − log N(x | a, b)", () => {
    const k = random.splitList(random.key(0), 3);
    const aInit = np.add(np.exp(random.normal(k[0])), 1);
    const bInit = np.exp(random.normal(k[1]));
    const xInit = random.normal(k[2]);
    const model = () => {
      const a = param("a", aInit, { constraint: dist.constraints.greaterThan(1) });
      const b = param("b", bInit, { constraint: dist.constraints.positive });
      sample("x", new dist.Normal(a, b));
    };
    const auto = new AutoDiagonalNormal(model);
    const guide = substitute(auto, { _auto_latent: np.reshape(xInit, [1]) });
    const svi = new SVI(model, guide, adam(0.01), new TraceELBO(), quiet);
    const state = svi.init(random.key(1));
    const params = svi.getParams(state);
    expectClose(params.a, aInit, { rtol: 1e-5 });
    expectClose(params.b, bInit, { rtol: 1e-5 });
    const initLoc = auto.prototypeInfo.initLocs.x;
    expectClose(params.auto_loc, np.reshape(initLoc, [1]), { rtol: 1e-6 });
    expectClose(params.auto_scale, [0.1], { rtol: 1e-6 });
    const expected = np.subtract(new dist.Normal(initLoc, 0.1).logProb(xInit), new dist.Normal(aInit, bInit).logProb(xInit));
    expectClose(svi.evaluate(state), expected, { rtol: 1e-5 });
  });

  it("initLocFn sets the starting locs; AutoNormal's scales start at initScale", () => {
    const model = () => {
      sample("m", new dist.Normal(0, 1));
      sample("s", new dist.LogNormal(0, 1));
    };
    const guide = new AutoNormal(model, { initLocFn: initToValue({ m: 0.7, s: 2 }), initScale: 0.3 });
    const svi = new SVI(model, guide, adam(0.01), new TraceELBO(), quiet);
    const params = svi.getParams(svi.init(random.key(0)));
    expectClose(params.m_auto_loc, 0.7, { rtol: 1e-6 });
    expectClose(params.s_auto_loc, Math.log(2), { rtol: 1e-6 });
    expectClose(params.s_auto_scale, 0.3, { rtol: 1e-6 });
    expectClose(guide.median(params).s, 2, { rtol: 1e-5 });
  });

  it("TraceMeanFieldELBO uses the analytic KL with AutoNormal: its loss at init differs from TraceELBO's", () => {
    const model = () => sample("z", new dist.Normal(0, 1).expand([4]).toEvent(1));
    const guide = new AutoNormal(model, { initLocFn: initToValue({ z: np.full([4], 1.5) }) });
    const svi = new SVI(model, guide, adam(0.01), new TraceMeanFieldELBO(), quiet);
    const state = svi.init(random.key(0));
    // KL(N(1.5, 0.1) || N(0, 1)) per entry
    const kl = 4 * (Math.log(1 / 0.1) + (0.01 + 2.25) / 2 - 0.5);
    expectClose(svi.update(state)[1], kl, { rtol: 1e-5 });
    const sampled = new SVI(model, guide, adam(0.01), new TraceELBO(), quiet);
    expect(Math.abs(sampled.update(sampled.init(random.key(0)))[1].item() - kl)).toBeGreaterThan(1e-3);
  });
});

describe("logistic regression (test 25)", () => {
  const N = 3000;
  const X = random.normal(random.key(0), [N, 3]);
  const trueCoefs = np.array([1, 2, 3]);
  const labels = new dist.Bernoulli({ logits: np.sum(np.multiply(trueCoefs, X), -1) }).sample(random.key(1));
  const model = (data: NDArray, y: NDArray) => {
    const coefs = sample("coefs", new dist.Normal(0, 1).expand([3]).toEvent());
    const logits = deterministic("logits", np.sum(np.multiply(coefs, data), -1));
    plate("N", N, () => sample("obs", new dist.Bernoulli({ logits }), { obs: y }));
  };

  it("AutoNormal with TraceMeanFieldELBO: the analytic KL changes the initial loss by > 0.5; the median finds [1, 2, 3]", async () => {
    const guide = new AutoNormal(model);
    const svi = new SVI(model, guide, adam(0.01), new TraceMeanFieldELBO(), quiet);
    const state = svi.init(random.key(1), X, labels);
    const sampled = new SVI(model, guide, adam(0.01), new TraceELBO(), quiet);
    sampled.init(random.key(1), X, labels);
    expect(Math.abs(svi.update(state, X, labels)[1].item() - sampled.update(state, X, labels)[1].item())).toBeGreaterThan(0.5);
    const { params } = await svi.resume(state, 2000, X, labels);
    expectClose(guide.median(params).coefs, trueCoefs, { rtol: 0.1 });
    expectClose(np.take(guide.quantiles(params, [0.2, 0.5]).coefs, 1, 0), trueCoefs, { rtol: 0.1 });
  });
});

describe("plates, subsampling and deterministic sites", () => {
  it("AutoNormal gives each local latent of a subsampled plate its own params, fitted to its exact posterior", async () => {
    // z_i ~ N(0, 1), x_i ~ N(z_i, 1): posterior N(x_i / 2, 1/2), 20 points, subsamples of 5
    const xs = np.array(Array.from({ length: 20 }, (_, i) => 2 * Math.sin(i)));
    const model = (data: NDArray) =>
      plate("N", 20, { subsampleSize: 5 }, (idx) => {
        const z = sample("z", new dist.Normal(0, 1));
        sample("x", new dist.Normal(z, 1), { obs: np.take(data, idx) });
      });
    const guide = new AutoNormal(model);
    const svi = new SVI(model, guide, adam(exponentialDecay(0.05, 2000, 0.1)), new TraceELBO({ numParticles: 4 }), quiet);
    const { params } = await svi.run(random.key(0), 5000, xs);
    expect(params.z_auto_loc.shape).toEqual([20]);
    expectClose(params.z_auto_loc, np.divide(xs, 2), { atol: 0.06 });
    expectClose(params.z_auto_scale, np.full([20], Math.SQRT1_2), { atol: 0.06 });
  });

  it("AutoDiagonalNormal refuses local latent sites of a subsampled plate", () => {
    const model = () => plate("N", 10, { subsampleSize: 2 }, () => sample("z", new dist.Normal(0, 1)));
    const svi = new SVI(model, new AutoDiagonalNormal(model), adam(0.01), new TraceELBO(), quiet);
    expect(() => svi.init(random.key(0))).toThrow(/does not support local latent variables/);
  });

  it("median and samplePosterior include the model's deterministic sites", async () => {
    const model = () => {
      const a = sample("a", new dist.Normal(1, 0.5));
      deterministic("twice", np.multiply(2, a));
    };
    for (const guide of [new AutoNormal(model), new AutoDiagonalNormal(model), new AutoDelta(model)]) {
      const { params } = await new SVI(model, guide, adam(0.01), new TraceELBO(), quiet).run(random.key(0), 20);
      const med = guide.median(params);
      expectClose(med.twice, np.multiply(2, med.a), { rtol: 1e-6 });
      const draws = guide.samplePosterior(random.key(1), params, { sampleShape: [7] });
      expect(draws.twice.shape).toEqual([7]);
      expectClose(draws.twice, np.multiply(2, draws.a), { rtol: 1e-6 });
    }
  });

  it("reading a posterior before the guide has run is an error", () => {
    const guide = new AutoNormal(() => sample("a", new dist.Normal(0, 1)));
    expect(() => guide.median({} as Params)).toThrow(/has not been run yet/);
  });
});
