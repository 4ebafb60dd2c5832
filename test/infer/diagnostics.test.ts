/**
 * MCMC diagnostics and exporters. Oracles: NumPyro's fixed-input tests (test/test_diagnostics.py),
 * values from NumPyro's `numpyro.diagnostics` and ArviZ-stats' `_DiagnosticsBase` run on the
 * same deterministic input, closed forms for iid and AR(1) chains (fixed keys), and the CmdStan
 * and ArviZ layouts re-read from the output.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Array as NDArray, np, random } from "../../src/core/index.js";
import {
  autocorrelation,
  autocovariance,
  effectiveSampleSize,
  essBulk,
  essTail,
  formatSummary,
  gelmanRubin,
  hpdi,
  mcse,
  printSummary,
  quantiles,
  rhat,
  splitGelmanRubin,
  summary,
} from "../../src/infer/diagnostics.js";
import { toArvizJson, toCmdStanCsv } from "../../src/infer/export.js";

const vals = (x: NDArray): number[] => Array.from(x.dataSync(), Number);
const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

/** Expects |actual − expected| ≤ atol + rtol·|expected| elementwise. */
function expectClose(actual: readonly number[], expected: readonly number[], atol: number, rtol = 0): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => {
    if (Math.abs(a - expected[i]) > atol + rtol * Math.abs(expected[i])) {
      throw new Error(`element ${i}: got ${a}, expected ${expected[i]} (atol ${atol}, rtol ${rtol})`);
    }
  });
}

/** Chains × draws of an AR(1) process x_t = φ x_{t−1} + ε_t started from stationarity. */
function ar1(phi: number, numChains: number, numDraws: number, seed: number): number[][] {
  const eps = vals(random.normal(random.key(seed), [numChains, numDraws]));
  return range(numChains).map((c) => {
    let x = eps[c * numDraws] / Math.sqrt(1 - phi * phi);
    return range(numDraws).map((n) => (n === 0 ? x : (x = phi * x + eps[c * numDraws + n])));
  });
}

/**
 * A deterministic 3 × 50 input with ties; the reference values below were computed on it with
 * NumPyro's diagnostics module and ArviZ-stats' `_DiagnosticsBase` (NumPy/SciPy, float64).
 */
const FIXED = range(3).map((c) => range(50).map((n) => Math.round(Math.sin(0.37 * (c * 50 + n) * (c + 1)) * 10) / 10 + 0.01 * n));
const FIXED_REF = {
  rhat: 1.0196364551851542,
  essBulk: 64.54087413025951,
  essTail: 108.7784814917615,
  mcse: 0.09103520318607732,
  numpyroEss: 63.9056409454289,
  numpyroEssUnbiased: 63.14382402396341,
  splitRhat: 1.004026174964665,
  hpdi90: [-0.88, 1.22],
  quantiles: [-0.701, 0.25, 1.2428],
  mean: 0.2523333333333333,
  std: 0.7216716394990667,
  median: 0.25,
};

