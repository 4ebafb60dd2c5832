/**
 * Inference on WebGPU: vectorized NUTS and SVI run their compiled chunks on the device and give
 * the draws and losses the js backend gives from the same key (to float32 rounding: the
 * programs are the same; only the kernels differ).
 */
import { expect, it } from "vitest";
import { Array as NDArray, np, random } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { plate, sample } from "../../src/handlers/index.js";
import { AutoNormal, MCMC, NUTS, SVI, TraceELBO, adam } from "../../src/infer/index.js";
import { describeWebGPU, values } from "./setup.js";

function model(y: NDArray) {
  const mu = sample("mu", new dist.Normal(0, 10));
  const sigma = sample("sigma", new dist.HalfNormal(2));
  plate("N", y.shape[0], () => sample("y", new dist.Normal(mu, sigma), { obs: y }));
}
const data = () => np.array([1.2, 0.4, 2.2, 1.9, 0.8, 1.5]);

/** Runs `f` on the js backend, then again where the suite runs (WebGPU). */
async function onBoth<T>(f: () => Promise<T>): Promise<[T, T]> {
  const { setBackend } = await import("../../src/core/index.js");
  await setBackend("js");
  const host = await f();
  await setBackend("webgpu");
  return [host, await f()];
}

describeWebGPU("inference on WebGPU", () => {
  it("vectorized NUTS gives the js backend's draws from the same key", async () => {
    const run = async () => {
      const mcmc = new MCMC(new NUTS(model), { numWarmup: 8, numSamples: 8, numChains: 2, chainMethod: "vectorized", progressBar: false });
      await mcmc.run(random.key(11), data());
      const s = mcmc.getSamples({ groupByChain: true });
      return { mu: await values(s.mu), sigma: await values(s.sigma), shape: s.mu.shape };
    };
    const [host, device] = await onBoth(run);
    expect(device.shape).toEqual([2, 8]);
    for (const k of ["mu", "sigma"] as const) device[k].forEach((v, i) => expect(Math.abs(v - host[k][i])).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(host[k][i]))));
  }, 300_000);

  it("SVI with an autoguide gives the js backend's losses and params", async () => {
    const run = async () => {
      const svi = new SVI(model, new AutoNormal(model), adam(0.05), new TraceELBO(), { chunkSize: 25 });
      const res = await svi.run(random.key(2), 50, data());
      return { losses: await values(res.losses), loc: await values(res.params["auto_loc"] ?? Object.values(res.params)[0]) };
    };
    const [host, device] = await onBoth(run);
    expect(device.losses.length).toBe(50);
    device.losses.forEach((v, i) => expect(Math.abs(v - host.losses[i])).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(host.losses[i]))));
    device.loc.forEach((v, i) => expect(Math.abs(v - host.loc[i])).toBeLessThanOrEqual(1e-3 * (1 + Math.abs(host.loc[i]))));
  }, 300_000);
});
