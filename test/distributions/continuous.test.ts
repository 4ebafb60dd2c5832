/**
 * Continuous distributions: log_prob, cdf, icdf, mean, variance and entropy against the SciPy
 * reference (with the README's tolerance rules), batched parameters, sampling (moments and a
 * Kolmogorov–Smirnov test at fixed keys), reparameterized gradients against finite
 * differences, values outside the support, parameter validation, and the structural
 * distributions (TransformedDistribution, TruncatedDistribution, Delta, Unit, ImproperUniform).
 */
import { describe, expect, it } from "vitest";
import { grad, jit, np, random, vmap, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { expectClose, withX64 } from "../helpers.js";
import { close, describeRefPoints, refPoints, type RefPoint } from "./reference.js";

type Params = Record<string, unknown>;
type Factory = (p: Params) => dist.Distribution;

/** ±Infinity for the reference's null bounds. */
const bound = (v: unknown, inf: number) => (v === null || v === undefined ? inf : (v as number));

const P = (p: Params, k: string) => p[k] as number;

/** Every continuous distribution of the reference set, built from a reference parameter point. */
const FACTORIES: Record<string, Factory> = {
  HalfNormal: (p) => new dist.HalfNormal(P(p, "scale")),
  LogNormal: (p) => new dist.LogNormal(P(p, "loc"), P(p, "scale")),
  StudentT: (p) => new dist.StudentT(P(p, "df"), P(p, "loc"), P(p, "scale")),
  Cauchy: (p) => new dist.Cauchy(P(p, "loc"), P(p, "scale")),
  HalfCauchy: (p) => new dist.HalfCauchy(P(p, "scale")),
  Laplace: (p) => new dist.Laplace(P(p, "loc"), P(p, "scale")),
  Logistic: (p) => new dist.Logistic(P(p, "loc"), P(p, "scale")),
  Uniform: (p) => new dist.Uniform(P(p, "low"), P(p, "high")),
  Exponential: (p) => new dist.Exponential(P(p, "rate")),
  Gamma: (p) => new dist.Gamma(P(p, "concentration"), P(p, "rate")),
  InverseGamma: (p) => new dist.InverseGamma(P(p, "concentration"), P(p, "rate")),
  Beta: (p) => new dist.Beta(P(p, "concentration1"), P(p, "concentration0")),
  Chi2: (p) => new dist.Chi2(P(p, "df")),
  Weibull: (p) => new dist.Weibull(P(p, "scale"), P(p, "concentration")),
  Pareto: (p) => new dist.Pareto(P(p, "scale"), P(p, "alpha")),
  Gumbel: (p) => new dist.Gumbel(P(p, "loc"), P(p, "scale")),
  VonMises: (p) => new dist.VonMises(P(p, "loc"), P(p, "concentration")),
  TruncatedNormal: (p) => new dist.TruncatedNormal(P(p, "loc"), P(p, "scale"), p.low as number | null, p.high as number | null),
};

/**
 * Indices where `got` misses `ref` at the README's default tolerance (rtol 1e-5, atol 1e-6).
 * Every point of the public set meets it, so none of the README's looser rules (deep tails,
 * heavy-tailed quantiles, cancellation points) is applied.
 */
function misses(got: ArrayLike<number>, ref: readonly number[]): string[] {
  const out: string[] = [];
  ref.forEach((r, i) => {
    if (!close(got[i], r)) out.push(`#${i}: got ${got[i]}, ref ${r}`);
  });
  return out;
}

/** A reference moment: a number must match; null (NaN or infinite) must be non-finite. */
function checkMoment(got: number, ref: unknown): string[] {
  if (ref === null) return Number.isFinite(got) ? [`got ${got}, ref undefined (NaN/inf)`] : [];
  return close(got, ref as number) ? [] : [`got ${got}, ref ${ref}`];
}

describeRefPoints("against the SciPy reference", FACTORIES, (d, p) => {
  const values = p.values as number[];
  expect(misses(d.logProb(values).dataSync(), p.log_prob), "log_prob").toEqual([]);
  if (p.cdf) expect(misses(d.cdf(values).dataSync(), p.cdf), "cdf").toEqual([]);
  if (p.icdf) expect(misses(d.icdf(p.icdf.q).dataSync(), p.icdf.x), "icdf").toEqual([]);
  expect(checkMoment(d.mean.item(), p.mean), "mean").toEqual([]);
  expect(checkMoment(d.variance.item(), p.variance), "variance").toEqual([]);
  if (p.entropy !== null) expect(checkMoment(d.entropy().item(), p.entropy), "entropy").toEqual([]);
});

/** The parameters of all reference points of a distribution as arrays (null bounds as ±Infinity). */
function batchedParams(points: RefPoint[]): Params {
  const out: Params = {};
  for (const k of Object.keys(points[0].params)) out[k] = np.array(points.map((p) => bound(p.params[k], k === "low" ? -Infinity : Infinity)));
  return out;
}

describe("one batched call per distribution matches the points one by one", () => {
  const make: Record<string, (p: Params) => dist.Distribution> = {
    ...FACTORIES,
    TruncatedNormal: (p) => new dist.TruncatedNormal(p.loc as NDArray, p.scale as NDArray, p.low as NDArray, p.high as NDArray),
  };
  for (const [name, factory] of Object.entries(make)) {
    it(name, () => {
      const points = refPoints(name);
      const d = factory(batchedParams(points) as Params);
      expect(d.batchShape).toEqual([points.length]);
      const k = Math.min(...points.map((p) => p.values.length));
      // values[i][j] is value i of point j: shape [k, points]
      const values = np.array(Array.from({ length: k }, (_, i) => points.map((p) => p.values[i] as number)));
      const lp = d.logProb(values);
      expect(lp.shape).toEqual([k, points.length]);
      const single = points.map((p) => FACTORIES[name](p.params));
      const expected = Array.from({ length: k }, (_, i) => single.map((s, j) => s.logProb(points[j].values[i] as number).item()));
      expectClose(lp, expected, { rtol: 1e-5, atol: 1e-6 });
      expect(d.mean.shape).toEqual([points.length]);
      expect(d.variance.shape).toEqual([points.length]);
      expectClose(d.entropy(), single.map((s) => s.entropy().item()), { rtol: 1e-5, atol: 1e-6 });
    });
  }
});

// ---- sampling -------------------------------------------------------------------------------

/** Kolmogorov–Smirnov statistic of `sample` against `cdf` (evaluated at the sorted sample). */
function ksStatistic(sample: ArrayLike<number>, cdf: (x: NDArray) => NDArray): number {
  const xs = Array.from(sample).sort((a, b) => a - b);
  const F = cdf(np.array(xs)).dataSync();
  const n = xs.length;
  let d = 0;
  for (let i = 0; i < n; i++) d = Math.max(d, F[i] - i / n, (i + 1) / n - F[i]);
  return d;
}

/** The KS critical value at alpha = 0.001 for n draws (asymptotic: √(−ln(α/2)/2)/√n). */
const ksCritical = (n: number) => Math.sqrt(-Math.log(0.0005) / 2) / Math.sqrt(n);

interface SampleCase {
  name: string;
  make: () => dist.Distribution;
  /** The kurtosis E[(x − μ)⁴]/σ⁴ (sets the standard error of the sample variance); omitted where the variance is infinite. */
  kurtosis?: number;
}

const SAMPLE_CASES: SampleCase[] = [
  { name: "HalfNormal(2)", make: () => new dist.HalfNormal(2), kurtosis: 3.87 },
  { name: "LogNormal(0.5, 0.5)", make: () => new dist.LogNormal(0.5, 0.5), kurtosis: 8.9 },
  { name: "StudentT(10, 1, 2)", make: () => new dist.StudentT(10, 1, 2), kurtosis: 4 },
  { name: "StudentT(1.5, 0, 1)", make: () => new dist.StudentT(1.5, 0, 1) },
  { name: "Cauchy(-1, 0.5)", make: () => new dist.Cauchy(-1, 0.5) },
  { name: "HalfCauchy(3)", make: () => new dist.HalfCauchy(3) },
  { name: "Laplace(1, 2)", make: () => new dist.Laplace(1, 2), kurtosis: 6 },
  { name: "Logistic(-2, 0.7)", make: () => new dist.Logistic(-2, 0.7), kurtosis: 4.2 },
  { name: "Uniform(-1, 3)", make: () => new dist.Uniform(-1, 3), kurtosis: 1.8 },
  { name: "LogUniform(1, 100)", make: () => new dist.LogUniform(1, 100), kurtosis: 3 },
  { name: "Exponential(2.5)", make: () => new dist.Exponential(2.5), kurtosis: 9 },
  { name: "Gamma(3, 2)", make: () => new dist.Gamma(3, 2), kurtosis: 5 },
  { name: "Gamma(0.3, 1)", make: () => new dist.Gamma(0.3, 1), kurtosis: 23 },
  { name: "Chi2(4)", make: () => new dist.Chi2(4), kurtosis: 6 },
  { name: "InverseGamma(10, 3)", make: () => new dist.InverseGamma(10, 3), kurtosis: 8.6 },
  { name: "Beta(2, 3)", make: () => new dist.Beta(2, 3), kurtosis: 2.36 },
  { name: "Beta(0.2, 0.5)", make: () => new dist.Beta(0.2, 0.5), kurtosis: 3 },
  { name: "Weibull(2, 1.5)", make: () => new dist.Weibull(2, 1.5), kurtosis: 3.4 },
  { name: "Pareto(1, 10)", make: () => new dist.Pareto(1, 10), kurtosis: 17.8 },
  { name: "Gumbel(1, 2)", make: () => new dist.Gumbel(1, 2), kurtosis: 5.4 },
  { name: "TruncatedNormal(1, 2, 0, 3)", make: () => new dist.TruncatedNormal(1, 2, 0, 3), kurtosis: 3 },
  { name: "TruncatedNormal(0, 1, 4, null)", make: () => new dist.TruncatedNormal(0, 1, 4, null), kurtosis: 9 },
  { name: "AsymmetricLaplace(0.5, 1, 2)", make: () => new dist.AsymmetricLaplace(0.5, 1, 2), kurtosis: 9 },
  { name: "TruncatedDistribution(Gamma(2), [1, 4])", make: () => new dist.TruncatedDistribution(new dist.Gamma(2), { low: 1, high: 4 }) },
  { name: "TruncatedDistribution(Logistic(0, 1), [6, ∞))", make: () => new dist.TruncatedDistribution(new dist.Logistic(0, 1), { low: 6 }) },
];

describe("sampling at fixed keys: moments within 5 standard errors and a KS test (alpha 0.001)", () => {
  const n = 10000;
  SAMPLE_CASES.forEach((c, k) => {
    it(c.name, () => {
      const d = c.make();
      const x = d.sample(random.key(100 + k), [n]);
      expect(x.shape).toEqual([n]);
      const data = Array.from(x.dataSync());
      expect(data.every(Number.isFinite)).toBe(true);
      expect(Array.from(d.support.check(x).dataSync()).every((b) => b === 1)).toBe(true);
      if (c.kurtosis !== undefined) {
        const mu = d.mean.item();
        const v = d.variance.item();
        const m = data.reduce((a, b) => a + b, 0) / n;
        const s2 = data.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1);
        expect(Math.abs(m - mu), "mean").toBeLessThan(5 * Math.sqrt(v / n));
        expect(Math.abs(s2 - v), "variance").toBeLessThan(5 * v * Math.sqrt((c.kurtosis - 1) / n));
      }
      expect(ksStatistic(data, (v) => d.cdf(v))).toBeLessThan(ksCritical(n));
    });
  });

  it("VonMises(2.5, 3): circular moments and a KS test against the numerically integrated density", () => {
    const d = new dist.VonMises(2.5, 3);
    const x = d.sample(random.key(7), [n]);
    const data = Array.from(x.dataSync());
    expect(data.every((v) => v >= -Math.PI && v < Math.PI)).toBe(true);
    // E cos(x − loc) = I1/I0 = 1 − circular variance
    const meanCos = data.reduce((a, v) => a + Math.cos(v - 2.5), 0) / n;
    expect(Math.abs(meanCos - (1 - d.variance.item()))).toBeLessThan(5 / Math.sqrt(n));
    // cdf on [−π, π] by the trapezoid rule on a fine grid of the density
    const grid = 20001;
    const xs = Array.from({ length: grid }, (_, i) => -Math.PI + (2 * Math.PI * i) / (grid - 1));
    const pdf = Array.from(np.exp(d.logProb(xs)).dataSync());
    const cum = [0];
    for (let i = 1; i < grid; i++) cum.push(cum[i - 1] + ((pdf[i] + pdf[i - 1]) / 2) * (xs[i] - xs[i - 1]));
    const cdf = (v: NDArray) => np.array(Array.from(v.dataSync(), (t) => cum[Math.min(grid - 1, Math.round(((t + Math.PI) / (2 * Math.PI)) * (grid - 1)))]));
    expect(Math.abs(cum[grid - 1] - 1)).toBeLessThan(1e-4);
    expect(ksStatistic(data, cdf)).toBeLessThan(ksCritical(n));
  });

  it("VonMises samples under jit and vmap, for tiny and huge concentrations", () => {
    const f = jit((k: NDArray, c: NDArray) => new dist.VonMises(0, c).sample(k, [2000]));
    const x = f(random.key(3), np.array([1e-4, 1e4]));
    expect(x.shape).toEqual([2000, 2]);
    const col = (j: number) => Array.from(x.dataSync()).filter((_, i) => i % 2 === j);
    // κ = 1e4: tightly around 0 (sd ≈ 0.01); κ = 1e-4: close to uniform (mean cos ≈ 0)
    expect(Math.max(...col(1).map(Math.abs))).toBeLessThan(0.06);
    expect(Math.abs(col(0).reduce((a, v) => a + Math.cos(v), 0) / 2000)).toBeLessThan(0.12);
    const g = vmap((c: NDArray) => new dist.VonMises(1, c).sample(random.key(4), [10]));
    expect(g(np.array([0.5, 2, 8])).shape).toEqual([3, 10]);
  });

  it("batched parameters give independent columns with their own moments", () => {
    const d = new dist.Gamma(np.array([1, 4, 9]), np.array([1, 2, 3]));
    const x = d.sample(random.key(11), [4000]);
    expect(x.shape).toEqual([4000, 3]);
    expectClose(np.mean(x, 0), d.mean, { rtol: 0.06 });
  });

  it("GaussianRandomWalk draws have variance scale²·k at step k", () => {
    const d = new dist.GaussianRandomWalk(0.5, 4);
    const x = d.sample(random.key(12), [20000]);
    expect(x.shape).toEqual([20000, 4]);
    expectClose(np.variance(x, 0), [0.25, 0.5, 0.75, 1], { rtol: 0.05 });
    expectClose(np.mean(x, 0), [0, 0, 0, 0], { atol: 0.05 });
  });
});

