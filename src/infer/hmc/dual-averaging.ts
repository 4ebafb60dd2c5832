/**
 * Nesterov dual averaging of the log step size (Hoffman & Gelman 2014, §3.2), as in Stan and
 * NumPyro: constants t0 = 10, κ = 0.75, γ = 0.05, prox centre μ = log(10 ε₀).
 */
import { np, type Array as NDArray } from "../../core/index.js";

/** The dual-averaging state: iterate x, its weighted average xBar, averaged statistic gBar, count t, centre mu. */
export interface DualAveragingState {
  readonly x: NDArray;
  readonly xBar: NDArray;
  readonly gBar: NDArray;
  readonly t: NDArray;
  readonly mu: NDArray;
}

/** Constants of the scheme. */
export interface DualAveragingOptions {
  t0?: number;
  kappa?: number;
  gamma?: number;
}

/** The state at the prox centre `mu` (use mu = log(10 ε₀) for a step size ε₀). */
export function dualAveragingInit(mu: NDArray | number): DualAveragingState {
  const m = np.asarray(mu);
  const zero = np.zerosLike(m);
  return { x: zero, xBar: zero, gBar: zero, t: zero, mu: m };
}

/** One update with statistic g (for step sizes: target acceptance minus the observed one). */
export function dualAveragingUpdate(s: DualAveragingState, g: NDArray | number, opts: DualAveragingOptions = {}): DualAveragingState {
  const { t0 = 10, kappa = 0.75, gamma = 0.05 } = opts;
  const t = np.add(s.t, 1);
  const eta = np.divide(1, np.add(t, t0));
  const gBar = np.add(np.multiply(np.subtract(1, eta), s.gBar), np.multiply(eta, g));
  const x = np.subtract(s.mu, np.multiply(np.divide(np.sqrt(t), gamma), gBar));
  const w = np.power(t, -kappa);
  const xBar = np.add(np.multiply(np.subtract(1, w), s.xBar), np.multiply(w, x));
  return { x, xBar, gBar, t, mu: s.mu };
}
