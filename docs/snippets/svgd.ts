/**
 * Snippets of docs/svgd.md. Each `#region` is shown verbatim in the guide (kept in step by
 * `npm run docs:snippets`); test/docs.test.ts runs every exported function.
 */
// #region imports
import { np, random } from "tyche/core";
import * as dist from "tyche/distributions";
import { plate, sample } from "tyche/handlers";
import { EmpiricalPosterior, IMQKernel, Predictive, RBFKernel, SVGD, adagrad } from "tyche/infer";
// #endregion

/** SVGD on a bimodal target, with its posterior and predictions. */
export async function bimodal() {
  // #region run
  // A two-mode target: a mixture of two normals.
  function model() {
    const mixing = new dist.Categorical(np.array([0.35, 0.65]));
    sample("x", new dist.MixtureSameFamily(mixing, new dist.Normal(np.array([-1.5, 1.5]), 0.4)));
  }
  const svgd = new SVGD(model, adagrad(0.5), { numParticles: 100 }); // RBF kernel by default
  const { params, losses } = await svgd.run(random.key(0), 500);

  const { x } = svgd.getPosteriorSamples(params); // [100]: the particles, constrained
  const left = np.sum(np.astype(np.less(x, 0), "float32")).item();
  console.log(left, 100 - left); // particles in each mode: both modes are covered (52 and 48 here)
  // #endregion
  return { x, losses, left };
}

/** Kernels and the empirical posterior. */
export async function kernelsAndPosterior() {
  // #region model
  const y = np.array([0.8, 1.9, 1.2, 0.3, 1.5, 2.2, 0.9, 1.1, 1.7, 0.6]);
  function normalMean(obs?: np.Array) {
    const mu = sample("mu", new dist.Normal(0, 1));
    plate("N", 10, () => {
      sample("obs", new dist.Normal(mu, 1), { obs });
    });
  }
  // #endregion
  // #region kernels
  const rbf = new SVGD(normalMean, adagrad(0.5), { numParticles: 50, kernel: new RBFKernel({ bandwidthFactor: (n) => 1 / Math.log(n) }) });
  const imq = new SVGD(normalMean, adagrad(0.5), { numParticles: 50, kernel: new IMQKernel({ const: 1, expon: -0.5 }) });
  // #endregion
  // #region empirical
  const fit = await rbf.run(random.key(1), 500, y);
  const samples = rbf.getPosteriorSamples(fit.params); // { mu: [50] }
  const posterior = new EmpiricalPosterior(samples);
  console.log(posterior.mean.mu.item(), posterior.variance.mu.item()); // ≈ 1.11 and ≈ 0.09 (exact: 12.2/11, 1/11)
  const draws = posterior.sample(random.key(2), [1000]); // joint draws of the particles, by site

  // Posterior predictive: obs is drawn where the model gets no observations.
  const { obs } = new Predictive(normalMean, { posteriorSamples: samples }).call(random.key(3));
  console.log(obs.shape); // [50, 10]
  // #endregion
  return { imq, posterior, draws, obs };
}
