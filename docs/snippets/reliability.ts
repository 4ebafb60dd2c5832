/**
 * Snippets of docs/reliability.md. Each `#region` is shown verbatim in the guide (kept in step
 * by `npm run docs:snippets`); test/docs.test.ts runs every exported function.
 */
// #region imports
import fc from "fast-check";
import { np, random } from "tyche/core";
import * as dist from "tyche/distributions";
import { plate, sample } from "tyche/handlers";
import {
  AutoNormal,
  MCMC,
  NUTS,
  SVI,
  TraceELBO,
  adam,
  continuationKey,
  sbc,
  simulate,
  stateFromJSON,
  stateToJSON,
  treeFromJSON,
  treeToJSON,
  type SBCResult,
  type SVIState,
} from "tyche/infer";
import { savePlot, sbcPlot } from "tyche/plots";
// #endregion

// #region model
// mu ~ Normal(0, 1), y_i ~ Normal(mu, 1) for i < n.
// The exact posterior of mu is Normal(sum(y) / (n + 1), 1 / (n + 1)).
export function normalNormal(n: number, y?: np.Array) {
  const mu = sample("mu", new dist.Normal(0, 1));
  plate("N", n, () => sample("y", new dist.Normal(mu, 1), { obs: y }));
}
// #endregion

/** SBC of NUTS on the normal-normal model: 30 simulations. */
export async function calibrate() {
  // #region sbc
  // One MCMC for all simulations: its compiled program is reused.
  const mcmc = new MCMC(new NUTS(normalNormal), { numWarmup: 100, numSamples: 99, progressBar: false });

  const result = await sbc(normalNormal, {
    key: random.key(0),
    numSimulations: 30, // 100 or more for a check with real power
    observed: "y", // drawn in each simulation, then handed to infer as data.y
    modelArgs: [5], // n = 5, and no y: the model samples it
    bins: 5, // ranks take L + 1 = 100 values: 5 bins of 20
    infer: async (key, data, n) => {
      await mcmc.run(key, n, data.y);
      return mcmc.getSamples(); // { mu: [99] }: L = 99 draws
    },
  });

  console.log(result.ranks.mu.shape); // [30]: one rank in 0..99 per simulation
  console.log(result.counts.mu.toArray(), result.expected); // counts per bin, against 6 expected in each
  console.log(result.pValue.toFixed(2)); // far from 0: no evidence of miscalibration
  // #endregion
  return result;
}

/** SBC of an inference that is too sure of itself: exact posterior means, half the posterior sd. */
export async function overconfident() {
  // #region broken
  // The conjugate posterior written by hand, with a bug: half the true standard deviation.
  const tooNarrow = (key: np.Array, data: Record<string, np.Array>, n: number) => {
    const mean = np.sum(data.y).item() / (n + 1);
    const sd = 0.5 * Math.sqrt(1 / (n + 1)); // should be Math.sqrt(1 / (n + 1))
    return { mu: np.add(mean, np.multiply(sd, random.normal(key, [99]))) };
  };
  const bad = await sbc(normalNormal, { key: random.key(0), numSimulations: 100, observed: "y", modelArgs: [5], infer: tooNarrow });
  console.log(bad.pValue); // below 0.001: the ranks pile up in the first and last bins
  // #endregion
  return bad;
}

/** The rank histogram of an SBC result, as SVG. */
export async function plot(result: SBCResult) {
  // #region plot
  // One panel per parameter element: bars of rank counts, the expected count (dashed) and
  // the band a bin's count stays in with probability 0.99 when the ranks are uniform (grey).
  await savePlot(sbcPlot(result, { prob: 0.99 }), "sbc.svg");
  // #endregion
}

