/**
 * The logistic-regression benchmark model shared by the benchmarks: Normal(0,1) priors on the
 * weights w (D) and the intercept b, Bernoulli-logit likelihood. A deterministic data
 * generator, the log density written with np ops, and a hand-written loop computing the same
 * value and gradient over typed arrays.
 */
import { np, type Array as NDArray } from "../src/core/index.js";

/** Deterministic data: X ~ N(0,1) (N×D), y ~ Bernoulli(sigmoid(X w* + b*)), and a point (w, b). */
export function makeData(N: number, D: number, seed: number) {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const X = new Float64Array(N * D).map(() => normal());
  const wTrue = new Float64Array(D).map(() => normal() / Math.sqrt(D));
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let l = 0.3;
    for (let j = 0; j < D; j++) l += X[i * D + j] * wTrue[j];
    y[i] = u() < 1 / (1 + Math.exp(-l)) ? 1 : 0;
  }
  const w = new Float64Array(D).map(() => 0.2 * normal());
  const b = 0.1;
  return { N, D, X, y, w, b };
}

/** A data set and a point of the logistic-regression benchmark. */
export type LogisticData = ReturnType<typeof makeData>;

/** Value and gradient (w and b) of the log density. */
export interface LogisticResult {
  value: number;
  gw: Float64Array;
  gb: number;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The hand-written loop over typed arrays (storage Float64Array or Float32Array; arithmetic in
 * doubles). Writes the weight gradient into `gw`.
 */
export function logisticHandLoop(X: Float64Array | Float32Array, y: Float64Array | Float32Array, w: Float64Array | Float32Array, b: number, N: number, D: number, gw: Float64Array): LogisticResult {
  let value = 0;
  let gb = 0;
  gw.fill(0);
  for (let i = 0; i < N; i++) {
    const row = i * D;
    let l = b;
    for (let j = 0; j < D; j++) l += X[row + j] * w[j];
    const softplus = Math.log1p(Math.exp(-Math.abs(l))) + (l > 0 ? l : 0);
    value += y[i] * l - softplus;
    const r = y[i] - 1 / (1 + Math.exp(-l)); // d/dl (y l - softplus(l))
    gb += r;
    for (let j = 0; j < D; j++) gw[j] += r * X[row + j];
  }
  let ww = 0;
  for (let j = 0; j < D; j++) {
    ww += w[j] * w[j];
    gw[j] -= w[j];
  }
  value += -0.5 * (ww + b * b) - (D + 1) * HALF_LOG_2PI;
  gb -= b;
  return { value, gw, gb };
}

/** The same log density with np ops (softplus written inline). */
export function logisticLogDensity(params: { w: NDArray; b: NDArray }, X: NDArray, y: NDArray): NDArray {
  const { w, b } = params;
  const D = w.shape[0];
  const logits = np.add(np.matmul(X, w), b);
  const softplus = np.add(np.log1p(np.exp(np.negative(np.abs(logits)))), np.maximum(logits, 0));
  const loglik = np.sum(np.subtract(np.multiply(y, logits), softplus));
  const logprior = np.subtract(np.multiply(np.add(np.sum(np.square(w)), np.square(b)), -0.5), (D + 1) * HALF_LOG_2PI);
  return np.add(loglik, logprior);
}
