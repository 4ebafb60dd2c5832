/**
 * Snippets of docs/concepts.md. Each `#region` is shown verbatim in the guide (kept in step by
 * `npm run docs:snippets`); test/docs.test.ts runs every exported function.
 */
// #region imports
import { pipe } from "fp-ts/function";
import { grad, np, random } from "tyche/core";
import * as dist from "tyche/distributions";
import {
  LocScaleReparam,
  block,
  condition,
  deterministic,
  factor,
  formatShapes,
  intervene,
  mask,
  param,
  plate,
  reparam,
  sample,
  scale,
  seed,
  substitute,
  trace,
} from "tyche/handlers";
import { logDensity, potentialEnergy } from "tyche/infer";
// #endregion

// #region model
// Linear regression: y ≈ a + b·x with noise of scale sigma, one plate over the data points.
function regression(x: np.Array, y?: np.Array) {
  const a = sample("a", new dist.Normal(0, 10));
  const b = sample("b", new dist.Normal(0, 10));
  const sigma = sample("sigma", new dist.HalfNormal(1));
  const mean = deterministic("mean", np.add(a, np.multiply(b, x)));
  plate("data", x.shape[0], () => {
    sample("y", new dist.Normal(mean, sigma), { obs: y });
  });
}

const x = np.array([0, 1, 2, 3, 4]);
const y = np.array([0.9, 3.1, 4.8, 7.2, 9.1]);
// #endregion

/** Running a model under seed and trace. */
export function runModel() {
  // #region trace
  const tr = trace(seed(regression, random.key(0))).getTrace(x, y);
  for (const site of tr.values()) {
    if (site.type === "sample") console.log(site.name, site.value!.shape, site.isObserved);
  }
  // a [] false / b [] false / sigma [] false / y [5] true
  // #endregion
  // #region prior-draw
  const prior = seed(regression, 1); // a number works as a seed too
  prior(x); // without y, the model draws y from the prior
  // #endregion
  return tr;
}

/** condition, substitute, do, and composing handlers. */
export function handlers() {
  // #region condition
  // Observe sigma: the site becomes data, a and b stay latent.
  const knownNoise = condition(regression, { sigma: 0.5 });
  const tr = trace(seed(knownNoise, random.key(0))).getTrace(x, y);
  const sigmaSite = tr.get("sigma");
  console.log(sigmaSite?.type === "sample" && sigmaSite.isObserved); // true

  // Fix values without observing them: the sites stay latent, evaluated at these values.
  const fixed = substitute(regression, { a: 1, b: 2 });

  // An intervention: the rest of the model sees b = 0, as if its sample statement were the constant.
  const noSlope = intervene(regression, { b: 0 });
  // #endregion
  // #region compose
  // Handlers take a model and return a model, so they nest, or chain with fp-ts's pipe:
  const run = pipe(
    regression,
    (m) => condition(m, { sigma: 0.5 }),
    (m) => seed(m, random.key(1)),
    trace,
  );
  const sites = run.getTrace(x, y);
  // #endregion
  return { tr, fixed, noSlope, sites };
}

/** block, scale and mask. */
export function moreHandlers() {
  // #region block-scale-mask
  // Hide sites from the handlers outside (here, from trace): only 'y' is recorded.
  const onlyY = trace(block(seed(regression, 0), { expose: ["y"] })).getTrace(x, y);

  // Multiply every log density inside by 0.5 (tempering; plates do this when subsampling).
  const tempered = scale(regression, 0.5);

  // Leave out the log density where the mask is false (here, of the last data point).
  function likelihood(mean: np.Array, ys: np.Array) {
    plate("data", 5, () => {
      sample("y", new dist.Normal(mean, 1), { obs: ys });
    });
  }
  const firstFour = mask(likelihood, np.array([true, true, true, true, false]));
  // #endregion
  return { onlyY, tempered, likelihood, firstFour };
}

/** The log joint density, its gradient, and the potential energy. */
export function densities() {
  // #region density
  const values = { a: np.array(1), b: np.array(2), sigma: np.array(0.3) };
  const [logJoint] = logDensity(regression, [x, y], values);
  console.log(logJoint.item()); // log p(a, b, sigma, y | x)

  // Gradient of the log density with respect to the slope b, by reverse mode:
  const dLogJoint = grad((b: np.Array) => logDensity(regression, [x, y], { ...values, b })[0]);
  console.log(dLogJoint(np.array(2)).item());

  // In unconstrained space (sigma → log sigma, plus the log-Jacobian): what HMC works with.
  const energy = potentialEnergy(regression, [x, y], { a: np.array(1), b: np.array(2), sigma: np.log(0.3) });
  // #endregion
  return { logJoint, slope: dLogJoint(np.array(2)), energy };
}

/** Shapes: batch and event shapes, nested plates, formatShapes. */
export function shapes() {
  // #region shapes
  const d = new dist.Normal(np.zeros([3]), 1); // batch shape [3], event shape []
  const mvn = new dist.MultivariateNormal(np.zeros([2]), { scaleTril: np.eye(2) }); // batch [], event [2]
  const iid = new dist.Normal(0, 1).expand([4, 2]).toEvent(1); // batch [4], event [2]
  console.log(d.batchShape, d.eventShape, mvn.eventShape, iid.batchShape, iid.eventShape);
  // #endregion
  // #region plates
  // Plates take batch dimensions from the right: 'groups' is dim -1, 'members' inside it dim -2.
  function grouped() {
    plate("groups", 3, () => {
      const groupMean = sample("group_mean", new dist.Normal(0, 1)); // shape [3]
      plate("members", 5, () => {
        sample("value", new dist.Normal(groupMean, 1)); // shape [5, 3]
      });
    });
  }
  const tr = trace(seed(grouped, 0)).getTrace();
  console.log(formatShapes(tr));
  // #endregion
  return { d, mvn, iid, table: formatShapes(tr), tr };
}

/** Params and factors. */
export function paramsAndFactors() {
  // #region param-factor
  function withParams() {
    const loc = param("loc", 0); // a value SVI optimizes; 0 is its initial value
    const sd = param("sd", 1, { constraint: dist.constraints.positive });
    const z = sample("z", new dist.Normal(loc, sd));
    factor("soft_constraint", np.negative(np.square(z))); // adds -z² to the log density
  }
  // #endregion
  return trace(seed(withParams, 0)).getTrace();
}

/** Non-centering with reparam. */
export function reparameterize() {
  // #region reparam
  function hierarchical() {
    const mu = sample("mu", new dist.Normal(0, 5));
    const tau = sample("tau", new dist.HalfCauchy(5));
    plate("J", 8, () => {
      sample("theta", new dist.Normal(mu, tau));
    });
  }
  // theta becomes theta_decentered ~ Normal(0, 1) and the deterministic site theta = mu + tau · theta_decentered
  const nonCentered = reparam(hierarchical, { theta: new LocScaleReparam(0) });
  const tr = trace(seed(nonCentered, 0)).getTrace();
  console.log(tr.get("theta")!.type, tr.get("theta_decentered")!.type); // deterministic sample
  // #endregion
  return tr;
}

/** The regression model, for tests. */
export const regressionModel = regression;

/** The trace of `model(...args)` under seed 0, for tests. */
export function traceOf(model: (...args: never[]) => unknown, args: unknown[]) {
  return trace(seed(model as (...a: unknown[]) => unknown, 0)).getTrace(...args);
}
