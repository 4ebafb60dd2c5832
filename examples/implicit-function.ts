/**
 * A custom operation with its own gradient, used inside a model sampled with NUTS.
 *
 * `mu(theta)` is defined implicitly: it is the root in (0, 1) of
 *
 *     F(mu, theta) = mu + mu * exp(theta * mu) - 1 = 0
 *
 * (F is increasing in mu on [0, 1], F(0) = -1 < 0 < F(1), so the root is unique). The forward
 * pass finds it with Newton's method in a `whileLoop` (run until the step is below 1e-6), which
 * has no reverse-mode derivative of its own. The backward pass does not differentiate through
 * the iterations at all: by the implicit function theorem,
 *
 *     dmu/dtheta = -(dF/dtheta) / (dF/dmu) = -mu^2 e^(theta mu) / (1 + e^(theta mu) (1 + theta mu)),
 *
 * evaluated at the root. `customVjp` attaches that rule; `checkGrads` validates it against finite
 * differences, and it is compared with differentiating an unrolled Newton iteration (`forLoop`,
 * which is differentiable). The model then observes noisy measurements of mu(theta) and NUTS
 * samples theta: the custom op runs inside the compiled, vectorized sampler (jit, vmap, grad). The
 * posterior is checked against a quadrature on a grid (a 1-D posterior can be computed exactly).
 * Run: `npm run example -- implicit-function`.
 */
import { checkGrads, customVjp, forLoop, grad, jit, np, random, vmap, whileLoop, type Array } from "../src/core/index.js";
import * as dist from "../src/distributions/index.js";
import { deterministic, plate, sample } from "../src/handlers/index.js";
import { MCMC, NUTS, formatSummary } from "../src/infer/index.js";
import { f, isMain, meanSd, since, values, type Log } from "./lib/report.js";

/** F(mu, theta) and its partial derivatives. */
const F = (mu: Array, theta: Array) => np.subtract(np.add(mu, np.multiply(mu, np.exp(np.multiply(theta, mu)))), 1);
const dFdmu = (mu: Array, theta: Array) => {
  const e = np.exp(np.multiply(theta, mu));
  return np.add(1, np.multiply(e, np.add(1, np.multiply(theta, mu))));
};
const dFdtheta = (mu: Array, theta: Array) => np.multiply(np.square(mu), np.exp(np.multiply(theta, mu)));

/** One Newton step towards the root. */
const newtonStep = (mu: Array, theta: Array) => np.clip(np.subtract(mu, np.divide(F(mu, theta), dFdmu(mu, theta))), 1e-6, 1);

/** The root by Newton's method until the step is below 1e-6 (at most 100 iterations); elementwise in theta. */
function solve(theta: Array): Array {
  const init = { mu: np.fullLike(theta, 0.5), step: np.fullLike(theta, 1), i: np.array(0, "int32") };
  const out = whileLoop(
    (c: typeof init) => np.logicalAnd(np.greater(np.max(c.step), 1e-6), np.less(c.i, 100)),
    (c: typeof init) => {
      const next = newtonStep(c.mu, theta);
      return { mu: next, step: np.abs(np.subtract(next, c.mu)), i: np.add(c.i, np.array(1, "int32")) };
    },
    init,
  );
  return out.mu;
}

/** mu(theta) with its gradient from the implicit function theorem. */
export const muOf = customVjp(
  (theta: Array) => solve(theta),
  (theta: Array) => {
    const mu = solve(theta);
    return [mu, { mu, theta }];
  },
  ({ mu, theta }: { mu: Array; theta: Array }, ct: Array) => [np.multiply(ct, np.negative(np.divide(dFdtheta(mu, theta), dFdmu(mu, theta))))],
);

/** For comparison: 30 Newton steps unrolled in a forLoop, differentiated step by step. */
const muUnrolled = (theta: Array) => forLoop(0, 30, (_i, mu: Array) => newtonStep(mu, theta), np.fullLike(theta, 0.5));

const SIGMA = 0.02;

/** theta ~ Normal(0, 2); y_i ~ Normal(mu(theta), 0.02). */
export function model(n: number, y?: Array) {
  const theta = sample("theta", new dist.Normal(0, 2));
  const mu = deterministic("mu", muOf(theta));
  plate("N", n, () => {
    sample("obs", new dist.Normal(mu, SIGMA), { obs: y });
  });
}

/** Options of {@link main}. */
export interface Options {
  numWarmup?: number;
  numSamples?: number;
  numChains?: number;
  log?: Log;
}

export interface Result {
  /** Whether checkGrads accepted the custom gradient at every test point. */
  gradsOk: boolean;
  /** Largest |custom - unrolled| derivative over the test points. */
  maxDiffUnrolled: number;
  /** Largest residual |F(mu(theta), theta)|. */
  maxResidual: number;
  /** Posterior mean of theta by NUTS and by quadrature. */
  nutsMean: number;
  exactMean: number;
  nutsSd: number;
  exactSd: number;
  divergences: number;
}

