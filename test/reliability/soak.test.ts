/**
 * Soak tests at reduced size: long NUTS and SVI runs keep memory flat. A run is continued in
 * rounds (NUTS from its last state with the continuation key, SVI from its last state), and
 * after each round the garbage is collected and the JS heap, the array buffers and (on
 * tfjs-cpu) the live tfjs tensors are read. After a first round (compilation, JIT warm-up) the
 * readings must stay within a tolerance: a leak of a few hundred bytes per transition or per
 * compiled call would exceed it.
 *
 * js backend: 5,000 NUTS transitions and 5,000 SVI steps. tfjs-cpu (slower: a program is replayed
 * through tfjs kernels): 1,000 transitions and 1,500 steps, in small compiled chunks so that a
 * leak per compiled call shows quickly.
 */
import { describe, expect, it } from "vitest";
import { getBackend, np, random, type Array as NDArray } from "../../src/core/index.js";
import { tfjs } from "../../src/core/backend.js";
import { forBackends } from "../helpers.js";
import * as dist from "../../src/distributions/index.js";
import { plate, sample } from "../../src/handlers/index.js";
import { adam, AutoNormal, continuationKey, MCMC, NUTS, SVI, TraceELBO } from "../../src/infer/index.js";

const model = (obs: NDArray) => {
  const mu = sample("mu", new dist.Normal(0, 2));
  const s = sample("s", new dist.HalfNormal(2));
  plate("N", obs.shape[0], () => sample("obs", new dist.Normal(mu, s), { obs }));
};

/** Collects garbage and lets FinalizationRegistry callbacks run. */
async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") throw new Error("soak tests need global.gc: run vitest with --expose-gc (vitest.config.ts execArgv)");
  for (let round = 0; round < 4; round++) {
    gc();
    for (let t = 0; t < 5; t++) await new Promise((r) => setTimeout(r, 0));
  }
}

interface Reading {
  heap: number;
  buffers: number;
  tensors: number;
}

async function read(): Promise<Reading> {
  await settle();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, buffers: m.arrayBuffers, tensors: getBackend() === "js" ? 0 : tfjs().memory().numTensors };
}

/** Runs `rounds` rounds and checks every reading after the first against the first. */
async function soak(rounds: number, round: (r: number) => Promise<void>, tolerance: { heapMB: number; tensors: number }): Promise<void> {
  await round(0);
  const base = await read();
  const readings: Reading[] = [];
  for (let r = 1; r < rounds; r++) {
    await round(r);
    readings.push(await read());
  }
  const mb = (x: number) => (x / 1e6).toFixed(2);
  const log = `heap MB ${mb(base.heap)} then ${readings.map((x) => mb(x.heap)).join(" ")}; tensors ${base.tensors} then ${readings.map((x) => x.tensors).join(" ")}`;
  for (const x of readings) {
    expect(x.heap - base.heap, log).toBeLessThan(tolerance.heapMB * 1e6);
    expect(x.buffers - base.buffers, log).toBeLessThan(tolerance.heapMB * 1e6);
    expect(x.tensors - base.tensors, log).toBeLessThanOrEqual(tolerance.tensors);
  }
}

/** NUTS continued round after round from its last state: `perRound` transitions each. */
function nutsRounds(perRound: number, chunkSize?: number) {
  const y = np.array([1.2, 0.4, 2.2, 1.7, 0.9]);
  const mcmc = new MCMC(new NUTS(model), { numWarmup: 100, numSamples: perRound, chunkSize, progressBar: false });
  return async (r: number) => {
    await mcmc.run(r === 0 ? random.key(0) : continuationKey(mcmc.lastState), y);
    mcmc.postWarmupState = mcmc.lastState;
    expect(mcmc.getSamples().mu.shape).toEqual([perRound]);
  };
}

/** SVI continued round after round from its last state: `perRound` steps each. */
function sviRounds(perRound: number, chunkSize?: number) {
  const y = np.array([1.2, 0.4, 2.2, 1.7, 0.9]);
  const svi = new SVI(model, new AutoNormal(model), adam(0.01), new TraceELBO(), { progressBar: false, chunkSize });
  let state = svi.init(random.key(0), y);
  return async () => {
    const out = await svi.resume(state, perRound, y);
    state = out.state;
    expect(Number.isFinite(np.sum(out.losses).item())).toBe(true);
  };
}

describe("soak on the js backend", () => {
  it("5,000 NUTS transitions (10 rounds of 500) keep the heap flat", async () => {
    await soak(10, nutsRounds(500), { heapMB: 1, tensors: 0 });
  });
  it("5,000 SVI steps (10 rounds of 500) keep the heap flat", async () => {
    await soak(10, sviRounds(500), { heapMB: 1, tensors: 0 });
  });
});

describe("soak on tfjs-cpu", () => {
  forBackends(["tfjs-cpu"], () => {
    it("1,000 NUTS transitions (5 rounds of 200, compiled chunks of 10) keep the heap and the tensor count flat", async () => {
      await soak(5, nutsRounds(200, 10), { heapMB: 1, tensors: 0 });
    });
    it("1,500 SVI steps (5 rounds of 300, compiled chunks of 20) keep the heap and the tensor count flat", async () => {
      await soak(5, sviRounds(300, 20), { heapMB: 1, tensors: 0 });
    });
  });
});
