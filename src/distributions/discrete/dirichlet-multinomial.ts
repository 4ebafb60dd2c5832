/** The Dirichlet-multinomial distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { multinomial, nonnegativeInteger, positiveVector, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { Multinomial } from "./multinomial.js";
import { toFloat } from "./numerics.js";

/** log Γ(v + 1) + log Γ(a) − log Γ(a + v) = log v + log B(a, v), and 0 at v = 0. */
function logBetaOne(a: NDArray, v: NDArray): NDArray {
  const pos = np.greater(v, 0);
  const vs = np.where(pos, v, 1);
  return np.where(pos, np.add(np.log(vs), special.lbeta(a, vs)), 0);
}

/**
 * DirichletMultinomial(concentration, totalCount): multinomial counts whose probabilities are
 * drawn from Dirichlet(concentration), event shape [K]. Draws are int32.
 */
export class DirichletMultinomial extends Distribution {
  /** The Dirichlet concentrations α, shape [...batch, K]. */
  readonly concentration: NDArray;
  /** The number of draws n. */
  readonly totalCount: NDArray;
  private readonly supportConstraint: Constraint;

  constructor(concentration: ArrayLike, totalCount: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("DirichletMultinomial", { concentration, totalCount }, { concentration: 1 });
    const alpha = toFloat(arrays.concentration);
    super(batchShape, [alpha.shape[alpha.ndim - 1]], opts);
    this.concentration = alpha;
    this.totalCount = toFloat(arrays.totalCount);
    this.validate({ concentration: [alpha, positiveVector], totalCount: [this.totalCount, nonnegativeInteger] });
    this.supportConstraint = multinomial(this.totalCount);
  }
  get support(): Constraint {
    return this.supportConstraint;
  }
  /** log B-function form: r(Σα, n) − Σ_i r(α_i, x_i) with r(a, v) = log v + log B(a, v). */
  protected logDensity(value: NDArray): NDArray {
    const x = toFloat(value);
    const total = logBetaOne(np.sum(this.concentration, -1), np.sum(x, -1));
    return np.subtract(total, np.sum(logBetaOne(this.concentration, x), -1));
  }
  /** Multinomial counts at Dirichlet-drawn probabilities. */
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const [kDirichlet, kMultinomial] = random.splitList(key, 2);
    const probs = random.dirichlet(kDirichlet, this.concentration, [...sampleShape, ...this.batchShape]);
    return new Multinomial(this.totalCount, probs, { validateArgs: false }).sample(kMultinomial);
  }
  override get mean(): NDArray {
    const p = np.divide(this.concentration, np.sum(this.concentration, -1, true));
    return np.broadcastTo(np.multiply(np.expandDims(this.totalCount, -1), p), this.shape());
  }
  /** n p (1 − p) (n + A)/(1 + A), with A = Σα and p = α/A. */
  override get variance(): NDArray {
    const A = np.sum(this.concentration, -1, true);
    const p = np.divide(this.concentration, A);
    const n = np.expandDims(this.totalCount, -1);
    const v = np.multiply(np.multiply(np.multiply(n, p), np.subtract(1, p)), np.divide(np.add(n, A), np.add(A, 1)));
    return np.broadcastTo(v, this.shape());
  }
}
