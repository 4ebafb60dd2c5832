/**
 * SVGD and its kernels (test 31 and 32 of the NumPyro notes, and Pyro's SVGD): kernel values
 * against NumPyro's oracles, one SVGD step against the update written out by hand, a
 * conjugate posterior, a bimodal mixture that mean-field ADVI collapses to one mode, a skewed
 * mixture whose density the particles match better than ADVI, softmax regression on iris
 * through Predictive, and the documentation example of NumPyro's SVGD.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { np, random, special, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { deterministic, plate, sample } from "../../src/handlers/index.js";
import {
  adagrad,
  adam,
  AutoNormal,
  EmpiricalPosterior,
  IMQKernel,
  LinearKernel,
  Predictive,
  RBFKernel,
  sgd,
  SVGD,
  SVI,
  TraceELBO,
  type SteinKernel,
} from "../../src/infer/index.js";
import { expectClose, flat } from "../helpers.js";

const quiet = { progressBar: false };

describe("kernels: NumPyro's values at particles (1,2), (10,5), (7,3), (2,-1) (test 31)", () => {
  const particles = np.array([
    [1, 2],
    [10, 5],
    [7, 3],
    [2, -1],
  ]);
  const [x, y] = [np.array([1, 2]), np.array([10, 5])];

  it("RBF: bandwidth median(all 16 distances)² / log 4, norm and vector modes", () => {
    expectClose(new RBFKernel().bandwidth(particles), 16.927037, { rtol: 1e-6 });
    expectClose(new RBFKernel().compute(particles)(x, y), 0.00490776, { rtol: 1e-5 });
    expectClose(new RBFKernel({ mode: "vector" }).compute(particles)(x, y), [0.00835209, 0.5876088], { rtol: 1e-5 });
  });

  it("RBF: a custom bandwidth factor scales h; one particle has bandwidth 1", () => {
    expectClose(new RBFKernel({ bandwidthFactor: () => 1 }).bandwidth(particles), 16.927037 * Math.log(4), { rtol: 1e-6 });
    expectClose(new RBFKernel().bandwidth(np.array([[1, 2]])), 1);
  });

  it("IMQ: (1 + ‖x−y‖²)^(−½), norm and vector modes", () => {
    expectClose(new IMQKernel().compute(particles)(x, y), 0.104828484, { rtol: 1e-6 });
    expectClose(new IMQKernel({ mode: "vector" }).compute(particles)(x, y), [0.11043153, 0.31622776], { rtol: 1e-6 });
  });

  it("linear: x·y + 1", () => {
    expectClose(new LinearKernel().compute(particles)(x, y), 21);
  });

  it("bad options are errors naming the kernel", () => {
    expect(() => new RBFKernel({ mode: "matrix" as never })).toThrow(/RBFKernel: mode must be 'norm' or 'vector', got 'matrix'/);
    expect(() => new IMQKernel({ expon: -1 })).toThrow(/IMQKernel: expon must be in \(-1, 0\)/);
    expect(() => new IMQKernel({ const: 0 })).toThrow(/IMQKernel: const must be positive/);
  });
});

/** The bandwidth of the RBF kernel written out: median of the n² distances, squared, over log n. */
function rbfBandwidth(xs: number[][]): number {
  const d = xs.flatMap((a) => xs.map((b) => Math.hypot(...a.map((v, k) => v - b[k])))).sort((p, q) => p - q);
  const m = d.length;
  return ((d[m / 2 - 1] + d[m / 2]) / 2) ** 2 / Math.log(xs.length);
}

