/**
 * The eight-schools benchmark model (non-centered): parameters p = [mu, log_tau, theta_tilde
 * (8)], tau = exp(log_tau); mu ~ Normal(0, 5), tau ~ HalfCauchy(5) (with the log-Jacobian
 * log_tau of the exp transform), theta_tilde ~ Normal(0, 1), y_j ~ Normal(mu + tau
 * theta_tilde_j, sigma_j). The model as sample statements; its log density written with np
 * ops, and hand-written loops computing the same value and gradient for one parameter vector or
 * a batch of them.
 */
import { np, type Array as NDArray } from "../src/core/index.js";
import * as dist from "../src/distributions/index.js";
import { plate, sample } from "../src/handlers/index.js";

/** Observed effects. */
export const Y = [28, 8, -3, 7, -1, 1, 18, 12];
/** Their standard errors. */
export const SIGMA = [15, 10, 16, 11, 9, 11, 10, 18];
/** Number of parameters: mu, log_tau and eight theta_tilde. */
export const DIM = 10;

const J = 8;

/** The model with tyche's sample statements (its latent sites mu, tau, theta_tilde). */
export const eightSchoolsModel = (sigma: NDArray, y: NDArray) => {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("J", J, () => {
    const thetaTilde = sample("theta_tilde", new dist.Normal(0, 1));
    sample("obs", new dist.Normal(np.add(mu, np.multiply(tau, thetaTilde)), sigma), { obs: y });
  });
};
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const LOG_HALF_CAUCHY_NORM = Math.log(2 / (Math.PI * 5));

const Y_F64 = Float64Array.from(Y);
const INV_SIGMA = Float64Array.from(SIGMA, (s) => 1 / s);
/** The constant terms of the log density (normalizers of all four factors). */
const HAND_CONST = -Math.log(5) - HALF_LOG_2PI + LOG_HALF_CAUCHY_NORM - 2 * J * HALF_LOG_2PI - SIGMA.reduce((a, s) => a + Math.log(s), 0);

const y = np.array(Y);
const sigma = np.array(SIGMA);
const logSigma = np.log(sigma);

/** The log density of one parameter vector `p` (shape [10]), with np ops. */
export function eightSchoolsLogDensity(p: NDArray): NDArray {
  const mu = np.reshape(np.slice(p, [0], [1]), []);
  const logTau = np.reshape(np.slice(p, [1], [2]), []);
  const thetaTilde = np.slice(p, [2], [DIM]);
  const tau = np.exp(logTau);
  // log Normal(mu | 0, 5)
  const lpMu = np.subtract(np.multiply(np.square(np.divide(mu, 5)), -0.5), Math.log(5) + HALF_LOG_2PI);
  // log HalfCauchy(tau | 5) + log |d tau / d log_tau|
  const lpTau = np.add(np.subtract(LOG_HALF_CAUCHY_NORM, np.log1p(np.square(np.divide(tau, 5)))), logTau);
  // log Normal(theta_tilde | 0, 1)
  const lpTheta = np.subtract(np.multiply(np.sum(np.square(thetaTilde)), -0.5), J * HALF_LOG_2PI);
  // log Normal(y | mu + tau theta_tilde, sigma)
  const z = np.divide(np.subtract(y, np.add(mu, np.multiply(tau, thetaTilde))), sigma);
  const lik = np.sum(np.subtract(np.multiply(np.square(z), -0.5), np.add(logSigma, HALF_LOG_2PI)));
  return np.add(np.add(lpMu, lpTau), np.add(lpTheta, lik));
}

/**
 * Hand-written value and gradient for `count` parameter vectors stored row after row in `p`
 * (arithmetic in doubles): values into `value`, gradients (row after row) into `grad`.
 */
export function eightSchoolsHandLoop(p: Float32Array | Float64Array, count: number, value: Float64Array, grad: Float64Array): void {
  for (let c = 0; c < count; c++) {
    const o = c * DIM;
    const mu = p[o];
    const logTau = p[o + 1];
    const tau = Math.exp(logTau);
    const m = mu / 5;
    const t = tau / 5;
    let lp = HAND_CONST - 0.5 * m * m - Math.log1p(t * t) + logTau;
    let gMu = -m / 5;
    let gTau = (-2 * t) / 5 / (1 + t * t);
    for (let j = 0; j < J; j++) {
      const tt = p[o + 2 + j];
      const z = (Y_F64[j] - mu - tau * tt) * INV_SIGMA[j];
      lp -= 0.5 * (tt * tt + z * z);
      const r = z * INV_SIGMA[j]; // d lik / d theta_j
      gMu += r;
      gTau += r * tt;
      grad[o + 2 + j] = r * tau - tt;
    }
    value[c] = lp;
    grad[o] = gMu;
    grad[o + 1] = gTau * tau + 1;
  }
}
