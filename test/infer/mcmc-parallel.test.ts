/**
 * Parallel chains: each chain runs in a worker thread that imports the model's module. With the
 * same key, chain c in parallel gives exactly the draws of chain c run sequentially. A chain whose
 * worker fails (throws, exits without a result, or crashes on an uncaught error) is reported by
 * index, every other worker is still awaited, and the draws of the chains that finished are kept.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { np, random, type Array as NDArray } from "../../src/core/index.js";
import { MCMC } from "../../src/infer/index.js";
import { FAILING_CHAIN } from "./fixtures/failing-model.js";
import { kernel } from "./fixtures/normal-model.js";

const y = np.array([1.2, 0.4, 2.2, 1.7, 0.9, 1.4, 0.3, 1.9]);
const worker = { module: new URL("./fixtures/normal-model.ts", import.meta.url) };
const failing = new URL("./fixtures/failing-model.ts", import.meta.url);
const options = { numWarmup: 100, numSamples: 150, numChains: 2, progressBar: false };

/** Rows `rows` (chains) of a `[chains, draws, ...]` array, as a flat list. */
const rowsOf = (x: NDArray, rows: readonly number[]) => rows.flatMap((r) => Array.from(np.take(x, r, 0).dataSync()));

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
    expect(parallel.failedChains).toEqual([]);
    expect(parallel.keptChains).toEqual([0, 1]);
    expect(sequential.keptChains).toEqual([0, 1]);
  });

  it("needs a module to import the kernel from, and reports a failing chain by index", async () => {
    expect(() => new MCMC(kernel(), { ...options, chainMethod: "parallel" })).toThrow(/chainMethod 'parallel' needs options.worker/);
    const bad = new MCMC(kernel(), { ...options, chainMethod: "parallel", worker: { ...worker, export: "normalNormal" } });
    await expect(bad.run(random.key(0), y)).rejects.toThrow(/MCMC: chain [01] failed in its worker thread/);
    // every chain failed: both are named, nothing is kept
    expect(bad.failedChains.map((f) => f.chain)).toEqual([0, 1]);
    // normalNormal is the model, not a kernel factory: calling it outside seed fails in each worker
    for (const f of bad.failedChains) expect(f.error.message).toMatch(new RegExp(`^MCMC: chain ${f.chain} failed in its worker thread: sample site 'mu'`));
    const missing = new MCMC(kernel(), { ...options, chainMethod: "parallel", worker: { ...worker, export: "noSuchExport" } });
    await expect(missing.run(random.key(0), y)).rejects.toThrow(/chain 0 failed in its worker thread: MCMC \(parallel\): 'noSuchExport' exported by .*normal-model.ts is not a function/);
    expect(bad.keptChains).toEqual([]);
    expect(bad.getSamples()).toEqual({});
    expect(bad.lastState).toEqual([]);
  });

  it("imports worker_threads only when running parallel chains (the module bundles for browsers)", () => {
    const source = readFileSync(new URL("../../src/infer/mcmc.ts", import.meta.url), "utf8");
    expect(source).not.toMatch(/^import[^;]*from "node:worker_threads"/m);
    expect(source).toMatch(/await import\("node:worker_threads"\)/);
  });
});

describe("a failing parallel chain", () => {
  const three = { ...options, numChains: 3 };
  const kept = [0, 2];
  let sequential: MCMC;
  beforeAll(async () => {
    sequential = new MCMC(kernel(), { ...three, chainMethod: "sequential" });
    await sequential.run(random.key(5), y);
  });

  it.each([
    ["throws", "throwingKernel", /MCMC: chain 1 failed in its worker thread: fixture: chain 1 cannot build its kernel/],
    ["exits without a result", "exitingKernel", /MCMC: the worker thread of chain 1 exited \(code 3\) before returning its draws/],
    ["crashes on an uncaught error", "uncaughtKernel", /MCMC: the worker thread of chain 1 crashed: fixture: an uncaught error in chain 1/],
  ])("that %s is reported by index, and the other chains' draws are kept", async (_, exportName, message) => {
    expect(FAILING_CHAIN).toBe(1);
    const mcmc = new MCMC(kernel(), { ...three, chainMethod: "parallel", worker: { module: failing, export: exportName } });
    const error = await mcmc.run(random.key(5), y).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AggregateError);
    const agg = error as AggregateError;
    expect(agg.message).toMatch(message);
    expect(agg.message).toMatch(/MCMC: 1 of 3 chain\(s\) failed/);
    expect(agg.message).toMatch(/the draws of chain\(s\) 0, 2 are kept/);
    expect(agg.errors).toHaveLength(1);

    expect(mcmc.failedChains).toHaveLength(1);
    expect(mcmc.failedChains[0].chain).toBe(1);
    expect(mcmc.failedChains[0].error.message).toMatch(message);
    expect(mcmc.keptChains).toEqual(kept);

    // the kept chains' draws are exactly those of chains 0 and 2 run sequentially with the same key
    const samples = mcmc.getSamples({ groupByChain: true }).mu;
    expect(samples.shape).toEqual([2, 150]);
    expect(rowsOf(samples, [0, 1])).toEqual(rowsOf(sequential.getSamples({ groupByChain: true }).mu, kept));
    expect(mcmc.getSamples().mu.shape).toEqual([300]);
    const fields = mcmc.getExtraFields({ groupByChain: true });
    expect(fields.numSteps.shape).toEqual([2, 150]);
    expect(rowsOf(fields.numSteps, [0, 1])).toEqual(rowsOf(sequential.getExtraFields({ groupByChain: true }).numSteps, kept));
    expect(mcmc.numDivergences()).toHaveLength(2);
    expect(mcmc.lastState).toHaveLength(2);
    expect(Array.from(mcmc.lastState[1].key.dataSync())).toEqual(Array.from(sequential.lastState[2].key.dataSync()));
    // the kept chains' states cannot continue a run of all three chains
    mcmc.postWarmupState = mcmc.lastState;
    await expect(mcmc.run(random.key(6), y)).rejects.toThrow(/postWarmupState has 2 state\(s\); parallel sampling of 3 chain\(s\) resumes from 3/);
  });
});