describe("NumPyro fixed-input oracles", () => {
  it("gelmanRubin([[0..9], [1..10]]) ≈ 0.98", () => {
    const r = gelmanRubin([range(10), range(10, 1)]);
    expect(r.shape).toEqual([]);
    expectClose([r.item()], [0.98], 0.01);
    expectClose([r.item()], [0.9770084209183945], 0, 1e-6);
  });

  it("effectiveSampleSize(arange(1000).reshape(100, 10), bias=false) = 52.64 (100 chains × 10 draws)", () => {
    const x = range(100).map((c) => range(10, 10 * c));
    expectClose([effectiveSampleSize(x, { bias: false }).item()], [52.64], 0.01);
  });

  it("autocorrelation(arange(10)): unbiased table, biased = unbiased · (N − k)/N", () => {
    const expected = [1, 0.78, 0.52, 0.21, -0.13, -0.52, -0.94, -1.4, -1.91, -2.45];
    expectClose(vals(autocorrelation(range(10), { bias: false })), expected, 0.01);
    expectClose(
      vals(autocorrelation(range(10))),
      expected.map((v, k) => (v * (10 - k)) / 10),
      0.01,
    );
  });

  it("autocovariance(arange(10), bias=false) table", () => {
    const expected = [8.25, 6.42, 4.25, 1.75, -1.08, -4.25, -7.75, -11.58, -15.75, -20.25];
    expectClose(vals(autocovariance(range(10), { bias: false })), expected, 0.01);
  });

  it("hpdi of 20k N(0, 1) draws at 0.8: NumPyro's interval, as narrow as the (0.1, 0.9) quantiles", () => {
    // The endpoints of an HPD interval of a flat-topped width function are noisy: on these draws
    // they sit 0.02 from the sample quantiles (NumPyro's hpdi gives the same interval on the
    // same draws), while the width agrees within 0.01.
    const x = random.normal(random.key(0), [20000]);
    const h = vals(hpdi(x, 0.8));
    const q = vals(quantiles(x, [0.1, 0.9]));
    expectClose(h, [-1.32109654, 1.25865579], 1e-6);
    expectClose(h, q, 0.03);
    expect(h[1] - h[0]).toBeLessThanOrEqual(q[1] - q[0]);
    expectClose([h[1] - h[0]], [q[1] - q[0]], 0.01);
  });

  it("hpdi of 20k Exponential(1) draws at 0.2 ≈ (0, 0.22)", () => {
    const x = random.exponential(random.key(1), [20000]);
    expectClose(vals(hpdi(x, 0.2)), [0, 0.22], 0.01);
  });

  it("split R-hat of a (2, 10) array equals R-hat of it reshaped to (4, 5)", () => {
    const x = random.normal(random.key(3), [2, 10]);
    expectClose([splitGelmanRubin(x).item()], [gelmanRubin(np.reshape(x, [4, 5])).item()], 0, 1e-6);
  });
});

describe("agreement with NumPyro and ArviZ-stats on a fixed input", () => {
  it("rank-normalized R-hat, bulk and tail ESS, MCSE", () => {
    expectClose([rhat(FIXED).item()], [FIXED_REF.rhat], 0, 1e-6);
    expectClose([essBulk(FIXED).item()], [FIXED_REF.essBulk], 0, 1e-6);
    expectClose([essTail(FIXED).item()], [FIXED_REF.essTail], 0, 1e-6);
    expectClose([mcse(FIXED).item()], [FIXED_REF.mcse], 0, 1e-6);
  });

  it("NumPyro's effective sample size and split R-hat", () => {
    expectClose([effectiveSampleSize(FIXED).item()], [FIXED_REF.numpyroEss], 0, 1e-6);
    expectClose([effectiveSampleSize(FIXED, { bias: false }).item()], [FIXED_REF.numpyroEssUnbiased], 0, 1e-6);
    expectClose([splitGelmanRubin(FIXED).item()], [FIXED_REF.splitRhat], 0, 1e-6);
  });

  it("pooled hpdi and quantiles (linear interpolation)", () => {
    const flat = FIXED.flat();
    expectClose(vals(hpdi(flat, 0.9)), FIXED_REF.hpdi90, 1e-6);
    expectClose(vals(quantiles(flat, [0.1, 0.5, 0.93])), FIXED_REF.quantiles, 1e-6);
  });

  it("summary rows carry the same values in float64", () => {
    const [row] = summary({ x: FIXED }).sites.x;
    expectClose(
      [row.mean, row.std, row.median, row.hpdiLow, row.hpdiHigh, row.mcse, row.nEff, row.essTail, row.rHat],
      [FIXED_REF.mean, FIXED_REF.std, FIXED_REF.median, ...FIXED_REF.hpdi90, FIXED_REF.mcse, FIXED_REF.essBulk, FIXED_REF.essTail, FIXED_REF.rhat],
      1e-12,
      1e-10,
    );
  });
});

