/**
 * block (hide, expose, exposeTypes, hideFn; seeds still reach hidden sites), scale
 * (composition multiplies, inner vs outer) and mask.
 */
import { describe, expect, it } from "vitest";
import { jit, np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { block, mask, param, plate, sample, scale, seed, trace, type BlockOptions } from "../../src/handlers/index.js";
import { logDensity } from "../../src/infer/index.js";
import { expectClose } from "../helpers.js";

describe("block", () => {
  const model = () => {
    const mu = param("mu", 0);
    const sigma = param("sigma", 1);
    return sample("x", new dist.Normal(mu, sigma));
  };
  const visible = (opts: BlockOptions) => [...trace(block(seed(model, 0), opts)).getTrace().keys()].sort();

  it("hides the chosen sites from handlers outside", () => {
    expect(visible({ hide: ["x", "sigma"] })).toEqual(["mu"]);
    expect(visible({ expose: ["x", "sigma"] })).toEqual(["sigma", "x"]);
    expect(visible({ exposeTypes: ["param"] })).toEqual(["mu", "sigma"]);
    expect(visible({ hideFn: (m) => m.type === "sample" || ("name" in m && m.name === "mu") })).toEqual(["sigma"]);
    expect(visible({})).toEqual([]);
  });

  it("the first option given decides", () => {
    expect(visible({ hideFn: () => false, hide: ["x"] })).toEqual(["mu", "sigma", "x"]);
  });

  it("a seed outside the block still drives the sites inside, with the same draws", () => {
    const m = () => ({ x: sample("x", new dist.Normal(0, 1)), idx: plate("n", 10, { subsampleSize: 7 }, (i) => i), y: sample("y", new dist.Normal(0, 1)) });
    for (const opts of [{ hide: ["y"] }, { expose: ["x"] }, {}] as BlockOptions[]) {
      const a = seed(block(m, opts), 17)();
      const b = block(seed(m, 17), opts)();
      const plain = seed(m, 17)();
      expect(a.x.item()).toBe(plain.x.item());
      expect(b.y.item()).toBe(plain.y.item());
      expect(a.idx.toArray()).toEqual(plain.idx.toArray());
    }
  });
});

describe("scale", () => {
  const data = np.array([0.3, -1.2, 2]);
  const x = 0.7;
  const lpX = new dist.Normal(0, 1).logProb(x).item();
  const lpObs = np.sum(new dist.Normal(x, 1).logProb(data)).item();

  it("on an inner block multiplies only that term; around the model, everything", () => {
    const inner = () => {
      const v = sample("x", new dist.Normal(0, 1));
      scale(() => sample("obs", new dist.Normal(v, 1), { obs: data }), 10)();
    };
    const outer = () => {
      const v = sample("x", new dist.Normal(0, 1));
      sample("obs", new dist.Normal(v, 1), { obs: data });
    };
    expectClose(logDensity(inner, [], { x })[0], lpX + 10 * lpObs, { rtol: 1e-6 });
    expectClose(logDensity(scale(outer, 10), [], { x })[0], 10 * (lpX + lpObs), { rtol: 1e-6 });
  });

  it("nested scales multiply, also with subsampling and array factors", () => {
    const m = () => sample("x", new dist.Normal(0, 1));
    const site = trace(scale(scale(seed(m, 0), 2), 3)).getTrace().get("x")!;
    expect(site.type === "sample" && site.scale).toBe(6);
    const sub = () => plate("N", 8, { subsampleSize: 2 }, () => sample("z", new dist.Normal(0, 1), { obs: 0 }));
    const z = trace(scale(seed(sub, 0), 3)).getTrace().get("z")!;
    expect(z.type === "sample" && z.scale).toBe(12);
    const arr = () => plate("N", 2, () => sample("w", new dist.Normal(0, 1), { obs: 0 }));
    const lp0 = new dist.Normal(0, 1).logProb(0).item();
    expectClose(logDensity(scale(scale(arr, np.array([1, 2])), 3), [], {})[0], 3 * lp0 + 6 * lp0, { rtol: 1e-6 });
  });

  it("rejects a factor that is not positive", () => {
    expect(() => scale(() => 0, 0)).toThrow("scale: the factor must be positive");
    expect(() => scale(() => 0, np.array([1, -1]))).toThrow("scale: the factor must be positive");
  });
});

describe("mask", () => {
  it("NumPyro's mask test: masked Delta and a scaled observation, eager and under jit", () => {
    const N = 10;
    const m = np.array(Array.from({ length: N }, (_, i) => i !== N - 5));
    const data = random.normal(random.key(0), [N]);
    const x = random.normal(random.key(1), [N]);
    const model = () =>
      plate("N", N, () => {
        const v = sample("x", new dist.Normal(0, 1));
        mask(() => {
          sample("y", new dist.Delta(v, 1));
          scale(() => sample("obs", new dist.Normal(v, 1), { obs: data }), 2)();
        }, m)();
      });
    const [lp] = logDensity(model, [], { x, y: x });
    const expected = np.sum(np.add(new dist.Normal(0, 1).logProb(x), np.where(m, np.add(1, np.multiply(2, new dist.Normal(x, 1).logProb(data))), 0)));
    expectClose(lp, expected, { atol: 1e-4 });
    const compiled = jit((v: NDArray) => logDensity(model, [], { x: v, y: v })[0]);
    expectClose(compiled(x), expected, { atol: 1e-4 });
  });

  it("still draws values, and needs a bool mask", () => {
    const m = mask(() => sample("x", new dist.Normal(0, 1)), false);
    expect(seed(m, 0)().item()).toBe(seed(() => sample("x", new dist.Normal(0, 1)), 0)().item());
    expectClose(logDensity(m, [], { x: 1 })[0], 0);
    expect(() => mask(() => 0, np.array([1, 0]))).toThrow("mask: the mask must be a boolean or a bool array, got a float32 array");
  });
});
