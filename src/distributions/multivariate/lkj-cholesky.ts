/** The LKJ distribution over Cholesky factors of correlation matrices. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { corrCholesky, positive, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { toFloat } from "../discrete/numerics.js";

/**
 * log c_D(η), the log normalizer of det(C)^(η − 1) over D × D correlation matrices:
 * Σ_{m=1..D−1} m log B(η + (m − 1)/2, ½) (Lewandowski, Kurowicka & Joe 2009, with the
 * duplication formula folding each row's 2^(...) factor into the beta function, so no large
 * terms cancel at large η).
 */
export function lkjLogNormalizer(dimension: number, concentration: NDArray): NDArray {
  let total: NDArray = np.zerosLike(concentration);
  for (let m = 1; m < dimension; m++) total = np.add(total, np.multiply(special.lbeta(np.add(concentration, (m - 1) / 2), 0.5), m));
  return total;
}

/**
 * Onion-method draws of Cholesky factors of LKJ(η) correlation matrices, shape
 * [...shape, D, D] (Lewandowski, Kurowicka & Joe 2009, §3.2): row i ≥ 1 is √β_i times a
 * uniform direction in its first i entries, β_i ~ Beta(i/2, η + (D − 1 − i)/2), and the
 * diagonal entry completes the row to unit norm.
 */
export function sampleLkjCholesky(key: random.Key, dimension: number, concentration: NDArray, shape: readonly number[]): NDArray {
  const D = dimension;
  const [kBeta, kNormal] = random.splitList(key, 2);
  const i = np.astype(np.arange(1, D), concentration.dtype);
  const eta = np.expandDims(np.broadcastTo(concentration, shape), -1);
  const beta = random.beta(kBeta, np.multiply(i, 0.5), np.add(eta, np.multiply(np.subtract(D - 1, i), 0.5)), [...shape, D - 1]);
  const z = np.tril(random.normal(kNormal, [...shape, D - 1, D - 1], concentration.dtype));
  const direction = np.divide(z, np.sqrt(np.sum(np.square(z), -1, true)));
  const rows = np.multiply(direction, np.expandDims(np.sqrt(beta), -1));
  const pad = shape.map(() => [0, 0] as const);
  const strict = np.pad(rows, [...pad, [1, 0], [0, 1]]);
  const diag = np.sqrt(np.clip(np.subtract(1, np.sum(np.square(strict), -1)), 0, null));
  return np.add(strict, np.diag(diag));
}

/**
 * What LKJ and LKJCholesky share: the matrix size D (an integer of at least 2) and the
 * concentration η > 0, event shape [D, D], and draws of the Cholesky factor by the onion method.
 */
export abstract class LKJFamily extends Distribution {
  /** The matrix size D. */
  readonly dimension: number;
  /** The concentration η. */
  readonly concentration: NDArray;

  /** `name` is the distribution's name in parameter errors. */
  protected constructor(name: string, dimension: number, concentration: ArrayLike, opts: DistributionOptions) {
    if (!Number.isInteger(dimension) || dimension < 2) throw new Error(`${name}: dimension must be an integer of at least 2, got ${dimension}`);
    const { arrays, batchShape } = broadcastParams(name, { concentration });
    super(batchShape, [dimension, dimension], opts);
    this.dimension = dimension;
    this.concentration = toFloat(arrays.concentration);
    this.validate({ concentration: [this.concentration, positive] });
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** log c_D(η). */
  protected logNormalizer(): NDArray {
    return lkjLogNormalizer(this.dimension, this.concentration);
  }
  /** Cholesky factors of draws, shape [...sampleShape, ...batchShape, D, D]. */
  protected sampleCholesky(key: random.Key, sampleShape: readonly number[]): NDArray {
    return sampleLkjCholesky(key, this.dimension, this.concentration, [...sampleShape, ...this.batchShape]);
  }
}

/**
 * LKJCholesky(dimension, concentration): the lower Cholesky factor L of a correlation matrix
 * C = L Lᵀ whose density is proportional to det(C)^(η − 1), event shape [D, D]. The density
 * is with respect to the strictly-lower entries of L:
 * log p(L) = Σ_{i≥1} (D − i + 2η − 3) log L_ii − log c_D(η) (0-based i), with the diagonal
 * used as given. Draws by the onion method; reparameterized in η through the beta sampler.
 */
export class LKJCholesky extends LKJFamily {
  constructor(dimension: number, concentration: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("LKJCholesky", dimension, concentration, opts);
  }
  get support(): Constraint {
    return corrCholesky;
  }
  protected logDensity(value: NDArray): NDArray {
    const D = this.dimension;
    const logDiag = np.slice(np.log(np.diagonal(toFloat(value))), [...value.shape.slice(0, -2).map(() => 0), 1]);
    const eta = np.expandDims(this.concentration, -1);
    const offsets = np.array(Array.from({ length: D - 1 }, (_, j) => D - j - 4), eta.dtype);
    const coef = np.add(np.multiply(eta, 2), offsets);
    return np.subtract(np.sum(np.multiply(coef, logDiag), -1), this.logNormalizer());
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return this.sampleCholesky(key, sampleShape);
  }
}