describe("shapes: one value per trailing element", () => {
  const x = random.normal(random.key(4), [4, 10, 3]);
  const column = (i: number) => vals(x).filter((_, k) => k % 3 === i);
  const chainsOfColumn = (i: number) => range(4).map((c) => column(i).slice(c * 10, (c + 1) * 10));

  it.each([
    ["gelmanRubin", gelmanRubin],
    ["splitGelmanRubin", splitGelmanRubin],
    ["rhat", rhat],
    ["effectiveSampleSize", (a: NDArray | number[][]) => effectiveSampleSize(a)],
    ["essBulk", essBulk],
    ["essTail", (a: NDArray | number[][]) => essTail(a)],
    ["mcse", mcse],
  ])("%s maps [4, 10, 3] to [3], each as for its own column", (_, stat) => {
    const r = stat(x);
    expect(r.shape).toEqual([3]);
    expectClose(vals(r), range(3).map((i) => stat(chainsOfColumn(i)).item()), 0, 1e-6);
  });

  it("autocorrelation along an axis, hpdi and quantiles replace the axis", () => {
    const y = np.reshape(x, [40, 3]);
    const ac = autocorrelation(y, { axis: 0 });
    expect(ac.shape).toEqual([40, 3]);
    const firstColumn = vals(y).filter((_, k) => k % 3 === 0);
    expectClose(vals(ac).filter((_, k) => k % 3 === 0), vals(autocorrelation(firstColumn)), 1e-6);
    expect(vals(autocorrelation(np.transpose(y), { axis: -1 }))).toEqual(vals(np.transpose(ac)));
    expect(hpdi(y, 0.5).shape).toEqual([2, 3]);
    expect(hpdi(y, 0.5, 1).shape).toEqual([40, 2]);
    expect(quantiles(y, [0.1, 0.5, 0.9]).shape).toEqual([3, 3]);
  });
});

describe("statistical behaviour (fixed keys)", () => {
  it("iid N(0, 1), 4 chains × 1000: R-hat ≈ 1, bulk ESS ≈ 4000, tail ESS sane", () => {
    const x = random.normal(random.key(0), [4, 1000]);
    const r = rhat(x).item();
    expect(r).toBeGreaterThanOrEqual(0.99);
    expect(r).toBeLessThanOrEqual(1.01);
    expect(essBulk(x).item()).toBeGreaterThan(3000);
    expect(essBulk(x).item()).toBeLessThan(5000);
    expect(essTail(x).item()).toBeGreaterThan(2500);
    expect(essTail(x).item()).toBeLessThan(5500);
    expect(effectiveSampleSize(x).item()).toBeGreaterThan(3000);
    expect(effectiveSampleSize(x).item()).toBeLessThan(5000);
    expectClose([mcse(x).item()], [1 / Math.sqrt(4000)], 0, 0.15);
  });

  it("AR(1) with φ = 0.9: ESS ≈ n(1 − φ)/(1 + φ) within 25%", () => {
    const x = ar1(0.9, 4, 5000, 1);
    const expected = (20000 * 0.1) / 1.9;
    expectClose([effectiveSampleSize(x).item()], [expected], 0, 0.25);
    expectClose([essBulk(x).item()], [expected], 0, 0.25);
  });

  it("chains with different means: R-hat > 1.1", () => {
    const eps = vals(random.normal(random.key(2), [4, 500]));
    const x = range(4).map((c) => range(500).map((n) => eps[c * 500 + n] + (c === 3 ? 2 : 0)));
    expect(rhat(x).item()).toBeGreaterThan(1.1);
    expect(splitGelmanRubin(x).item()).toBeGreaterThan(1.1);
    expect(gelmanRubin(x).item()).toBeGreaterThan(1.1);
  });

  it("a chain that drifts is caught by split R-hat even with one chain", () => {
    const x = [range(200).map((n) => n / 50 + Math.sin(n))];
    expect(rhat(x).item()).toBeGreaterThan(1.1);
  });

  it("constant draws: ESS is the number of draws, MCSE 0", () => {
    const x = [range(10).map(() => 2), range(10).map(() => 2)];
    expect(essBulk(x).item()).toBe(20);
    expect(effectiveSampleSize(x).item()).toBe(20);
    expect(mcse(x).item()).toBe(0);
  });
});

