/**
 * Finite mixtures: log densities against the explicit weighted sums, moments by the law of
 * total variance, cdfs, draws at fixed keys, batch and event shapes, discrete and
 * multivariate components, gradients, and construction errors.
 */
import { describe, expect, it } from "vitest";
import { grad, jit, np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { mismatches } from "./reference.js";

const flat = (x: NDArray) => Array.from(x.dataSync(), Number);
const normalPdf = (x: number, m: number, s: number) => Math.exp(-0.5 * ((x - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
/** The normal cdf by Simpson's rule on the density from 12 standard deviations below (2000 panels). */
const normalCdf = (x: number, m: number, s: number) => {
  const lo = m - 12 * s;
  const n = 2000;
  const h = (x - lo) / n;
  let acc = normalPdf(lo, m, s) + normalPdf(x, m, s);
  for (let i = 1; i < n; i++) acc += (i % 2 ? 4 : 2) * normalPdf(lo + i * h, m, s);
  return (acc * h) / 3;
};

const w = [0.3, 0.7];
const locs = [-1, 2];
const scales = [0.5, 1];
const xs = [-2, -1, 0, 0.5, 2, 4];

describe("a two-component normal mixture", () => {
  // the one line:
  const mix = new dist.MixtureSameFamily(new dist.Categorical(w), new dist.Normal(locs, scales));

  it("has scalar batch and event shapes and logProb = log Σ w_k N(x; μ_k, σ_k)", () => {
    expect(mix.batchShape).toEqual([]);
    expect(mix.eventShape).toEqual([]);
    expect(mix.mixtureSize).toBe(2);
    const want = xs.map((x) => Math.log(w[0] * normalPdf(x, locs[0], scales[0]) + w[1] * normalPdf(x, locs[1], scales[1])));
    expect(mismatches(mix.logProb(xs).dataSync(), want)).toEqual([]);
  });
  it("mean Σ w μ and variance by the law of total variance", () => {
    const mean = w[0] * locs[0] + w[1] * locs[1];
    const second = w.reduce((s, wk, k) => s + wk * (scales[k] ** 2 + locs[k] ** 2), 0);
    expect(mix.mean.item()).toBeCloseTo(mean, 6);
    expect(mix.variance.item()).toBeCloseTo(second - mean * mean, 5);
  });
  it("cdf = Σ w F_k", () => {
    const want = xs.map((x) => w[0] * normalCdf(x, locs[0], scales[0]) + w[1] * normalCdf(x, locs[1], scales[1]));
    expect(mismatches(mix.cdf(xs).dataSync(), want, 1e-5, 1e-6)).toEqual([]);
  });
  it("draws at a fixed key have the mixture's mean, variance and component weights", () => {
    const N = 20000;
    const x = mix.sample(random.key(0), [N]);
    expect(x.shape).toEqual([N]);
    const v = flat(x);
    const m = v.reduce((s, t) => s + t, 0) / N;
    const variance = mix.variance.item();
    expect(Math.abs(m - mix.mean.item())).toBeLessThan(5 * Math.sqrt(variance / N));
    // draws below 0.5 come almost only from the first component: their share is about w_0 Φ((0.5 + 1)/0.5) + w_1 Φ(−1.5)
    const share = v.filter((t) => t < 0.5).length / N;
    const p = w[0] * normalCdf(0.5, -1, 0.5) + w[1] * normalCdf(0.5, 2, 1);
    expect(Math.abs(share - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / N));
  });
  it("MixtureGeneral with the same components and the Mixture factory agree with it", () => {
    const general = new dist.MixtureGeneral(new dist.Categorical(w), [new dist.Normal(-1, 0.5), new dist.Normal(2, 1)]);
    expect(mismatches(general.logProb(xs).dataSync(), flat(mix.logProb(xs)))).toEqual([]);
    expect(general.mean.item()).toBeCloseTo(mix.mean.item(), 6);
    expect(general.variance.item()).toBeCloseTo(mix.variance.item(), 5);
    expect(mismatches(general.cdf(xs).dataSync(), flat(mix.cdf(xs)))).toEqual([]);
    const g = general.sample(random.key(1), [20000]);
    expect(Math.abs(np.mean(g).item() - mix.mean.item())).toBeLessThan(5 * Math.sqrt(mix.variance.item() / 20000));
    expect(dist.Mixture(new dist.Categorical(w), new dist.Normal(locs, scales))).toBeInstanceOf(dist.MixtureSameFamily);
    expect(dist.Mixture(new dist.Categorical(w), [new dist.Normal(0, 1), new dist.Normal(1, 1)])).toBeInstanceOf(dist.MixtureGeneral);
  });
  it("mixing by logits is the same mixture", () => {
    const byLogits = new dist.MixtureSameFamily(new dist.Categorical({ logits: [0, Math.log(7 / 3)] }), new dist.Normal(locs, scales));
    expect(mismatches(byLogits.logProb(xs).dataSync(), flat(mix.logProb(xs)))).toEqual([]);
  });
  it("the log density differentiates in the weights and the component parameters, and jits", () => {
    const f = (logits: NDArray, loc: NDArray) => new dist.MixtureSameFamily(new dist.Categorical({ logits }), new dist.Normal(loc, scales)).logProb(0.5);
    const [gl, gm] = grad(f, { argnums: [0, 1] })(np.array([0, 1]), np.array(locs)) as NDArray[];
    // d/dμ_k = r_k (x − μ_k)/σ_k² and d/dlogit_k = r_k − w_k, r the responsibilities
    const wk = [1, Math.E].map((e) => e / (1 + Math.E));
    const dens = [0, 1].map((k) => wk[k] * normalPdf(0.5, locs[k], scales[k]));
    const r = dens.map((d) => d / (dens[0] + dens[1]));
    expect(mismatches(gm.dataSync(), [0, 1].map((k) => (r[k] * (0.5 - locs[k])) / scales[k] ** 2))).toEqual([]);
    expect(mismatches(gl.dataSync(), [0, 1].map((k) => r[k] - wk[k]))).toEqual([]);
    expect(jit(f)(np.array([0, 1]), np.array(locs)).item()).toBeCloseTo(f(np.array([0, 1]), np.array(locs)).item(), 5);
  });
});

describe("batch and event shapes", () => {
  it("a batch of mixtures: component batch [B, K], mixing batch [B]", () => {
    const mix = new dist.MixtureSameFamily(
      new dist.Categorical([
        [0.5, 0.5],
        [0.9, 0.1],
        [0.1, 0.9],
      ]),
      new dist.Normal([
        [0, 10],
        [0, 10],
        [0, 10],
      ], 1),
    );
    expect(mix.batchShape).toEqual([3]);
    expect(mix.logProb(0).shape).toEqual([3]);
    expect(mix.logProb(np.zeros([4, 3])).shape).toEqual([4, 3]);
    expect(mismatches(mix.mean.dataSync(), [5, 1, 9])).toEqual([]);
    const x = mix.sample(random.key(2), [4000]);
    expect(x.shape).toEqual([4000, 3]);
    const m = flat(np.mean(x, 0));
    [5, 1, 9].forEach((mu, j) => expect(Math.abs(m[j] - mu)).toBeLessThan(5 * Math.sqrt(flat(mix.variance)[j] / 4000)));
  });
  it("multivariate normal components: event shape [n], logsumexp over components", () => {
    const mix = new dist.MixtureSameFamily(new dist.Categorical([0.25, 0.75]), new dist.MultivariateNormal([[0, 0], [3, 3]], [[1, 0.5], [0.5, 1]]));
    expect(mix.batchShape).toEqual([]);
    expect(mix.eventShape).toEqual([2]);
    const x = [
      [0, 0],
      [3, 3],
      [1, 2],
    ];
    const a = flat(new dist.MultivariateNormal([0, 0], [[1, 0.5], [0.5, 1]]).logProb(x));
    const b = flat(new dist.MultivariateNormal([3, 3], [[1, 0.5], [0.5, 1]]).logProb(x));
    expect(mismatches(mix.logProb(x).dataSync(), a.map((ai, i) => Math.log(0.25 * Math.exp(ai) + 0.75 * Math.exp(b[i]))))).toEqual([]);
    expect(mismatches(mix.mean.dataSync(), [2.25, 2.25])).toEqual([]);
    // within 1 + between 0.25·0.75·9
    expect(mismatches(mix.variance.dataSync(), [1 + 0.1875 * 9, 1 + 0.1875 * 9])).toEqual([]);
    const s = mix.sample(random.key(3), [5000]);
    expect(s.shape).toEqual([5000, 2]);
    const m = flat(np.mean(s, 0));
    m.forEach((v) => expect(Math.abs(v - 2.25)).toBeLessThan(5 * Math.sqrt(2.6875 / 5000)));
  });
  it("discrete components: a Poisson mixture is discrete and sums to 1", () => {
    const mix = new dist.MixtureGeneral(new dist.Categorical([0.4, 0.6]), [new dist.Poisson(1), new dist.Poisson(8)]);
    expect(mix.support.isDiscrete).toBe(true);
    expect(np.sum(np.exp(mix.logProb(np.arange(0, 60)))).item()).toBeCloseTo(1, 5);
    expect(mix.logProb(1.5).item()).toBe(-Infinity);
    expect(mix.mean.item()).toBeCloseTo(0.4 + 4.8, 5);
    const x = mix.sample(random.key(4), [20000]);
    expect(Math.abs(np.mean(np.astype(x, "float32")).item() - 5.2)).toBeLessThan(5 * Math.sqrt(mix.variance.item() / 20000));
  });
});

describe("construction errors", () => {
  it("the mixing distribution must be a Categorical", () => {
    expect(() => new dist.MixtureSameFamily(new dist.Bernoulli(0.5) as any, new dist.Normal([0, 1], 1))).toThrow(/MixtureSameFamily: the mixing distribution must be a Categorical, got Bernoulli/);
  });
  it("the component batch must end in the mixture size", () => {
    expect(() => new dist.MixtureSameFamily(new dist.Categorical([0.2, 0.3, 0.5]), new dist.Normal([0, 1], 1))).toThrow(/rightmost batch dimension must be the mixture size 3, got batch shape \[2\]/);
  });
  it("MixtureGeneral needs one component per category with one event shape", () => {
    expect(() => new dist.MixtureGeneral(new dist.Categorical([0.5, 0.5]), [new dist.Normal(0, 1)])).toThrow(/expected 2 component distributions \(the mixture size\), got 1/);
    expect(() => new dist.MixtureGeneral(new dist.Categorical([0.5, 0.5]), [new dist.Normal(0, 1), new dist.Dirichlet([1, 1])])).toThrow(/all components must have the same event shape/);
  });
});
