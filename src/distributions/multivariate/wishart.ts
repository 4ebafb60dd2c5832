/** The Wishart distribution. */
import { linalg, np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { greaterThan, positiveDefinite, type Constraint } from "../constraints.js";
import { Distribution, parseAlternatives, type DistributionOptions, type OneOf } from "../distribution.js";
import { bd0, stirlerr, toFloat } from "../discrete/numerics.js";
import { gram, halfLogDet, logMinusDigamma, matrixConstraint, scaleTrilOf, solveLowerMatrix, squareMatrices } from "./matrix.js";

const LN2 = Math.LN2;
const LOG_PI = Math.log(Math.PI);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** The scale of a Wishart distribution: `{ scaleMatrix }`, `{ rateMatrix }` (its inverse) or `{ scaleTril }`. */
export type WishartScale = OneOf<"scaleMatrix" | "rateMatrix" | "scaleTril">;

const KINDS = ["scaleMatrix", "rateMatrix", "scaleTril"] as const;

/**
 * Wishart(concentration, scaleMatrix) or Wishart(concentration, { scaleMatrix | rateMatrix |
 * scaleTril }): symmetric positive-definite p × p matrices X = Σ_{j ≤ ν} z_j z_jᵀ with z_j ~ N(0, S),
 * for real ν = concentration > p − 1; event shape [p, p]. Draws by the Bartlett decomposition
 * (reparameterized through the gamma sampler). `mean` is ν S and `variance` the elementwise
 * ν (S_ij² + S_ii S_jj).
 */
export class Wishart extends Distribution {
  /** The degrees of freedom ν. */
  readonly concentration: NDArray;
  /** The lower Cholesky factor of the scale matrix S. */
  readonly scaleTril: NDArray;

  constructor(concentration: ArrayLike, scale: ArrayLike | WishartScale, opts: DistributionOptions = {}) {
    const { kind, value: matrix, opts: options } = parseAlternatives("Wishart", scale, opts, KINDS);
    const M = squareMatrices("Wishart", kind, matrix, "p");
    const nu = toFloat(concentration);
    let batchShape: number[];
    try {
      batchShape = np.broadcastShapes(nu.shape, M.shape.slice(0, -2));
    } catch {
      throw new Error(`Wishart: parameter shapes do not broadcast: concentration [${nu.shape.join(", ")}], ${kind} [${M.shape.join(", ")}]`);
    }
    const p = M.shape[M.ndim - 1];
    super(batchShape, [p, p], options);
    this.concentration = nu;
    this.validate({ concentration: [nu, greaterThan(p - 1)], [kind]: [M, matrixConstraint(kind)] });
    this.scaleTril = scaleTrilOf(kind, M, "scaleMatrix");
  }
  get support(): Constraint {
    return positiveDefinite;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** The scale matrix S = L Lᵀ. */
  get scaleMatrix(): NDArray {
    return gram(this.scaleTril);
  }
  /** The matrix size p. */
  private get size(): number {
    return this.eventShape[0];
  }
  /**
   * ((ν − p − 1)/2) log det X − ½ tr(S⁻¹X) − (νp/2) log 2 − (ν/2) log det S − log Γ_p(ν/2),
   * rearranged so that nothing of order ν log ν is cancelled numerically. With u = ν/2,
   * R = L⁻¹ chol(X) / √ν (L = chol(S); R Rᵀ is similar to S⁻¹X/ν, which is near the identity
   * for typical X), it equals
   * −u Q − ((p + 1)/2)(p log ν + 2 Σ log R_ii + log det S) − p(p − 1)/4 log π − Σ_{i<p} G_i(u),
   * where Q = Σ_i bd0(1, R_ii²) + Σ_{i>j} R_ij² = tr(RRᵀ) − p − log det(RRᵀ) ≥ 0 and
   * G_i(u) = log Γ(z) − u log u + u at z = u − i/2, in Stirling form
   * u log(1 − i/(2u)) − ((i + 1)/2) log z + i/2 + ½ log 2π + stirlerr(z).
   */
  protected logDensity(value: NDArray): NDArray {
    const p = this.size;
    const nu = this.concentration;
    const u = np.multiply(nu, 0.5);
    const sqrtNu = np.expandDims(np.expandDims(np.sqrt(nu), -1), -1);
    const R = np.divide(solveLowerMatrix(this.scaleTril, linalg.cholesky(toFloat(value))), sqrtNu);
    const rDiag = np.diagonal(R);
    const Q = np.add(np.sum(bd0(np.onesLike(rDiag), np.square(rDiag)), -1), np.sum(np.square(np.tril(R, -1)), [-2, -1]));
    const logDets = np.add(np.add(np.multiply(np.log(nu), p), np.multiply(np.sum(np.log(rDiag), -1), 2)), np.multiply(halfLogDet(this.scaleTril), 2));
    const total = np.add(np.multiply(u, Q), np.multiply(logDets, (p + 1) / 2));
    return np.negative(np.add(np.add(total, ((p * (p - 1)) / 4) * LOG_PI), np.sum(this.stirlingTerms(u), -1)));
  }
  /** G_i(u) = log Γ(u − i/2) − u log u + u for i = 0..p − 1 (last axis), in Stirling form. */
  private stirlingTerms(u: NDArray): NDArray {
    const p = this.size;
    const i = np.array(
      Array.from({ length: p }, (_, k) => k),
      u.dtype,
    );
    const ue = np.expandDims(u, -1);
    const z = np.subtract(ue, np.multiply(i, 0.5));
    const shift = np.multiply(ue, np.log1p(np.divide(np.multiply(i, -0.5), ue)));
    const logs = np.multiply(np.log(z), np.multiply(np.add(i, 1), -0.5));
    return np.add(np.add(shift, logs), np.add(np.add(np.multiply(i, 0.5), HALF_LOG_2PI), stirlerr(z)));
  }
  /** Bartlett: X = (L A)(L A)ᵀ with A lower triangular, A_ii² ~ χ²(ν − i) and A_ij ~ N(0, 1) below. */
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const p = this.size;
    const shape = [...sampleShape, ...this.batchShape];
    const [kChi2, kNormal] = random.splitList(key, 2);
    const dof = np.subtract(np.expandDims(np.broadcastTo(this.concentration, shape), -1), np.astype(np.arange(p), this.concentration.dtype));
    const diag = np.sqrt(np.multiply(random.gamma(kChi2, np.multiply(dof, 0.5), [...shape, p]), 2));
    const below = np.tril(random.normal(kNormal, [...shape, p, p], this.concentration.dtype), -1);
    return gram(np.matmul(this.scaleTril, np.add(below, np.diag(diag))));
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.multiply(this.nuMatrix(), this.scaleMatrix), this.shape());
  }
  override get variance(): NDArray {
    const S = this.scaleMatrix;
    const d = np.diagonal(S);
    const v = np.multiply(this.nuMatrix(), np.add(np.square(S), np.multiply(np.expandDims(d, -1), np.expandDims(d, -2))));
    return np.broadcastTo(v, this.shape());
  }
  /**
   * ((p + 1)/2) log det S + (p(p + 1)/2) log 2 + log Γ_p(u) − (u − (p + 1)/2) ψ_p(u) + up with
   * u = ν/2 and ψ_p(u) = Σ_{i<p} ψ(u − i/2); with log Γ in Stirling form and ψ(z) = log z − ε(z)
   * the terms of order u log u cancel analytically, leaving
   * ((p + 1)/2) log det S + (p(p + 1)/2) log 2 + p(p − 1)/4 log π
   * + Σ_i [((p − i)/2) log z_i + i/2 + ½ log 2π + stirlerr(z_i) + (u − (p + 1)/2) ε(z_i)], z_i = u − i/2.
   */
  override entropy(): NDArray {
    const p = this.size;
    const u = np.multiply(this.concentration, 0.5);
    const i = np.array(
      Array.from({ length: p }, (_, k) => k),
      u.dtype,
    );
    const ue = np.expandDims(u, -1);
    const z = np.subtract(ue, np.multiply(i, 0.5));
    const logs = np.multiply(np.log(z), np.multiply(np.subtract(p, i), 0.5));
    const eps = np.multiply(np.subtract(ue, (p + 1) / 2), logMinusDigamma(z));
    const terms = np.add(np.add(logs, np.multiply(i, 0.5)), np.add(np.add(stirlerr(z), HALF_LOG_2PI), eps));
    const logDetS = np.multiply(halfLogDet(this.scaleTril), 2);
    const constant = ((p * (p + 1)) / 2) * LN2 + ((p * (p - 1)) / 4) * LOG_PI;
    const h = np.add(np.add(np.multiply(logDetS, (p + 1) / 2), np.sum(terms, -1)), constant);
    return np.broadcastTo(h, this.batchShape);
  }
  /** ν with two trailing axes, to scale matrices. */
  private nuMatrix(): NDArray {
    return np.expandDims(np.expandDims(this.concentration, -1), -1);
  }
}
