/**
 * Discrete distributions: log mass, cdf, icdf, moments and entropy against the SciPy reference
 * (point by point and batched), draws at fixed keys (moments and chi-square goodness of fit),
 * values outside the support, parameter validation, probs/logits agreement, enumerateSupport,
 * and log masses under grad, jit and vmap.
 */
import { describe, expect, it } from "vitest";
import { grad, jit, np, random, vmap, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { close, describeRefPoints, mismatches, refPoints, type RefPoint } from "./reference.js";

type Params = Record<string, any>;

/** NumPyro constructor calls for the reference parameter names (scalars or batches of them). */
const MAKE: Record<string, (p: Params) => dist.Distribution> = {
  Bernoulli: (p) => new dist.Bernoulli(p.probs),
  Binomial: (p) => new dist.Binomial(p.total_count, p.probs),
  Poisson: (p) => new dist.Poisson(p.rate),
  Geometric: (p) => new dist.Geometric(p.probs),
  NegativeBinomial2: (p) => new dist.NegativeBinomial2(p.mean, p.concentration),
  BetaBinomial: (p) => new dist.BetaBinomial(p.concentration1, p.concentration0, p.total_count),
  Categorical: (p) => new dist.Categorical(p.probs),
  Multinomial: (p) => new dist.Multinomial(p.total_count, p.probs),
};

const flat = (x: NDArray) => Array.from(x.dataSync(), Number);

/** README rule for cdf values: rtol 1e-4 below 1e-6, the default otherwise. */
function cdfMismatches(got: ArrayLike<number>, ref: readonly number[]): string[] {
  return ref.flatMap((r, i) => (close(got[i], r, r < 1e-6 ? 1e-4 : 1e-5) ? [] : [`#${i}: got ${got[i]}, ref ${r}`]));
}

/** A reference moment (number, vector or null) against a computed one; null means undefined (NaN). */
function expectMoment(got: NDArray, ref: unknown, what: string): void {
  const g = flat(got);
  if (ref === null) {
    expect(g.every(Number.isNaN), `${what} should be NaN`).toBe(true);
    return;
  }
  expect(mismatches(g, [ref].flat(2) as number[]), what).toEqual([]);
}

describeRefPoints("against the SciPy reference, point by point", MAKE, (d, p) => {
  expect(mismatches(d.logProb(p.values as any).dataSync(), p.log_prob), "log_prob").toEqual([]);
  if (p.cdf) expect(cdfMismatches(d.cdf(p.values as any).dataSync(), p.cdf), "cdf").toEqual([]);
  if (p.icdf) expect(flat(d.icdf(p.icdf.q)), "icdf").toEqual(p.icdf.x);
  expectMoment(d.mean, p.mean, "mean");
  expectMoment(d.variance, p.variance, "variance");
  if (p.entropy !== null) expect(mismatches(d.entropy().dataSync(), [p.entropy]), "entropy").toEqual([]);
});

/**
 * The points of one distribution whose parameters have the same shapes, as one batch: each
 * parameter stacked along a new leading axis, and values laid out [maxValues, points, ...event]
 * (a point with fewer values repeats its last one).
 */
function batches(name: string): { points: RefPoint[]; params: Params; values: unknown[][] }[] {
  const groups = new Map<string, RefPoint[]>();
  for (const p of refPoints(name)) {
    const key = JSON.stringify(Object.values(p.params).map((v) => (Array.isArray(v) ? v.length : 0)));
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()]
    .filter((pts) => pts.length > 1)
    .map((points) => {
      const params: Params = {};
      for (const k of Object.keys(points[0].params)) params[k] = points.map((p) => p.params[k]);
      const nv = Math.max(...points.map((p) => p.values.length));
      const values = Array.from({ length: nv }, (_, i) => points.map((p) => p.values[Math.min(i, p.values.length - 1)]));
      return { points, params, values };
    });
}

/** Levels q laid out [maxLevels, points] like the values. */
function levels(points: RefPoint[]): number[][] {
  const nq = Math.max(...points.map((p) => p.icdf?.q.length ?? 0));
  return Array.from({ length: nq }, (_, i) => points.map((p) => p.icdf!.q[Math.min(i, p.icdf!.q.length - 1)]));
}

describe("against the SciPy reference, batched (one call per batch of parameters)", () => {
  for (const name of Object.keys(MAKE)) {
    for (const { points, params, values } of batches(name)) {
      it(`${name} × ${points.length}`, () => {
        const d = MAKE[name](params);
        expect(d.batchShape).toEqual([points.length]);
        const P = points.length;
        const lp = flat(d.logProb(values as any));
        const cdf = points[0].cdf ? flat(d.cdf(values as any)) : null;
        const ent = flat(d.entropy());
        const mean = flat(d.mean);
        const event = mean.length / P;
        points.forEach((p, j) => {
          const pick = (arr: number[]) => p.values.map((_, i) => arr[i * P + j]);
          expect(mismatches(pick(lp), p.log_prob), `${p.id} log_prob`).toEqual([]);
          if (cdf) expect(cdfMismatches(pick(cdf), p.cdf!), `${p.id} cdf`).toEqual([]);
          if (p.entropy !== null) expect(mismatches([ent[j]], [p.entropy]), `${p.id} entropy`).toEqual([]);
          if (p.mean !== null) expect(mismatches(mean.slice(j * event, (j + 1) * event), [p.mean].flat(2) as number[]), `${p.id} mean`).toEqual([]);
        });
        if (points[0].icdf) {
          const q = levels(points);
          const x = flat(d.icdf(q));
          points.forEach((p, j) => expect(p.icdf!.q.map((_, i) => x[i * P + j]), `${p.id} icdf`).toEqual(p.icdf!.x));
        }
      });
    }
  }
});

// ---- sampling ------------------------------------------------------------------------------

/** The 0.999 quantile of χ²(df) (Wilson–Hilferty). */
function chi2Quantile999(df: number): number {
  const z = 3.090232306167813;
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/**
 * Pearson's χ² statistic of integer draws against the distribution's mass: bins 0, 1, ...
 * merged until each expects at least 5 draws, the last bin taking the rest of the mass.
 * Returns the statistic and the threshold at α = 0.001.
 */
function chiSquare(d: dist.Distribution, draws: number[]): { stat: number; threshold: number } {
  const N = draws.length;
  const top = Math.max(...draws);
  const ks = Array.from({ length: top + 1 }, (_, k) => k);
  const pmf = flat(np.exp(d.logProb(ks)));
  const counts = new Array<number>(top + 1).fill(0);
  for (const x of draws) counts[x]++;
  const observed: number[] = [];
  const expected: number[] = [];
  let o = 0;
  let e = 0;
  let used = 0;
  for (let k = 0; k <= top; k++) {
    o += counts[k];
    e += pmf[k] * N;
    used += pmf[k];
    if (e >= 5) {
      observed.push(o);
      expected.push(e);
      o = 0;
      e = 0;
    }
  }
  // the rest of the support (beyond the largest draw) joins the last bin
  const rest = Math.max(0, 1 - used) * N + e;
  if (expected.length === 0 || rest >= 5) {
    observed.push(o);
    expected.push(rest);
  } else {
    observed[observed.length - 1] += o;
    expected[expected.length - 1] += rest;
  }
  const stat = observed.reduce((s, obs, i) => s + (obs - expected[i]) ** 2 / expected[i], 0);
  return { stat, threshold: chi2Quantile999(Math.max(1, expected.length - 1)) };
}

describe("draws at fixed keys", () => {
  const N = 20000;
  const cases: [string, () => dist.Distribution][] = [
    ["Bernoulli(0.3)", () => new dist.Bernoulli(0.3)],
    ["Bernoulli({ logits: -1 })", () => new dist.Bernoulli({ logits: -1 })],
    ["Binomial(20, 0.3)", () => new dist.Binomial(20, 0.3)],
    ["Binomial(400, { logits: 1 })", () => new dist.Binomial(400, { logits: 1 })],
    ["Poisson(3.5)", () => new dist.Poisson(3.5)],
    ["Poisson(250)", () => new dist.Poisson(250)],
    ["Geometric(0.2)", () => new dist.Geometric(0.2)],
    ["NegativeBinomial2(5, 2)", () => new dist.NegativeBinomial2(5, 2)],
    ["NegativeBinomial(4, 0.6)", () => new dist.NegativeBinomial(4, 0.6)],
    ["GammaPoisson(2, 0.5)", () => new dist.GammaPoisson(2, 0.5)],
    ["BetaBinomial(2, 3, 12)", () => new dist.BetaBinomial(2, 3, 12)],
    ["Categorical([0.1, 0.2, 0.3, 0.4])", () => new dist.Categorical([0.1, 0.2, 0.3, 0.4])],
    ["Categorical({ logits: [0, 1, -1] })", () => new dist.Categorical({ logits: [0, 1, -1] })],
    ["ZeroInflatedPoisson(0.3, 4)", () => new dist.ZeroInflatedPoisson(0.3, 4)],
    ["OrderedLogistic(0.5, [-1, 0, 2])", () => new dist.OrderedLogistic(0.5, [-1, 0, 2])],
  ];
  cases.forEach(([label, make], i) => {
    it(`${label}: mean and variance within 5 standard errors, χ² goodness of fit at α = 0.001`, () => {
      const d = make();
      const x = d.sample(random.key(100 + i), [N]);
      expect(x.shape).toEqual([N]);
      const draws = flat(x);
      expect(draws.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
      const m = draws.reduce((a, b) => a + b, 0) / N;
      const v = draws.reduce((a, b) => a + (b - m) ** 2, 0) / (N - 1);
      if (!(d instanceof dist.Categorical) || d instanceof dist.OrderedLogistic) {
        const mu = d instanceof dist.OrderedLogistic ? flat(d.probs).reduce((s, p, k) => s + p * k, 0) : d.mean.item();
        const sigma2 = d instanceof dist.OrderedLogistic ? flat(d.probs).reduce((s, p, k) => s + p * (k - mu) ** 2, 0) : d.variance.item();
        expect(Math.abs(m - mu), "mean").toBeLessThan(5 * Math.sqrt(sigma2 / N));
        // the sample variance's standard error: sqrt((μ4 − σ⁴)/N), with μ4 bounded via the draws
        const m4 = draws.reduce((a, b) => a + (b - m) ** 4, 0) / N;
        expect(Math.abs(v - sigma2), "variance").toBeLessThan(5 * Math.sqrt(Math.max(m4 - v * v, 1e-12) / N));
      }
      const { stat, threshold } = chiSquare(d, draws);
      expect(stat).toBeLessThan(threshold);
    });
  });

  it("batched parameters give independent draws per member, of shape [...sample, ...batch]", () => {
    const d = new dist.Poisson([1, 10, 100]);
    const x = d.sample(random.key(7), [5000]);
    expect(x.shape).toEqual([5000, 3]);
    const m = flat(np.mean(np.astype(x, "float32"), 0));
    [1, 10, 100].forEach((r, j) => expect(Math.abs(m[j] - r)).toBeLessThan(5 * Math.sqrt(r / 5000)));
    const b = new dist.Binomial([[5], [50]], [0.1, 0.5, 0.9]);
    expect(b.sample(random.key(8), [4]).shape).toEqual([4, 2, 3]);
  });

  it("Multinomial draws sum to totalCount and have the multinomial moments", () => {
    const probs = [0.1, 0.2, 0.3, 0.4];
    const d = new dist.Multinomial(30, probs);
    const x = d.sample(random.key(9), [N]);
    expect(x.shape).toEqual([N, 4]);
    expect(x.dtype).toBe("int32");
    expect(flat(np.sum(x, -1)).every((s) => s === 30)).toBe(true);
    const xf = np.astype(x, "float32");
    const m = flat(np.mean(xf, 0));
    const v = flat(np.variance(xf, 0));
    probs.forEach((p, j) => {
      const variance = 30 * p * (1 - p);
      expect(Math.abs(m[j] - 30 * p)).toBeLessThan(5 * Math.sqrt(variance / N));
      expect(Math.abs(v[j] - variance) / variance).toBeLessThan(0.05);
    });
    // the first count is Binomial(30, 0.1): χ² test of its marginal
    const first = flat(np.slice(x, [0, 0], [N, 1]));
    const { stat, threshold } = chiSquare(new dist.Binomial(30, 0.1), first);
    expect(stat).toBeLessThan(threshold);
  });

  it("DirichletMultinomial draws sum to totalCount and have its mean and variance", () => {
    const d = new dist.DirichletMultinomial([1, 2, 3], 10);
    const x = np.astype(d.sample(random.key(10), [N]), "float32");
    expect(flat(np.sum(x, -1)).every((s) => s === 10)).toBe(true);
    const m = flat(np.mean(x, 0));
    const v = flat(np.variance(x, 0));
    const mean = flat(d.mean);
    const variance = flat(d.variance);
    mean.forEach((mu, j) => {
      expect(Math.abs(m[j] - mu)).toBeLessThan(5 * Math.sqrt(variance[j] / N));
      expect(Math.abs(v[j] - variance[j]) / variance[j]).toBeLessThan(0.06);
    });
  });
});

// ---- support, validation, parameterizations ------------------------------------------------

describe("values outside the support give -Infinity, not NaN", () => {
  const cases: [string, dist.Distribution, number[] | number[][]][] = [
    ["Poisson", new dist.Poisson(3), [1.5, -1, NaN]],
    ["Bernoulli", new dist.Bernoulli(0.3), [2, -1, 0.5]],
    ["Binomial", new dist.Binomial(5, 0.3), [6, -1, 2.5]],
    ["Geometric", new dist.Geometric(0.3), [-1, 0.5]],
    ["NegativeBinomial2", new dist.NegativeBinomial2(3, 2), [-2, 1.5]],
    ["BetaBinomial", new dist.BetaBinomial(2, 3, 4), [5, -1, 0.5]],
    ["Categorical", new dist.Categorical([0.2, 0.3, 0.5]), [3, -1, 0.5, 10]],
    ["OrderedLogistic", new dist.OrderedLogistic(0, [-1, 1]), [3, -1]],
    ["ZeroInflatedPoisson", new dist.ZeroInflatedPoisson(0.2, 3), [-1, 2.5]],
    ["Multinomial", new dist.Multinomial(4, [0.5, 0.5]), [[1, 2], [5, -1], [1.5, 2.5]]],
    ["DirichletMultinomial", new dist.DirichletMultinomial([1, 1], 4), [[1, 2], [5, -1]]],
  ];
  for (const [name, d, values] of cases) {
    it(name, () => {
      const lp = flat(d.logProb(values));
      expect(lp.every((v) => v === -Infinity), JSON.stringify(lp)).toBe(true);
    });
  }
  it("values inside the support next to them are finite", () => {
    expect(flat(new dist.Poisson(3).logProb([0, 1, 2])).every(Number.isFinite)).toBe(true);
    expect(flat(new dist.Binomial(5, 0.3).logProb([0, 5])).every(Number.isFinite)).toBe(true);
    expect(flat(new dist.Categorical([0.2, 0.3, 0.5]).logProb([0, 2])).every(Number.isFinite)).toBe(true);
  });
});

describe("invalid parameters throw, naming the distribution and the parameter", () => {
  const cases: [() => unknown, RegExp][] = [
    [() => new dist.Bernoulli(1.5), /Bernoulli: parameter 'probs' must satisfy unitInterval \(got 1.5/],
    [() => new dist.Bernoulli({ logits: NaN }), /Bernoulli: parameter 'logits' must satisfy real/],
    [() => new dist.Binomial(-1, 0.5), /Binomial: parameter 'totalCount' must satisfy nonnegativeInteger/],
    [() => new dist.Binomial(2.5, 0.5), /Binomial: parameter 'totalCount'/],
    [() => new dist.Binomial(3, [0.5, -0.1]), /Binomial: parameter 'probs' must satisfy unitInterval \(got -0.1/],
    [() => new dist.Poisson(-1), /Poisson: parameter 'rate' must satisfy positive/],
    [() => new dist.Geometric(2), /Geometric: parameter 'probs'/],
    [() => new dist.NegativeBinomial2(-1, 2), /NegativeBinomial2: parameter 'mean' must satisfy positive/],
    [() => new dist.NegativeBinomial2(1, 0), /NegativeBinomial2: parameter 'concentration' must satisfy positive/],
    [() => new dist.NegativeBinomial(0, 0.5), /NegativeBinomial: parameter 'totalCount'/],
    [() => new dist.GammaPoisson(1, -2), /GammaPoisson: parameter 'rate'/],
    [() => new dist.BetaBinomial(-1, 1, 3), /BetaBinomial: parameter 'concentration1'/],
    [() => new dist.BetaBinomial(1, 1, -3), /BetaBinomial: parameter 'totalCount'/],
    [() => new dist.Categorical([0.5, 0.6]), /Categorical: parameter 'probs' must satisfy simplex; its shape is \[2\]/],
    [() => new dist.Categorical(0.5), /Categorical: parameter 'probs' must have at least 1 dimension/],
    [() => new dist.Multinomial(3, [0.5, 0.2]), /Multinomial: parameter 'probs' must satisfy simplex/],
    [() => new dist.Multinomial(3.5, [0.5, 0.5]), /Multinomial: parameter 'totalCount'/],
    [() => new dist.Multinomial([1, 2, 3], [[0.5, 0.5], [0.2, 0.8]]), /Multinomial: parameter shapes do not broadcast: totalCount \[3\], probs \[2\]/],
    [() => new dist.DirichletMultinomial([1, -1], 3), /DirichletMultinomial: parameter 'concentration'/],
    [() => new dist.ZeroInflatedPoisson(1.5, 2), /ZeroInflatedPoisson: parameter 'gate'/],
    [() => new dist.ZeroInflatedPoisson(0.5, -2), /ZeroInflatedPoisson: parameter 'rate'/],
    [() => new dist.ZeroInflatedDistribution(new dist.Normal(0, 1), { gate: 0.5 }), /ZeroInflatedDistribution: the base distribution must be discrete/],
    [() => new dist.OrderedLogistic(0, [1, 0]), /OrderedLogistic: parameter 'cutpoints' must satisfy ordered/],
    [() => new dist.Bernoulli({ probs: 0.5, logits: 0 } as any), /Bernoulli: give exactly one of 'probs' and 'logits'/],
    [() => new dist.Binomial(3, [0.5, 0.5]).logProb([1, 2, 3]), /Binomial.logProb: value of shape \[3\] does not fit batch shape \[2\]/],
  ];
  cases.forEach(([make, message], i) => it(`case ${i}: ${message.source.slice(0, 60)}`, () => expect(make).toThrow(message)));

  it("validateArgs: false skips the checks", () => {
    expect(() => new dist.Poisson(-1, { validateArgs: false })).not.toThrow();
    expect(() => new dist.Bernoulli({ probs: 2, validateArgs: false })).not.toThrow();
    expect(() => new dist.Categorical([0.5, 0.6], { validateArgs: false })).not.toThrow();
  });
});

describe("probs and logits parameterize the same distributions", () => {
  const p = 0.3;
  const l = Math.log(p / (1 - p));
  const same = (a: dist.Distribution, b: dist.Distribution, values: unknown) => {
    expect(mismatches(a.logProb(values as any).dataSync(), flat(b.logProb(values as any)))).toEqual([]);
    expect(mismatches(a.entropy().dataSync(), flat(b.entropy()))).toEqual([]);
  };
  it("Bernoulli", () => same(new dist.Bernoulli({ logits: l }), new dist.Bernoulli(p), [0, 1]));
  it("Binomial", () => same(new dist.Binomial(12, { logits: l }), new dist.Binomial(12, p), [0, 3, 12]));
  it("Geometric", () => same(new dist.Geometric({ logits: l }), new dist.Geometric({ probs: p }), [0, 3, 40]));
  it("NegativeBinomial", () => same(new dist.NegativeBinomial(3, { logits: l }), new dist.NegativeBinomial(3, p), [0, 3, 40]));
  it("Categorical (logits are normalized)", () => same(new dist.Categorical({ logits: [1, 2, 3] }), new dist.Categorical(flat(np.divide(np.exp(np.array([1, 2, 3])), np.sum(np.exp(np.array([1, 2, 3])))))), [0, 1, 2]));
  it("Multinomial", () => same(new dist.Multinomial(5, { logits: [0, Math.log(3)] }), new dist.Multinomial(5, [0.25, 0.75]), [[0, 5], [2, 3]]));
  it("Bernoulli and Geometric by logits are accurate far out (logits ±30)", () => {
    expect(new dist.Bernoulli({ logits: 30 }).logProb(0).item()).toBeCloseTo(-30, 4);
    expect(new dist.Geometric({ logits: -30 }).logProb(0).item()).toBeCloseTo(-30, 4);
  });
});

describe("relations between the count distributions", () => {
  it("NegativeBinomial(r, p) is GammaPoisson(r, (1 − p)/p) and NegativeBinomial2 is GammaPoisson(α, α/μ)", () => {
    const ks = [0, 1, 5, 30];
    const nb = new dist.NegativeBinomial(3, 0.4);
    expect(nb).toBeInstanceOf(dist.GammaPoisson);
    expect(mismatches(nb.logProb(ks).dataSync(), flat(new dist.GammaPoisson(3, 1.5).logProb(ks)))).toEqual([]);
    // p^k (1 − p)^r Γ(k + r)/(Γ(r) k!) at k = 2, r = 3: 0.16 · 0.216 · 6
    expect(nb.logProb(2).item()).toBeCloseTo(Math.log(0.16 * 0.216 * 6), 5);
    expect(nb.mean.item()).toBeCloseTo((3 * 0.4) / 0.6, 5);
    const nb2 = new dist.NegativeBinomial2(4, 2);
    expect(mismatches(nb2.logProb(ks).dataSync(), flat(new dist.GammaPoisson(2, 0.5).logProb(ks)))).toEqual([]);
    expect(nb2.variance.item()).toBeCloseTo(4 + 16 / 2, 4);
  });
  it("NegativeBinomial2 with a huge concentration is Poisson(mean)", () => {
    const ks = [0, 2, 3, 10];
    expect(mismatches(new dist.NegativeBinomial2(3, 1e7).logProb(ks).dataSync(), flat(new dist.Poisson(3).logProb(ks)), 1e-5, 1e-5)).toEqual([]);
  });
  it("Binomial(1, p) is Bernoulli(p); masses sum to 1", () => {
    expect(mismatches(new dist.Binomial(1, 0.3).logProb([0, 1]).dataSync(), flat(new dist.Bernoulli(0.3).logProb([0, 1])))).toEqual([]);
    for (const d of [new dist.Binomial(30, 0.7), new dist.BetaBinomial(0.5, 2, 30), new dist.Poisson(4), new dist.GammaPoisson(2, 1)]) {
      const total = np.sum(np.exp(d.logProb(np.arange(0, 200)))).item();
      expect(total).toBeCloseTo(1, 5);
    }
  });
  it("DirichletMultinomial: the mass of every composition, summing to 1", () => {
    const alpha = [0.5, 1, 2];
    const d = new dist.DirichletMultinomial(alpha, 4);
    const comps: number[][] = [];
    for (let a = 0; a <= 4; a++) for (let b = 0; a + b <= 4; b++) comps.push([a, b, 4 - a - b]);
    const lp = flat(d.logProb(comps));
    // oracle: n! Γ(A)/Γ(n + A) Π Γ(x_i + α_i)/(x_i! Γ(α_i)), with Γ ratios as rising factorials
    const rising = (a: number, k: number) => Array.from({ length: k }, (_, j) => a + j).reduce((s, v) => s * v, 1);
    const fact = (k: number) => rising(1, k);
    comps.forEach((x, i) => {
      const p = (fact(4) / rising(3.5, 4)) * x.reduce((s, xi, j) => (s * rising(alpha[j], xi)) / fact(xi), 1);
      expect(lp[i]).toBeCloseTo(Math.log(p), 5);
    });
    expect(lp.reduce((s, v) => s + Math.exp(v), 0)).toBeCloseTo(1, 5);
  });
  it("ZeroInflatedPoisson: the mass at 0 and elsewhere; gate and gateLogits agree; moments", () => {
    const g = 0.3;
    const z = new dist.ZeroInflatedPoisson(g, 2);
    const lp = flat(z.logProb([0, 1, 3]));
    expect(lp[0]).toBeCloseTo(Math.log(g + (1 - g) * Math.exp(-2)), 5);
    expect(lp[1]).toBeCloseTo(Math.log((1 - g) * 2 * Math.exp(-2)), 5);
    const byLogits = new dist.ZeroInflatedDistribution(new dist.Poisson(2), { gateLogits: Math.log(g / (1 - g)) });
    expect(mismatches(byLogits.logProb([0, 1, 3]).dataSync(), lp)).toEqual([]);
    expect(z.mean.item()).toBeCloseTo(1.4, 5);
    // E[X²] = (1 − g)(λ + λ²) = 4.2, so the variance is 4.2 − 1.96
    expect(z.variance.item()).toBeCloseTo(2.24, 5);
    expect(z.support.isDiscrete).toBe(true);
  });
  it("OrderedLogistic: P(Y ≤ k) = σ(c_k − η), batched over predictors", () => {
    const d = new dist.OrderedLogistic([0.5, -1], [-1, 0, 2]);
    expect(d.batchShape).toEqual([2]);
    const probs = d.probs.toArray() as number[][];
    const sig = (t: number) => 1 / (1 + Math.exp(-t));
    [0.5, -1].forEach((eta, b) => {
      const cum = [-1, 0, 2].map((c) => sig(c - eta));
      const want = [cum[0], cum[1] - cum[0], cum[2] - cum[1], 1 - cum[2]];
      want.forEach((w, k) => expect(probs[b][k]).toBeCloseTo(w, 6));
    });
    expect(d).toBeInstanceOf(dist.Categorical);
  });
  it("Geometric and Bernoulli quantiles invert their cdfs", () => {
    const g = new dist.Geometric(0.2);
    const k = flat(g.icdf([0.1, 0.5, 0.9, 0.99]));
    const c = flat(g.cdf(k));
    const below = flat(g.cdf(np.subtract(np.array(k), 1)));
    [0.1, 0.5, 0.9, 0.99].forEach((q, i) => {
      expect(c[i]).toBeGreaterThanOrEqual(q);
      expect(below[i]).toBeLessThan(q);
    });
    expect(flat(new dist.Bernoulli(0.3).icdf([0.5, 0.7, 0.71, 1.5]))).toEqual([0, 0, 1, NaN]);
    expect(new dist.Poisson(3).icdf(1).item()).toBe(Infinity);
  });
});

describe("enumerateSupport", () => {
  it("Bernoulli: [2, ...batch] expanded, [2, 1, ...] not", () => {
    const d = new dist.Bernoulli([0.1, 0.2, 0.3]);
    expect(d.hasEnumerateSupport).toBe(true);
    expect(d.enumerateSupport().shape).toEqual([2, 3]);
    expect(d.enumerateSupport(false).shape).toEqual([2, 1]);
    expect(flat(d.enumerateSupport(false))).toEqual([0, 1]);
  });
  it("Categorical: [K, ...batch]", () => {
    const d = new dist.Categorical(np.full([2, 3, 4], 0.25));
    expect(d.enumerateSupport().shape).toEqual([4, 2, 3]);
    expect(d.enumerateSupport(false).shape).toEqual([4, 1, 1]);
    expect(flat(d.enumerateSupport(false))).toEqual([0, 1, 2, 3]);
  });
  it("Binomial and BetaBinomial with one totalCount: 0..n", () => {
    const b = new dist.Binomial(5, [0.1, 0.5]);
    expect(b.enumerateSupport().shape).toEqual([6, 2]);
    expect(flat(b.enumerateSupport(false))).toEqual([0, 1, 2, 3, 4, 5]);
    const bb = new dist.BetaBinomial([1, 2, 3], 2, 4);
    expect(bb.enumerateSupport().shape).toEqual([5, 3]);
    expect(bb.enumerateSupport(false).shape).toEqual([5, 1]);
    // the enumerated masses sum to 1 for every batch member
    expect(mismatches(np.sum(np.exp(bb.logProb(bb.enumerateSupport())), 0).dataSync(), [1, 1, 1])).toEqual([]);
  });
  it("Binomial with different totalCounts cannot enumerate", () => {
    expect(() => new dist.Binomial([3, 4], 0.5).enumerateSupport()).toThrow(/Binomial.enumerateSupport needs the same totalCount across the batch/);
  });
  it("distributions with infinite support do not enumerate", () => {
    expect(new dist.Poisson(2).hasEnumerateSupport).toBe(false);
    expect(() => new dist.Poisson(2).enumerateSupport()).toThrow(/Poisson has no finite support to enumerate/);
  });
});

describe("log masses are core-op programs: grad, jit and vmap", () => {
  it("grad of Poisson and Binomial log masses match the closed forms", () => {
    const dRate = grad((r: NDArray) => new dist.Poisson(r).logProb(7))(np.array(250)).item();
    expect(dRate).toBeCloseTo(7 / 250 - 1, 5);
    const dP = grad((p: NDArray) => new dist.Binomial(1000, p).logProb(300))(np.array(0.25)).item();
    expect(dP).toBeCloseTo(300 / 0.25 - 700 / 0.75, 1);
    const dMean = grad((m: NDArray) => new dist.NegativeBinomial2(m, 5).logProb(3))(np.array(2)).item();
    // d/dμ log NB2 = k/μ − (k + α)/(μ + α)
    expect(dMean).toBeCloseTo(3 / 2 - 8 / 7, 5);
  });
  it("grad of the categorical log mass with respect to logits is onehot − softmax", () => {
    const g = flat(grad((l: NDArray) => new dist.Categorical({ logits: l }).logProb(1))(np.array([0, 1, 2])));
    const z = Math.exp(0) + Math.exp(1) + Math.exp(2);
    [0, 1, 2].forEach((k) => expect(g[k]).toBeCloseTo((k === 1 ? 1 : 0) - Math.exp(k) / z, 5));
  });
  it("jit and vmap give the eager values", () => {
    const f = (rate: NDArray, k: NDArray) => new dist.Poisson(rate).logProb(k);
    const rate = np.array([0.5, 3, 300]);
    const k = np.array([0, 2, 310]);
    const eager = flat(f(rate, k));
    expect(mismatches(jit(f)(rate, k).dataSync(), eager)).toEqual([]);
    expect(mismatches(vmap(f)(rate, k).dataSync(), eager)).toEqual([]);
    const g = (p: NDArray) => new dist.Binomial(40, p).logProb(np.array([0, 13, 40]));
    expect(mismatches(jit(g)(np.array(0.3)).dataSync(), flat(g(np.array(0.3))))).toEqual([]);
    // a traced totalCount (the support depends on it)
    const h = (n: NDArray) => new dist.Binomial(n, 0.3).logProb(2);
    const ns = np.array([5, 40]);
    expect(mismatches(vmap(h)(ns).dataSync(), flat(new dist.Binomial(ns, 0.3).logProb(2)))).toEqual([]);
    expect(jit(h)(np.array(5)).item()).toBeCloseTo(h(np.array(5)).item(), 5);
  });
  it("entropies that sum over the support need concrete parameters", () => {
    expect(() => jit((r: NDArray) => new dist.Poisson(r).entropy())(np.array(3))).toThrow(/Poisson.entropy sums over the support, so it needs concrete parameters/);
  });
});