// ---- reparameterized gradients --------------------------------------------------------------

/** d draw / d θ by autodiff and by central differences of θ ↦ draw at the same key (float64). */
function checkSampleGrad(make: (theta: NDArray) => dist.Distribution, theta: number, rtol = 1e-5, h = 1e-6): void {
  withX64(() => {
    const key = random.key(21);
    const f = (t: NDArray) => make(t).sample(key, [6]);
    const g = jacobianOfDraws(f, theta);
    const up = f(np.array(theta + h)).dataSync();
    const down = f(np.array(theta - h)).dataSync();
    const fd = Array.from(up, (u, i) => (u - down[i]) / (2 * h));
    expectClose(g, fd, { rtol, atol: 1e-7 });
  });
}

/** d x_i / d θ for each draw, by reverse mode through each draw. */
function jacobianOfDraws(f: (t: NDArray) => NDArray, theta: number): number[] {
  const n = f(np.array(theta)).size;
  return Array.from({ length: n }, (_, i) => grad((t: NDArray) => np.take(f(t), i))(np.array(theta)).item());
}

describe("reparameterized draws: autodiff matches finite differences", () => {
  const cases: [string, (t: NDArray) => dist.Distribution, number][] = [
    ["Laplace: d/d loc", (t) => new dist.Laplace(t, 2), 0.3],
    ["Laplace: d/d scale", (t) => new dist.Laplace(0.3, t), 2],
    ["Logistic: d/d scale", (t) => new dist.Logistic(1, t), 0.7],
    ["Gumbel: d/d scale", (t) => new dist.Gumbel(1, t), 1.5],
    ["Cauchy: d/d loc", (t) => new dist.Cauchy(t, 1), -1],
    ["HalfNormal: d/d scale", (t) => new dist.HalfNormal(t), 1.3],
    ["LogNormal: d/d scale", (t) => new dist.LogNormal(0.2, t), 0.6],
    ["StudentT: d/d scale", (t) => new dist.StudentT(5, 0, t), 2],
    ["Uniform: d/d high", (t) => new dist.Uniform(-1, t), 2],
    ["Exponential: d/d rate", (t) => new dist.Exponential(t), 1.7],
    ["Weibull: d/d concentration", (t) => new dist.Weibull(2, t), 1.5],
    ["Pareto: d/d alpha", (t) => new dist.Pareto(1, t), 3],
    ["InverseGamma: d/d rate", (t) => new dist.InverseGamma(3, t), 2],
    ["AsymmetricLaplace: d/d asymmetry", (t) => new dist.AsymmetricLaplace(0, 1, t), 1.5],
    ["TruncatedNormal: d/d loc", (t) => new dist.TruncatedNormal(t, 1, -1, 2), 0.3],
    ["TruncatedNormal: d/d scale", (t) => new dist.TruncatedNormal(0.5, t, -1, 2), 1.2],
  ];
  for (const [name, make, theta] of cases) it(name, () => checkSampleGrad(make, theta));

  /**
   * The gamma sampler has implicit gradients dx/da = −(∂F/∂a)/f(x): the derivative of the
   * quantile at the draw's fixed level u = F(x; a), here by central differences of icdf.
   */
  const implicit: [string, (t: NDArray) => dist.Distribution, number][] = [
    ["Gamma: d/d concentration", (t) => new dist.Gamma(t, 2), 2.5],
    ["Gamma: d/d concentration (small)", (t) => new dist.Gamma(t, 1), 0.4],
    ["Chi2: d/d df", (t) => new dist.Chi2(t), 3],
  ];
  for (const [name, make, theta] of implicit) {
    it(name, () => {
      withX64(() => {
        const key = random.key(22);
        const f = (t: NDArray) => make(t).sample(key, [5]);
        const ad = jacobianOfDraws(f, theta);
        const x = f(np.array(theta));
        const u = make(np.array(theta)).cdf(x);
        const h = 1e-5 * theta;
        const up = make(np.array(theta + h)).icdf(u).dataSync();
        const down = make(np.array(theta - h)).icdf(u).dataSync();
        const fd = Array.from(up, (v, i) => (v - down[i]) / (2 * h));
        expectClose(ad, fd, { rtol: 1e-4, atol: 1e-8 });
      });
    });
  }

  /**
   * Beta and StudentT(df) draws are built from gamma draws, so their pathwise gradients are not
   * quantile derivatives; they are checked for unbiasedness instead: the mean of d f(x)/dθ over
   * many draws matches d E[f(x)]/dθ from the closed form (within 5 standard errors).
   */
  const unbiased: [string, (t: NDArray) => dist.Distribution, (x: NDArray) => NDArray, number, number][] = [
    ["Beta: d E[x] / d concentration1 = b/(a+b)²", (t) => new dist.Beta(t, 3), (x) => x, 2, 3 / 25],
    ["Beta: d E[x] / d concentration0 = −a/(a+b)²", (t) => new dist.Beta(1.5, t), (x) => x, 0.7, -1.5 / 2.2 ** 2],
    ["StudentT: d E[x²] / d df = −2/(df−2)²", (t) => new dist.StudentT(t, 0, 1), (x) => np.square(x), 8, -2 / 36],
  ];
  for (const [name, make, f, theta, expected] of unbiased) {
    it(name, () => {
      const n = 20000;
      // one parameter per draw, so the gradient of the sum holds each draw's own derivative
      const g = Array.from<number>(grad((t: NDArray) => np.sum(f(make(t).sample(random.key(23)))))(np.full([n], theta)).dataSync());
      const m = g.reduce((a, b) => a + b, 0) / n;
      const se = Math.sqrt(g.reduce((a, b) => a + (b - m) ** 2, 0) / (n - 1) / n);
      expect(Math.abs(m - expected)).toBeLessThan(5 * se);
    });
  }
});

