/** Student's t distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, real, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { betaincFraction, betaincinv, log1pSquare } from "./numerics.js";

/**
 * ψ((ν+1)/2) − ψ(ν/2): directly for ν < 10, else by the series of ψ(x + ½) − ψ(x) in 1/x
 * (x = ν/2), which avoids the cancellation of two nearly equal digammas.
 */
function digammaHalfStep(df: NDArray): NDArray {
  const big = np.greaterEqual(df, 10);
  const ds = np.where(big, 1, df);
  const direct = np.subtract(special.digamma(np.multiply(0.5, np.add(ds, 1))), special.digamma(np.multiply(0.5, ds)));
  const x = np.multiply(0.5, np.where(big, df, 10));
  const w = np.reciprocal(np.square(x));
  // 1/(2x) + 1/(8x²) − 1/(64x⁴) + 1/(128x⁶) − 17/(2048x⁸)
  const even = np.multiply(w, np.add(1 / 8, np.multiply(w, np.add(-1 / 64, np.multiply(w, np.add(1 / 128, np.multiply(w, -17 / 2048)))))));
  return np.where(big, np.add(np.divide(0.5, x), even), direct);
}

/**
 * StudentT(df, loc, scale): density Γ((ν+1)/2) / (Γ(ν/2) √(νπ) scale) (1 + z²/ν)^{−(ν+1)/2}.
 * Draws are reparameterized (normal over the root of a gamma draw with implicit gradients).
 * The mean is infinite for ν ≤ 1; the variance is NaN for ν ≤ 1 and infinite for 1 < ν ≤ 2 (NumPyro).
 */
export class StudentT extends Distribution {
  readonly df: NDArray;
  readonly loc: NDArray;
  readonly scale: NDArray;

  constructor(df: ArrayLike, loc: ArrayLike = 0, scale: ArrayLike = 1, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("StudentT", { df, loc, scale });
    super(batchShape, [], opts);
    this.df = arrays.df;
    this.loc = arrays.loc;
    this.scale = arrays.scale;
    this.validate({ df: [this.df, positive], loc: [this.loc, real], scale: [this.scale, positive] });
  }
  get support(): Constraint {
    return real;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** u = (x − loc)/(scale √ν). */
  private standardize(x: ArrayLike): NDArray {
    return np.divide(np.subtract(x, this.loc), np.multiply(this.scale, np.sqrt(this.df)));
  }
  /** −(ν+1)/2 log(1 + u²) − log scale − ½ log ν − log B(ν/2, ½). */
  protected logDensity(x: NDArray): NDArray {
    const nu = this.df;
    const kernel = np.multiply(np.multiply(-0.5, np.add(nu, 1)), log1pSquare(this.standardize(x)));
    const norm = np.add(np.add(np.log(this.scale), np.multiply(0.5, np.log(nu))), special.lbeta(np.multiply(0.5, nu), 0.5));
    return np.subtract(kernel, norm);
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const [kn, kg] = random.splitList(key, 2);
    const shape = this.shape(sampleShape);
    const z = random.normal(kn, shape);
    const halfNu = np.broadcastTo(np.multiply(0.5, this.df), this.batchShape);
    const g = random.gamma(kg, halfNu, shape); // χ²_ν / 2
    return np.add(this.loc, np.multiply(this.scale, np.multiply(z, np.sqrt(np.divide(halfNu, g)))));
  }
  override get mean(): NDArray {
    return np.broadcastTo(np.where(np.lessEqual(this.df, 1), Infinity, this.loc), this.batchShape);
  }
  override get variance(): NDArray {
    const nu = this.df;
    const v = np.where(np.greater(nu, 2), np.divide(np.multiply(np.square(this.scale), nu), np.subtract(nu, 2)), Infinity);
    return np.broadcastTo(np.where(np.lessEqual(nu, 1), NaN, v), this.batchShape);
  }
  /**
   * With u as above, x = 1/(1 + u²) and s = u²/(1 + u²), the lower tail P(T < −|u|) is
   * ½ I_x(ν/2, ½) in the tails (s ≥ min(3/(ν/2), ½)) and ½ − ½ I_s(½, ν/2) in the centre, so
   * neither loses precision. Where x > ½ (large ν) the tail is summed by the continued fraction
   * with log s kept separately, since 1 − x has lost its digits there.
   */
  override cdf(x: ArrayLike): NDArray {
    const u = this.standardize(x);
    const a = np.multiply(0.5, this.df);
    const l1p = log1pSquare(u); // log(1 + u²) = −log x
    const logS = np.subtract(np.multiply(2, np.log(np.abs(u))), l1p);
    const xs = np.exp(np.negative(l1p));
    const s = np.exp(logS);
    const tailRegion = np.greaterEqual(s, np.minimum(np.divide(3, a), 0.5));
    const nearOne = np.greater(xs, 0.5);
    const viaPrimitive = special.betainc(a, 0.5, np.where(nearOne, 0.5, xs));
    const viaFraction = betaincFraction(a, np.fullLike(a, 0.5), np.where(nearOne, xs, 0.5), np.where(nearOne, s, 0.5), np.negative(l1p), logS);
    const tailFar = np.multiply(0.5, np.where(nearOne, viaFraction, viaPrimitive));
    const tailNear = np.subtract(0.5, np.multiply(0.5, special.betainc(0.5, a, np.where(tailRegion, 0.5, s))));
    const tail = np.where(tailRegion, tailFar, tailNear);
    return np.where(np.less(u, 0), tail, np.subtract(1, tail));
  }
  /**
   * Solves I_x(ν/2, ½) = 2 min(q, 1 − q) for the pair (x, 1 − x) = (1/(1+u²), u²/(1+u²)), so
   * |u| = √((1 − x)/x) keeps its precision in the far tails (heavy-tailed quantiles).
   */
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    const shape = np.broadcastShapes(Q.shape, this.batchShape);
    const p = np.minimum(Q, np.subtract(1, Q));
    const twoP = np.multiply(2, p);
    const halfNu = np.broadcastTo(np.multiply(0.5, this.df), shape);
    const { x, y } = betaincinv(halfNu, np.fullLike(halfNu, 0.5), np.broadcastTo(twoP, shape), np.broadcastTo(np.subtract(1, twoP), shape));
    const absU = np.sqrt(np.divide(y, x));
    const u = np.multiply(np.sign(np.subtract(Q, 0.5)), absU);
    return np.add(this.loc, np.multiply(np.multiply(this.scale, np.sqrt(this.df)), u));
  }
  /** (ν+1)/2 (ψ((ν+1)/2) − ψ(ν/2)) + ½ log ν + log B(ν/2, ½) + log scale. */
  override entropy(): NDArray {
    const nu = this.df;
    const h = np.add(
      np.multiply(np.multiply(0.5, np.add(nu, 1)), digammaHalfStep(nu)),
      np.add(np.add(np.multiply(0.5, np.log(nu)), special.lbeta(np.multiply(0.5, nu), 0.5)), np.log(this.scale)),
    );
    return np.broadcastTo(h, this.batchShape);
  }
}
