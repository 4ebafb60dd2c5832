import { afterAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import { Array as NDArray, getBackend, grad, jit, np, setBackend, vmap } from "../../src/core/index.js";
import * as random from "../../src/core/random.js";
import { bitsToUnitPrim, gammaLogSampleGrad, threefryPair } from "../../src/core/primitives/random.js";
import { digammaScalar, lgammaScalar } from "../../src/core/primitives/special-kernels.js";
import { bind1 } from "../../src/core/interpreters/stack.js";
import { erfinv } from "../../src/core/special.js";
import { erf, erfc } from "../../src/core/primitives/scalar-math.js";
import { FC, forBackends, withX64 } from "../helpers.js";

// ---- statistics helpers ----------------------------------------------------------------------

/** Measured statistics, printed at the end (for the record). */
const report: string[] = [];
afterAll(() => {
  if (report.length) console.log(`random statistics:\n  ${report.join("\n  ")}`);
});

const u32 = (x: NDArray) => Array.from(x.dataSync() as Int32Array, (v) => v >>> 0);
const vals = (x: NDArray) => Array.from(x.dataSync(), Number);

interface Moments {
  n: number;
  mean: number;
  variance: number;
  m4: number;
}
function moments(xs: readonly number[]): Moments {
  const n = xs.length;
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / n;
  let s2 = 0;
  let s4 = 0;
  for (const x of xs) {
    const d = (x - mean) ** 2;
    s2 += d;
    s4 += d * d;
  }
  return { n, mean, variance: s2 / (n - 1), m4: s4 / n };
}

/** Sample mean and variance within `k` Monte Carlo standard errors of the exact values. */
function expectMoments(name: string, xs: readonly number[], mean: number, variance: number, k = 5): void {
  const m = moments(xs);
  const seMean = Math.sqrt(variance / m.n);
  const seVar = Math.sqrt(Math.max(m.m4 - m.variance ** 2, 1e-300) / m.n);
  const zm = (m.mean - mean) / seMean;
  const zv = (m.variance - variance) / seVar;
  report.push(`${name}: n=${m.n} mean ${m.mean.toPrecision(6)} (exact ${mean.toPrecision(6)}, z=${zm.toFixed(2)}), var ${m.variance.toPrecision(6)} (exact ${variance.toPrecision(6)}, z=${zv.toFixed(2)})`);
  expect(Math.abs(zm), `${name}: mean ${m.mean} vs ${mean} (${zm.toFixed(2)} standard errors)`).toBeLessThan(k);
  expect(Math.abs(zv), `${name}: variance ${m.variance} vs ${variance} (${zv.toFixed(2)} standard errors)`).toBeLessThan(k);
}

/** One-sample Kolmogorov-Smirnov test against an exact cdf at alpha = 0.01 (D < 1.63 / sqrt(n)). */
function expectKS(name: string, xs: readonly number[], cdf: (x: number) => number): void {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  let D = 0;
  for (let i = 0; i < n; i++) {
    const F = cdf(s[i]);
    D = Math.max(D, F - i / n, (i + 1) / n - F);
  }
  const crit = 1.63 / Math.sqrt(n);
  report.push(`${name}: KS D=${D.toFixed(5)} (critical ${crit.toFixed(5)}, n=${n})`);
  expect(D, `${name}: KS statistic ${D} above the 1% critical value ${crit}`).toBeLessThan(crit);
}

/** Upper chi-square quantile (Wilson-Hilferty), z = 3.09 for alpha = 0.001. */
function chiSquareCritical(df: number, z = 3.09): number {
  const c = 2 / (9 * df);
  return df * (1 - c + z * Math.sqrt(c)) ** 3;
}

/**
 * Chi-square goodness of fit of integer draws against a pmf on lo..hi: adjacent cells merged
 * until each expects at least 5, the tails folded into the end cells.
 */
function expectChiSquare(name: string, xs: readonly number[], pmf: (k: number) => number, lo: number, hi: number): void {
  const n = xs.length;
  const counts = new Map<number, number>();
  for (const x of xs) {
    expect(Number.isInteger(x) && x >= lo && x <= hi, `${name}: draw ${x} outside ${lo}..${hi}`).toBe(true);
    counts.set(x, (counts.get(x) ?? 0) + 1);
  }
  const cells: { e: number; o: number }[] = [];
  let e = 0;
  let o = 0;
  for (let k = lo; k <= hi; k++) {
    e += n * pmf(k);
    o += counts.get(k) ?? 0;
    if (e >= 5) {
      cells.push({ e, o });
      e = 0;
      o = 0;
    }
  }
  if (cells.length === 0) cells.push({ e, o });
  else {
    cells[cells.length - 1].e += e;
    cells[cells.length - 1].o += o;
  }
  let chi = 0;
  for (const c of cells) chi += (c.o - c.e) ** 2 / c.e;
  const df = Math.max(1, cells.length - 1);
  const crit = chiSquareCritical(df);
  report.push(`${name}: chi2=${chi.toFixed(2)} df=${df} (critical ${crit.toFixed(2)} at alpha 0.001, n=${n})`);
  expect(chi, `${name}: chi-square ${chi} with ${df} degrees of freedom above ${crit}`).toBeLessThan(crit);
}

// ---- exact distribution functions (float64) --------------------------------------------------

const normCdf = (x: number) => (x < 0 ? 0.5 * erfc(-x / Math.SQRT2) : 0.5 * (1 + erf(x / Math.SQRT2)));

/** Regularized lower incomplete gamma P(a, x), from log x (series below a + 1, continued fraction above). */
function gammaCdfLog(a: number, logx: number): number {
  return gammaPQ(a, logx)[0];
}
/** [P(a, x), Q(a, x)], each computed directly where it is the small one. */
function gammaPQ(a: number, logx: number): [number, number] {
  if (logx === -Infinity) return [0, 1];
  const x = Math.exp(logx);
  const pre = a * logx - x - lgammaScalar(a);
  if (x < a + 1) {
    let del = 1 / a;
    let sum = del;
    for (let ap = a + 1; ap < a + 10000; ap++) {
      del *= x / ap;
      sum += del;
      if (del < sum * 1e-17) break;
    }
    const P = Math.exp(pre) * sum;
    return [P, 1 - P];
  }
  let b = x + 1 - a;
  let c = 1e300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  const Q = Math.exp(pre) * h;
  return [1 - Q, Q];
}
const gammaCdf = (a: number) => (x: number) => (x <= 0 ? 0 : gammaCdfLog(a, Math.log(x)));

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betacf(a: number, b: number, x: number): number {
  const qab = a + b;
  let c = 1;
  let d = 1 - (qab * x) / (a + 1);
  if (Math.abs(d) < 1e-300) d = 1e-300;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = 1 + aa / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = 1 + aa / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-16) break;
  }
  return h;
}
/** Regularized incomplete beta I_x(a, b). */
const betaCdf = (a: number, b: number) => (x: number) => {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const bt = Math.exp(lgammaScalar(a + b) - lgammaScalar(a) - lgammaScalar(b) + a * Math.log(x) + b * Math.log1p(-x));
  return x < (a + 1) / (a + b + 2) ? (bt * betacf(a, b, x)) / a : 1 - (bt * betacf(b, a, 1 - x)) / b;
};