// ---- supports, validation, transforms of the log density ----------------------------------

describe("values outside the support give -Infinity, never NaN", () => {
  const cases: [string, dist.Distribution, number[]][] = [
    ["HalfNormal", new dist.HalfNormal(1), [-1e-6, -3]],
    ["LogNormal", new dist.LogNormal(0, 1), [0, -2]],
    ["HalfCauchy", new dist.HalfCauchy(1), [-1]],
    ["Uniform", new dist.Uniform(-1, 2), [-1.5, 2.5]],
    ["LogUniform", new dist.LogUniform(1, 10), [0.5, 11, -1]],
    ["Exponential", new dist.Exponential(2), [-0.1]],
    ["Gamma", new dist.Gamma(2, 1), [0, -1]],
    ["Gamma (large concentration)", new dist.Gamma(200, 1), [0, -1]],
    ["InverseGamma", new dist.InverseGamma(2, 1), [0, -1]],
    ["Beta", new dist.Beta(2, 3), [-0.1, 1.1]],
    ["Beta (large concentrations)", new dist.Beta(50, 80), [-0.1, 1.1]],
    ["Chi2", new dist.Chi2(3), [-1]],
    ["Weibull", new dist.Weibull(1, 2), [0, -1]],
    ["Pareto", new dist.Pareto(2, 3), [1.9, 0, -1]],
    ["VonMises", new dist.VonMises(0, 2), [4, -3.5]],
    ["TruncatedNormal", new dist.TruncatedNormal(0, 1, -1, 2), [-1.01, 2.5]],
    ["TruncatedDistribution", new dist.TruncatedDistribution(new dist.Gamma(2), { low: 1, high: 4 }), [0.5, 4.5]],
  ];
  for (const [name, d, xs] of cases) {
    it(name, () => {
      expect(Array.from(d.logProb(xs).dataSync())).toEqual(xs.map(() => -Infinity));
    });
  }
  it("boundary points with a finite density are inside the support", () => {
    expect(new dist.HalfNormal(1).logProb(0).item()).toBeCloseTo(0.5 * Math.log(2 / Math.PI), 6);
    expect(new dist.Exponential(2).logProb(0).item()).toBeCloseTo(Math.log(2), 6);
    expect(new dist.Pareto(2, 3).logProb(2).item()).toBeCloseTo(Math.log(1.5), 6);
    expect(new dist.Beta(1, 1).logProb(np.array([0, 1])).dataSync()).toEqual(new Float32Array([0, 0]));
  });
});