describe("one SVGD step against φ(x_i) = (1/n) Σ_j [k(x_j, x_i) ∇log p(x_j) + ∇_{x_j} k(x_j, x_i)]", () => {
  // standard normal in 2-D: ∇log p(x) = −x; sgd(lr) moves each particle by lr·φ
  const model = () => {
    sample("z", new dist.Normal(0, 1).expand([2]).toEvent(1));
  };
  const lr = 0.1;

  /** φ from a kernel value and its gradient in its first argument, both per coordinate (a norm kernel repeats its value). */
  const direction = (xs: number[][], k: (a: number[], b: number[]) => number[], dk: (a: number[], b: number[]) => number[]) =>
    xs.map((xi) =>
      xi.map((_, d) => xs.reduce((acc, xj) => acc + k(xj, xi)[d] * -xj[d] + dk(xj, xi)[d], 0) / xs.length),
    );

  const cases: [string, SteinKernel, (xs: number[][]) => [(a: number[], b: number[]) => number[], (a: number[], b: number[]) => number[]]][] = [
    [
      "RBF (norm)",
      new RBFKernel(),
      (xs) => {
        const h = rbfBandwidth(xs);
        const k = (a: number[], b: number[]) => Math.exp(-a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0) / h);
        return [(a, b) => a.map(() => k(a, b)), (a, b) => a.map((v, i) => (-2 * (v - b[i]) * k(a, b)) / h)];
      },
    ],
    [
      "IMQ (vector)",
      new IMQKernel({ mode: "vector" }),
      () => [(a, b) => a.map((v, i) => (1 + (v - b[i]) ** 2) ** -0.5), (a, b) => a.map((v, i) => -(v - b[i]) * (1 + (v - b[i]) ** 2) ** -1.5)],
    ],
    ["linear", new LinearKernel(), () => [(a, b) => a.map(() => a.reduce((s, v, i) => s + v * b[i], 1)), (_a, b) => b]],
  ];

  for (const [name, kernel, written] of cases)
    it(`${name}: the particles move by lr·φ; the loss is their mean potential energy`, () => {
      const svgd = new SVGD(model, sgd(lr), { numParticles: 4, kernel });
      const state = svgd.init(random.key(3));
      const before = svgd.getParams(state).z;
      const xs = before.toArray() as number[][];
      const [next, loss] = svgd.update(state);
      const phi = direction(xs, ...written(xs));
      expectClose(svgd.getParams(next).z, xs.map((x, i) => x.map((v, d) => v + lr * phi[i][d])), { rtol: 1e-5, atol: 1e-6 });
      const meanPotential = xs.reduce((s, x) => s + 0.5 * (x[0] ** 2 + x[1] ** 2) + Math.log(2 * Math.PI), 0) / xs.length;
      expectClose(loss, meanPotential, { rtol: 1e-5 });
    });

  it("compiled and eager steps agree", async () => {
    const fit = (jit: boolean) => new SVGD(model, adagrad(0.5), { numParticles: 5, jit, ...quiet }).run(random.key(4), 20);
    const [a, b] = [await fit(true), await fit(false)];
    expectClose(a.params.z, b.params.z, { rtol: 1e-4, atol: 1e-5 });
    expectClose(a.losses, b.losses, { rtol: 1e-4, atol: 1e-5 });
  });
});

