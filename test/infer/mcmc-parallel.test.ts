/**
 * Parallel chains: each chain runs in a worker thread that imports the model's module. With the
 * same key, chain c in parallel gives exactly the draws of chain c run sequentially.
 */
import { describe, expect, it } from "vitest";
import { np, random } from "../../src/core/index.js";
import { MCMC } from "../../src/infer/index.js";
import { kernel } from "./fixtures/normal-model.js";

const y = np.array([1.2, 0.4, 2.2, 1.7, 0.9, 1.4, 0.3, 1.9]);
const worker = { module: new URL("./fixtures/normal-model.ts", import.meta.url) };
const options = { numWarmup: 100, numSamples: 150, numChains: 2, progressBar: false };

describe("parallel chains", () => {
  it("give the same draws as sequential chains with the same key", async () => {
    const parallel = new MCMC(kernel(), { ...options, chainMethod: "parallel", worker });
    const progress: number[] = [];
    await new MCMC(kernel(), { ...options, chainMethod: "parallel", worker, onProgress: (p) => progress.push(p.chain ?? -1) }).run(random.key(3), y);
    expect(new Set(progress)).toEqual(new Set([0, 1]));
    await parallel.run(random.key(3), y);
    const sequential = new MCMC(kernel(), { ...options, chainMethod: "sequential" });
    await sequential.run(random.key(3), y);
    const p = parallel.getSamples({ groupByChain: true }).mu;
    expect(p.shape).toEqual([2, 150]);
    expect(Array.from(p.dataSync())).toEqual(Array.from(sequential.getSamples({ groupByChain: true }).mu.dataSync()));
    expect(Array.from(parallel.getExtraFields().numSteps.dataSync())).toEqual(Array.from(sequential.getExtraFields().numSteps.dataSync()));
    expect(parallel.lastState).toHaveLength(2);
  });
  it("needs a module to import the kernel from, and reports a failing chain by index", async () => {
    expect(() => new MCMC(kernel(), { ...options, chainMethod: "parallel" })).toThrow(/chainMethod 'parallel' needs options.worker/);
    const bad = new MCMC(kernel(), { ...options, chainMethod: "parallel", worker: { ...worker, export: "normalNormal" } });
    await expect(bad.run(random.key(0), y)).rejects.toThrow(/MCMC: chain [01] failed in its worker thread/);
  });
});