describe("a bad parameter throws an error naming the distribution and the parameter", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => new dist.HalfNormal(-1), /HalfNormal: parameter 'scale' must satisfy positive/],
    [() => new dist.LogNormal(0, 0), /LogNormal: parameter 'scale'/],
    [() => new dist.StudentT(0, 0, 1), /StudentT: parameter 'df'/],
    [() => new dist.Cauchy(NaN, 1), /Cauchy: parameter 'loc' must satisfy real/],
    [() => new dist.HalfCauchy(-2), /HalfCauchy: parameter 'scale'/],
    [() => new dist.Laplace(0, -1), /Laplace: parameter 'scale'/],
    [() => new dist.Logistic(0, 0), /Logistic: parameter 'scale'/],
    [() => new dist.Uniform(2, 1), /Uniform: parameter 'high'/],
    [() => new dist.LogUniform(-1, 2), /LogUniform: parameter 'low'/],
    [() => new dist.Exponential(0), /Exponential: parameter 'rate'/],
    [() => new dist.Gamma(-1), /Gamma: parameter 'concentration'/],
    [() => new dist.Gamma(1, -1), /Gamma: parameter 'rate'/],
    [() => new dist.Chi2(-3), /Chi2: parameter 'df' must satisfy positive \(got -3/],
    [() => new dist.InverseGamma(1, 0), /InverseGamma: parameter 'rate'/],
    [() => new dist.Beta(1, -1), /Beta: parameter 'concentration0'/],
    [() => new dist.Weibull(1, 0), /Weibull: parameter 'concentration'/],
    [() => new dist.Pareto(0, 1), /Pareto: parameter 'scale'/],
    [() => new dist.Gumbel(0, -1), /Gumbel: parameter 'scale'/],
    [() => new dist.VonMises(0, -1), /VonMises: parameter 'concentration'/],
    [() => new dist.TruncatedNormal(0, 1, 2, 1), /TruncatedNormal: parameter 'high'/],
    [() => new dist.AsymmetricLaplace(0, 1, 0), /AsymmetricLaplace: parameter 'asymmetry'/],
    [() => new dist.GaussianRandomWalk(1, 0), /GaussianRandomWalk: parameter 'numSteps' must be a positive integer/],
    [() => new dist.GaussianRandomWalk(-1, 3), /GaussianRandomWalk: parameter 'scale'/],
    [() => new dist.TruncatedDistribution(new dist.Normal(0, 1), { low: 3, high: 1 }), /TruncatedDistribution: parameter 'high'|TruncatedNormal: parameter 'high'/],
    [() => new dist.Delta(np.zeros([2]), 0, 2), /Delta: eventDim must be an integer in \[0, 1\]/],
  ];
  cases.forEach(([make, re], i) => it(`case ${i}: ${re.source.split(":")[0]}`, () => expect(make).toThrow(re)));
  it("parameters are not checked with validateArgs off", () => {
    expect(() => new dist.Gamma(-1, 1, { validateArgs: false })).not.toThrow();
  });
});

