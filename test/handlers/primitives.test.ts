/**
 * The primitives (sample, param, deterministic, factor, prngKey, obsMask) and the handler
 * stack: keys, values, errors that name the site, and the stack restored after a throw.
 */
import { describe, expect, it } from "vitest";
import { np, random } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { constraints } from "../../src/distributions/index.js";
import { block, deterministic, factor, mask, param, plate, prngKey, sample, seed, substitute, trace } from "../../src/handlers/index.js";
import { logDensity } from "../../src/infer/index.js";
import { expectClose } from "../helpers.js";

describe("sample", () => {
  it("draws with the key it is given, and returns obs unchanged", () => {
    const key = random.key(3);
    expectClose(sample("x", new dist.Normal(1, 2), { rngKey: key }), new dist.Normal(1, 2).sample(key));
    const obs = np.array([1, 2]);
    expect(sample("y", new dist.Normal(0, 1), { obs })).toBe(obs);
  });

  it("without a key or a value is an error naming the site", () => {
    expect(() => sample("mu", new dist.Normal(0, 1))).toThrow(/sample site 'mu' \(Normal\) has no random key: run the model under seed/);
    const model = () => sample("theta", new dist.Normal(0, 1));
    expect(() => trace(model).getTrace()).toThrow(/sample site 'theta'/);
  });

  it("sampleShape adds leading dimensions", () => {
    const tr = trace(seed(() => sample("x", new dist.Normal(np.zeros([3]), 1), { sampleShape: [2] }), 0)).getTrace();
    const x = tr.get("x")!;
    expect(x.value!.shape).toEqual([2, 3]);
    expect(x.type === "sample" && x.sampleShape).toEqual([2]);
  });

  it("an observed value of the wrong shape is an error naming the site and both shapes", () => {
    const model = (y: number[]) => plate("N", 5, () => sample("obs", new dist.Normal(0, 1), { obs: y }));
    expect(() => seed(model, 0)([1, 2, 3, 4])).toThrow(
      "sample site 'obs': observed value of shape [4] does not fit the distribution Normal of shape [5] (batch shape [5], event shape [])",
    );
  });

  it("obsMask splits a site into an observed and an imputed one", () => {
    const y = np.array([1, 2, 3]);
    const m = np.array([true, false, true]);
    const model = () => plate("N", 3, () => sample("x", new dist.Normal(0, 1), { obs: y, obsMask: m }));
    const tr = trace(seed(model, 1)).getTrace();
    expect([...tr.keys()]).toEqual(["N", "x_observed", "x_unobserved", "x"]);
    const x = tr.get("x")!.value!.toArray() as number[];
    const imputed = tr.get("x_unobserved")!.value!.toArray() as number[];
    expect([x[0], x[2]]).toEqual([1, 3]);
    expect(x[1]).toBe(imputed[1]);
    const [lp] = logDensity(model, [], { x_unobserved: np.array([0, 0.5, 0]) });
    const n = new dist.Normal(0, 1);
    expectClose(lp, n.logProb(1).item() + n.logProb(3).item() + n.logProb(0.5).item(), { rtol: 1e-6 });
  });
});

describe("param", () => {
  it("returns its initial value, or the value of a function of a key under seed", () => {
    expectClose(param("w", [1, 2]), [1, 2]);
    const model = () => param("w", (key) => random.normal(key, [3]));
    expect(seed(model, 0)().shape).toEqual([3]);
    expectClose(seed(model, 0)(), seed(model, 0)());
    expect(() => model()).toThrow(/param site 'w' has an initializer that needs a random key/);
  });

  it("records its constraint; a handler may give the value", () => {
    const model = () => param("s", 1, { constraint: constraints.positive });
    const site = trace(model).getTrace().get("s")!;
    expect(site.type === "param" && site.constraint).toBe(constraints.positive);
    expectClose(substitute(model, { s: 3 })(), 3);
    expect(() => param("none")).toThrow(/param site 'none' has no value/);
  });
});

describe("deterministic and factor", () => {
  it("deterministic records a value", () => {
    const tr = trace(() => deterministic("d", np.array([1, 2]))).getTrace();
    expect(tr.get("d")!.type).toBe("deterministic");
    expectClose(tr.get("d")!.value!, [1, 2]);
  });

  it("factor adds its log factor to the log density", () => {
    const model = () => {
      sample("x", new dist.Normal(0, 1), { obs: 0.5 });
      factor("f", np.array([-1, -2]));
    };
    const [lp, tr] = logDensity(model, [], {});
    expectClose(lp, new dist.Normal(0, 1).logProb(0.5).item() - 3, { rtol: 1e-6 });
    const f = tr.get("f")!;
    expect(f.type === "sample" && f.isObserved && f.infer.isAuxiliary).toBe(true);
  });

  it("a masked-out factor of -Infinity contributes 0", () => {
    const model = mask(() => factor("inf", -Infinity), np.zeros([10], "bool"));
    expectClose(logDensity(model, [], {})[0], 0);
  });
});

describe("prngKey", () => {
  it("hands out a fresh key per call under seed", () => {
    const [a, b] = seed(() => [prngKey(), prngKey()], 0)();
    expect(a.shape).toEqual([2]);
    expect(a.toArray()).not.toEqual(b.toArray());
    expect(seed(() => prngKey(), 0)().toArray()).toEqual(a.toArray());
  });

  it("without seed is an error; block lets key requests through", () => {
    expect(() => prngKey()).toThrow(/prngKey\(\): no random key/);
    expect(seed(block(() => prngKey()), 0)().shape).toEqual([2]);
  });
});

describe("the handler stack", () => {
  it("is restored when the model throws", () => {
    const bad = seed(() => {
      sample("x", new dist.Normal(0, 1));
      throw new Error("boom");
    }, 0);
    expect(() => trace(bad).getTrace()).toThrow("boom");
    // neither the seed nor the trace is still installed
    expect(() => sample("y", new dist.Normal(0, 1))).toThrow(/has no random key/);
    const tr = trace(seed(() => sample("z", new dist.Normal(0, 1)), 0)).getTrace();
    expect([...tr.keys()]).toEqual(["z"]);
  });

  it("a duplicate site name is an error naming the site", () => {
    const model = () => {
      sample("x", new dist.Normal(0, 1));
      deterministic("x", 1);
    };
    expect(() => trace(seed(model, 0)).getTrace()).toThrow("duplicate site name 'x': a deterministic site has the name of an earlier sample site");
    const shared = () => {
      param("p", 1);
      param("p", 1);
      plate("N", 2, () => undefined);
      plate("N", 2, () => undefined);
    };
    expect([...trace(shared).getTrace().keys()]).toEqual(["p", "N"]);
  });

  it("messages are frozen", () => {
    const site = trace(seed(() => sample("x", new dist.Normal(0, 1)), 0)).getTrace().get("x")!;
    expect(Object.isFrozen(site)).toBe(true);
  });
});