const poissonPmf = (r: number) => (k: number) => Math.exp(k * Math.log(r) - r - lgammaScalar(k + 1));
const binomialPmf = (n: number, p: number) => (k: number) =>
  Math.exp(lgammaScalar(n + 1) - lgammaScalar(k + 1) - lgammaScalar(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p));

/** trigamma by recurrence and the asymptotic series. */
function trigamma(x: number): number {
  let r = 0;
  while (x < 10) {
    r += 1 / (x * x);
    x += 1;
  }
  const f = 1 / (x * x);
  return r + 1 / x + f / 2 + (f / x) * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30)));
}

// ---- keys and bits ---------------------------------------------------------------------------

describe("threefry2x32", () => {
  it("matches the Random123 known-answer vectors (20 rounds)", () => {
    // kat_vectors: "threefry2x32 20 <ctr0> <ctr1> <key0> <key1> <out0> <out1>"
    expect(threefryPair(0, 0, 0, 0)).toEqual([0x6b200159, 0x99ba4efe]);
    expect(threefryPair(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(threefryPair(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3)).toEqual([0xc4923a9c, 0x483df7a0]);
  });

  it("the primitive agrees with the scalar hash elementwise, with broadcasting", async () => {
    const { threefry2x32 } = await import("../../src/core/primitives/random.js");
    const k0 = np.array([0x13198a2e | 0, 0, -1], "int32");
    const k1 = np.array([0x03707344, 0, -1], "int32");
    const x0 = np.array([0x243f6a88, 0, -1], "int32");
    const x1 = np.array([0x85a308d3 | 0, 0, -1], "int32");
    const [y0, y1] = threefry2x32(k0, k1, x0, x1);
    expect(y0.dtype).toBe("int32");
    expect(u32(y0)).toEqual([0xc4923a9c, 0x6b200159, 0x1cb996fc]);
    expect(u32(y1)).toEqual([0x483df7a0, 0x99ba4efe, 0xbb002be7]);
    const [b0] = threefry2x32(np.array(0, "int32"), np.array(0, "int32"), np.array(0, "int32"), np.reshape(np.arange(4), [2, 2]));
    expect(b0.shape).toEqual([2, 2]);
    expect(u32(b0)[2]).toBe(threefryPair(0, 0, 0, 2)[0]);
  });
});

describe("keys", () => {
  it("key(seed) is [0, seed] for 32-bit seeds and [hi, lo] up to 2^53", () => {
    expect(random.key(0).dtype).toBe("int32");
    expect(random.key(0).shape).toEqual([2]);
    expect(u32(random.key(0))).toEqual([0, 0]);
    expect(u32(random.key(42))).toEqual([0, 42]);
    expect(u32(random.key(-1))).toEqual([0, 0xffffffff]);
    expect(u32(random.key(2 ** 32 + 5))).toEqual([1, 5]);
    expect(u32(random.key(2 ** 53 - 1))).toEqual([0x1fffff, 0xffffffff]);
    expect(u32(random.key(-(2 ** 40)))).toEqual([0xffffff00, 0]);
    expect(() => random.key(1.5)).toThrow(/integer/);
    expect(random.PRNGKey).toBe(random.key);
  });

  it("split(key(0)) gives JAX's keys (default partitionable Threefry, JAX >= 0.5)", () => {
    // jax.random.split(jax.random.key(0), 8) (key_data), as published by JAX users
    expect(u32(random.split(random.key(0), 4))).toEqual([1797259609, 2579123966, 928981903, 3453687069, 4146024105, 2718843009, 2467461003, 3840466878]);
    expect(random.split(random.key(0)).shape).toEqual([2, 2]);
    expect(random.split(random.key(0), 0).shape).toEqual([0, 2]);
    // the legacy layout (jax_threefry_partitionable=False) hashed the counters [0..2n) in two
    // halves: split(PRNGKey(0)) was [[4146024105, 967050713], [2718843009, 1272950319]]
    expect([threefryPair(0, 0, 0, 2)[0], threefryPair(0, 0, 1, 3)[0], threefryPair(0, 0, 0, 2)[1], threefryPair(0, 0, 1, 3)[1]]).toEqual([4146024105, 967050713, 2718843009, 1272950319]);
  });

  it("split works on batches of keys", () => {
    const ks = random.split(random.key(7), 3);
    const kk = random.split(ks, 2);
    expect(kk.shape).toEqual([3, 2, 2]);
    for (let i = 0; i < 3; i++) {
      const ki = np.reshape(np.slice(ks, [i, 0], [i + 1, 2]), [2]);
      expect(u32(np.reshape(np.slice(kk, [i, 0, 0], [i + 1, 2, 2]), [2, 2]))).toEqual(u32(random.split(ki, 2)));
    }
  });

  it("foldIn is Threefry(key, (0, data)), differs per datum and from the parent", () => {
    const k = random.key(3);
    const f1 = u32(random.foldIn(k, 1));
    const f2 = u32(random.foldIn(k, 2));
    expect(f1).toEqual(threefryPair(0, 3, 0, 1));
    expect(f1).not.toEqual(f2);
    expect(f1).not.toEqual(u32(k));
    // JAX: fold_in(key, i) equals split(key, n)[i] under the partitionable scheme
    expect(u32(np.reshape(np.slice(random.split(k, 3), [2, 0], [3, 2]), [2]))).toEqual(f2);
    // array data broadcast against the key
    const fa = random.foldIn(k, np.array([1, 2], "int32"));
    expect(fa.shape).toEqual([2, 2]);
    expect(u32(fa)).toEqual([...f1, ...f2]);
    // large data use both counter words
    expect(u32(random.foldIn(k, 2 ** 33 + 1))).toEqual(threefryPair(0, 3, 2, 1));
  });

  it("bits are the xor of the two words of Threefry(key, (0, i))", () => {
    const b = random.bits(random.key(0), [2, 3]);
    expect(b.dtype).toBe("int32");
    expect(b.shape).toEqual([2, 3]);
    expect(u32(b)).toEqual(
      Array.from({ length: 6 }, (_, i) => {
        const [y0, y1] = threefryPair(0, 0, 0, i);
        return (y0 ^ y1) >>> 0;
      }),
    );
    expect(random.bits(random.key(0)).shape).toEqual([]);
  });

  it("fast-check: split keys are distinct and deterministic", () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 2, max: 40 }), (seed, n) => {
        const ks = u32(random.split(random.key(seed), n));
        const pairs = new Set<string>();
        for (let i = 0; i < n; i++) pairs.add(`${ks[2 * i]},${ks[2 * i + 1]}`);
        expect(pairs.size).toBe(n);
        expect(u32(random.split(random.key(seed), n))).toEqual(ks);
      }),
      FC(30, 11),
    );
  });

  it("samplers reject batches of keys with a clear message", () => {
    expect(() => random.uniform(random.split(random.key(0), 2), [3])).toThrow(/one key/);
    expect(() => random.normal(np.array([1, 2]), [3])).toThrow(/one key/);
  });
});