describe("log densities under jit, vmap and grad", () => {
  it("jit(logProb) equals eager logProb, and vmap over parameters equals the batched distribution", () => {
    const x = np.array([0.2, 1.5, 3]);
    const eager = new dist.Gamma(2.5, 1.5).logProb(x);
    expectClose(jit((a: NDArray, r: NDArray, v: NDArray) => new dist.Gamma(a, r).logProb(v))(np.array(2.5), np.array(1.5), x), eager);
    const conc = np.array([0.5, 3, 150]);
    const batched = new dist.Beta(conc, 2).logProb(0.3);
    expectClose(vmap((c: NDArray) => new dist.Beta(c, 2).logProb(0.3))(conc), batched, { rtol: 1e-6 });
    const t = np.array([0.5, 4, 1e4]);
    expectClose(jit((df: NDArray) => new dist.StudentT(df).cdf(-3))(t), new dist.StudentT(t).cdf(-3), { rtol: 1e-6 });
  });
  it("a bound traced under jit is not read by validation", () => {
    expectClose(jit((lo: NDArray) => new dist.Uniform(lo, 5).logProb(1))(np.array(-3)), -Math.log(8));
    expectClose(jit((lo: NDArray) => new dist.TruncatedNormal(0, 1, lo, 2).logProb(1))(np.array(-1)), new dist.TruncatedNormal(0, 1, -1, 2).logProb(1));
  });
  it("the gradient of logProb in the parameters matches finite differences", () => {
    withX64(() => {
      const cases: [(t: NDArray) => NDArray, number][] = [
        [(t) => new dist.Gamma(t, 2).logProb(1.3), 3],
        [(t) => new dist.Gamma(t, 0.5).logProb(200), 120], // the Stirling branch
        [(t) => new dist.Beta(t, 40).logProb(0.3), 15],
        [(t) => new dist.Beta(t, 0.5).logProb(0.97), 40], // one large concentration
        [(t) => new dist.Beta(2, t).logProb(0.97), 0.8],
        [(t) => new dist.StudentT(t, 0, 2).logProb(5), 3.5],
        [(t) => new dist.VonMises(0.3, t).logProb(1), 2],
        [(t) => new dist.TruncatedNormal(t, 1, 0, 2).logProb(0.5), 0.3],
        [(t) => new dist.TruncatedNormal(0, 1, t, null).logProb(6), 5],
        [(t) => new dist.InverseGamma(t, 2).logProb(0.7), 4],
      ];
      for (const [f, t] of cases) {
        const g = grad(f)(np.array(t)).item();
        const h = 1e-6 * Math.max(1, t);
        const fd = (f(np.array(t + h)).item() - f(np.array(t - h)).item()) / (2 * h);
        expect(close(g, fd, 1e-5, 1e-7), `${f} at ${t}: ${g} vs ${fd}`).toBe(true);
      }
    });
  });
});