export async function main(opts: Options = {}): Promise<Result> {
  const log = opts.log ?? console.log;
  const thetas = np.array([-3, -1, 0, 0.5, 2, 5]);

  // 1. the forward solve and the custom gradient
  const mu = muOf(thetas);
  const residual = Math.max(...values(np.abs(F(mu, thetas))));
  const dCustom = values(vmap(grad((t: Array) => muOf(t)))(thetas));
  const dUnrolled = values(vmap(grad((t: Array) => muUnrolled(t)))(thetas));
  const h = 1e-3;
  const dFd = values(np.divide(np.subtract(muOf(np.add(thetas, h)), muOf(np.subtract(thetas, h))), 2 * h));
  log("mu(theta): the root of mu + mu exp(theta mu) - 1 = 0 by Newton's method; gradient by the implicit function theorem");
  log("   theta    mu(theta)   dmu/dtheta: custom vjp   unrolled Newton   finite difference");
  const ts = values(thetas);
  const ms = values(mu);
  for (let i = 0; i < ts.length; i++) log(`${f(ts[i], 1, 8)} ${f(ms[i], 6, 12)} ${f(dCustom[i], 6, 24)} ${f(dUnrolled[i], 6, 17)} ${f(dFd[i], 5, 19)}`);
  const maxDiffUnrolled = Math.max(...dCustom.map((d, i) => Math.abs(d - dUnrolled[i])));
  let gradsOk = true;
  try {
    for (const t of ts) checkGrads((x: Array) => muOf(x), [np.array(t)], { eps: 1e-2, rtol: 2e-2 });
  } catch (e) {
    gradsOk = false;
    log(`checkGrads failed: ${(e as Error).message}`);
  }
  log(`largest residual |F(mu, theta)| = ${residual.toExponential(1)}; checkGrads against finite differences: ${gradsOk ? "passed" : "FAILED"}; ` +
    `largest |custom - unrolled| = ${maxDiffUnrolled.toExponential(1)}`);
  // it also compiles and batches: a jitted, vmapped gradient over many thetas at once
  const gradMany = jit(vmap(grad((t: Array) => muOf(t))));
  log(`jit(vmap(grad(mu))) over 1000 thetas in [-3, 5]: mean derivative ${f(values(np.mean(gradMany(np.linspace(-3, 5, 1000))))[0], 5)}`);

  // 2. inside a model: NUTS on theta given 20 noisy measurements of mu(theta)
  const thetaTrue = 1.5;
  const n = 20;
  const muTrue = muOf(np.array(thetaTrue)).item();
  const y = np.add(muTrue, np.multiply(SIGMA, random.normal(random.key(11), [n])));
  const mcmc = new MCMC(new NUTS(model), {
    numWarmup: opts.numWarmup ?? 500,
    numSamples: opts.numSamples ?? 1000,
    numChains: opts.numChains ?? 4,
    chainMethod: "vectorized",
    progressBar: false,
  });
  const t0 = performance.now();
  await mcmc.run(random.key(1), n, y);
  const seconds = since(t0);
  const divergences = mcmc.numDivergences().reduce((a, b) => a + b, 0);
  log(`\nNUTS, ${mcmc.numChains} chains x ${mcmc.numSamples} draws (${f(seconds, 2)} s), data: ${n} draws of Normal(mu(${thetaTrue}) = ${f(muTrue, 4)}, ${SIGMA})`);
  log(formatSummary(mcmc.getSamples({ groupByChain: true }), { numDivergences: divergences }));

  // the exact posterior of theta on a fine grid: prior times likelihood, normalized
  const grid = np.linspace(-4, 8, 4001);
  const logPost = np.add(
    new dist.Normal(0, 2).logProb(grid),
    np.sum(new dist.Normal(np.expandDims(muOf(grid), 1), SIGMA).logProb(y), 1),
  );
  const lp = values(logPost);
  const top = Math.max(...lp);
  const w = lp.map((v) => Math.exp(v - top));
  const z = w.reduce((a, b) => a + b, 0);
  const g = values(grid);
  const exactMean = w.reduce((a, wi, i) => a + wi * g[i], 0) / z;
  const exactSd = Math.sqrt(w.reduce((a, wi, i) => a + wi * (g[i] - exactMean) ** 2, 0) / z);
  const [nutsMean, nutsSd] = meanSd(values(mcmc.getSamples().theta));
  log(`posterior of theta: NUTS ${f(nutsMean, 3)} ± ${f(nutsSd, 3)}, quadrature on a grid ${f(exactMean, 3)} ± ${f(exactSd, 3)} (true value ${thetaTrue})`);
  return { gradsOk, maxDiffUnrolled, maxResidual: residual, nutsMean, exactMean, nutsSd, exactSd, divergences };
}

if (isMain(import.meta.url)) await main();