// ---- uniform and friends ---------------------------------------------------------------------

describe("uniform", () => {
  const k = random.key(0);

  it("reproduces JAX's float32 uniform(key(0), (4,))", () => {
    // values published by an independent port validated against jax.random.uniform (JAX >= 0.5)
    expect(vals(random.uniform(k, [4]))).toEqual([0.9476670027, 0.9785798788, 0.3322914839, 0.4686684608].map(Math.fround));
  });

  it("is (bits >>> 9) / 2^23 in float32 and 52 bits in float64", () => {
    const b = u32(random.bits(k, [16]));
    expect(vals(random.uniform(k, [16]))).toEqual(b.map((v) => (v >>> 9) / 2 ** 23));
    withX64(() => {
      const u = random.uniform(k, [16]);
      expect(u.dtype).toBe("float64");
      expect(vals(u)).toEqual(
        Array.from({ length: 16 }, (_, i) => {
          const [hi, lo] = threefryPair(0, 0, 0, i);
          return (hi * 2 ** 20 + (lo >>> 12)) / 2 ** 52;
        }),
      );
    });
    expect(random.uniform(k, [3], "float64").dtype).toBe("float64");
  });

  it("shapes, bounds, broadcasting parameters", () => {
    expect(random.uniform(k).shape).toEqual([]);
    expect(random.uniform(k, 5).shape).toEqual([5]);
    const u = random.uniform(k, [2, 3], undefined, np.array([[0], [10]]), np.array([[1], [20]]));
    expect(u.shape).toEqual([2, 3]);
    const v = vals(u);
    for (const x of v.slice(0, 3)) expect(x >= 0 && x < 1).toBe(true);
    for (const x of v.slice(3)) expect(x >= 10 && x < 20).toBe(true);
    expect(() => random.uniform(k, [2], undefined, np.zeros([3]))).toThrow(/broadcast/);
    expect(() => random.uniform(k, [2], "int32")).toThrow(/float/);
  });

  it("fast-check: values lie in [minval, maxval)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10000 }), fc.double({ min: -100, max: 100, noNaN: true }), fc.double({ min: 0.001, max: 50, noNaN: true }), (seed, lo, w) => {
        const hi = lo + w;
        for (const x of vals(random.uniform(random.key(seed), [64], "float64", lo, hi))) expect(x >= lo && x < hi).toBe(true);
      }),
      FC(30, 3),
    );
  });

  it("moments and KS against U(0, 1); same key same draws", () => {
    const x = vals(random.uniform(random.key(11), [50000]));
    expectMoments("uniform", x, 0.5, 1 / 12);
    expectKS("uniform", x, (v) => Math.min(1, Math.max(0, v)));
    expect(vals(random.uniform(random.key(11), [50000]))).toEqual(x);
  });

  it("split keys give independent streams (correlation near 0)", () => {
    const [a, b] = random.splitList(random.key(5), 2);
    const n = 50000;
    const x = vals(random.uniform(a, [n]));
    const y = vals(random.uniform(b, [n]));
    const mx = moments(x).mean;
    const my = moments(y).mean;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (let i = 0; i < n; i++) {
      sxy += (x[i] - mx) * (y[i] - my);
      sxx += (x[i] - mx) ** 2;
      syy += (y[i] - my) ** 2;
    }
    const r = sxy / Math.sqrt(sxx * syy);
    report.push(`split independence: corr=${r.toFixed(5)} (n=${n}, 4/sqrt(n)=${(4 / Math.sqrt(n)).toFixed(5)})`);
    expect(Math.abs(r)).toBeLessThan(4 / Math.sqrt(n));
    // and the neighbouring uniforms of one stream are uncorrelated too
    let lag = 0;
    for (let i = 1; i < n; i++) lag += (x[i] - mx) * (x[i - 1] - mx);
    expect(Math.abs(lag / sxx)).toBeLessThan(4 / Math.sqrt(n));
  });
});

