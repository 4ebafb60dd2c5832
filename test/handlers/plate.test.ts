/**
 * Plates: dimensions allocated from the right, broadcasting of sites, size mismatches,
 * subsampling (indices, scales, subsample(), params with eventDim), and formatShapes.
 */
import { describe, expect, it } from "vitest";
import { jit, np, random, vmap } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { deterministic, formatShapes, param, plate, sample, seed, subsample, substitute, trace, type Site } from "../../src/handlers/index.js";
import { logDensity } from "../../src/infer/index.js";
import { expectClose } from "../helpers.js";

const frames = (s: Site) => s.condIndepStack.map((f) => [f.name, f.dim, f.size, f.subsampleSize]);

describe("plate dimensions and broadcasting", () => {
  it("nested plates take dims -1, -2 and sites get the plates' batch shape", () => {
    const model = () =>
      plate("a", 3, () => {
        const x = sample("x", new dist.Normal(0, 1));
        return plate("b", 4, () => sample("y", new dist.Normal(x, 1)));
      });
    const tr = trace(seed(model, 0)).getTrace();
    expect(tr.get("x")!.value!.shape).toEqual([3]);
    expect(tr.get("y")!.value!.shape).toEqual([4, 3]);
    expect(frames(tr.get("y")!)).toEqual([
      ["b", -2, 4, 4],
      ["a", -1, 3, 3],
    ]);
    const y = tr.get("y")!;
    expect(y.type === "sample" && y.fn.batchShape).toEqual([4, 3]);
    expect(seed(model, 0)().shape).toEqual([4, 3]);
  });

  it("returns the body's result and passes it the indices", () => {
    const got = plate("N", 4, (ind) => ind.toArray());
    expect(got).toEqual([0, 1, 2, 3]);
  });

  it("an explicit dim is used as given; a taken one is an error", () => {
    const tr = trace(seed(() => plate("a", 5, { dim: -2 }, () => sample("x", new dist.Normal(0, 1))), 0)).getTrace();
    expect(tr.get("x")!.value!.shape).toEqual([5, 1]);
    const clash = () => plate("a", 2, () => plate("b", 3, { dim: -1 }, () => undefined));
    expect(clash).toThrow("plate 'b': dim -1 is already taken by the enclosing plate 'a'");
  });

  it("a site's sample shape and batch shape broadcast with the plates", () => {
    const model = () => plate("N", 3, () => sample("x", new dist.Normal(np.zeros([3]), 1), { sampleShape: [2] }));
    expect(seed(model, 0)().shape).toEqual([2, 3]);
    const event = () => plate("N", 3, () => sample("v", new dist.Normal(np.zeros([4]), 1).toEvent(1)));
    expect(seed(event, 0)().shape).toEqual([3, 4]);
  });

  it("a site that does not fit its plate is an error naming the site, the plate, the dim and both shapes", () => {
    const model = () => plate("N", 5, () => sample("x", new dist.Normal(np.zeros([3]), 1)));
    expect(() => seed(model, 0)()).toThrow(
      "sample site 'x' inside plate 'N' (dim -1, size 5): its batch shape [3] has size 3 at dim -1, where the plate needs 5 (or 1): expected a batch shape that broadcasts to [5]",
    );
    const inner = () => plate("a", 2, () => plate("b", 3, () => sample("z", new dist.Normal(np.zeros([4, 2]), 1))));
    expect(() => seed(inner, 0)()).toThrow(/sample site 'z' inside plate 'b' \(dim -2, size 3\): its batch shape \[4, 2\] has size 4 at dim -2, where the plate needs 3 \(or 1\): expected a batch shape that broadcasts to \[3, 1\]/);
  });

  it("deterministic sites record their plates", () => {
    const tr = trace(() => plate("N", 2, () => deterministic("d", np.zeros([2])))).getTrace();
    expect(frames(tr.get("d")!)).toEqual([["N", -1, 2, 2]]);
  });
});