// ---- distributions without reference points: closed forms ---------------------------------

/** ∫ g(x) p(x) dx on [lo, hi] by Simpson's rule on the distribution's own density (float64). */
function integrate(d: dist.Distribution, g: (x: number) => number, lo: number, hi: number, n = 20000): number {
  const xs = Array.from({ length: n + 1 }, (_, i) => lo + ((hi - lo) * i) / n);
  const p = Array.from(np.exp(d.logProb(xs)).dataSync());
  let s = 0;
  for (let i = 0; i <= n; i++) s += (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * g(xs[i]) * p[i];
  return (s * (hi - lo)) / (3 * n);
}

describe("LogUniform, AsymmetricLaplace and GaussianRandomWalk against closed forms and quadrature", () => {
  it("LogUniform(2, 50)", () => {
    withX64(() => {
      const d = new dist.LogUniform(2, 50);
      const L = Math.log(25);
      expectClose(d.logProb([2, 7, 49.9]), [2, 7, 49.9].map((x) => -Math.log(x) - Math.log(L)));
      expectClose(d.cdf([2, 10, 50]), [0, Math.log(5) / L, 1], { atol: 1e-12 });
      expectClose(d.icdf([0.25, 0.5]), [2 * Math.exp(0.25 * L), 10], { rtol: 1e-10 });
      expectClose(d.mean, 48 / L, { rtol: 1e-10 });
      expectClose(d.variance, (50 * 50 - 4) / (2 * L) - (48 / L) ** 2, { rtol: 1e-10 });
      expectClose(d.entropy(), integrate(d, (x) => -(-Math.log(x) - Math.log(L)), 2, 50), { rtol: 1e-6 });
      expect(d.support.check(np.array([1.9, 2, 50, 50.1])).dataSync()).toEqual(new Uint8Array([0, 1, 1, 0]));
    });
  });
  it("AsymmetricLaplace(0.5, 2, 1.5)", () => {
    withX64(() => {
      const d = new dist.AsymmetricLaplace(0.5, 2, 1.5);
      const l = 3;
      const r = 2 / 1.5;
      const pdf = (x: number) => Math.exp(-Math.abs(x - 0.5) / (x < 0.5 ? l : r)) / (l + r);
      expectClose(d.logProb([-3, 0.5, 4]), [-3, 0.5, 4].map((x) => Math.log(pdf(x))));
      // the kink at loc = 0.5 falls on an even Simpson node (step 0.01)
      const [lo, hi, n] = [-119.5, 60.5, 18000];
      expectClose(integrate(d, () => 1, lo, hi, n), 1, { rtol: 1e-7 });
      const mean = integrate(d, (x) => x, lo, hi, n);
      expectClose(d.mean, mean, { rtol: 1e-6 });
      expectClose(d.variance, integrate(d, (x) => (x - mean) ** 2, lo, hi, n), { rtol: 1e-6 });
      expectClose(d.entropy(), integrate(d, (x) => -Math.log(pdf(x)), lo, hi, n), { rtol: 1e-6 });
      const xs = [-4, 0, 0.5, 2, 9];
      expectClose(d.icdf(d.cdf(xs)), xs, { rtol: 1e-9, atol: 1e-9 });
      expectClose(d.cdf(0.5), (1.5 * 1.5) / (1 + 1.5 * 1.5), { rtol: 1e-12 });
    });
  });
  it("GaussianRandomWalk(scale, numSteps): increments are Normal(0, scale)", () => {
    const d = new dist.GaussianRandomWalk(np.array([0.5, 2]), 3);
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([3]);
    const x = [
      [0.3, -0.2, 0.4],
      [1, 3, 2.5],
    ];
    const normal = (v: number, s: number) => -0.5 * (v / s) ** 2 - Math.log(s) - 0.5 * Math.log(2 * Math.PI);
    const expected = x.map((row, j) => {
      const s = [0.5, 2][j];
      return row.reduce((acc, v, i) => acc + normal(v - (i ? row[i - 1] : 0), s), 0);
    });
    expectClose(d.logProb(x), expected);
    expectClose(d.variance, [
      [0.25, 0.5, 0.75],
      [4, 8, 12],
    ]);
    expectClose(d.entropy(), [0.5, 2].map((s) => 3 * (0.5 + 0.5 * Math.log(2 * Math.PI) + Math.log(s))));
    expect(d.sample(random.key(0), [5]).shape).toEqual([5, 2, 3]);
  });
});

// ---- structural distributions ---------------------------------------------------------------

describe("TransformedDistribution", () => {
  it("Normal through exp is LogNormal (log density, cdf, icdf, draws)", () => {
    const t = new dist.TransformedDistribution(new dist.Normal(0.3, 0.8), new dist.transforms.ExpTransform());
    const ln = new dist.LogNormal(0.3, 0.8);
    const xs = [0.05, 1, 4];
    expectClose(t.logProb(xs), ln.logProb(xs), { rtol: 1e-6 });
    expectClose(t.cdf(xs), ln.cdf(xs), { rtol: 1e-6 });
    expectClose(t.icdf([0.1, 0.9]), ln.icdf([0.1, 0.9]), { rtol: 1e-6 });
    expectClose(t.sample(random.key(1), [4]), ln.sample(random.key(1), [4]), { rtol: 1e-6 });
    expect(t.hasRsample).toBe(true);
    expect(t.logProb(-1).item()).toBe(-Infinity);
  });
  it("a decreasing transform complements the cdf", () => {
    const t = new dist.TransformedDistribution(new dist.Exponential(2), [new dist.transforms.AffineTransform(1, -3)]);
    // Y = 1 − 3E: P(Y ≤ y) = P(E ≥ (1 − y)/3) = exp(−2(1 − y)/3)
    expectClose(t.cdf([-2, 0]), [Math.exp(-2), Math.exp(-2 / 3)], { rtol: 1e-6 });
    expectClose(t.icdf([Math.exp(-2)]), [-2], { rtol: 1e-5 });
    expectClose(t.logProb(-2), Math.log(2 / 3) - 2, { rtol: 1e-6 });
  });
  it("a vector transform turns batch dimensions of the base into the event", () => {
    const base = new dist.Normal(np.zeros([2, 3]), 1);
    const t = new dist.TransformedDistribution(base, new dist.transforms.StickBreakingTransform());
    expect(t.batchShape).toEqual([2]);
    expect(t.eventShape).toEqual([4]);
    const y = t.sample(random.key(2), [5]);
    expect(y.shape).toEqual([5, 2, 4]);
    expect(Array.from(dist.constraints.simplex.check(y).dataSync()).every((b) => b === 1)).toBe(true);
    // log p(y) = Σ log N(x) − log|det J| at x = inverse(y)
    const sb = new dist.transforms.StickBreakingTransform();
    const x = sb.inverse(y);
    const expected = np.subtract(np.sum(base.logProb(x), -1), sb.logAbsDetJacobian(x, y));
    expectClose(t.logProb(y), expected, { rtol: 1e-5, atol: 1e-5 });
    expect(t.support).toBe(dist.constraints.simplex);
  });
  it("nesting flattens into one list of transforms", () => {
    const inner = new dist.TransformedDistribution(new dist.Normal(0, 1), new dist.transforms.AffineTransform(1, 2));
    const outer = new dist.TransformedDistribution(inner, new dist.transforms.ExpTransform());
    expect(outer.base).toBeInstanceOf(dist.Normal);
    expect(outer.transforms.length).toBe(2);
    expectClose(outer.logProb(2), new dist.LogNormal(1, 2).logProb(2), { rtol: 1e-6 });
  });
});

describe("TruncatedDistribution", () => {
  it("a truncated Normal matches TruncatedNormal, also far in the upper tail", () => {
    for (const [lo, hi] of [
      [-1, 2],
      [5, 10],
      [6, null],
      [null, -4],
    ] as [number | null, number | null][]) {
      const t = new dist.TruncatedDistribution(new dist.Normal(0, 1), { low: lo, high: hi });
      const tn = new dist.TruncatedNormal(0, 1, lo, hi);
      const q = [0.01, 0.3, 0.9];
      const xs = tn.icdf(q);
      expectClose(t.logProb(xs), tn.logProb(xs), { rtol: 2e-5, atol: 1e-5 });
      expectClose(t.cdf(xs), q, { rtol: 1e-3 });
      expectClose(t.icdf(q), xs, { rtol: 1e-4 });
    }
  });
  it("a truncated Gamma: log density, cdf and icdf", () => {
    withX64(() => {
      const g = new dist.Gamma(2, 1);
      const t = new dist.TruncatedDistribution(g, { low: 1, high: 4 });
      const Z = g.cdf(4).item() - g.cdf(1).item();
      expectClose(t.logProb([1, 2.5]), [g.logProb(1).item() - Math.log(Z), g.logProb(2.5).item() - Math.log(Z)], { rtol: 1e-10 });
      expectClose(t.cdf(2.5), (g.cdf(2.5).item() - g.cdf(1).item()) / Z, { rtol: 1e-10 });
      expectClose(t.cdf(t.icdf([0.2, 0.7])), [0.2, 0.7], { rtol: 1e-8 });
      expect(t.name).toBe("TruncatedGamma");
    });
  });
  it("a far upper truncation of a symmetric base keeps its normalizer (reflection)", () => {
    const t = new dist.TruncatedDistribution(new dist.Laplace(0, 1), { low: 20 });
    // P(X > 20) = e^{-20}/2; log p(x) = −|x| − log 2 − log Z
    expectClose(t.logProb(21), -21 - Math.log(2) - (Math.log(0.5) - 20), { rtol: 1e-5 });
    expectClose(t.icdf(0.5), 20 + Math.log(2), { rtol: 1e-5 });
  });
});

describe("Delta, Unit, ImproperUniform", () => {
  it("Delta is a point mass with a log density and differentiable draws", () => {
    const d = new dist.Delta(np.array([[1, 2], [3, 4]]), np.array([0.5, -1]), 1);
    expect(d.batchShape).toEqual([2]);
    expect(d.eventShape).toEqual([2]);
    expectClose(d.logProb([[1, 2], [3, 5]]), [0.5, -Infinity]);
    expect(d.sample(random.key(0), [3]).shape).toEqual([3, 2, 2]);
    expectClose(d.mean, [[1, 2], [3, 4]]);
    expectClose(d.variance, [[0, 0], [0, 0]]);
    expectClose(d.entropy(), [-0.5, 1]);
    expect(d.hasRsample).toBe(true);
    const g = grad((v: NDArray) => np.sum(np.multiply(new dist.Delta(v).sample(random.key(0), [2]), 3)))(np.array(1.5));
    expect(g.item()).toBe(6);
  });
  it("Unit carries a log factor on an empty value", () => {
    const u = new dist.Unit(np.array([1.5, -2]));
    expect(u.eventShape).toEqual([0]);
    const v = u.sample(random.key(0), [4]);
    expect(v.shape).toEqual([4, 2, 0]);
    expectClose(u.logProb(v), [
      [1.5, -2],
      [1.5, -2],
      [1.5, -2],
      [1.5, -2],
    ]);
  });
  it("ImproperUniform is flat on its support, -Infinity outside, and cannot be sampled", () => {
    const p = new dist.ImproperUniform(dist.constraints.positive, [3], []);
    expectClose(p.logProb([1, 2, -1]), [0, 0, -Infinity]);
    const o = new dist.ImproperUniform(dist.constraints.ordered, [], [3]);
    expectClose(o.logProb([[1, 2, 3], [1, 3, 2]]), [0, -Infinity]);
    const r = new dist.ImproperUniform(dist.constraints.real, [], [2, 2]);
    expect(r.support.eventDim).toBe(2);
    expect(r.logProb(np.zeros([5, 2, 2])).shape).toEqual([5]);
    expect(() => p.sample(random.key(0))).toThrow(/ImproperUniform cannot be sampled/);
  });
});
