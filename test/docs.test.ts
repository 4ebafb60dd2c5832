/**
 * The guides in docs/: every TypeScript block is the same as its region in docs/snippets/
 * (which the compiler checks with the project), every region is shown somewhere, relative links
 * and anchors resolve, and every snippet runs and gives what the guide says it gives (with
 * tolerances: the guides quote rounded values). Console output of the snippets is captured.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { np, random, type Array as NDArray } from "../src/core/index.js";
import { checkMarkdown, guides, readRegions } from "../docs/tools/snippets.js";
import * as concepts from "../docs/snippets/concepts.js";
import * as gettingStarted from "../docs/snippets/getting-started.js";
import * as mcmc from "../docs/snippets/mcmc.js";
import * as performance from "../docs/snippets/performance.js";
import * as plots from "../docs/snippets/plots.js";
import * as numpyro from "../docs/snippets/porting-numpyro.js";
import * as pymc from "../docs/snippets/porting-pymc.js";
import * as reliability from "../docs/snippets/reliability.js";
import * as svgd from "../docs/snippets/svgd.js";
import * as svi from "../docs/snippets/svi.js";
import * as dist from "../src/distributions/index.js";
import { AutoNormal, SVI, TraceELBO, adam, logDensity } from "../src/infer/index.js";

const DOCS = join(dirname(fileURLToPath(import.meta.url)), "..", "docs");
const PNG = [0x89, 0x50, 0x4e, 0x47];

let logs: string[] = [];
beforeAll(() => {
  vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => {
    logs.push(args.map(String).join(" "));
  });
});
beforeEach(() => {
  logs = [];
});
afterAll(() => {
  vi.restoreAllMocks();
});
/** The console output since the last call. */
function takeLogs(): string {
  const out = logs.join("\n");
  logs = [];
  return out;
}

const scalar = (x: NDArray) => x.item();

