/** The LKJ distribution over correlation matrices. */
import { linalg, np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { corrMatrix, type Constraint } from "../constraints.js";
import type { DistributionOptions } from "../distribution.js";
import { toFloat } from "../discrete/numerics.js";
import { gram, halfLogDet } from "./matrix.js";
import { LKJFamily } from "./lkj-cholesky.js";

/**
 * LKJ(dimension, concentration): correlation matrices C with density det(C)^(η − 1) / c_D(η)
 * with respect to their strictly-lower entries, event shape [D, D]. η = 1 is uniform over
 * correlation matrices; larger η concentrates near the identity. Draws are L Lᵀ for L from
 * {@link LKJCholesky}.
 */
export class LKJ extends LKJFamily {
  constructor(dimension: number, concentration: ArrayLike = 1, opts: DistributionOptions = {}) {
    super("LKJ", dimension, concentration, opts);
  }
  get support(): Constraint {
    return corrMatrix;
  }
  /** (η − 1) log det C − log c_D(η), log det C from a Cholesky factorization. */
  protected logDensity(value: NDArray): NDArray {
    const logDet = np.multiply(halfLogDet(linalg.cholesky(toFloat(value))), 2);
    return np.subtract(np.multiply(np.subtract(this.concentration, 1), logDet), this.logNormalizer());
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return gram(this.sampleCholesky(key, sampleShape));
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