describe("bad input", () => {
  it("names the function and the problem", () => {
    expect(() => rhat([1, 2, 3, 4])).toThrow(/rhat: expected draws of shape \[chains, draws, \.\.\.event\], got \[4\]/);
    expect(() => rhat([[1, 2, 3]])).toThrow(/rhat: needs at least 4 draws per chain, got 3/);
    expect(() => gelmanRubin([[1, 2, 3]])).toThrow(/gelmanRubin: needs at least 2 chains, got 1/);
    expect(() => essBulk([[1, 2, NaN, 4]])).toThrow(/essBulk: draws contain NaN \(flat index 2/);
    expect(() => hpdi([1, 2, 3], 1.5)).toThrow(/hpdi: prob must lie in \(0, 1\), got 1.5/);
    expect(() => autocorrelation([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => autocorrelation([1, 2, 3], { axis: 1 })).toThrow(/axis 1 is out of range for shape \[3\]/);
    expect(() => summary({ mu: [[1, NaN, 3, 4]] })).toThrow(/summary: site "mu": draws contain NaN/);
  });
});

describe("summary and printSummary", () => {
  const samples = {
    mu: random.normal(random.key(5), [2, 100]),
    theta: random.normal(random.key(6), [2, 100, 3]),
    L: random.normal(random.key(7), [2, 100, 2, 2]),
  };

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("one row per element, named like NumPyro, with HPD labels from prob", () => {
    const s = summary(samples, { prob: 0.8 });
    expect(s.prob).toBe(0.8);
    expect(s.hpdiLabels).toEqual(["10.0%", "90.0%"]);
    expect(Object.keys(s.sites)).toEqual(["mu", "theta", "L"]);
    expect(s.sites.mu.map((r) => r.name)).toEqual(["mu"]);
    expect(s.sites.theta.map((r) => r.name)).toEqual(["theta[0]", "theta[1]", "theta[2]"]);
    expect(s.sites.L.map((r) => r.name)).toEqual(["L[0,0]", "L[0,1]", "L[1,0]", "L[1,1]"]);
    expect(s.sites.L[2].index).toEqual([1, 0]);
    const theta1 = vals(samples.theta).filter((_, k) => k % 3 === 1);
    const row = s.sites.theta[1];
    expectClose([row.mean], [theta1.reduce((a, b) => a + b) / theta1.length], 1e-6);
    expectClose([row.hpdiLow, row.hpdiHigh], vals(hpdi(theta1, 0.8)), 1e-6);
    expectClose([row.nEff, row.rHat, row.essTail, row.mcse], [essBulk([theta1.slice(0, 100), theta1.slice(100)]).item(), rhat([theta1.slice(0, 100), theta1.slice(100)]).item(), essTail([theta1.slice(0, 100), theta1.slice(100)]).item(), mcse([theta1.slice(0, 100), theta1.slice(100)]).item()], 0, 1e-5);
  });

  it("groupByChain: false treats the leading axis as draws of one chain; a bare array is Param:0", () => {
    const flat = summary({ mu: vals(samples.mu) }, { groupByChain: false });
    const grouped = summary({ mu: [vals(samples.mu)] });
    expect(flat.sites.mu).toEqual(grouped.sites.mu);
    expect(Object.keys(summary(samples.mu).sites)).toEqual(["Param:0"]);
  });

  it("formats a NumPyro-style table", () => {
    const text = formatSummary(samples, { numDivergences: 3 });
    const lines = text.split("\n");
    expect(lines[0]).toBe("");
    expect(lines[1].trim().split(/\s+/)).toEqual(["mean", "std", "median", "5.0%", "95.0%", "mcse", "n_eff", "ess_tail", "r_hat"]);
    expect(lines[1]).toBe(" ".repeat(10) + ["mean", "std", "median", "5.0%", "95.0%", "mcse", "n_eff", "ess_tail", "r_hat"].map((c) => " " + c.padStart(9)).join(""));
    const body = lines.slice(2, 2 + 8);
    expect(body.map((l) => l.slice(0, 10).trim())).toEqual(["mu", "theta[0]", "theta[1]", "theta[2]", "L[0,0]", "L[0,1]", "L[1,0]", "L[1,1]"]);
    const mu = summary(samples).sites.mu[0];
    expect(body[0]).toBe("mu".padStart(10) + [mu.mean, mu.std, mu.median, mu.hpdiLow, mu.hpdiHigh, mu.mcse, mu.nEff, mu.essTail, mu.rHat].map((v) => " " + v.toFixed(2).padStart(9)).join(""));
    expect(lines.slice(10)).toEqual(["", "Number of divergences: 3"]);
  });

  it("printSummary logs the table and returns it", () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const text = printSummary({ mu: samples.mu });
    expect(log).toHaveBeenCalledWith(text);
    expect(text).toContain("r_hat");
    expect(text).not.toContain("divergences");
  });
});

/** Reads a CmdStan CSV: comment lines, the header and the numeric rows. */
function parseStanCsv(text: string): { comments: string[]; header: string[]; rows: number[][] } {
  const lines = text.trimEnd().split("\n");
  const comments = lines.filter((l) => l.startsWith("#"));
  const [header, ...rows] = lines.filter((l) => !l.startsWith("#"));
  return { comments, header: header.split(","), rows: rows.map((r) => r.split(",").map(Number)) };
}

describe("toCmdStanCsv", () => {
  const mu = [range(5).map((n) => n / 3), range(5).map((n) => -(n + 1) / 7)];
  const theta = random.normal(random.key(8), [2, 5, 2]);
  const L = random.normal(random.key(9), [2, 5, 2, 3]);
  const extraFields = {
    potentialEnergy: [range(5, 1), range(5, 10)],
    numSteps: [[1, 3, 7, 8, 15], [2, 4, 6, 31, 1]],
    diverging: [[false, false, true, false, false], [false, false, false, false, true]],
    acceptProb: [[0.9, 0.8, 0.7, 0.6, 0.5], [0.1, 0.2, 0.3, 0.4, 0.5]],
    energy: [range(5, 20), range(5, 30)],
    meanAcceptProb: [range(5), range(5)],
  };

  it("writes one CSV per chain with CmdStan's columns and column-major 1-based names", () => {
    const csv = toCmdStanCsv({ mu, theta, L }, { extraFields, numWarmup: 500 });
    expect(csv).toHaveLength(2);
    const { comments, header, rows } = parseStanCsv(csv[1]);
    expect(header).toEqual([
      "lp__",
      "accept_stat__",
      "treedepth__",
      "n_leapfrog__",
      "divergent__",
      "energy__",
      "meanAcceptProb__",
      "mu",
      "theta.1",
      "theta.2",
      "L.1.1",
      "L.2.1",
      "L.1.2",
      "L.2.2",
      "L.1.3",
      "L.2.3",
    ]);
    expect(comments).toContain("# method = sample (Default)");
    expect(comments).toContain("#     num_samples = 5");
    expect(comments).toContain("#     num_warmup = 500");
    expect(comments).toContain("# id = 2");
    expect(rows).toHaveLength(5);
    expect(rows.map((r) => r[0])).toEqual(range(5, 10).map((v) => -v));
    expect(rows.map((r) => r[2])).toEqual([2, 3, 3, 5, 1]);
    expect(rows.map((r) => r[3])).toEqual([2, 4, 6, 31, 1]);
    expect(rows.map((r) => r[4])).toEqual([0, 0, 0, 0, 1]);
  });

  it("round-trips the draws exactly", () => {
    const csv = toCmdStanCsv({ mu, theta, L });
    const thetaV = vals(theta);
    const LV = vals(L);
    csv.forEach((text, c) => {
      const { header, rows } = parseStanCsv(text);
      rows.forEach((row, d) => {
        const at = (name: string) => row[header.indexOf(name)];
        expect(at("mu")).toBe(mu[c][d]);
        for (const i of range(2)) expect(at(`theta.${i + 1}`)).toBe(thetaV[(c * 5 + d) * 2 + i]);
        for (const i of range(2)) for (const j of range(3)) expect(at(`L.${i + 1}.${j + 1}`)).toBe(LV[(c * 5 + d) * 6 + i * 3 + j]);
      });
    });
  });

  it("writes the adaptation block and the metric", () => {
    const csv = toCmdStanCsv(
      { mu },
      { extraFields: { stepSize: [range(5).map(() => 0.25), range(5).map(() => 0.5)], treeDepth: [range(5), range(5)] }, adaptation: [{ stepSize: 0.25, inverseMassMatrix: [1.5] }, { stepSize: 0.5, inverseMassMatrix: [[2]] }] },
    );
    const first = csv[0].split("\n");
    const header = first.findIndex((l) => !l.startsWith("#"));
    expect(first[header]).toBe("stepsize__,treedepth__,mu");
    expect(first.slice(header + 1, header + 5)).toEqual(["# Adaptation terminated", "# Step size = 0.25", "# Diagonal elements of inverse mass matrix:", "# 1.5"]);
    expect(first).toContain("#         metric = diag_e");
    expect(csv[1]).toContain("# Elements of inverse mass matrix:\n# 2\n");
    expect(csv[1]).toContain("#         metric = dense_e");
  });

  it("writes non-finite values as CmdStan does and rejects mismatched layouts", () => {
    const { rows } = parseStanCsv(toCmdStanCsv({ mu: [[NaN, Infinity, -Infinity, 1]] })[0]);
    expect(toCmdStanCsv({ mu: [[NaN, Infinity, -Infinity, 1]] })[0]).toContain("\nnan\ninf\n-inf\n1\n");
    expect(rows).toHaveLength(4);
    expect(() => toCmdStanCsv({ mu, theta: [[1, 2]] })).toThrow(/site "theta" has 1 chains × 2 draws where other sites have 2 × 5/);
    expect(() => toCmdStanCsv({ mu }, { extraFields: { diverging: [[0, 1]] } })).toThrow(/extra field "diverging" must have shape \[chains, draws\] = \[2,5\], got \[1,2\]/);
    expect(() => toCmdStanCsv({ mu }, { adaptation: [{ stepSize: 1 }] })).toThrow(/adaptation has 1 entries for 2 chains/);
  });
});

describe("toArvizJson", () => {
  it("nests posterior draws [chain][draw]... and renames sampler statistics as ArviZ does", () => {
    const theta = random.normal(random.key(10), [2, 3, 2]);
    const out = toArvizJson(
      { mu: [[1, 2, 3], [4, 5, 6]], theta },
      {
        extraFields: {
          potential_energy: [[1, 2, 3], [4, 5, 6]],
          numSteps: [[1, 3, 7], [8, 2, 1]],
          diverging: [[0, 1, 0], [0, 0, 1]],
          accept_prob: [[0.5, 0.6, 0.7], [0.8, 0.9, 1]],
          energy: [[7, 8, 9], [1, 2, 3]],
          "adapt_state.step_size": [[0.1, 0.1, 0.1], [0.2, 0.2, 0.2]],
        },
        observedData: { y: [1.5, 2.5, 3.5] },
      },
    );
    expect(Object.keys(out)).toEqual(["posterior", "sample_stats", "observed_data"]);
    expect(out.posterior.mu).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(out.posterior.theta).toEqual(theta.toArray());
    expect(out.sample_stats).toEqual({
      lp: [[-1, -2, -3], [-4, -5, -6]],
      n_steps: [[1, 3, 7], [8, 2, 1]],
      tree_depth: [[1, 2, 3], [4, 2, 1]],
      diverging: [[false, true, false], [false, false, true]],
      acceptance_rate: [[0.5, 0.6, 0.7], [0.8, 0.9, 1]],
      energy: [[7, 8, 9], [1, 2, 3]],
      step_size: [[0.1, 0.1, 0.1], [0.2, 0.2, 0.2]],
    });
    expect(out.observed_data).toEqual({ y: [1.5, 2.5, 3.5] });
    expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  });

  it("omits absent groups and rejects extra fields of the wrong layout", () => {
    expect(toArvizJson({ mu: [[1, 2]] })).toEqual({ posterior: { mu: [[1, 2]] } });
    expect(() => toArvizJson({ mu: [[1, 2]] }, { extraFields: { energy: [1, 2] } })).toThrow(/extra field "energy" must have shape \[chains, draws, \.\.\.\]/);
  });
});