describe("subsampling", () => {
  const data = np.arange(0, 10);

  it("draws distinct indices in range, and the same ones for the same key", () => {
    const model = () => plate("N", 10, { subsampleSize: 4 }, (ind) => ind);
    const ind = seed(model, 1)();
    expect(ind.shape).toEqual([4]);
    const v = ind.toArray() as number[];
    expect(new Set(v).size).toBe(4);
    expect(v.every((i) => i >= 0 && i < 10)).toBe(true);
    expect(seed(model, 1)().toArray()).toEqual(v);
    expect(() => model()).toThrow(/plate 'N' needs a random key to draw a subsample of 4 from 10/);
  });

  it("scales the log density by size / subsampleSize, and nested scales multiply", () => {
    const model = () =>
      plate("N", 10, { subsampleSize: 4 }, (ind) => {
        sample("obs", new dist.Normal(0, 1), { obs: np.take(data, ind) });
        plate("M", 6, { subsampleSize: 2 }, () => sample("z", new dist.Normal(0, 1), { obs: 0 }));
      });
    const tr = trace(seed(model, 2)).getTrace();
    const obs = tr.get("obs")!;
    const z = tr.get("z")!;
    expect(obs.type === "sample" && obs.scale).toBe(2.5);
    expect(z.type === "sample" && z.scale).toBe(7.5);
    expect(z.value!.shape).toEqual([]);
    expect(z.type === "sample" && z.fn.batchShape).toEqual([2, 4]);
    const ind = tr.get("N")!.value!;
    const [lp] = logDensity(seed(model, 2), [], {});
    const n = new dist.Normal(0, 1);
    const expected = 2.5 * np.sum(n.logProb(np.take(data, ind))).item() + 7.5 * 8 * n.logProb(0).item();
    expectClose(lp, expected, { rtol: 1e-6 });
  });

  it("subsample(data, plateName) selects the plate's indices along its dim", () => {
    const model = (x: number[][]) =>
      plate("N", 3, { subsampleSize: 2 }, (ind) => ({ ind, rows: subsample(x, "N", { eventDim: 1 }), inner: plate("M", 2, () => subsample(x, "N", { eventDim: 1 })) }));
    const x = [
      [0, 1],
      [10, 11],
      [20, 21],
    ];
    const { ind, rows, inner } = seed(model, 0)(x);
    expectClose(rows, np.take(np.array(x), ind, 0));
    expectClose(inner, rows);
    expect(() => plate("N", 3, () => subsample(x, "K"))).toThrow("subsample: no enclosing plate named 'K' (enclosing plates: 'N')");
    expect(() => plate("N", 3, () => subsample([1, 2], "N"))).toThrow(/subsample\(data, 'N'\) inside plate 'N' \(dim -1, size 3\): shape \[2\] has size 2 at dim -1, expected 3 or 1/);
  });

  it("a param with eventDim is subsampled with its plate", () => {
    const w0 = np.reshape(np.arange(0, 10), [5, 2]);
    const model = () => plate("N", 5, { subsampleSize: 2 }, (ind) => ({ ind, w: param("w", w0, { eventDim: 1 }) }));
    const { ind, w } = seed(model, 3)();
    expectClose(w, np.take(w0, ind, 0));
    // the trace records the full parameter (what an optimizer stores)
    expectClose(trace(seed(model, 3)).getTrace().get("w")!.value!, w0);
    const full = () => plate("N", 5, { subsampleSize: 2 }, () => param("w", np.zeros([4, 2]), { eventDim: 1 }));
    expect(() => seed(full, 0)()).toThrow(/param site 'w' \(eventDim 1\) inside plate 'N'/);
  });

  it("runs under jit and under vmap over keys", () => {
    const model = () => plate("N", 10, { subsampleSize: 4 }, (ind) => sample("x", new dist.Normal(np.take(data, ind), 1)));
    const key = random.key(3);
    expectClose(jit((k: random.Key) => seed(model, k)())(key), seed(model, key)(), { rtol: 1e-6 });
    const batched = vmap((k: random.Key) => seed(model, k)())(random.split(key, 3));
    const looped = np.stack(random.splitList(key, 3).map((k) => seed(model, k)()));
    expectClose(batched, looped, { rtol: 1e-6 });
  });

  it("replaying a plate's indices fixes the subsample", () => {
    const model = () => plate("N", 10, { subsampleSize: 3 }, (ind) => ind);
    const fixed = substitute(model, { N: np.array([7, 1, 4], "int32") });
    expect(seed(fixed, 0)().toArray()).toEqual([7, 1, 4]);
  });
});

describe("formatShapes", () => {
  it("tabulates every site's batch and event shapes", () => {
    const model = () => {
      param("mean", np.zeros([100]));
      sample("scale", new dist.Normal(0, 1).expand([3]).toEvent(1));
      plate("data", 100, { subsampleSize: 10 }, () => {
        const x = sample("x", new dist.Normal(0, 1), { obs: np.zeros([10]) });
        deterministic("twice", np.multiply(x, 2));
      });
    };
    const tr = trace(seed(model, 0)).getTrace();
    expect(formatShapes(tr)).toBe(
      [
        "      Trace Shapes:",
        "       Param Sites:",
        "               mean 100",
        "      Sample Sites:",
        "         scale dist     | 3",
        "              value     | 3",
        "         data plate  10 |",
        "             x dist  10 |",
        "              value  10 |",
        "twice deterministic  10",
      ].join("\n"),
    );
    expect(formatShapes(tr, { computeLogProb: true, lastSite: "scale" })).toBe(
      [
        "Trace Shapes:",
        " Param Sites:",
        "         mean 100",
        "Sample Sites:",
        "   scale dist     | 3",
        "        value     | 3",
        "     log_prob     |",
      ].join("\n"),
    );
  });

  it("of an empty trace is the title", () => {
    expect(formatShapes(trace(() => undefined).getTrace())).toBe("Trace Shapes:");
  });
});
