/**
 * Minibatch SVI at scale (the fit bench/svi.ts times): 40,000 rows of 100 Gaussian columns,
 * a flat prior on each column's mean and a HalfNormal on its sd, the rows subsampled 500 at a
 * time by the plate. The fitted means must lie within a few posterior sds (sd/√N under the flat
 * prior) of the column means of the data.
 */
import { describe, expect, it } from "vitest";
import { jit, np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { constraints } from "../../src/distributions/index.js";
import { plate, sample } from "../../src/handlers/index.js";
import { AutoNormal, clippedAdam, exponentialDecay, initToValue, SVI, TraceELBO } from "../../src/infer/index.js";

const [N, D, B] = [40000, 100, 500];

function model(x: NDArray) {
  const [mu, sigma] = plate("columns", D, () => [sample("mu", new dist.ImproperUniform(constraints.real, [], [])), sample("sigma", new dist.HalfNormal(10))]);
  plate("rows", N, { subsampleSize: B, dim: -2 }, (rows) => sample("obs", new dist.Normal(mu, sigma), { obs: np.take(x, rows, 0) }));
}

describe("minibatch SVI: 40,000 × 100 Gaussian data, subsamples of 500 rows", () => {
  it("recovers every column's mean within 6 posterior sds (mean |z| < 2) and its sd within 3%", async () => {
    const [kData, kSd] = random.splitList(random.key(0), 2);
    const trueSd = np.add(0.5, random.uniform(kSd, [D]));
    const data = jit((k: NDArray) => np.add(np.linspace(-2, 2, D), np.multiply(trueSd, random.normal(k, [N, D]))))(kData);
    const [colMean, colSd] = [np.mean(data, 0), np.std(data, 0)];

    const steps = 200;
    const guide = new AutoNormal(model, { initLocFn: initToValue({ mu: np.zeros([D]), sigma: np.ones([D]) }), initScale: 0.01 });
    const svi = new SVI(model, guide, clippedAdam(exponentialDecay(0.1, steps, 0.01)), new TraceELBO(), { progressBar: false });
    const { params } = await svi.run(random.key(1), steps, data);

    const z = np.abs(np.divide(np.subtract(params.mu_auto_loc, colMean), np.divide(colSd, Math.sqrt(N))));
    expect(np.max(z).item()).toBeLessThan(6);
    expect(np.mean(z).item()).toBeLessThan(2);
    const sdError = np.abs(np.subtract(np.divide(guide.median(params).sigma, colSd), 1));
    expect(np.max(sdError).item()).toBeLessThan(0.03);
  });
});