describe("guides and snippets", () => {
  const regions = readRegions(join(DOCS, "snippets"));

  it("every TypeScript block of a guide is its snippet region (npm run docs:snippets rewrites them)", () => {
    const problems = guides(DOCS).flatMap((g) => checkMarkdown(readFileSync(g, "utf8"), regions, basename(g)));
    expect(problems).toEqual([]);
  });

  it("every snippet region is shown in a guide", () => {
    const shown = new Set<string>();
    for (const g of guides(DOCS))
      for (const m of readFileSync(g, "utf8").matchAll(/<!-- snippet: ([\w-]+)#([\w,-]+) -->/g)) for (const name of m[2].split(",")) shown.add(`${m[1]}#${name}`);
    expect([...regions.keys()].filter((k) => !shown.has(k))).toEqual([]);
  });

  it("relative links and their anchors resolve", () => {
    const slug = (heading: string) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s-]/gu, "")
        .trim()
        .replace(/\s/g, "-");
    const anchorsOf = (file: string) => new Set([...readFileSync(file, "utf8").matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1])));
    const broken: string[] = [];
    for (const g of guides(DOCS)) {
      for (const m of readFileSync(g, "utf8").matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split("#");
        const file = path === "" ? g : join(DOCS, path);
        if (!existsSync(file)) broken.push(`${basename(g)}: ${target}`);
        else if (anchor && file.endsWith(".md") && !anchorsOf(file).has(anchor)) broken.push(`${basename(g)}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe("getting started", () => {
  let run: Awaited<ReturnType<typeof gettingStarted.runNuts>>;
  it("NUTS on the coin: the posterior mean 9/14, a summary table", async () => {
    run = await gettingStarted.runNuts();
    const out = takeLogs();
    expect(out).toMatch(/mean\s+std\s+median\s+5\.0%\s+95\.0%\s+mcse\s+n_eff\s+ess_tail\s+r_hat/);
    expect(out).toMatch(/^\s+p\s+0\.6\d/m);
    expect(run.p.shape).toEqual([4000]);
    expect(Math.abs(scalar(np.mean(run.p)) - 9 / 14)).toBeLessThan(0.02);
  });

  it("predictions: about 6.4 heads in ten more tosses", async () => {
    const y = await gettingStarted.predict(run.mcmc);
    expect(y.shape).toEqual([4000, 10]);
    expect(Math.abs(scalar(np.mean(np.sum(y, 1))) - 6.43)).toBeLessThan(0.25);
  });

  it("plots: an SVG and a PNG file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tyche-docs-"));
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      await gettingStarted.plots(run.mcmc);
      expect(readFileSync(join(dir, "coin-trace.svg"), "utf8").startsWith("<svg")).toBe(true);
      expect([...readFileSync(join(dir, "coin-posterior.png")).subarray(0, 4)]).toEqual(PNG);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("SVI with AutoNormal: the posterior mean again", async () => {
    const { losses, p } = await gettingStarted.runSvi();
    expect(losses.shape).toEqual([3000]);
    expect(Math.abs(scalar(np.mean(p)) - 9 / 14)).toBeLessThan(0.03);
  });
});

describe("concepts", () => {
  const x = np.array([0, 1, 2, 3, 4]);
  const y = np.array([0.9, 3.1, 4.8, 7.2, 9.1]);

  it("seed and trace: the sites in order, y observed", () => {
    const tr = concepts.runModel();
    expect([...tr.keys()]).toEqual(["a", "b", "sigma", "mean", "data", "y"]);
    expect(takeLogs()).toBe("a  false\nb  false\nsigma  false\ny 5 true");
  });

  it("condition observes sigma; intervene fixes b; pipe composes", () => {
    const { fixed, noSlope, sites } = concepts.handlers();
    expect(takeLogs()).toBe("true");
    const s = sites.get("sigma");
    expect(s?.type === "sample" && s.isObserved && s.value!.item() === 0.5).toBe(true);
    const f = trace(fixed, x, y);
    expect([f.get("a")!.value!.item(), f.get("b")!.value!.item()]).toEqual([1, 2]);
    // downstream of b, the model sees 0: the mean is a, whatever b was drawn
    const cut = trace(noSlope, x, y);
    expect(cut.get("mean")!.value!.toArray()).toEqual(new Array(5).fill(cut.get("a")!.value!.item()));
  });

  it("block hides, scale halves, mask drops the last term", () => {
    const { onlyY, tempered, likelihood, firstFour } = concepts.moreHandlers();
    expect([...onlyY.keys()]).toEqual(["y"]);
    const values = { a: 1, b: 2, sigma: 0.3 };
    expect(logDensity(tempered, [x, y], values)[0].item()).toBeCloseTo(0.5 * logDensity(concepts.regressionModel, [x, y], values)[0].item(), 3);
    const mean = np.array([1, 3, 5, 7, 9]);
    const masked = logDensity(firstFour, [mean, y], {})[0].item();
    const lastTerm = new dist.Normal(9, 1).logProb(9.1).item();
    expect(masked).toBeCloseTo(logDensity(likelihood, [mean, y], {})[0].item() - lastTerm, 4);
  });

  it("log density, its gradient, the potential energy", () => {
    const { logJoint, slope, energy } = concepts.densities();
    takeLogs();
    const lp = (b: number) => logDensity(concepts.regressionModel, [x, y], { a: 1, b, sigma: 0.3 })[0].item();
    expect(slope.item()).toBeCloseTo((lp(2 + 1e-2) - lp(2 - 1e-2)) / 2e-2, 0);
    // unconstrained: minus (log density + log |d sigma / d log sigma|) = −(lp + log 0.3)
    expect(energy.item()).toBeCloseTo(-(logJoint.item() + Math.log(0.3)), 3);
  });

  it("shapes, plates and the formatShapes table the guide shows", () => {
    const { d, mvn, iid, table } = concepts.shapes();
    takeLogs();
    expect([d.batchShape, d.eventShape, mvn.eventShape, iid.batchShape, iid.eventShape]).toEqual([[3], [], [2], [4], [2]]);
    expect(readFileSync(join(DOCS, "concepts.md"), "utf8")).toContain(table);
  });

  it("params, factors and reparam", () => {
    const tr = concepts.paramsAndFactors();
    expect([...tr.values()].map((s) => s.type)).toEqual(["param", "param", "sample", "sample"]);
    const re = concepts.reparameterize();
    expect(takeLogs()).toBe("deterministic sample");
    expect(re.get("theta")!.value!.shape).toEqual([8]);
  });

  /** The trace of `model(...args)` under seed 0. */
  function trace(model: (...a: never[]) => unknown, ...args: unknown[]) {
    return concepts.traceOf(model, args);
  }
});

describe("MCMC guide", () => {
  let runs: Awaited<ReturnType<typeof mcmc.run>>;
  it("four vectorized chains: shapes of the draws and fields, R-hat near 1", async () => {
    runs = await mcmc.run();
    expect(takeLogs()).toContain("Number of divergences:");
    expect(runs.draws.theta.shape).toEqual([4000, 8]);
    expect(runs.byChain.theta.shape).toEqual([4, 1000, 8]);
    expect(runs.extra.acceptProb.shape).toEqual([4, 1000]);
    expect(scalar(np.mean(runs.extra.acceptProb))).toBeGreaterThan(0.7);
  });

  it("diagnostics: R-hat, ESS, HPDI, summary rows", async () => {
    const table = await mcmc.diagnostics(runs.mcmc);
    takeLogs();
    expect(table.sites.theta.map((r) => r.name)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `theta[${i}]`));
    for (const rows of Object.values(table.sites)) for (const r of rows) expect(r.rHat).toBeLessThan(1.02);
    expect(Math.abs(table.sites.mu[0].mean - 4.4)).toBeLessThan(0.4);
  });

  it("kernels: HMC with options runs", async () => {
    const { careful, mcmc: m } = await mcmc.kernels();
    expect(careful.nutsOptions.denseMass).toBe(true);
    expect(m.getSamples().mu.shape).toEqual([1000]);
  });

  it("enumeration: the mixture's locs, z summed out", async () => {
    const { locs, z } = await mcmc.enumeration();
    expect(locs.shape).toEqual([1000, 2]);
    expect(z.shape).toEqual([10]);
    // the two components are symmetric in the prior; their means are near -2 and 3 in some order
    const means = (np.mean(locs, 0).toArray() as number[]).sort((a, b) => a - b);
    expect(Math.abs(means[0] + 2.05)).toBeLessThan(0.6);
    expect(Math.abs(means[1] - 2.96)).toBeLessThan(0.6);
  });

  it("a potential function: the banana's draws", async () => {
    const z = await mcmc.potential();
    expect(z.shape).toEqual([1000, 2]);
    expect(Math.abs(scalar(np.mean(np.take(z, 0, 1))))).toBeLessThan(0.6);
  });

  it("continuing and aborting runs", async () => {
    const { mcmc: m, long } = await mcmc.control();
    expect(m.getSamples().mu.shape).toEqual([500]);
    expect(long.getSamples().mu.shape).toEqual([500]);
    expect(takeLogs()).toBe("500");
  });

  it("posterior predictive and ArviZ export", async () => {
    const { obs, text } = await mcmc.afterwards(runs.mcmc);
    takeLogs();
    expect(obs.shape).toEqual([4000, 8]);
    const idata = JSON.parse(text);
    expect(idata.posterior.mu).toHaveLength(4);
    expect(idata.sample_stats.diverging[0]).toHaveLength(1000);
  });
});

describe("SVI guide", () => {
  it("AutoNormal fit, posterior, predictions, resume", async () => {
    const r = await svi.autoguideFit();
    takeLogs();
    expect(r.losses.shape).toEqual([2000]);
    expect(r.more.losses.shape).toEqual([1000]);
    expect(r.posterior.w.shape).toEqual([1000, 3]);
    expect(scalar(r.accuracy)).toBeGreaterThan(0.8);
    const err = np.max(np.abs(np.subtract(r.median.w, svi.trueW)));
    expect(scalar(err)).toBeLessThan(0.6);
  });

  it("a hand-written Beta guide finds the exact posterior mean 0.6", async () => {
    expect(Math.abs((await svi.customGuide()) - 0.6)).toBeLessThan(0.02);
    takeLogs();
  });

  it("importance resampling of a full-rank fit: k̂ below 0.7, draws of every latent site", async () => {
    const r = await svi.checkedFit();
    takeLogs();
    expect(r.paretoK).toBeLessThan(0.7);
    expect(r.ess).toBeGreaterThan(500);
    expect(r.draws.w.shape).toEqual([1000, 3]);
    expect(r.draws.b.shape).toEqual([1000]);
  });

  it("guides, losses and optimizers construct", () => {
    const c = svi.choices();
    expect(c.flow.numFlows).toBe(3);
    expect(c.lowRank.constructor.name).toBe("AutoLowRankMultivariateNormal");
    expect(c.renyi.alpha).toBe(0.5);
    expect(c.elbo.numParticles).toBe(8);
  });

  it("callbacks: the MAP fit stops early, the tracker has a value per step", async () => {
    const { stop, norms, losses } = await svi.callbacks();
    takeLogs();
    expect(stop.convergedAt).not.toBeNull();
    expect(losses.shape[0]).toBe(stop.convergedAt);
    expect(norms.values!.wNorm.shape).toEqual([stop.convergedAt]);
  });

  it("a loop of your own", () => {
    const params = svi.customLoop();
    takeLogs();
    expect(Object.keys(params).sort()).toEqual(["auto_loc", "auto_scale"]);
  });

  it("minibatches: loc ≈ 0 and scale ≈ 1", async () => {
    const { loc, scale } = await svi.minibatch();
    takeLogs();
    expect(Math.abs(loc.item())).toBeLessThan(0.1);
    expect(Math.abs(scale.item() - 1)).toBeLessThan(0.1);
  });
});

describe("SVGD guide", () => {
  it("both modes hold particles", async () => {
    const { x, left } = await svgd.bimodal();
    takeLogs();
    expect(x.shape).toEqual([100]);
    expect(left).toBeGreaterThanOrEqual(10);
    expect(left).toBeLessThanOrEqual(90);
  });

  it("the empirical posterior matches the conjugate one; predictions", async () => {
    const { posterior, draws, obs } = await svgd.kernelsAndPosterior();
    takeLogs();
    expect(Math.abs(posterior.mean.mu.item() - 12.2 / 11)).toBeLessThan(0.05);
    expect(Math.abs(posterior.variance.mu.item() - 1 / 11)).toBeLessThan(0.03);
    expect(draws.mu.shape).toEqual([1000]);
    expect(obs.shape).toEqual([50, 10]);
  });
});

describe("performance guide", () => {
  it("jit: values, two programs, a compiled gradient", () => {
    const { cacheSize, gradient } = performance.jitBasics();
    const out = takeLogs();
    expect(out).toContain("{ lambda");
    expect(out).toContain("for (let");
    expect(cacheSize).toBe(2);
    expect(gradient.shape).toEqual([3]);
  });

  it("control flow and static arguments", () => {
    const { relu, branch, halvings, power } = performance.controlFlow();
    takeLogs();
    expect(relu.toArray()).toEqual([0, 2]);
    expect(branch.toArray()).toEqual([Math.fround(Math.log(2)), Math.fround(Math.log(3))]);
    expect(halvings.item()).toBe(7);
    expect(power.item()).toBe(27);
  });

  it("vmap of the log density; vectorized chains", async () => {
    expect(performance.batching().shape).toEqual([1000]);
    expect((await performance.chains()).shape).toEqual([32, 200, 10]);
    takeLogs();
  });

  it("backends and float64", async () => {
    const { onTfjs, precise } = await performance.backendsAndDtypes();
    expect(takeLogs()).toBe("js\nfloat32\nfloat64 true");
    expect(onTfjs).toBe(45);
    expect(precise).toBe(1 / 3);
    expect(np.array(1).dtype).toBe("float32");
  });
});

describe("plots guide", () => {
  const dir = mkdtempSync(join(tmpdir(), "tyche-docs-plots-"));
  const cwd = process.cwd();
  beforeAll(() => process.chdir(dir));
  afterAll(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  it("every plot of the guide is written", async () => {
    await plots.mcmcPlots();
    await plots.sviPlot();
    for (const f of ["trace", "rank", "posterior", "pair", "forest", "forest-combined", "elbo"]) {
      expect(readFileSync(join(dir, "plots", `${f}.svg`), "utf8").startsWith("<svg")).toBe(true);
    }
    for (const f of ["theta", "pairs"]) expect([...readFileSync(join(dir, "plots", `${f}.png`)).subarray(0, 4)]).toEqual(PNG);
  });

  it("specs as JSON, SVG and PNG in memory", async () => {
    const { json, svg, png } = await plots.specs();
    expect(JSON.parse(json).$schema).toContain("vega-lite");
    expect(svg.startsWith("<svg")).toBe(true);
    expect([...png.subarray(0, 4)]).toEqual(PNG);
  });
});

describe("reliability guide", () => {
  const dir = mkdtempSync(join(tmpdir(), "tyche-docs-reliability-"));
  const cwd = process.cwd();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let result: Awaited<ReturnType<typeof reliability.calibrate>>;
  it("SBC of NUTS on normal-normal: 30 ranks in 0..99, 5 bins of 6 expected, a p-value far from 0", async () => {
    result = await reliability.calibrate();
    const [shape, counts, p] = takeLogs().split("\n");
    expect([shape, p]).toEqual(["30", result.pValue.toFixed(2)]);
    expect(counts.endsWith(" 6,6,6,6,6")).toBe(true);
    expect(result.numSimulations).toBe(30);
    expect(result.numDraws).toBe(99);
    expect(result.ranks.mu.shape).toEqual([30]);
    const ranks = Array.from(result.ranks.mu.dataSync());
    expect(Math.min(...ranks)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...ranks)).toBeLessThanOrEqual(99);
    expect(result.bins).toBe(5);
    expect(result.binEdges).toEqual([0, 20, 40, 60, 80, 100]);
    expect(result.expected).toEqual([6, 6, 6, 6, 6]);
    expect(np.sum(result.counts.mu).item()).toBe(30);
    expect(result.pValue).toBeGreaterThan(0.05);
  });

  it("a posterior half as wide as the truth fails: p below 0.001, the outer bins overfull", async () => {
    const bad = await reliability.overconfident();
    takeLogs();
    expect(bad.pValue).toBeLessThan(0.001);
    const counts = Array.from(bad.counts.mu.dataSync());
    const outer = counts[0] + counts[counts.length - 1];
    expect(outer).toBeGreaterThan(2 * (bad.expected[0] + bad.expected[bad.expected.length - 1]));
  });

  it("the rank histogram is written as SVG, one panel titled with the p-value", async () => {
    process.chdir(dir);
    try {
      await reliability.plot(result);
      const svg = readFileSync(join(dir, "sbc.svg"), "utf8");
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).toContain("mu (p = ");
    } finally {
      process.chdir(cwd);
    }
  });

  it("property tests: NUTS passes; the truncation bug shrinks to n = 6", async () => {
    const out = await reliability.properties();
    takeLogs();
    expect(out.failed).toBe(true);
    expect(out.counterexample![1]).toBe(6);
  });

  it("a checkpoint through JSON resumes the run exactly", async () => {
    const { first, second, whole, saved } = await reliability.checkpoint();
    expect(takeLogs()).toBe("true");
    expect(JSON.parse(saved).format).toBe("tyche.mcmc-state");
    expect(first.getSamples().mu.shape).toEqual([500]);
    expect(second.getSamples().mu.shape).toEqual([500]);
    expect(Array.from(np.concatenate([first.getSamples().mu, second.getSamples().mu]).dataSync())).toEqual(Array.from(whole.getSamples().mu.dataSync()));
  });

  it("an SVI state through JSON resumes the fit", async () => {
    const { part, rest } = await reliability.sviCheckpoint();
    expect(part.losses.shape).toEqual([500]);
    expect(rest.losses.shape).toEqual([500]);
    // exactly the fit of 1000 steps in one run; the exact posterior of mu is N(5.7 / 6, 1 / 6)
    const y = np.array([0.8, 1.9, 1.1, 0.4, 1.5]);
    const full = await new SVI(reliability.normalNormal, new AutoNormal(reliability.normalNormal), adam(0.02), new TraceELBO(), { progressBar: false }).run(random.key(2), 1000, 5, y);
    expect(Array.from(np.concatenate([part.losses, rest.losses]).dataSync())).toEqual(Array.from(full.losses.dataSync()));
    expect(Math.abs(rest.params.mu_auto_loc.item() - 5.7 / 6)).toBeLessThan(0.05);
    expect(Math.abs(rest.params.mu_auto_scale.item() - Math.sqrt(1 / 6))).toBeLessThan(0.05);
  });
});

describe("porting guides", () => {
  it("NumPyro: MCMC, SVI, handlers, arrays, subsampling", async () => {
    const { samples, obs } = await numpyro.mcmc();
    expect(samples.theta.shape).toEqual([2000, 8]);
    expect(obs.shape).toEqual([2000, 8]);
    const { losses, posterior } = await numpyro.svi();
    expect(losses.shape).toEqual([2000]);
    expect(posterior.theta.shape).toEqual([1000, 8]);
    takeLogs();
    numpyro.handlers();
    expect(takeLogs()).toBe("8");
    const { total, d, b } = numpyro.arrays();
    expect(total.item()).toBeGreaterThan(0);
    expect([d.batchShape, d.eventShape, b.batchShape]).toEqual([[], [3], [100]]);
    const { model, withDeterministic } = numpyro.minibatch();
    expect(numpyro.traceOf(model, [np.arange(0, 1000)]).get("obs")!.value!.shape).toEqual([100]);
    expect(numpyro.traceOf(withDeterministic, []).get("x2")!.type).toBe("deterministic");
  });

  it("PyMC: sampling, summary, predictive, InferenceData, ADVI, Potential", async () => {
    const { table, obs, json } = await pymc.sampling();
    takeLogs();
    expect(table.sites.tau[0].rHat).toBeLessThan(1.02);
    expect(obs.shape).toEqual([4, 1000, 8]);
    expect(JSON.parse(json).observed_data.obs).toEqual([28, 8, -3, 7, -1, 1, 18, 12]);
    const { losses, draws } = await pymc.advi();
    expect(losses.shape).toEqual([3000]);
    expect(draws.theta.shape).toEqual([1000, 8]);
    const constrained = pymc.potential();
    const lp = (x: number[]) => logDensity(constrained, [], { x: np.array(x) })[0].item();
    expect(lp([0.5, 0.5]) - lp([1, 1])).toBeCloseTo(100.75, 2); // the factor's −100 and the prior's −0.75
  });
});
