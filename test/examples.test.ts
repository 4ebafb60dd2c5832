/**
 * The examples run end to end, in-process, at small sizes: each example exports `main(options)`,
 * which returns the numbers it prints. These assertions check the claims the examples make
 * (fixed keys throughout, so the runs are deterministic).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main as eightSchools } from "../examples/eight-schools.js";
import { main as factorTerm } from "../examples/factor-term.js";
import { main as implicitFunction } from "../examples/implicit-function.js";
import { main as irisSoftmax } from "../examples/iris-softmax.js";
import { main as linearRegression } from "../examples/linear-regression.js";
import { main as manyDatasets } from "../examples/many-datasets.js";
import { main as marketingMix } from "../examples/marketing-mix.js";
import { main as minibatchAdvi } from "../examples/minibatch-advi.js";
import { main as viQuickstart } from "../examples/vi-quickstart.js";

const quiet = () => {};

describe("examples", () => {
  it("logistic map: the script runs and its vmapped restarts agree with the single fit", async () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => void lines.push(a.join(" "));
    try {
      await import("../examples/logistic-map.js");
    } finally {
      console.log = log;
    }
    const spread = Number(/agree with the single run to (\S+)/.exec(lines.join("\n"))?.[1]);
    expect(spread).toBeLessThan(1e-3);
  });

  it("eight schools: the non-centered form diverges less than the centered one, and the centered divergences sit at small tau", async () => {
    const plotDir = mkdtempSync(join(tmpdir(), "tyche-eight-schools-"));
    const r = await eightSchools({ numWarmup: 300, numSamples: 300, numChains: 2, summaries: false, plotDir, log: quiet });
    // the flagship example writes its plots: SVG documents with the sites' names in them
    for (const form of ["centered", "non-centered"]) {
      expect(readFileSync(join(plotDir, `eight-schools-${form}-trace.svg`), "utf8")).toMatch(/^<svg[\s\S]*tau[\s\S]*<\/svg>\s*$/);
      expect(readFileSync(join(plotDir, `eight-schools-${form}-pairs.svg`), "utf8")).toMatch(/^<svg[\s\S]*theta\[0\][\s\S]*<\/svg>\s*$/);
    }
    expect(r.centered.divergences).toBeGreaterThan(r.nonCentered.divergences);
    expect(r.centered.medianTauDivergent).toBeLessThan(r.centered.medianTau);
    // the non-centered chains reach further into small tau
    expect(r.nonCentered.logTauQ025).toBeLessThan(r.centered.logTauQ025);
  });

  it("implicit function: the custom vjp passes checkGrads, matches unrolled Newton, and NUTS matches quadrature", async () => {
    const r = await implicitFunction({ numWarmup: 200, numSamples: 300, numChains: 2, log: quiet });
    expect(r.gradsOk).toBe(true);
    expect(r.maxResidual).toBeLessThan(1e-5);
    expect(r.maxDiffUnrolled).toBeLessThan(1e-4);
    expect(r.divergences).toBe(0);
    // posterior sd is about 0.07; 600 draws give a Monte Carlo error of a few thousandths
    expect(Math.abs(r.nutsMean - r.exactMean)).toBeLessThan(0.03);
    expect(Math.abs(r.nutsSd - r.exactSd)).toBeLessThan(0.02);
  });

  it("many data sets: one compiled program for every data set, and one for the vmapped replicas", async () => {
    const r = await manyDatasets({ numSteps: 300, numDatasets: 4, numReplicas: 200, log: quiet });
    expect(r.compiles).toBe(1);
    expect(r.compilesVmapped).toBe(1);
    expect(r.laterFitSeconds).toBeLessThan(r.firstFitSeconds);
    expect(r.coverageA).toBeGreaterThan(0.85);
    expect(r.coverageB).toBeGreaterThan(0.85);
  });

  it("linear regression: coefficients on the original scale (deterministic sites) recover the truth", async () => {
    const r = await linearRegression({ n: 200, numWarmup: 200, numSamples: 200, numChains: 2, log: quiet });
    const truth = [0.12, -0.05, 1.5];
    r.coef.forEach((c, j) => expect(Math.abs(c - truth[j])).toBeLessThan(j === 2 ? 0.4 : 0.02));
    expect(Math.abs(r.intercept - 4)).toBeLessThan(1.2);
    expect(r.coverage90).toBeGreaterThan(0.8);
  });

  it("VI quickstart: mean-field ADVI misses the minor mode, NUTS and SVGD find it", async () => {
    const r = await viQuickstart({ numSamples: 400, sviSteps: 2000, svgdSteps: 300, numParticles: 40, log: quiet });
    expect(r.exact.leftMass).toBeGreaterThan(0.18);
    expect(r.advi.leftMass).toBeLessThan(0.05);
    expect(r.nuts.leftMass).toBeGreaterThan(0.1);
    expect(r.svgd.leftMass).toBeGreaterThan(0.1);
  });

  it("factor term: the robust likelihood resists the outliers; the soft constraint identifies mu; dense mass shortens the trajectories", async () => {
    const r = await factorTerm({ numWarmup: 150, numSamples: 150, numChains: 2, log: quiet });
    expect(Math.abs(r.slopeRobust - 2)).toBeLessThan(0.2);
    expect(Math.abs(r.slopeGaussian - 2)).toBeGreaterThan(0.4);
    expect(r.outlierProb).toBeGreaterThan(0.9);
    expect(r.muSdConstrained).toBeLessThan(r.muSdFree / 10);
    expect(r.stepsConstrainedDense).toBeLessThan(r.stepsConstrained / 4);
  });

  it("iris: SVGD softmax regression classifies the held-out flowers", async () => {
    const r = await irisSoftmax({ numParticles: 20, numSteps: 200, log: quiet });
    expect(r.history).toHaveLength(200);
    expect(r.accuracy).toBeGreaterThan(0.85);
  });

  it("marketing mix: channel contributions are recovered", async () => {
    const r = await marketingMix({ numWarmup: 200, numSamples: 200, numChains: 2, log: quiet });
    r.contribution.forEach((c, j) => expect(Math.abs(c - r.trueContribution[j]) / r.trueContribution[j]).toBeLessThan(0.3));
  });

  it("minibatch ADVI: a minibatch fit gets close to the exact posterior in fewer passes over the data", async () => {
    const r = await minibatchAdvi({ rows: 4000, cols: 10, batchSize: 200, minibatchSteps: 400, fullBatchSteps: 40, log: quiet });
    expect(r.minibatch.epochs).toBeLessThan(r.fullBatch.epochs);
    expect(r.minibatch.muErrMean).toBeLessThan(2);
    expect(r.minibatch.sdErrMean).toBeLessThan(2);
  });
});
