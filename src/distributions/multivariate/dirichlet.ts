/** The Dirichlet distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positiveVector, simplex, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { bd0, stirlerr, toFloat } from "../discrete/numerics.js";
import { logMinusDigamma } from "./matrix.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Dirichlet(concentration): probability vectors x on the simplex with density
 * Γ(Σα) / Π Γ(α_i) · Π x_i^(α_i − 1), event shape [K]. Draws are reparameterized: normalized
 * gamma draws, differentiable in α through the gamma sampler's implicit gradients. Values
 * are used as given (no renormalisation).
 */
export class Dirichlet extends Distribution {
  /** The concentrations α, shape [...batch, K]. */
  readonly concentration: NDArray;

  constructor(concentration: ArrayLike, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Dirichlet", { concentration }, { concentration: 1 });
    const alpha = toFloat(arrays.concentration);
    super(batchShape, [alpha.shape[alpha.ndim - 1]], opts);
    this.concentration = alpha;
    this.validate({ concentration: [alpha, positiveVector] });
  }
  get support(): Constraint {
    return simplex;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /**
   * Inside the simplex, the log density in Stirling form (log Γ(z) = (z − ½) log z − z + ½ log 2π + c(z)):
   * −Σ bd0(α_i, A x_i) + A (Σx − 1) − Σ log x_i + ½ (Σ log α_i − log A) − (K − 1) ½ log 2π + c(A) − Σ c(α_i),
   * with A = Σα and c = stirlerr; its large terms cancel analytically, so concentrations in
   * the thousands stay accurate. For A < 10 (nothing large to cancel) and on the boundary
   * (some x_i = 0), the textbook form.
   */
  protected logDensity(value: NDArray): NDArray {
    const x = toFloat(value);
    const a = this.concentration;
    const K = a.shape[a.ndim - 1];
    const A = np.sum(a, -1, true);
    const positiveX = np.greater(x, 0);
    const xs = np.where(positiveX, x, 1);
    const deviance = np.sum(bd0(a, np.multiply(A, xs)), -1);
    const A0 = np.squeeze(A, -1);
    const sumCorrection = np.multiply(A0, np.subtract(np.sum(xs, -1), 1));
    const logs = np.subtract(np.multiply(np.subtract(np.sum(np.log(a), -1), np.log(A0)), 0.5), np.sum(np.log(xs), -1));
    const stirling = np.subtract(stirlerr(A0), np.sum(stirlerr(a), -1));
    const interior = np.add(np.add(np.subtract(sumCorrection, deviance), logs), np.subtract(stirling, (K - 1) * HALF_LOG_2PI));
    const textbook = np.subtract(np.sum(special.xlogy(np.subtract(a, 1), x), -1), this.logNormalizer());
    return np.where(np.logicalAnd(np.all(positiveX, -1), np.greaterEqual(A0, 10)), interior, textbook);
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return random.dirichlet(key, this.concentration, [...sampleShape, ...this.batchShape]);
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.divide(this.concentration, np.sum(this.concentration, -1, true)), this.shape());
  }
  /** α_i (A − α_i) / (A² (A + 1)), A = Σα. */
  override get variance(): NDArray {
    const a = this.concentration;
    const A = np.sum(a, -1, true);
    return np.broadcastTo(np.divide(np.multiply(a, np.subtract(A, a)), np.multiply(np.square(A), np.add(A, 1))), this.shape());
  }
  /**
   * log B(α) + (A − K) ψ(A) − Σ (α_i − 1) ψ(α_i), in Stirling form with ε(z) = log z − ψ(z):
   * (½ − K) log A + ½ Σ log α_i + (K − 1) ½ log 2π + Σ c(α_i) − c(A) − (A − K) ε(A) + Σ (α_i − 1) ε(α_i).
   */
  override entropy(): NDArray {
    const a = this.concentration;
    const A = np.sum(a, -1);
    const K = a.shape[a.ndim - 1];
    const logs = np.add(np.multiply(np.log(A), 0.5 - K), np.multiply(np.sum(np.log(a), -1), 0.5));
    const stirling = np.subtract(np.sum(stirlerr(a), -1), stirlerr(A));
    const eps = np.subtract(np.sum(np.multiply(np.subtract(a, 1), logMinusDigamma(a)), -1), np.multiply(np.subtract(A, K), logMinusDigamma(A)));
    const h = np.add(np.add(logs, stirling), np.add(eps, (K - 1) * HALF_LOG_2PI));
    return np.broadcastTo(h, this.batchShape);
  }
  /** log B(α) = Σ log Γ(α_i) − log Γ(Σα). */
  private logNormalizer(): NDArray {
    const a = this.concentration;
    return np.subtract(np.sum(special.lgamma(a), -1), special.lgamma(np.sum(a, -1)));
  }
}
