/**
 * seed: same key, same trace; different sites and different keys get different draws; the
 * innermost seed wins; seeding under vmap equals a loop over keys.
 */
import { describe, expect, it } from "vitest";
import { np, random, vmap } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { plate, sample, seed, trace, type Trace } from "../../src/handlers/index.js";
import { expectClose } from "../helpers.js";

const model = () => {
  const x = sample("x", new dist.Normal(0, 1));
  const y = sample("y", new dist.Normal(0, 1));
  const z = plate("N", 3, () => sample("z", new dist.Normal(0, 1)));
  return np.concatenate([np.stack([x, y]), z]);
};
const values = (tr: Trace) => [...tr].map(([name, s]) => [name, s.value!.toArray()]);

describe("seed", () => {
  it("the same key gives identical traces, also on a second call of one seeded model", () => {
    const seeded = seed(model, random.key(7));
    const a = trace(seeded).getTrace();
    const b = trace(seeded).getTrace();
    const c = trace(seed(model, random.key(7))).getTrace();
    expect(values(a)).toEqual(values(b));
    expect(values(a)).toEqual(values(c));
    expect(values(trace(seed(model, 7)).getTrace())).toEqual(values(a));
  });

  it("gives each site its own key, and other keys other draws", () => {
    const tr = trace(seed(model, 0)).getTrace();
    expect(tr.get("x")!.value!.item()).not.toBe(tr.get("y")!.value!.item());
    expect(new Set(tr.get("z")!.value!.toArray() as number[]).size).toBe(3);
    const other = trace(seed(model, 1)).getTrace();
    expect(other.get("x")!.value!.item()).not.toBe(tr.get("x")!.value!.item());
    const keys = [tr.get("x")!, tr.get("y")!].map((s) => (s.type === "sample" ? s.rngKey!.toArray() : null));
    expect(keys[0]).not.toEqual(keys[1]);
  });

  it("the innermost seed supplies the keys", () => {
    const inner = (a: number, b: number) => seed(seed(() => sample("x", new dist.Normal(0, 1)), b), a)();
    expect(inner(0, 1).item()).toBe(inner(3, 1).item());
    expect(inner(0, 1).item()).not.toBe(inner(0, 2).item());
  });

  it("under vmap over keys equals a loop over keys", () => {
    const keys = random.split(random.key(0), 4);
    const batched = vmap((k: random.Key) => seed(model, k)())(keys);
    const looped = np.stack(random.splitList(random.key(0), 4).map((k) => seed(model, k)()));
    expect(batched.shape).toEqual([4, 5]);
    expectClose(batched, looped, { rtol: 1e-6, atol: 1e-6 });
  });

  it("rejects something that is not a key", () => {
    expect(() => seed(model, np.zeros([3]))).toThrow(/seed: expected a key \(an int32 array of shape \[2\], from random.key\) or a number, got float32 \[3\]/);
  });
});