describe("SVGD posteriors", () => {
  it("Normal–Normal: the particles' mean and variance match the conjugate posterior", async () => {
    const y = np.array([0.8, 1.9, 1.2, 0.3, 1.5, 2.2, 0.9, 1.1, 1.7, 0.6]);
    const model = (obs: NDArray) => {
      const mu = sample("mu", new dist.Normal(0, 1));
      plate("N", obs.shape[0], () => sample("obs", new dist.Normal(mu, 1), { obs }));
    };
    const svgd = new SVGD(model, adagrad(0.5), { numParticles: 100, ...quiet });
    const { params, losses } = await svgd.run(random.key(0), 500, y);
    expect(losses.shape).toEqual([500]);
    const posterior = new EmpiricalPosterior(svgd.getPosteriorSamples(params));
    const n = 10;
    const sum = flat(y).reduce((a, b) => a + b, 0);
    expectClose(posterior.mean.mu, sum / (n + 1), { atol: 0.02 });
    expectClose(posterior.variance.mu, 1 / (n + 1), { rtol: 0.15 });
  });

  it("a bimodal mixture: SVGD keeps particles in both modes, mean-field ADVI sits in one", async () => {
    const mixture = new dist.MixtureSameFamily(new dist.Categorical(np.array([0.35, 0.65])), new dist.Normal(np.array([-1.5, 1.5]), 0.4));
    const model = () => {
      sample("x", mixture);
    };
    const svgd = new SVGD(model, adagrad(0.5), { numParticles: 100, ...quiet });
    const xs = flat(svgd.getPosteriorSamples((await svgd.run(random.key(0), 500)).params).x);
    const nearMode = (m: number) => xs.filter((v) => Math.abs(v - m) < 3 * 0.4).length;
    expect(nearMode(-1.5)).toBeGreaterThanOrEqual(10);
    expect(nearMode(1.5)).toBeGreaterThanOrEqual(10);
    expect(nearMode(-1.5) + nearMode(1.5)).toBeGreaterThanOrEqual(90);

    const guide = new AutoNormal(model);
    const { params } = await new SVI(model, guide, adam(0.05), new TraceELBO(), quiet).run(random.key(1), 2000);
    // the Normal sits on one mode: under 1% of its mass lies on the other side of 0
    const [loc, scale] = [params.x_auto_loc.item(), params.x_auto_scale.item()];
    expect(Math.min(Math.abs(loc - 1.5), Math.abs(loc + 1.5))).toBeLessThan(0.5);
    expect(new dist.Normal(0, 1).cdf(-Math.abs(loc) / scale).item()).toBeLessThan(0.01);
  });

  it("the VI quickstart mixture (0.2·N(0.3, 0.1) + 0.8·N(0.5, 0.1)): the particles' KDE is closer in L1 than ADVI's Normal", async () => {
    const mixture = new dist.MixtureSameFamily(new dist.Categorical(np.array([0.2, 0.8])), new dist.Normal(np.array([0.3, 0.5]), 0.1));
    const model = () => {
      sample("x", mixture);
    };
    const grid = np.linspace(-0.2, 1.0, 241);
    const l1 = (density: NDArray) => np.sum(np.abs(np.subtract(density, np.exp(mixture.logProb(grid))))).item() * (1.2 / 240);

    const n = 100;
    const svgd = new SVGD(model, adagrad(0.5), { numParticles: n, ...quiet });
    const xs = svgd.getPosteriorSamples((await svgd.run(random.key(0), 500)).params).x;
    const bandwidth = 1.06 * np.std(xs).item() * n ** -0.2; // Silverman's rule
    const kde = np.mean(np.exp(new dist.Normal(xs, bandwidth).logProb(np.expandDims(grid, 1))), 1);

    const guide = new AutoNormal(model);
    const { params } = await new SVI(model, guide, adam(0.01), new TraceELBO(), quiet).run(random.key(1), 3000);
    const advi = np.exp(new dist.Normal(params.x_auto_loc, params.x_auto_scale).logProb(grid));
    expect(l1(kde)).toBeLessThan(l1(advi));
  });

  it("softmax regression on iris: held-out accuracy >= 0.9 through Predictive", async () => {
    const rows = readFileSync(new URL("../../../shared/data/iris.csv", import.meta.url), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(",").map(Number));
    // rows are grouped by species: every fifth row is held out (10 per species)
    const train = rows.filter((_, i) => i % 5 !== 0);
    const test = rows.filter((_, i) => i % 5 === 0);
    const mean = [0, 1, 2, 3].map((j) => train.reduce((a, r) => a + r[j], 0) / train.length);
    const sd = [0, 1, 2, 3].map((j) => Math.sqrt(train.reduce((a, r) => a + (r[j] - mean[j]) ** 2, 0) / train.length));
    const features = (rs: number[][]) => np.array(rs.map((r) => r.slice(0, 4).map((v, j) => (v - mean[j]) / sd[j])));
    const labels = (rs: number[][]) => np.array(rs.map((r) => r[4]), "int32");

    const model = (X: NDArray, y?: NDArray) => {
      const w = sample("w", new dist.Normal(0, 1).expand([4, 3]).toEvent(2));
      const b = sample("b", new dist.Normal(0, 1).expand([3]).toEvent(1));
      const logits = deterministic("logits", np.add(np.matmul(X, w), b));
      plate("N", X.shape[0], () => sample("y", new dist.Categorical({ logits }), { obs: y }));
    };
    const svgd = new SVGD(model, adagrad(0.5), { numParticles: 50, ...quiet });
    const { params } = await svgd.run(random.key(0), 300, features(train), labels(train));
    const posterior = svgd.getPosteriorSamples(params);
    expect(posterior.w.shape).toEqual([50, 4, 3]);
    expect(posterior.logits.shape).toEqual([50, 120, 3]);

    // the deterministic `logits` (of the training rows) are recomputed for the test rows
    const predicted = new Predictive(model, { posteriorSamples: posterior }).call(random.key(1), features(test));
    expect(predicted.y.shape).toEqual([50, 30]);
    const logits = predicted.logits;
    expect(logits.shape).toEqual([50, 30, 3]);
    const probs = np.mean(np.exp(np.subtract(logits, special.logsumexp(logits, -1, true))), 0);
    const correct = flat(np.equal(np.argmax(probs, -1), labels(test))).reduce((a, b) => a + b, 0);
    expect(correct / 30).toBeGreaterThanOrEqual(0.9);
  });

  it("NumPyro's example: Beta(10, 10) prior, 6 of 10, Adagrad(0.05), 2 particles, 200 steps; constrained particles, Predictive runs", async () => {
    const data = np.array([1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
    const model = (obs?: NDArray) => {
      const f = sample("fairness", new dist.Beta(10, 10));
      plate("N", obs === undefined ? 1 : obs.shape[0], () => sample("obs", new dist.Bernoulli(f), { obs }));
    };
    const svgd = new SVGD(model, adagrad(0.05), { numParticles: 2, ...quiet });
    const { params } = await svgd.run(random.key(0), 200, data);
    const fairness = svgd.getPosteriorSamples(params).fairness;
    expect(fairness.shape).toEqual([2]);
    for (const v of flat(fairness)) expect(v > 0.3 && v < 0.8).toBe(true);
    const predicted = new Predictive(model, { posteriorSamples: { fairness } }).call(random.key(1));
    expect(predicted.obs.shape).toEqual([2, 1]);
  });
});

describe("SVGD errors", () => {
  const model = () => {
    sample("x", new dist.Normal(0, 1));
  };

  it("too few particles, steps before init, a bad number of steps, a model without latent sites", async () => {
    expect(() => new SVGD(model, adagrad(0.1), { numParticles: 1 })).toThrow(/SVGD: numParticles must be an integer >= 2, got 1/);
    const svgd = new SVGD(model, adagrad(0.1), { numParticles: 3 });
    expect(() => svgd.getParams(null as never)).toThrow(/SVGD.getParams: call init \(or run\) first/);
    await expect(svgd.run(random.key(0), 0)).rejects.toThrow(/SVGD: numSteps must be a positive integer, got 0/);
    const observedOnly = () => {
      sample("y", new dist.Normal(0, 1), { obs: np.array(0.5) });
    };
    expect(() => new SVGD(observedOnly, adagrad(0.1)).init(random.key(0))).toThrow(/SVGD: the model has no latent sample sites/);
  });
});