describe("normal, exponential, gumbel, laplace, cauchy", () => {
  it("normal: moments, KS (float32 and float64)", () => {
    const x = vals(random.normal(random.key(21), [50000]));
    expectMoments("normal f32", x, 0, 1);
    expectKS("normal f32", x, normCdf);
    withX64(() => {
      const y = random.normal(random.key(22), [40000]);
      expect(y.dtype).toBe("float64");
      expectKS("normal f64", vals(y), normCdf);
    });
    expect(random.normal(random.key(0), [3, 5]).shape).toEqual([3, 5]);
    expect(random.normal(random.key(0), 7).shape).toEqual([7]);
    expect(random.normal(random.key(0)).shape).toEqual([]);
  });

  it("normal is JAX's transform: sqrt(2) erfinv(u), u uniform on (-1, 1)", () => {
    const k = random.key(0);
    const u = random.uniform(k, [6], undefined, Math.fround(-1 + 2 ** -24), 1);
    expect(vals(random.normal(k, [6]))).toEqual(vals(np.multiply(Math.SQRT2, erfinv(u))));
    // JAX's published normal(key(0), (4,)) under the legacy bit layout, whose bits were
    // [4146024105, 967050713, 2718843009, 1272950319]: the same transform of those bits
    const legacy = np.array([4146024105 | 0, 967050713, 2718843009 | 0, 1272950319], "int32");
    const f = bind1(bitsToUnitPrim, [legacy], { dtype: "float32" });
    const lo = Math.fround(-1 + 2 ** -24);
    const ul = np.maximum(lo, np.add(np.multiply(f, 1 - lo), lo));
    const z = vals(np.multiply(Math.SQRT2, erfinv(ul)));
    const jax = [1.8160863, -0.75488514, 0.33988908, -0.53483534];
    for (let i = 0; i < 4; i++) expect(Math.abs(z[i] - jax[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(jax[i])));
  });

  it("exponential, gumbel, laplace, cauchy: KS against their cdfs", () => {
    const n = 30000;
    const e = vals(random.exponential(random.key(31), [n]));
    expectMoments("exponential", e, 1, 1);
    expectKS("exponential", e, (v) => (v <= 0 ? 0 : -Math.expm1(-v)));
    const g = vals(random.gumbel(random.key(32), [n]));
    expectMoments("gumbel", g, 0.5772156649015329, Math.PI ** 2 / 6);
    expectKS("gumbel", g, (v) => Math.exp(-Math.exp(-v)));
    const l = vals(random.laplace(random.key(33), [n]));
    expectMoments("laplace", l, 0, 2);
    expectKS("laplace", l, (v) => (v < 0 ? 0.5 * Math.exp(v) : 1 - 0.5 * Math.exp(-v)));
    const c = vals(random.cauchy(random.key(34), [n]));
    expectKS("cauchy", c, (v) => 0.5 + Math.atan(v) / Math.PI);
    for (const v of [...e, ...g, ...l, ...c]) expect(Number.isFinite(v)).toBe(true);
  });
});

// ---- gamma, beta, dirichlet ------------------------------------------------------------------

describe("gamma", () => {
  it("scalar helpers: lgamma and digamma", () => {
    expect(lgammaScalar(0.5)).toBeCloseTo(0.5723649429247001, 13);
    expect(lgammaScalar(10)).toBeCloseTo(12.801827480081469, 12);
    expect(lgammaScalar(1e-3)).toBeCloseTo(6.907178885383854, 12);
    expect(digammaScalar(1)).toBeCloseTo(-0.5772156649015329, 13);
    expect(digammaScalar(0.1)).toBeCloseTo(-10.423754940411076, 12);
    expect(digammaScalar(100)).toBeCloseTo(4.600161852738087, 13);
  });

  for (const a of [0.1, 0.5, 1, 3.7, 100]) {
    it(`Gamma(${a}): moments and KS`, () => {
      const x = vals(random.gamma(random.key(100 + Math.round(a * 10)), a, [30000]));
      for (const v of x) expect(v >= 0 && Number.isFinite(v)).toBe(true);
      expectMoments(`gamma a=${a}`, x, a, a);
      expectKS(`gamma a=${a}`, x, gammaCdf(a));
    });
  }

  it("loggamma is accurate where the draws underflow (a = 0.01)", () => {
    const a = 0.01;
    const l = vals(random.loggamma(random.key(9), a, [20000]));
    for (const v of l) expect(Number.isFinite(v)).toBe(true);
    // E[log X] = digamma(a), Var[log X] = trigamma(a)
    expectMoments("loggamma a=0.01", l, digammaScalar(a), trigamma(a));
    expectKS("loggamma a=0.01", l, (v) => gammaCdfLog(a, v));
  });

  it("broadcasts the concentration against the shape; float64", () => {
    const x = random.gamma(random.key(1), np.array([1, 2, 3]), [4, 3]);
    expect(x.shape).toEqual([4, 3]);
    expect(x.dtype).toBe("float32");
    expect(random.gamma(random.key(1), 2).shape).toEqual([]);
    expect(random.gamma(random.key(1), 2, [2], "float64").dtype).toBe("float64");
    expect(() => random.gamma(random.key(1), np.ones([3]), [2])).toThrow(/broadcast/);
    // invalid concentrations give NaN
    const bad = vals(random.gamma(random.key(1), np.array([-1, 0, NaN])));
    for (const v of bad) expect(Number.isNaN(v)).toBe(true);
  });

  it("implicit reparameterization: dx/da matches -dF/da / f by finite differences of the cdf", () => {
    for (const [a, x] of [
      [0.1, 1e-8],
      [0.1, 0.05],
      [0.5, 0.3],
      [1, 1],
      [3.7, 2],
      [3.7, 9],
      [100, 85],
      [100, 100.5],
      [100, 130],
      [2, 40],
    ]) {
      const h = 1e-6 * Math.max(1, a);
      const lx = Math.log(x);
      const dF = x < a + 1 ? (gammaPQ(a + h, lx)[0] - gammaPQ(a - h, lx)[0]) / (2 * h) : -(gammaPQ(a + h, lx)[1] - gammaPQ(a - h, lx)[1]) / (2 * h);
      const f = Math.exp((a - 1) * Math.log(x) - x - lgammaScalar(a));
      const want = -dF / f;
      const got = x * gammaLogSampleGrad(a, Math.log(x));
      expect(Math.abs(got - want), `a=${a} x=${x}: ${got} vs ${want}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(want)));
    }
  });

  it("gradient: E[dx/da] = 1 and E[d log x/da] = trigamma(a)", () => {
    for (const a of [0.1, 0.5, 3.7, 100]) {
      const key = random.key(200 + a * 10);
      const n = 20000;
      const g = grad((aa: NDArray) => np.sum(random.gamma(key, aa, [n])))(np.full([n], a));
      const gs = vals(g);
      const m = moments(gs);
      const z = (m.mean - 1) / Math.sqrt(m.variance / n);
      report.push(`gamma grad a=${a}: mean dx/da ${m.mean.toFixed(5)} (exact 1, z=${z.toFixed(2)})`);
      expect(Math.abs(z)).toBeLessThan(5);
    }
    for (const a of [0.01, 2]) {
      const n = 20000;
      const g = vals(grad((aa: NDArray) => np.sum(random.loggamma(random.key(77), aa, [n])))(np.full([n], a)));
      const m = moments(g);
      const want = trigamma(a);
      const z = (m.mean - want) / Math.sqrt(m.variance / n);
      report.push(`loggamma grad a=${a}: mean dlogx/da ${m.mean.toPrecision(6)} (exact ${want.toPrecision(6)}, z=${z.toFixed(2)})`);
      expect(Math.abs(z)).toBeLessThan(5);
    }
    // a scalar concentration broadcast to the shape gets the summed gradient
    const gs = grad((aa: NDArray) => np.mean(random.gamma(random.key(3), aa, [20000])))(np.array(2.5));
    expect(gs.shape).toEqual([]);
    expect(Math.abs(gs.item() - 1)).toBeLessThan(0.05);
  });

  it("second derivatives are refused clearly", () => {
    const f = (aa: NDArray) => np.sum(random.gamma(random.key(0), aa, [3]));
    expect(() => grad(grad(f))(np.array(2))).toThrow(/second derivatives/);
  });
});

describe("beta and dirichlet", () => {
  for (const [a, b] of [
    [0.5, 0.5],
    [2, 5],
    [0.1, 0.3],
  ]) {
    it(`Beta(${a}, ${b}): moments and KS`, () => {
      const x = vals(random.beta(random.key(Math.round(300 + a * 10 + b * 100)), a, b, [30000]));
      for (const v of x) expect(v >= 0 && v <= 1).toBe(true);
      const s = a + b;
      expectMoments(`beta(${a},${b})`, x, a / s, (a * b) / (s * s * (s + 1)));
      expectKS(`beta(${a},${b})`, x, betaCdf(a, b));
    });
  }

  it("Beta with tiny parameters stays finite (log-space)", () => {
    const x = vals(random.beta(random.key(4), 0.01, 0.02, [20000]));
    for (const v of x) expect(v >= 0 && v <= 1).toBe(true);
    expectMoments("beta(0.01,0.02)", x, 1 / 3, (0.01 * 0.02) / (0.03 * 0.03 * 1.03));
  });

  it("beta gradient: d/da E[Beta(a, b)] = b / (a + b)^2", () => {
    const n = 30000;
    const [a, b] = [2, 3];
    const g = grad((aa: NDArray) => np.mean(random.beta(random.key(8), aa, b, [n])))(np.array(a)).item();
    const want = b / (a + b) ** 2;
    report.push(`beta grad: ${g.toFixed(5)} (exact ${want.toFixed(5)})`);
    expect(Math.abs(g - want)).toBeLessThan(0.01);
  });

  it("Dirichlet: rows on the simplex, Beta marginals, moments", () => {
    const alpha = [0.3, 1, 5];
    const A = alpha.reduce((s, v) => s + v, 0);
    const x = random.dirichlet(random.key(12), alpha, [20000]);
    expect(x.shape).toEqual([20000, 3]);
    const v = vals(x);
    for (let i = 0; i < 20000; i++) expect(Math.abs(v[3 * i] + v[3 * i + 1] + v[3 * i + 2] - 1)).toBeLessThan(1e-5);
    for (let j = 0; j < 3; j++) {
      const col = Array.from({ length: 20000 }, (_, i) => v[3 * i + j]);
      expectMoments(`dirichlet[${j}]`, col, alpha[j] / A, (alpha[j] * (A - alpha[j])) / (A * A * (A + 1)));
      expectKS(`dirichlet[${j}] ~ Beta`, col, betaCdf(alpha[j], A - alpha[j]));
    }
    expect(random.dirichlet(random.key(1), np.ones([4, 3])).shape).toEqual([4, 3]);
    expect(random.dirichlet(random.key(1), np.ones([4, 3]), [2, 4]).shape).toEqual([2, 4, 3]);
  });

  it("Dirichlet with tiny concentrations (0.01) is finite and normalized", () => {
    const x = vals(random.dirichlet(random.key(13), [0.01, 0.01, 0.01], [10000]));
    for (const v of x) expect(Number.isFinite(v)).toBe(true);
    for (let i = 0; i < 10000; i++) expect(Math.abs(x[3 * i] + x[3 * i + 1] + x[3 * i + 2] - 1)).toBeLessThan(1e-5);
    const col = Array.from({ length: 10000 }, (_, i) => x[3 * i]);
    expectMoments("dirichlet(0.01)[0]", col, 1 / 3, (0.01 * 0.02) / (0.03 * 0.03 * 1.03));
  });

  it("dirichlet gradient: d/dalpha_0 E[X_0] = (A - alpha_0) / A^2", () => {
    const alpha = np.array([2, 3, 5]);
    const g = vals(grad((al: NDArray) => np.mean(np.slice(random.dirichlet(random.key(14), al, [30000]), [0, 0], [30000, 1])))(alpha));
    const want = [(10 - 2) / 100, -2 / 100, -2 / 100];
    report.push(`dirichlet grad: ${g.map((v) => v.toFixed(4))} (exact ${want})`);
    for (let i = 0; i < 3; i++) expect(Math.abs(g[i] - want[i])).toBeLessThan(0.006);
  });
});

// ---- truncated normal ------------------------------------------------------------------------

/** log Φ(x) in float64, with the asymptotic series far in the lower tail. */
function logPhi(x: number): number {
  if (x === -Infinity) return -Infinity;
  if (x > -30) return Math.log(normCdf(x));
  const w = 1 / (x * x);
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 12; k++) {
    term *= -(2 * k - 1) * w;
    sum += term;
  }
  return -0.5 * x * x - Math.log(-x) - 0.9189385332046728 + Math.log(sum);
}
const phi = (x: number) => (Number.isFinite(x) ? Math.exp(-0.5 * x * x - 0.9189385332046728) : 0);

/** cdf of the standard normal truncated to [a, b], computed on the side where it is small. */
function truncCdf(a: number, b: number): (x: number) => number {
  if (a + b > 0) {
    const g = truncCdf(-b, -a);
    return (x) => 1 - g(-x);
  }
  const lb = logPhi(b);
  const r = Math.exp(logPhi(a) - lb);
  return (x) => (x <= a ? 0 : x >= b ? 1 : (Math.exp(logPhi(x) - lb) - r) / (1 - r));
}

describe("truncatedNormal", () => {
  for (const [a, b] of [
    [-1, 2],
    [2, 3],
    [-Infinity, -3],
    [5, Infinity],
    [-12, -11],
    [-40, -39],
    [39, 40.5],
    [-Infinity, Infinity],
  ]) {
    it(`[${a}, ${b}]: within bounds, KS against the truncated cdf`, () => {
      const x = vals(random.truncatedNormal(random.key(900 + (Number.isFinite(a) ? a : 77)), a, b, [20000]));
      for (const v of x) expect(v >= a && v <= b).toBe(true);
      expectKS(`truncatedNormal [${a}, ${b}]`, x, truncCdf(a, b));
    });
  }

  it("moments on [-1, 2]; float64 far in the tail; shapes; lower > upper gives NaN", () => {
    const [a, b] = [-1, 2];
    const Z = normCdf(b) - normCdf(a);
    const mean = (phi(a) - phi(b)) / Z;
    const variance = 1 + (a * phi(a) - b * phi(b)) / Z - mean * mean;
    expectMoments("truncatedNormal [-1, 2]", vals(random.truncatedNormal(random.key(950), a, b, [30000])), mean, variance);
    const y = random.truncatedNormal(random.key(951), -40, -39.5, [20000], "float64");
    expect(y.dtype).toBe("float64");
    expectKS("truncatedNormal f64 [-40, -39.5]", vals(y), truncCdf(-40, -39.5));
    expect(random.truncatedNormal(random.key(1), np.array([-1, 0]), 3, [4, 2]).shape).toEqual([4, 2]);
    expect(vals(random.truncatedNormal(random.key(1), np.array([2, 1]), np.array([1, 1])))).toEqual([NaN, 1]);
  });

  it("gradient with respect to the bounds: dx/da = φ(a)(1 - F(x)) / φ(x)", () => {
    const n = 8;
    const k = random.key(960);
    const [a, b] = [-0.5, 1.5];
    const x = vals(random.truncatedNormal(k, a, b, [n], "float64"));
    const [ga, gb] = grad((lo: NDArray, hi: NDArray) => np.sum(random.truncatedNormal(k, lo, hi, [n], "float64")), { argnums: [0, 1] })(np.array(a, "float64"), np.array(b, "float64")) as NDArray[];
    const F = truncCdf(a, b);
    let wantA = 0;
    let wantB = 0;
    for (const v of x) {
      wantA += (phi(a) * (1 - F(v))) / phi(v);
      wantB += (phi(b) * F(v)) / phi(v);
    }
    expect(ga.item()).toBeCloseTo(wantA, 6);
    expect(gb.item()).toBeCloseTo(wantB, 6);
  });
});

// ---- multivariate normal ---------------------------------------------------------------------

describe("multivariateNormal", () => {
  it("mean and covariance match; batch shapes broadcast", () => {
    const mean = [1, -2, 0.5];
    const cov = [
      [2, 0.6, -0.3],
      [0.6, 1, 0.2],
      [-0.3, 0.2, 0.5],
    ];
    const n = 40000;
    const x = random.multivariateNormal(random.key(15), mean, cov, [n]);
    expect(x.shape).toEqual([n, 3]);
    const v = vals(x);
    const col = (j: number) => Array.from({ length: n }, (_, i) => v[3 * i + j]);
    for (let j = 0; j < 3; j++) expectMoments(`mvn[${j}]`, col(j), mean[j], cov[j][j]);
    for (let i = 0; i < 3; i++)
      for (let j = i + 1; j < 3; j++) {
        const a = col(i);
        const b = col(j);
        let s = 0;
        for (let t = 0; t < n; t++) s += (a[t] - mean[i]) * (b[t] - mean[j]);
        const c = s / n;
        const se = Math.sqrt((cov[i][i] * cov[j][j] + cov[i][j] ** 2) / n);
        report.push(`mvn cov[${i}${j}]: ${c.toFixed(4)} (exact ${cov[i][j]}, z=${((c - cov[i][j]) / se).toFixed(2)})`);
        expect(Math.abs(c - cov[i][j])).toBeLessThan(5 * se);
      }
    // KS of a linear projection: w.x ~ N(w.mean, w' cov w)
    const w = [0.3, -1, 2];
    const proj = Array.from({ length: n }, (_, t) => w[0] * v[3 * t] + w[1] * v[3 * t + 1] + w[2] * v[3 * t + 2]);
    const pm = w.reduce((s, wi, i) => s + wi * mean[i], 0);
    let pv = 0;
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) pv += w[i] * cov[i][j] * w[j];
    expectKS("mvn projection", proj, (z) => normCdf((z - pm) / Math.sqrt(pv)));
    expect(random.multivariateNormal(random.key(1), np.zeros([4, 3]), np.eye(3)).shape).toEqual([4, 3]);
    expect(random.multivariateNormal(random.key(1), np.zeros([3]), np.eye(3)).shape).toEqual([3]);
    expect(() => random.multivariateNormal(random.key(1), np.zeros([3]), np.eye(2))).toThrow(/cov/);
  });
});

// ---- discrete samplers -----------------------------------------------------------------------

describe("poisson", () => {
  for (const rate of [0.5, 3, 9.99, 10, 37.5, 1000, 1e6]) {
    it(`Poisson(${rate}): chi-square and moments`, () => {
      const x = random.poisson(random.key(400 + Math.round(rate)), rate, [30000]);
      expect(x.dtype).toBe("int32");
      const v = vals(x);
      expectMoments(`poisson ${rate}`, v, rate, rate);
      const sd = Math.sqrt(rate);
      expectChiSquare(`poisson ${rate}`, v, poissonPmf(rate), Math.max(0, Math.floor(rate - 12 * sd - 10)), Math.ceil(rate + 12 * sd + 20));
    });
  }

  it("edge cases: rate 0, invalid rates, broadcasting", () => {
    expect(vals(random.poisson(random.key(0), np.array([0, -1, NaN])))).toEqual([0, -1, -1]);
    const x = random.poisson(random.key(0), np.array([1, 100]), [3, 2]);
    expect(x.shape).toEqual([3, 2]);
  });
});

describe("binomial", () => {
  for (const [n, p] of [
    [10, 0.3],
    [20, 0.49],
    [25, 0.4],
    [50, 0.9],
    [100, 0.5],
    [1000, 0.3],
    [1000, 0.001],
    [1000000, 0.00001],
    [1000000, 0.37],
  ]) {
    it(`Binomial(${n}, ${p}): chi-square and moments`, () => {
      const x = random.binomial(random.key(500 + n + Math.round(p * 100)), n, p, [30000]);
      expect(x.dtype).toBe("int32");
      const v = vals(x);
      expectMoments(`binomial(${n},${p})`, v, n * p, n * p * (1 - p));
      const sd = Math.sqrt(n * p * (1 - p));
      expectChiSquare(`binomial(${n},${p})`, v, binomialPmf(n, p), Math.max(0, Math.floor(n * p - 12 * sd - 10)), Math.min(n, Math.ceil(n * p + 12 * sd + 20)));
    });
  }

  it("edge cases: p in {0, 1}, n = 0, invalid parameters, broadcasting", () => {
    expect(vals(random.binomial(random.key(0), np.array([5, 5, 0, 5, -1, 2.5]), np.array([0, 1, 0.5, 2, 0.5, 0.5])))).toEqual([0, 5, 0, -1, -1, -1]);
    expect(random.binomial(random.key(0), np.array([10, 20], "int32"), 0.5, [3, 2]).shape).toEqual([3, 2]);
  });
});

describe("categorical, bernoulli, randint", () => {
  it("categorical: chi-square against softmax(logits), shapes and axis", () => {
    const logits = [0, 1, 2, -1, 0.5];
    const Z = logits.reduce((s, l) => s + Math.exp(l), 0);
    const x = random.categorical(random.key(600), logits, -1, [30000]);
    expect(x.dtype).toBe("int32");
    expectChiSquare("categorical", vals(x), (k) => Math.exp(logits[k]) / Z, 0, 4);
    // axis 0: categories along the first axis, one draw per column
    const L = np.array([
      [0, -50],
      [-50, 0],
    ]);
    expect(vals(random.categorical(random.key(1), L, 0))).toEqual([0, 1]);
    expect(random.categorical(random.key(1), np.zeros([3, 4]), -1, [2, 3]).shape).toEqual([2, 3]);
    expect(() => random.categorical(random.key(1), np.zeros([3, 4]), -1, [2])).toThrow(/broadcast/);
  });

  it("bernoulli: mean p, bool dtype, broadcast p", () => {
    const x = random.bernoulli(random.key(601), 0.3, [30000]);
    expect(x.dtype).toBe("bool");
    expectMoments("bernoulli 0.3", vals(x), 0.3, 0.21);
    expect(random.bernoulli(random.key(1), np.array([0.1, 0.9])).shape).toEqual([2]);
    expect(vals(random.bernoulli(random.key(1), np.array([0, 1]), [4, 2]))).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
  });

  it("randint: chi-square uniform on [minval, maxval), int32 range, degenerate spans", () => {
    const x = random.randint(random.key(602), [30000], -3, 7);
    expect(x.dtype).toBe("int32");
    expectChiSquare("randint [-3,7)", vals(x), () => 0.1, -3, 6);
    const big = vals(random.randint(random.key(603), [20000], -(2 ** 31), 2 ** 31 - 1));
    for (const v of big) expect(v >= -(2 ** 31) && v < 2 ** 31 - 1).toBe(true);
    expectMoments("randint full range / 2^31", big.map((v) => v / 2 ** 31), -0.5 / 2 ** 31, 1 / 3);
    expect(vals(random.randint(random.key(0), [3], 5, 5))).toEqual([5, 5, 5]);
    const r = random.randint(random.key(0), [2, 3], np.array([0, 10, 100], "int32"), np.array([1, 11, 101], "int32"));
    expect(vals(r)).toEqual([0, 10, 100, 0, 10, 100]);
  });

  it("fast-check: randint stays within its bounds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 1, max: 100000 }), (seed, lo, w) => {
        for (const v of vals(random.randint(random.key(seed), [32], lo, lo + w))) expect(v >= lo && v < lo + w).toBe(true);
      }),
      FC(30, 5),
    );
  });
});

describe("permutation and choice", () => {
  it("permutation of n is a permutation; uniform over the 24 orders of 4 (vmapped keys)", () => {
    const p = vals(random.permutation(random.key(1), 100));
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const n = 24000;
    const perms = vals(vmap((k: NDArray) => random.permutation(k, 4))(random.split(random.key(700), n)));
    const index = (a: number[]) => a.reduce((s, v) => s * 4 + v, 0);
    const codes = new Map<number, number>();
    let c = 0;
    const all: number[][] = [];
    const rec = (pre: number[]) => {
      if (pre.length === 4) return all.push(pre);
      for (let i = 0; i < 4; i++) if (!pre.includes(i)) rec([...pre, i]);
    };
    rec([]);
    for (const a of all) codes.set(index(a), c++);
    const draws = Array.from({ length: n }, (_, i) => codes.get(index(perms.slice(4 * i, 4 * i + 4)))!);
    expectChiSquare("permutation(4)", draws, () => 1 / 24, 0, 23);
  });

  it("permutation of an array along an axis; large n uses two rounds", () => {
    const x = np.reshape(np.arange(12), [3, 4]);
    const p = random.permutation(random.key(2), x, 1);
    expect(p.shape).toEqual([3, 4]);
    const v = vals(p);
    const cols = v.slice(0, 4);
    expect([...cols].sort((a, b) => a - b)).toEqual([0, 1, 2, 3]);
    expect(v.slice(4, 8)).toEqual(cols.map((c) => c + 4));
    const big = vals(random.permutation(random.key(3), 3000));
    expect(new Set(big).size).toBe(3000);
  });

  it("fast-check: permutations are permutations", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 0, max: 60 }), (seed, n) => {
        const p = vals(random.permutation(random.key(seed), n));
        expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
      FC(30, 7),
    );
  });

  it("choice: with replacement (uniform, weighted), without replacement (distinct, weighted first draw)", () => {
    const u = random.choice(random.key(800), 6, [30000]);
    expect(u.shape).toEqual([30000]);
    expectChiSquare("choice uniform", vals(u), () => 1 / 6, 0, 5);
    const p = [0.1, 0.2, 0.3, 0.4];
    expectChiSquare("choice p", vals(random.choice(random.key(801), 4, [30000], true, p)), (k) => p[k], 0, 3);
    const d = vals(random.choice(random.key(802), 10, [2, 5], false));
    expect(new Set(d).size).toBe(10);
    const dp = vals(random.choice(random.key(803), 4, [3], false, p));
    expect(new Set(dp).size).toBe(3);
    const first = vals(vmap((k: NDArray) => np.slice(random.choice(k, 4, [2], false, p), [0], [1]))(random.split(random.key(804), 20000)));
    expectChiSquare("choice p without replacement (first draw)", first, (k) => p[k], 0, 3);
    const arr = np.array([[1, 2], [3, 4], [5, 6]]);
    const rows = random.choice(random.key(805), arr, [4]);
    expect(rows.shape).toEqual([4, 2]);
    for (const r of rows.toArray() as number[][]) expect(r[1] - r[0]).toBe(1);
    expect(() => random.choice(random.key(0), 3, [4], false)).toThrow(/without replacement/);
  });
});

// ---- transforms: vmap, jit, tfjs -------------------------------------------------------------

describe("under vmap and jit", () => {
  it("a vmapped key gives each member the stream of its own key", () => {
    const ks = random.split(random.key(42), 3);
    const one = (i: number) => np.reshape(np.slice(ks, [i, 0], [i + 1, 2]), [2]);
    const samplers: [string, (k: NDArray) => NDArray][] = [
      ["normal", (k) => random.normal(k, [5])],
      ["uniform", (k) => random.uniform(k, [2, 2])],
      ["gamma", (k) => random.gamma(k, 0.7, [4])],
      ["poisson", (k) => random.poisson(k, 20, [4])],
      ["binomial", (k) => random.binomial(k, 40, 0.3, [4])],
      ["randint", (k) => random.randint(k, [4], 0, 1000)],
      ["split", (k) => random.split(k, 3)],
      ["foldIn", (k) => random.foldIn(k, 9)],
    ];
    for (const [name, f] of samplers) {
      const b = vmap(f)(ks);
      for (let i = 0; i < 3; i++) expect(vals(np.take(b, i, 0)), name).toEqual(vals(f(one(i))));
      // and the members differ from each other
      expect(vals(np.take(b, 0, 0)), name).not.toEqual(vals(np.take(b, 1, 0)));
    }
    // batched parameters with one shared key
    const g = vmap((a: NDArray) => random.gamma(random.key(1), a, [2]))(np.array([1, 5]));
    expect(vals(np.take(g, 1, 0))).toEqual(vals(random.gamma(random.key(1), 5, [2])));
    const pb = vmap((r: NDArray) => random.poisson(random.key(2), r, [3]))(np.array([2, 300]));
    expect(vals(np.take(pb, 1, 0))).toEqual(vals(random.poisson(random.key(2), 300, [3])));
    const bb = vmap((p: NDArray) => random.binomial(random.key(3), 50, p, [3]))(np.array([0.1, 0.7]));
    expect(vals(np.take(bb, 1, 0))).toEqual(vals(random.binomial(random.key(3), 50, 0.7, [3])));
    // vmap of the reparameterized gradient (batches the gamma-gradient primitive)
    const dg = (a: NDArray) => grad((aa: NDArray) => np.sum(random.gamma(random.key(4), aa, [3])))(a);
    const vg = vmap(dg)(np.array([0.5, 3]));
    expect(vals(np.take(vg, 0, 0))).toEqual(vals(dg(np.array(0.5))));
    expect(vals(np.take(vg, 1, 0))).toEqual(vals(dg(np.array(3))));
  });

  it("jit gives the eager draws", () => {
    const f = (k: NDArray, a: NDArray) => np.add(random.normal(k, [4]), random.gamma(random.foldIn(k, 1), a, [4]));
    const jf = jit(f);
    const k = random.key(5);
    // compiled code may keep float64 intermediates (the Box-Muller transcendental chain): last-bit differences
    for (const kk of [random.key(5), random.key(6)]) {
      const a = vals(jf(kk, np.array(2)));
      const b = vals(f(kk, np.array(2)));
      for (let i = 0; i < 4; i++) expect(a[i]).toBeCloseTo(b[i], 5);
    }
    // bits, uniforms and gamma draws are exact under jit
    const g = (kk: NDArray) => [random.bits(kk, [3]), random.uniform(kk, [3]), random.gamma(kk, 0.5, [3]), random.poisson(kk, 30, [3])];
    const jg = jit(g);
    const [a, b] = [jg(k), g(k)];
    for (let i = 0; i < 4; i++) expect(vals(a[i])).toEqual(vals(b[i]));
  });
});

forBackends(["tfjs-cpu"], () => {
  it("tfjs-cpu gives the js backend's bits and draws for the same key", async () => {
    const k = random.key(2024);
    const run = () => ({
      bits: vals(random.bits(k, [7])),
      split: vals(random.split(k, 3)),
      uniform: vals(random.uniform(k, [2, 3])),
      normal: vals(random.normal(k, [6])),
      gamma: vals(random.gamma(k, np.array([0.3, 2, 50]), [2, 3])),
      poisson: vals(random.poisson(k, np.array([2, 400]), [3, 2])),
      binomial: vals(random.binomial(k, 100, 0.2, [4])),
      randint: vals(random.randint(k, [5], -10, 10)),
      shapes: [random.uniform(k, [2, 3]).shape, random.gamma(k, 1, [4, 1]).shape, random.poisson(k, 3, [2]).shape],
    });
    expect(getBackend()).toBe("tfjs-cpu");
    const onTf = run();
    await setBackend("js");
    try {
      const onJs = run();
      expect(onTf.bits).toEqual(onJs.bits);
      expect(onTf.split).toEqual(onJs.split);
      expect(onTf.uniform).toEqual(onJs.uniform);
      expect(onTf.gamma).toEqual(onJs.gamma);
      expect(onTf.poisson).toEqual(onJs.poisson);
      expect(onTf.binomial).toEqual(onJs.binomial);
      expect(onTf.randint).toEqual(onJs.randint);
      expect(onTf.shapes).toEqual([[2, 3], [4, 1], [2]]);
      // transcendental kernels may differ in the last float32 bit between backends
      for (let i = 0; i < 6; i++) expect(onTf.normal[i]).toBeCloseTo(onJs.normal[i], 5);
    } finally {
      await setBackend("tfjs-cpu");
    }
  });

  it("tfjs-cpu: moments of uniform, normal, gamma, poisson", () => {
    expectMoments("tfjs uniform", vals(random.uniform(random.key(1), [20000])), 0.5, 1 / 12);
    expectMoments("tfjs normal", vals(random.normal(random.key(2), [20000])), 0, 1);
    expectMoments("tfjs gamma 2.5", vals(random.gamma(random.key(3), 2.5, [20000])), 2.5, 2.5);
    expectMoments("tfjs poisson 4", vals(random.poisson(random.key(4), 4, [20000])), 4, 4);
  });
});
