import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Array as NDArray, getBackend, grad, np, setBackend, valueAndGrad, type BackendName } from "../../src/core/index.js";

const ticks = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 0));
};

/** Collects garbage and lets FinalizationRegistry callbacks run. */
async function settle(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") throw new Error("memory tests need global.gc: run vitest with --expose-gc (see vitest.config.ts execArgv)");
  for (let round = 0; round < 4; round++) {
    gc();
    await ticks(5);
  }
}

/** The log density of a normal(mu, sigma) summed over a vector, as models write it. */
function normalLogpdf(x: NDArray, mu: NDArray, logSigma: NDArray): NDArray {
  const sigma = np.exp(logSigma);
  const z = np.divide(np.subtract(x, mu), sigma);
  return np.sum(np.subtract(np.subtract(np.multiply(np.square(z), -0.5), logSigma), 0.5 * Math.log(2 * Math.PI)));
}

describe("memory on tfjs-cpu", () => {
  let prev: BackendName = "js";
  let tf: typeof import("@tensorflow/tfjs-core");
  beforeAll(async () => {
    prev = getBackend();
    await setBackend("tfjs-cpu");
    tf = await import("@tensorflow/tfjs-core");
  });
  afterAll(async () => {
    await setBackend(prev);
  });

  it("global.gc is available", () => {
    expect(typeof (globalThis as { gc?: unknown }).gc, "vitest must run with --expose-gc").toBe("function");
  });

  it("10,000 valueAndGrad steps of a normal log density leave the tensor count flat", async () => {
    const x = np.array([0.3, -1.2, 0.8, 2.0, -0.5, 0.1, 1.4, -2.2, 0.9, 0.0]);
    const vg = valueAndGrad((p: { mu: NDArray; logSigma: NDArray }) => normalLogpdf(x, p.mu, p.logSigma));
    let params = { mu: np.zeros([10]), logSigma: np.zeros([10]) };
    const step = () => {
      const [v, g] = vg(params);
      params = { mu: np.add(params.mu, np.multiply(g.mu, 1e-3)), logSigma: np.add(params.logSigma, np.multiply(g.logSigma, 1e-3)) };
      return v;
    };
    for (let i = 0; i < 200; i++) step();
    params.mu.dataSync();
    await settle();
    const base = tf.memory().numTensors;
    let last = 0;
    for (let i = 0; i < 10_000; i++) {
      last = step().item();
      if (i % 2000 === 1999) await ticks(1); // let finalizers run during the loop as a long-running app would
    }
    expect(Number.isFinite(last)).toBe(true);
    await settle();
    const after = tf.memory().numTensors;
    expect(after - base, `tensors: ${base} before the loop, ${after} after`).toBeLessThanOrEqual(50);
  }, 60_000);

  it("grad of grad and many small eager ops also leave memory flat", async () => {
    const d2 = grad(grad((v: NDArray) => np.sum(np.multiply(np.sin(v), np.exp(v)))));
    const run = () => {
      const y = d2(np.array(0.3));
      const z = np.sort(np.concatenate([np.take(np.array([3, 1, 2]), [2, 0]), np.cumsum(np.ones([3]))]));
      return y.item() + np.sum(z).item();
    };
    for (let i = 0; i < 50; i++) run();
    await settle();
    const base = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) run();
    await settle();
    expect(tf.memory().numTensors - base).toBeLessThanOrEqual(50);
  }, 60_000);
});
