/**
 * Snippets of docs/porting-from-numpyro.md (the TypeScript side of each pair). Each `#region`
 * is shown verbatim in the guide (kept in step by `npm run docs:snippets`); test/docs.test.ts
 * runs every exported function.
 */
// #region imports
import { np, random } from "tyche/core";
import * as dist from "tyche/distributions";
import { condition, deterministic, plate, sample, seed, trace } from "tyche/handlers";
import { AutoNormal, MCMC, NUTS, Predictive, SVI, TraceELBO, adam } from "tyche/infer";
// #endregion

// #region model
const J = 8;
const y = np.array([28, 8, -3, 7, -1, 1, 18, 12]);
const sigma = np.array([15, 10, 16, 11, 9, 11, 10, 18]);

function eightSchools(J: number, sigma: np.Array, y?: np.Array) {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("J", J, () => {
    const theta = sample("theta", new dist.Normal(mu, tau));
    sample("obs", new dist.Normal(theta, sigma), { obs: y });
  });
}
// #endregion

/** MCMC and predictive. */
export async function mcmc() {
  // #region mcmc
  const mcmc = new MCMC(new NUTS(eightSchools), { numWarmup: 500, numSamples: 1000, numChains: 2 });
  await mcmc.run(random.key(0), J, sigma, y);
  mcmc.printSummary();
  const samples = mcmc.getSamples();

  const predictive = new Predictive(eightSchools, { posteriorSamples: samples });
  const { obs } = predictive.call(random.key(1), J, sigma); // [2000, 8]
  // #endregion
  return { samples, obs };
}

/** SVI. */
export async function svi() {
  // #region svi
  const guide = new AutoNormal(eightSchools);
  const svi = new SVI(eightSchools, guide, adam(0.01), new TraceELBO());
  const result = await svi.run(random.key(2), 2000, J, sigma, y);
  const params = result.params;
  const posterior = guide.samplePosterior(random.key(3), params, { sampleShape: [1000] });
  // #endregion
  return { losses: result.losses, posterior };
}

/** Handlers. */
export function handlers() {
  // #region handlers
  const conditioned = condition(eightSchools, { mu: 3 });
  const tr = trace(seed(conditioned, 0)).getTrace(J, sigma);
  const site = tr.get("theta");
  console.log(site?.type === "sample" ? site.fn.batchShape : null); // [8]
  // #endregion
  return tr;
}

/** Arrays and shapes. */
export function arrays() {
  // #region arrays
  const key = random.key(4);
  const x = random.normal(key, [100, 3]);
  const w = np.array([1.0, -2.0, 0.5]);
  const logits = np.add(np.matmul(x, w), 0.1); // x @ w + 0.1
  const p = np.sigmoid(logits);
  const total = np.sum(np.where(np.greater(p, 0.5), 1, 0)); // (p > 0.5).sum()
  const [k1, k2] = random.splitList(key, 2); // random.split(key)
  const d = new dist.Normal(0, 1).expand([3]).toEvent(1);
  const b = new dist.Bernoulli({ logits }); // dist.Bernoulli(logits=logits)
  // #endregion
  return { total, k1, k2, d, b };
}

/** Minibatches. */
export function minibatch() {
  // #region subsample
  function model(data: np.Array) {
    const loc = sample("loc", new dist.Normal(0, 1));
    plate("N", data.shape[0], { subsampleSize: 100 }, (idx) => {
      const batch = np.take(data, idx, 0);
      sample("obs", new dist.Normal(loc, 1), { obs: batch });
    });
  }
  // #endregion
  // #region deterministic
  function withDeterministic() {
    const x = sample("x", new dist.Normal(0, 1));
    deterministic("x2", np.square(x));
  }
  // #endregion
  return { model, withDeterministic };
}

/** The trace of `model(...args)` under seed 0, for tests. */
export function traceOf(model: (...args: never[]) => unknown, args: unknown[]) {
  return trace(seed(model as (...a: unknown[]) => unknown, 0)).getTrace(...args);
}
