/**
 * Snippets of docs/porting-from-pymc.md (the TypeScript side of each pair). Each `#region` is
 * shown verbatim in the guide (kept in step by `npm run docs:snippets`); test/docs.test.ts runs
 * every exported function.
 */
// #region imports
import { np, random } from "tyche/core";
import * as dist from "tyche/distributions";
import { deterministic, factor, plate, sample } from "tyche/handlers";
import { AutoNormal, MCMC, NUTS, Predictive, SVI, TraceELBO, adam, summary, toArvizJson } from "tyche/infer";
// #endregion

// #region model
const y = np.array([28, 8, -3, 7, -1, 1, 18, 12]);
const sigma = np.array([15, 10, 16, 11, 9, 11, 10, 18]);

// The model is a function of its data: the counterpart of pm.Data / coords is an argument.
function schools(sigma: np.Array, y?: np.Array) {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("school", sigma.shape[0], () => {
    const thetaTilde = sample("theta_tilde", new dist.Normal(0, 1));
    const theta = deterministic("theta", np.add(mu, np.multiply(tau, thetaTilde)));
    sample("obs", new dist.Normal(theta, sigma), { obs: y });
  });
}
// #endregion

/** pm.sample, az.summary, sample_posterior_predictive, InferenceData. */
export async function sampling() {
  // #region sample
  const mcmc = new MCMC(new NUTS(schools, { targetAcceptProb: 0.9 }), {
    numWarmup: 1000, // tune
    numSamples: 1000, // draws
    numChains: 4, // chains
  });
  await mcmc.run(random.key(0), sigma, y); // random_seed
  mcmc.printSummary(); // az.summary(idata)
  const table = summary(mcmc.getSamples({ groupByChain: true })); // as data: table.sites.mu[0].rHat
  // #endregion
  // #region ppc
  const ppc = new Predictive(schools, { posteriorSamples: mcmc.getSamples({ groupByChain: true }), batchNdims: 2 });
  const { obs } = ppc.call(random.key(1), sigma); // [4, 1000, 8]: chain, draw, school
  // #endregion
  // #region idata
  // For ArviZ in Python: az.from_dict(**json.load(open("idata.json")))
  const idata = toArvizJson(mcmc.getSamples({ groupByChain: true }), { observedData: { obs: y } });
  const json = JSON.stringify(idata);
  // #endregion
  return { table, obs, json };
}

/** pm.fit(method="advi"). */
export async function advi() {
  // #region advi
  const guide = new AutoNormal(schools); // mean-field ADVI
  const svi = new SVI(schools, guide, adam(0.01), new TraceELBO());
  const { params, losses } = await svi.run(random.key(2), 3000, sigma, y); // losses: -ELBO per step
  const draws = guide.samplePosterior(random.key(3), params, { sampleShape: [1000] }); // approx.sample(1000)
  // #endregion
  return { losses, draws };
}

/** pm.Potential and a custom log density. */
export function potential() {
  // #region potential
  function constrained() {
    const x = sample("x", new dist.Normal(0, 1).expand([2]).toEvent(1));
    // pm.Potential("sum_near_one", -((x.sum() - 1) ** 2) / 0.01)
    factor("sum_near_one", np.divide(np.negative(np.square(np.subtract(np.sum(x), 1))), 0.01));
  }
  // #endregion
  return constrained;
}
