/**
 * scope (names, nested, plate frames), lift, inferConfig, and composing handlers (nesting and
 * fp-ts pipe/flow).
 */
import { flow, pipe } from "fp-ts/function";
import { describe, expect, it } from "vitest";
import { np, random } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { constraints } from "../../src/distributions/index.js";
import { condition, inferConfig, lift, param, plate, sample, scope, seed, substitute, trace, type Model } from "../../src/handlers/index.js";

describe("scope", () => {
  const fn = () => plate("N", 10, () => sample("x", new dist.Normal(0, 1)));

  it("prefixes sites and plate frames, and nests", () => {
    const model = () => {
      scope(fn, "a")();
      scope(scope(fn, "a"), "b")();
    };
    const tr = trace(seed(model, 1)).getTrace();
    expect([...tr.keys()]).toEqual(["a/N", "a/x", "b/a/N", "b/a/x"]);
    expect(tr.get("b/a/x")!.condIndepStack.map((f) => f.name)).toEqual(["b/a/N"]);
    expect(tr.get("a/x")!.condIndepStack[0].name).toBe("a/N");
    expect([...trace(seed(scope(fn, "m", "."), 0)).getTrace().keys()]).toEqual(["m.N", "m.x"]);
  });

  it("handlers outside see the scoped names", () => {
    const tr = trace(seed(condition(scope(fn, "a"), { "a/x": np.zeros([10]) }), 0)).getTrace();
    expect(tr.get("a/x")!.value!.toArray()).toEqual(new Array(10).fill(0));
  });
});

describe("lift", () => {
  const model = () => {
    const loc = param("loc", 0);
    const s = param("scale", 1, { constraint: constraints.positive });
    return sample("latent", new dist.Normal(loc, s));
  };

  it("turns params with a prior into sample sites", () => {
    const tr = trace(seed(lift(model, { loc: new dist.Normal(3, 0.1) }), 0)).getTrace();
    const loc = tr.get("loc")!;
    expect(loc.type).toBe("sample");
    expect(loc.type === "sample" && loc.isObserved).toBe(false);
    expect(Math.abs(loc.value!.item() - 3)).toBeLessThan(1);
    expect(tr.get("scale")!.type).toBe("param");
    const twoLocs = () => sample("latent", new dist.Normal(np.add(param("a", 0), param("b", 0)), 1));
    const all = trace(seed(lift(twoLocs, new dist.Normal(0, 1)), 0)).getTrace();
    expect([...all.values()].map((s) => s.type)).toEqual(["sample", "sample", "sample"]);
  });

  it("reuses the first draw when a param is visited again", () => {
    const twice = () => [param("p", 0), param("p", 0)];
    const [a, b] = seed(lift(twice, new dist.Normal(0, 1)), 0)();
    expect(a.item()).toBe(b.item());
    expect(a.item()).not.toBe(0);
  });
});

describe("inferConfig", () => {
  it("merges hints into sample sites", () => {
    const model = () => sample("x", new dist.Normal(0, 1), { infer: { a: 1 } });
    const tr = trace(seed(inferConfig(model, (site) => ({ b: site.name })), 0)).getTrace();
    const x = tr.get("x")!;
    expect(x.type === "sample" && x.infer).toEqual({ a: 1, b: "x" });
  });
});

describe("composition", () => {
  const model = (n: number) => plate("N", n, () => sample("x", new dist.Normal(0, 1)));

  it("pipe and flow from fp-ts chain handlers like nesting", () => {
    const key = random.key(4);
    const nested = trace(seed(model, key)).getTrace(3);
    const piped = pipe(model, (m) => seed(m, key), trace).getTrace(3);
    expect(piped.get("x")!.value!.toArray()).toEqual(nested.get("x")!.value!.toArray());
    const prepare = flow((m: Model<[number], unknown>) => substitute(m, { x: np.ones([3]) }), (m) => seed(m, key), trace);
    expect(prepare(model).getTrace(3).get("x")!.value!.toArray()).toEqual([1, 1, 1]);
  });

  it("handler order matters as in NumPyro: the inner handler sees a site first", () => {
    const outerCondition = trace(seed(condition(substitute(model, { x: np.ones([2]) }), { x: np.zeros([2]) }), 0)).getTrace(2);
    expect(outerCondition.get("x")!.value!.toArray()).toEqual([0, 0]);
  });
});