/** Property tests with fast-check and simulate. */
export async function properties() {
  // #region property
  // NUTS against the exact posterior mean, on data sets fast-check chooses (seed and size).
  const mcmc = new MCMC(new NUTS(normalNormal), { numWarmup: 100, numSamples: 300, progressBar: false });
  await fc.assert(
    fc.asyncProperty(fc.nat(), fc.constantFrom(3, 10, 30), async (seed, n) => {
      const { data } = simulate(normalNormal, random.key(seed), { observed: "y", modelArgs: [n] });
      await mcmc.run(random.foldIn(random.key(seed), 1), n, data.y);
      const exact = np.sum(data.y).item() / (n + 1);
      const sd = Math.sqrt(1 / (n + 1));
      // within 5 Monte Carlo standard errors (taking the ESS as 100 of the 300 draws)
      return Math.abs(np.mean(mcmc.getSamples().mu).item() - exact) < (5 * sd) / Math.sqrt(100);
    }),
    { numRuns: 8, seed: 5 },
  );
  // #endregion
  // #region shrink
  // A hand-written posterior mean with a bug: it reads at most 5 observations.
  const buggyMean = (y: np.Array) => {
    const used = np.slice(y, [0], [Math.min(y.shape[0], 5)]);
    return np.sum(used).item() / (used.shape[0] + 1);
  };
  const out = fc.check(
    fc.property(fc.nat(), fc.integer({ min: 1, max: 40 }), (seed, n) => {
      const { data } = simulate(normalNormal, random.key(seed), { observed: "y", modelArgs: [n] });
      return Math.abs(buggyMean(data.y) - np.sum(data.y).item() / (n + 1)) < 1e-4;
    }),
    { numRuns: 100, seed: 3 },
  );
  console.log(out.counterexample); // shrunk to the smallest data set that shows the bug: n = 6
  // #endregion
  return out;
}

/** Checkpointing an MCMC run to JSON and resuming it, exactly. */
export async function checkpoint() {
  // #region checkpoint
  const y = np.array([0.8, 1.9, 1.1, 0.4, 1.5]);
  const options = { numWarmup: 200, numSamples: 500, progressBar: false };

  // First process: warm up, draw 500, save the state of the chains.
  const first = new MCMC(new NUTS(normalNormal), options);
  await first.run(random.key(1), 5, y);
  const saved: string = JSON.stringify(stateToJSON(first.lastState)); // write it to a file

  // Later, anywhere: a new MCMC configured as the first, started from the checkpoint.
  const second = new MCMC(new NUTS(normalNormal), options);
  second.postWarmupState = stateFromJSON(saved);
  await second.run(continuationKey(second.postWarmupState), 5, y); // 500 more draws, no warmup
  // #endregion
  // #region exact
  // The 1000 draws are those of one uninterrupted run with the first key, bit for bit.
  const whole = new MCMC(new NUTS(normalNormal), { ...options, numSamples: 1000 });
  await whole.run(random.key(1), 5, y);
  const joined = np.concatenate([first.getSamples().mu, second.getSamples().mu]);
  console.log(Boolean(np.all(np.equal(joined, whole.getSamples().mu)).item())); // true
  // #endregion
  return { first, second, whole, saved };
}

/** An SVI state through JSON. */
export async function sviCheckpoint() {
  // #region svi
  const y = np.array([0.8, 1.9, 1.1, 0.4, 1.5]);
  const part = await new SVI(normalNormal, new AutoNormal(normalNormal), adam(0.02), new TraceELBO(), { progressBar: false }).run(random.key(2), 500, 5, y);
  const saved = JSON.stringify(treeToJSON(part.state)); // any tree of arrays: records, lists, numbers

  // Later: an SVI set up as the first (init sets up the guide), resumed from the saved state.
  const svi = new SVI(normalNormal, new AutoNormal(normalNormal), adam(0.02), new TraceELBO(), { progressBar: false });
  svi.init(random.key(2), 5, y);
  const rest = await svi.resume(treeFromJSON(saved) as SVIState, 500, 5, y); // steps 501 to 1000
  // #endregion
  return { part, rest };
}
