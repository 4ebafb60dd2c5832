/**
 * Snippets of docs/mcmc.md. Each `#region` is shown verbatim in the guide (kept in step by
 * `npm run docs:snippets`); test/docs.test.ts runs every exported function.
 */
// #region imports
import { np, random } from "tyche/core";
import * as dist from "tyche/distributions";
import { configEnumerate, deterministic, plate, sample } from "tyche/handlers";
import {
  HMC,
  MCMC,
  NUTS,
  Predictive,
  essBulk,
  hpdi,
  inferDiscrete,
  initToMedian,
  rhat,
  summary,
  toArvizJson,
  type Progress,
} from "tyche/infer";
// #endregion

// #region model
const J = 8;
const y = np.array([28, 8, -3, 7, -1, 1, 18, 12]);
const sigma = np.array([15, 10, 16, 11, 9, 11, 10, 18]);

// Eight schools, non-centered: theta = mu + tau · theta_tilde.
export function eightSchools(sigma: np.Array, y?: np.Array) {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("J", J, () => {
    const thetaTilde = sample("theta_tilde", new dist.Normal(0, 1));
    const theta = deterministic("theta", np.add(mu, np.multiply(tau, thetaTilde)));
    sample("obs", new dist.Normal(theta, sigma), { obs: y });
  });
}
// #endregion

export { sigma, y };

/** Four vectorized chains of NUTS, then draws and sampler statistics. */
export async function run() {
  // #region run
  const mcmc = new MCMC(new NUTS(eightSchools), {
    numWarmup: 1000,
    numSamples: 1000,
    numChains: 4,
    chainMethod: "vectorized", // the chains run as one batch (vmap of the transition)
  });
  await mcmc.run(random.key(0), sigma, y); // model arguments follow the key, untouched
  mcmc.printSummary();

  const draws = mcmc.getSamples(); // { mu: [4000], tau: [4000], theta_tilde: [4000, 8], theta: [4000, 8] }
  const byChain = mcmc.getSamples({ groupByChain: true }); // { mu: [4, 1000], ..., theta: [4, 1000, 8] }
  // #endregion
  // #region extra
  const extra = mcmc.getExtraFields({ groupByChain: true });
  console.log(mcmc.numDivergences()); // divergent transitions after warmup, per chain, e.g. [1, 0, 0, 0]
  console.log(np.mean(extra.acceptProb).item()); // at or above targetAcceptProb (0.8): 0.90 here
  console.log(np.max(extra.treeDepth).item(), np.mean(extra.numSteps).item());
  // #endregion
  return { mcmc, draws, byChain, extra };
}

/** Kernel options: NUTS and HMC. */
export async function kernels() {
  // #region kernels
  // NUTS with a higher acceptance target (smaller steps: fewer divergences in funnels),
  // a dense mass matrix and a start at the prior median.
  const careful = new NUTS(eightSchools, {
    targetAcceptProb: 0.95,
    maxTreeDepth: 8,
    denseMass: true,
    initStrategy: initToMedian(),
  });

  // HMC with a fixed number of leapfrog steps per transition (or trajectoryLength).
  const hmc = new HMC(eightSchools, { numSteps: 16 });

  const mcmc = new MCMC(hmc, { numWarmup: 500, numSamples: 500, numChains: 2 });
  await mcmc.run(random.key(1), sigma, y);
  // #endregion
  return { careful, mcmc };
}

/** A mixture whose component labels are summed out by enumeration. */
export async function enumeration() {
  // #region enumerate
  // Two Gaussian components; each point's component z is discrete and summed out.
  const x = np.array([-2.1, -1.7, -2.4, -1.9, 2.8, 3.3, 3.1, -2.2, 2.6, 3.0]);
  function mixture(data: np.Array) {
    const locs = sample("locs", new dist.Normal(0, 10).expand([2]).toEvent(1));
    plate("N", data.shape[0], () => {
      const z = sample("z", new dist.Categorical({ probs: np.array([0.5, 0.5]) }));
      sample("x", new dist.Normal(np.take(locs, z), 1), { obs: data });
    });
  }
  const mcmc = new MCMC(new NUTS(configEnumerate(mixture)), { numWarmup: 500, numSamples: 1000 });
  await mcmc.run(random.key(4), x);
  const { locs } = mcmc.getSamples(); // [1000, 2]: z is not sampled, it was summed out
  // Labels drawn from their posterior given one draw of locs (temperature: 0 for the most probable).
  const { z } = inferDiscrete(configEnumerate(mixture), random.key(5), { params: { locs: np.take(locs, 0, 0) }, modelArgs: [x] });
  // #endregion
  return { locs, z };
}

