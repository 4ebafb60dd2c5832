/**
 * Checkpoints: sampler states and SVI states to JSON and back, and resumed runs that continue
 * exactly. "Exactly" means bit for bit: a run of W warmup + A draws, checkpointed through JSON
 * text and resumed in a new MCMC (new kernel, same configuration) for B more draws with the
 * checkpoint's continuation key, gives the A + B draws and sampler statistics of one
 * uninterrupted run of W + (A + B) with the same key, whatever the chunk sizes of either run
 * (NumPyro's post_warmup_state semantics: the state carries each chain's next key).
 */
import { describe, expect, it } from "vitest";
import { np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { plate, sample } from "../../src/handlers/index.js";
import {
  adam,
  AutoNormal,
  continuationKey,
  MCMC,
  NUTS,
  stateFromJSON,
  stateToJSON,
  SVI,
  TraceELBO,
  treeFromJSON,
  treeToJSON,
  type ExtraFields,
  type MCMCOptions,
  type SVIState,
} from "../../src/infer/index.js";

const y = np.array([1.2, 0.4, 2.2, 1.7, 0.9]);
const model = (obs: NDArray) => {
  const mu = sample("mu", new dist.Normal(0, 2));
  const s = sample("s", new dist.HalfNormal(2));
  plate("N", obs.shape[0], () => sample("obs", new dist.Normal(mu, s), { obs }));
};

/** Same dtype, shape and bits (NaN equal to NaN, -0 not equal to 0). */
function expectIdentical(a: NDArray, b: NDArray, what = ""): void {
  expect(a.dtype, what).toBe(b.dtype);
  expect(a.shape, what).toEqual(b.shape);
  const x = Array.from(a.dataSync());
  const z = Array.from(b.dataSync());
  const differ = x.findIndex((v, i) => !Object.is(v, z[i]));
  expect(differ, `${what}: first difference at flat index ${differ}`).toBe(-1);
}

const FIELDS: readonly (keyof ExtraFields)[] = ["diverging", "numSteps", "acceptProb", "meanAcceptProb", "energy", "potentialEnergy", "stepSize", "treeDepth"];

describe("treeToJSON / treeFromJSON", () => {
  it("round-trips every dtype bit for bit, with NaN and infinities, through JSON text", () => {
    const tree = {
      f: np.multiply(random.normal(random.key(0), [3, 4]), 1e-3),
      special: np.array([NaN, Infinity, -Infinity, -0, 1e-38, 3.4e38]),
      i: np.array([[1, -2], [2147483647, -2147483648]], "int32"),
      b: np.array([true, false, true]),
      scalar: np.array(0.1),
      list: [np.zeros([0]), { n: 3, name: "x", flag: true, none: null }],
    };
    const back = treeFromJSON(JSON.parse(JSON.stringify(treeToJSON(tree)))) as typeof tree;
    expectIdentical(back.f, tree.f, "f");
    expectIdentical(back.special, tree.special, "special");
    expectIdentical(back.i, tree.i, "i");
    expectIdentical(back.b, tree.b, "b");
    expectIdentical(back.scalar, tree.scalar, "scalar");
    expectIdentical(back.list[0] as NDArray, tree.list[0] as NDArray, "empty");
    expect(back.list[1]).toEqual({ n: 3, name: "x", flag: true, none: null });
  });

  it("errors name the place", () => {
    expect(() => treeToJSON({ a: { b: NaN } })).toThrow(/treeToJSON: tree.a.b is NaN, which JSON cannot hold/);
    expect(() => treeToJSON({ m: new Map() })).toThrow(/treeToJSON: tree.m is a Map, which JSON cannot hold/);
    expect(() => treeFromJSON({ x: { $array: { dtype: "float32", shape: [2], data: [1] } } })).toThrow(/treeFromJSON: tree.x has 1 values, its shape \[2\] needs 2/);
    expect(() => treeFromJSON({ x: { $array: { dtype: "float32", shape: [1], data: ["one"] } } } as never)).toThrow(/treeFromJSON: tree.x holds "one", not a number/);
    expect(() => treeFromJSON({ x: { $array: { dtype: "float16", shape: [], data: [1] } } } as never)).toThrow(/treeFromJSON: tree.x has dtype 'float16'/);
  });
});

describe("MCMC checkpoints", () => {
  const configs: [number, "sequential" | "vectorized"][] = [
    [1, "sequential"],
    [2, "sequential"],
    [2, "vectorized"],
  ];
  for (const [numChains, chainMethod] of configs) {
    it(`a resumed run continues the uninterrupted one exactly (${numChains} ${chainMethod} chain(s), other chunk sizes, through JSON text)`, async () => {
      const opts: MCMCOptions = { numWarmup: 100, numChains, chainMethod, progressBar: false };
      const full = new MCMC(new NUTS(model), { ...opts, numSamples: 300 });
      await full.run(random.key(5), y);

      const first = new MCMC(new NUTS(model), { ...opts, numSamples: 120, chunkSize: 40 });
      await first.run(random.key(5), y);
      const text = JSON.stringify(stateToJSON(first.lastState));

      // a new kernel and driver, as in another process
      const second = new MCMC(new NUTS(model), { ...opts, numSamples: 180, chunkSize: 36 });
      second.postWarmupState = stateFromJSON(text);
      await second.run(continuationKey(second.postWarmupState), y);

      const [u, a, b] = [full, first, second].map((m) => m.getSamples({ groupByChain: true }));
      for (const site of ["mu", "s"]) expectIdentical(np.concatenate([a[site], b[site]], 1), u[site], site);
      const [fu, fa, fb] = [full, first, second].map((m) => m.getExtraFields({ groupByChain: true }));
      for (const f of FIELDS) expectIdentical(np.concatenate([fa[f], fb[f]], 1), fu[f], f);
      // and the final states agree
      expectIdentical(second.lastState[0].z, full.lastState[0].z, "last z");
      expectIdentical(second.lastState[0].key, full.lastState[0].key, "last key");
    });
  }

  it("a run stopped by an AbortSignal keeps its draws and resumes from its checkpoint exactly", async () => {
    const full = new MCMC(new NUTS(model), { numWarmup: 100, numSamples: 300, progressBar: false });
    await full.run(random.key(9), y);
    const controller = new AbortController();
    const stopped = new MCMC(new NUTS(model), {
      numWarmup: 100,
      numSamples: 300,
      chunkSize: 50,
      progressBar: false,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.iteration >= 100 + 150) controller.abort();
      },
    });
    await stopped.run(random.key(9), y);
    const a = stopped.getSamples().mu;
    expect(a.shape).toEqual([150]);
    const saved = JSON.stringify(stateToJSON(stopped.lastState));

    const rest = new MCMC(new NUTS(model), { numWarmup: 100, numSamples: 150, progressBar: false });
    rest.postWarmupState = stateFromJSON(saved);
    await rest.run(continuationKey(rest.postWarmupState), y);
    expectIdentical(np.concatenate([a, rest.getSamples().mu]), full.getSamples().mu, "mu");
  });

  it("continuing in the same object with lastState and its continuation key is the same", async () => {
    const full = new MCMC(new NUTS(model), { numWarmup: 64, numSamples: 128, progressBar: false });
    await full.run(random.key(2), y);
    const mcmc = new MCMC(new NUTS(model), { numWarmup: 64, numSamples: 64, progressBar: false });
    await mcmc.run(random.key(2), y);
    const a = mcmc.getSamples().mu;
    mcmc.postWarmupState = mcmc.lastState;
    await mcmc.run(continuationKey(mcmc.lastState), y);
    expectIdentical(np.concatenate([a, mcmc.getSamples().mu]), full.getSamples().mu, "mu");
  });

  it("errors: not a checkpoint, the wrong number of states, keys of the wrong shape", async () => {
    expect(() => stateFromJSON({ states: [] } as never)).toThrow(/stateFromJSON: not an MCMC state checkpoint/);
    expect(() => stateFromJSON({ format: "tyche.mcmc-state", version: 2, states: [] } as never)).toThrow(/unsupported checkpoint version 2/);
    expect(() => stateFromJSON({ format: "tyche.mcmc-state", version: 1, states: [{ z: 1 }] } as never)).toThrow(/states\[0\] has no 'i': not a sampler state/);
    expect(() => stateToJSON([])).toThrow(/stateToJSON: expected the states of a run/);
    const one = new MCMC(new NUTS(model), { numWarmup: 10, numSamples: 10, progressBar: false });
    await one.run(random.key(0), y);
    const two = new MCMC(new NUTS(model), { numWarmup: 10, numSamples: 10, numChains: 2, progressBar: false });
    two.postWarmupState = stateFromJSON(JSON.stringify(stateToJSON(one.lastState)));
    await expect(two.run(random.key(0), y)).rejects.toThrow(/MCMC: postWarmupState has 1 state\(s\); sequential sampling of 2 chain\(s\) resumes from 2/);
    await expect(new MCMC(new NUTS(model), { numChains: 2, progressBar: false }).run(random.split(random.key(0), 3), y)).rejects.toThrow(
      /MCMC: expected a key \(shape \[2\]\) or one key per chain \(shape \[2, 2\]\), got shape \[3, 2\]/,
    );
  });
});

describe("SVI checkpoints", () => {
  it("an SVI state through JSON resumes the fit exactly", async () => {
    const guideFor = () => new AutoNormal(model);
    const fullGuide = guideFor();
    const full = await new SVI(model, fullGuide, adam(0.02), new TraceELBO(), { progressBar: false }).run(random.key(1), 200, y);

    const g1 = guideFor();
    const part = await new SVI(model, g1, adam(0.02), new TraceELBO(), { progressBar: false, chunkSize: 30 }).run(random.key(1), 80, y);
    const saved = JSON.stringify(treeToJSON(part.state));

    const g2 = guideFor();
    const svi = new SVI(model, g2, adam(0.02), new TraceELBO(), { progressBar: false });
    svi.init(random.key(1), y); // sets up the guide and the param transforms; the state comes from the checkpoint
    const rest = await svi.resume(treeFromJSON(saved) as SVIState, 120, y);

    expectIdentical(np.concatenate([part.losses, rest.losses]), full.losses, "losses");
    for (const k of Object.keys(full.params)) expectIdentical(rest.params[k], full.params[k], k);
  });
});
