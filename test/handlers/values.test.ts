/**
 * Handlers that give sites values: condition (observed) vs substitute (still latent), their
 * nesting, replay against a guide trace, and do (intervention) vs condition.
 */
import { describe, expect, it } from "vitest";
import { np, random } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { condition, deterministic, intervene, param, plate, replay, sample, seed, substitute, trace, type Site } from "../../src/handlers/index.js";
import * as handlers from "../../src/handlers/index.js";
import { expectClose } from "../helpers.js";

const model = () => {
  const x = sample("x", new dist.Normal(0, 1));
  const y = sample("y", new dist.Normal(x, 1));
  return deterministic("sum", np.add(x, y));
};
const observed = (s: Site | undefined) => s?.type === "sample" && s.isObserved;

describe("condition and substitute", () => {
  it("condition observes the site; substitute only fixes its value", () => {
    const c = trace(seed(condition(model, { y: 2 }), 0)).getTrace();
    const s = trace(seed(substitute(model, { y: 2 }), 0)).getTrace();
    expect(c.get("y")!.value!.item()).toBe(2);
    expect(s.get("y")!.value!.item()).toBe(2);
    expect(observed(c.get("y"))).toBe(true);
    expect(observed(s.get("y"))).toBe(false);
    expect(observed(c.get("x"))).toBe(false);
  });

  it("accept a function of the site", () => {
    const c = trace(seed(condition(model, (site) => (site.name === "x" ? 1 : null)), 0)).getTrace();
    expect(observed(c.get("x"))).toBe(true);
    expect(c.get("x")!.value!.item()).toBe(1);
    const s = trace(seed(substitute(model, (site) => (site.type === "deterministic" ? 5 : null)), 0)).getTrace();
    expect(s.get("sum")!.value!.item()).toBe(5);
  });

  it("substitute reaches params (NumPyro's nested example gives 12)", () => {
    const m = () => {
      const x = param("x");
      const y = substitute(() => np.multiply(param("y"), param("x")), { y: x })();
      return np.add(x, y);
    };
    expect(substitute(m, { x: 3 })().item()).toBe(12);
  });

  it("the outermost handler wins where both give a value", () => {
    const value = (m: typeof model) => trace(seed(m, 0)).getTrace().get("x")!;
    expect(value(condition(condition(model, { x: 1 }), { x: 2 })).value!.item()).toBe(2);
    expect(value(substitute(substitute(model, { x: 1 }), { x: 2 })).value!.item()).toBe(2);
    const sc = value(substitute(condition(model, { x: 1 }), { x: 2 }));
    expect([sc.value!.item(), observed(sc)]).toEqual([2, true]);
    const cs = value(condition(substitute(model, { x: 1 }), { x: 2 }));
    expect([cs.value!.item(), observed(cs)]).toEqual([2, true]);
    // condition also overrides an obs given in the model
    const withObs = () => sample("o", new dist.Normal(0, 1), { obs: 0 });
    expect(condition(withObs, { o: 4 })().item()).toBe(4);
  });
});

describe("replay", () => {
  const guide = () => {
    sample("x", new dist.Normal(5, 0.1));
    plate("N", 10, { subsampleSize: 3 }, () => sample("y", new dist.Normal(0, 1)));
  };
  const m = (y?: number[]) => {
    const x = sample("x", new dist.Normal(0, 1));
    plate("N", 10, { subsampleSize: 3 }, () => sample("y", new dist.Normal(x, 1), { obs: y }));
    return x;
  };

  it("gives latent sites and plates the guide's values and keeps the data", () => {
    const g = trace(seed(guide, 0)).getTrace();
    const tr = trace(seed(replay(m, g), 1)).getTrace();
    expect(tr.get("x")!.value!.item()).toBe(g.get("x")!.value!.item());
    expect(tr.get("N")!.value!.toArray()).toEqual(g.get("N")!.value!.toArray());
    expectClose(tr.get("y")!.value!, g.get("y")!.value!);
    const data = trace(seed(replay(m, g), 1)).getTrace([1, 2, 3]);
    expect(data.get("y")!.value!.toArray()).toEqual([1, 2, 3]);
    expect(observed(data.get("y"))).toBe(true);
  });

  it("a site the trace holds as observed or of another kind is an error naming it", () => {
    const bad = trace(seed(() => sample("x", new dist.Normal(0, 1), { obs: 1 }), 0)).getTrace();
    expect(() => seed(replay(m, bad), 0)()).toThrow("replay: site 'x' is latent in the model but observed in the trace");
    const det = trace(() => deterministic("x", 1)).getTrace();
    expect(() => seed(replay(m, det), 0)()).toThrow("replay: site 'x' is latent in the model but a deterministic site in the trace");
  });
});

describe("do", () => {
  // x -> y -> z -> w, NumPyro's counterfactual table
  const chain = () => {
    const x = sample("x", new dist.Normal(0, 1));
    const y = sample("y", new dist.Normal(x, 1));
    const z = sample("z", new dist.Normal(y, 1));
    const w = sample("w", new dist.Normal(z, 1));
    return { x, y, z, w };
  };
  const observations = { x: 1, z: 1, w: 1 };
  const interventions = { y: 0, z: 2, w: 1 };
  const run = (m: typeof chain) => {
    let values = {} as ReturnType<typeof chain>;
    const tr = trace(() => (values = m())).getTrace();
    return { tr, values };
  };
  const seeded = seed(chain, random.key(0));

  it("sets the value the model sees but draws a fresh, unobserved site", () => {
    const { tr, values } = run(intervene(seeded, interventions));
    expect(values.y.item()).toBe(0);
    expect(values.z.item()).toBe(2);
    for (const name of ["y", "z", "w"]) {
      expect(observed(tr.get(name))).toBe(false);
      expect(tr.get(name)!.value!.item()).not.toBe(interventions[name as keyof typeof interventions]);
    }
    expect([...tr.keys()]).toEqual(["x", "y", "z", "w"]);
  });

  it("differs from condition, and composes with it into counterfactuals", () => {
    const { values: c } = run(condition(seeded, observations));
    expect(c.z.item()).toBe(1);
    for (const m of [condition(intervene(seeded, interventions), observations), intervene(condition(seeded, observations), interventions)]) {
      const { tr, values } = run(m);
      expect(observed(tr.get("z"))).toBe(true);
      expect(tr.get("z")!.value!.item()).toBe(1);
      expect(values.z.item()).toBe(2);
      expect(values.y.item()).toBe(0);
      expect(observed(tr.get("y"))).toBe(false);
    }
  });

  it("is exported as handlers.do", () => {
    expect(handlers.do).toBe(intervene);
  });
});
