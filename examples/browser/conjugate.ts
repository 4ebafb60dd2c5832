/**
 * The data and the exact posterior of the browser example's model: Bayesian linear regression
 * with a normal-inverse-gamma prior, which is conjugate, so the posterior the sampler should find
 * is known in closed form.
 *
 *   sigma2 ~ InverseGamma(a0, b0)
 *   beta_d ~ Normal(0, sqrt(v0 * sigma2))          d = 0..D-1 (beta_0 is the intercept)
 *   y_n    ~ Normal(x_n . beta, sqrt(sigma2))       n = 0..N-1
 *
 * Posterior (V0 = v0 I, m0 = 0): VN = (X'X + I/v0)^-1, mN = VN X'y, aN = a0 + N/2,
 * bN = b0 + (y'y - mN' VN^-1 mN) / 2; then E[beta] = mN, Var[beta_d] = bN/(aN-1) VN[d,d]
 * (a Student-t marginal with 2 aN degrees of freedom), E[sigma2] = bN/(aN-1),
 * sd[sigma2] = E[sigma2] / sqrt(aN-2).
 *
 * Plain TypeScript, no tyche imports: the page and the browser test both use it (the test as
 * its oracle).
 */

/** Hyperparameters of the prior. */
export const prior = { a0: 2, b0: 1, v0: 10 } as const;

/** The synthetic data set: N rows, an intercept column and D-1 standard normal covariates. */
export interface Dataset {
  /** Row-major N x D design matrix (first column all ones). */
  X: number[][];
  y: number[];
  N: number;
  D: number;
  /** The coefficients and noise scale the data were simulated with. */
  trueBeta: number[];
  trueSigma: number;
}

/** mulberry32: a tiny deterministic PRNG, so page and test build the very same data. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal draws by Box-Muller from `u`. */
function normals(u: () => number): () => number {
  return () => {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    return r * Math.cos(2 * Math.PI * u());
  };
}

/** Simulates the data set (deterministic for a given seed). */
export function makeData(N = 100, seed = 42): Dataset {
  const trueBeta = [1, 2, -1];
  const trueSigma = 0.5;
  const z = normals(mulberry32(seed));
  const X: number[][] = [];
  const y: number[] = [];
  for (let n = 0; n < N; n++) {
    const row = [1, z(), z()];
    X.push(row);
    y.push(row.reduce((s, x, d) => s + x * trueBeta[d], 0) + trueSigma * z());
  }
  return { X, y, N, D: trueBeta.length, trueBeta, trueSigma };
}

/** Exact posterior mean and standard deviation of one scalar parameter. */
export interface Moments {
  name: string;
  mean: number;
  sd: number;
}

/** Solves A x = b for a small symmetric positive definite A (Gaussian elimination, partial pivoting). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

/** The exact posterior moments of `beta[0..D-1]` and `sigma2` for `data` (float64 throughout). */
export function exactPosterior(data: Dataset): Moments[] {
  const { X, y, N, D } = data;
  const { a0, b0, v0 } = prior;
  const P = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => X.reduce((s, row) => s + row[i] * row[j], 0) + (i === j ? 1 / v0 : 0)));
  const Xty = Array.from({ length: D }, (_, i) => X.reduce((s, row, n) => s + row[i] * y[n], 0));
  const mN = solve(P, Xty);
  const aN = a0 + N / 2;
  const yty = y.reduce((s, v) => s + v * v, 0);
  const bN = b0 + (yty - mN.reduce((s, m, i) => s + m * Xty[i], 0)) / 2; // mN' P mN = mN' X'y
  const eSigma2 = bN / (aN - 1);
  const out: Moments[] = mN.map((m, d) => {
    const e = Array.from({ length: D }, (_, i) => (i === d ? 1 : 0));
    const vnDD = solve(P, e)[d];
    return { name: `beta[${d}]`, mean: m, sd: Math.sqrt(eSigma2 * vnDD) };
  });
  out.push({ name: "sigma2", mean: eSigma2, sd: eSigma2 / Math.sqrt(aN - 2) });
  return out;
}
