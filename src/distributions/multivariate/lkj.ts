/** The LKJ distribution over correlation matrices. */
import { linalg, np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { corrMatrix, positive, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { toFloat } from "../discrete/numerics.js";
import { gram, halfLogDet } from "./matrix.js";
import { checkDimension, lkjLogNormalizer, sampleLkjCholesky } from "./lkj-cholesky.js";

/**
 * LKJ(dimension, concentration): correlation matrices C with density det(C)^(η − 1) / c_D(η)
 * with respect to their strictly-lower entries, event shape [D, D]. η = 1 is uniform over
 * correlation matrices; larger η concentrates near the identity. Draws are L Lᵀ for L from
 * {@link LKJCholesky}.
 */
export class LKJ extends Distribution {
  /** The matrix size D. */
  readonly dimension: number;
  /** The concentration η. */
  readonly concentration: NDArray;

  constructor(dimension: number, concentration: ArrayLike = 1, opts: DistributionOptions = {}) {
    checkDimension("LKJ", dimension);
    const { arrays, batchShape } = broadcastParams("LKJ", { concentration });
    super(batchShape, [dimension, dimension], opts);
    this.dimension = dimension;
    this.concentration = toFloat(arrays.concentration);
    this.validate({ concentration: [this.concentration, positive] });
  }
  get support(): Constraint {
    return corrMatrix;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** (η − 1) log det C − log c_D(η), log det C from a Cholesky factorization. */
  protected logDensity(value: NDArray): NDArray {
    const logDet = np.multiply(halfLogDet(linalg.cholesky(toFloat(value))), 2);
    return np.subtract(np.multiply(np.subtract(this.concentration, 1), logDet), lkjLogNormalizer(this.dimension, this.concentration));
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return gram(sampleLkjCholesky(key, this.dimension, this.concentration, [...sampleShape, ...this.batchShape]));
  }
  /** The identity. */
  override get mean(): NDArray {
    return np.broadcastTo(np.eye(this.dimension, this.dimension, 0, this.concentration.dtype), this.shape());
  }
  /** 0 on the diagonal; 1/(2η + D − 1) off it (each correlation is a Beta(η − 1 + D/2, η − 1 + D/2) variable on (−1, 1)). */
  override get variance(): NDArray {
    const D = this.dimension;
    const off = np.reciprocal(np.add(np.multiply(this.concentration, 2), D - 1));
    const offDiag = np.subtract(1, np.eye(D, D, 0, off.dtype));
    return np.broadcastTo(np.multiply(np.expandDims(np.expandDims(off, -1), -1), offDiag), this.shape());
  }
}