/** A potential function instead of a model. */
export async function potential() {
  // #region potential-fn
  // Sample a density given as a potential energy (the negative log density) over a flat vector.
  const banana = (z: np.Array) => {
    const [a, b] = [np.take(z, 0), np.take(z, 1)];
    return np.add(np.divide(np.square(a), 8), np.divide(np.square(np.subtract(b, np.multiply(0.25, np.square(a)))), 2));
  };
  const mcmc = new MCMC(new NUTS(null, { potentialFn: banana }), {
    numWarmup: 500,
    numSamples: 1000,
    initParams: np.zeros([2]), // needed without a model
  });
  await mcmc.run(random.key(2));
  const { z } = mcmc.getSamples(); // [1000, 2]
  // #endregion
  return z;
}

/** Diagnostics on the draws. */
export async function diagnostics(mcmc: MCMC) {
  // #region diagnostics
  const byChain = mcmc.getSamples({ groupByChain: true });
  console.log(rhat(byChain.tau).item()); // rank-normalized split R-hat, ≈ 1.00
  console.log(essBulk(byChain.tau).item()); // bulk effective sample size
  console.log(hpdi(mcmc.getSamples().theta, 0.9).shape); // [2, 8]: lower and upper bounds

  const table = summary(byChain, { prob: 0.9 });
  for (const row of table.sites.theta) {
    console.log(row.name, row.mean.toFixed(2), row.hpdiLow.toFixed(2), row.hpdiHigh.toFixed(2), row.rHat.toFixed(3));
  }
  // #endregion
  return table;
}

/** Continuing a run, stopping one, watching its progress. */
export async function control() {
  // #region continue
  const mcmc = new MCMC(new NUTS(eightSchools), { numWarmup: 500, numSamples: 500 });
  await mcmc.run(random.key(3), sigma, y);

  // Start the next run where this one ended: no initialization and no warmup.
  mcmc.postWarmupState = mcmc.lastState;
  await mcmc.run(random.key(4), sigma, y); // 500 more draws with the adapted step size
  // #endregion
  // #region abort
  const controller = new AbortController();
  const long = new MCMC(new NUTS(eightSchools), {
    numWarmup: 500,
    numSamples: 100_000,
    signal: controller.signal,
    onProgress: (p: Progress) => {
      if (p.phase === "sample" && p.iteration >= 1000) controller.abort(); // or a Stop button, or a timer
    },
  });
  await long.run(random.key(5), sigma, y);
  console.log(long.getSamples().mu.shape); // the draws made before the abort: [500]
  // #endregion
  return { mcmc, long };
}

/** Posterior predictive checks and export for ArviZ. */
export async function afterwards(mcmc: MCMC) {
  // #region predictive
  // New data sets from the posterior: obs is drawn when the model gets no observations.
  const predictive = new Predictive(eightSchools, { posteriorSamples: mcmc.getSamples() });
  const { obs } = predictive.call(random.key(6), sigma); // [4000, 8]
  console.log(np.mean(obs, 0).toArray()); // posterior predictive means of the eight schools
  // #endregion
  // #region arviz
  // InferenceData as JSON: in Python, `az.from_dict(**json.load(f))`.
  const idata = toArvizJson(mcmc.getSamples({ groupByChain: true }), {
    extraFields: mcmc.getExtraFields({ groupByChain: true }),
  });
  const text = JSON.stringify(idata);
  // #endregion
  return { obs, text };
}
