/** The beta distribution. */
import { np, random, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, unitInterval, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";
import { betaincinv, digammaMinusLog, logBetaDensity, stirlingCorr } from "./numerics.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Beta(concentration1, concentration0): density x^{a−1} (1−x)^{b−1} / B(a, b) on [0, 1] with
 * a = concentration1, b = concentration0. Draws are reparameterized (implicit gradients).
 */
export class Beta extends Distribution {
  readonly concentration1: NDArray;
  readonly concentration0: NDArray;

  constructor(concentration1: ArrayLike, concentration0: ArrayLike, opts: DistributionOptions = {}) {
    const { arrays, batchShape } = broadcastParams("Beta", { concentration1, concentration0 });
    super(batchShape, [], opts);
    this.concentration1 = arrays.concentration1;
    this.concentration0 = arrays.concentration0;
    this.validate({ concentration1: [this.concentration1, positive], concentration0: [this.concentration0, positive] });
  }
  get support(): Constraint {
    return unitInterval;
  }
  override get hasRsample(): boolean {
    return true;
  }
  protected logDensity(x: NDArray): NDArray {
    return logBetaDensity(this.concentration1, this.concentration0, x);
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    return random.beta(key, this.concentration1, this.concentration0, this.shape(sampleShape));
  }
  override get mean(): NDArray {
    const a = this.concentration1;
    return np.broadcastTo(np.divide(a, np.add(a, this.concentration0)), this.batchShape);
  }
  override get variance(): NDArray {
    const a = this.concentration1;
    const b = this.concentration0;
    const n = np.add(a, b);
    return np.broadcastTo(np.divide(np.multiply(a, b), np.multiply(np.square(n), np.add(n, 1))), this.batchShape);
  }
  override cdf(x: ArrayLike): NDArray {
    return special.betainc(this.concentration1, this.concentration0, np.clip(x, 0, 1));
  }
  override icdf(q: ArrayLike): NDArray {
    const Q = np.asarray(q);
    const shape = np.broadcastShapes(Q.shape, this.batchShape);
    return betaincinv(np.broadcastTo(this.concentration1, shape), np.broadcastTo(this.concentration0, shape), Q, np.subtract(1, Q)).x;
  }
  /**
   * log B(a, b) + (a−1)(ψ(n) − ψ(a)) + (b−1)(ψ(n) − ψ(b)), n = a + b, where ψ(n) − ψ(c) for a
   * concentration c ≥ 10 is log1p((n − c)/c) + δ(n) − δ(c) with δ = ψ − log (no cancellation);
   * when both are ≥ 10 in Stirling form,
   * ½ log(2π a b / n³) + corr(a) + corr(b) − corr(n) − (a−1)δ(a) − (b−1)δ(b) + (n−2)δ(n).
   */
  override entropy(): NDArray {
    const a = this.concentration1;
    const b = this.concentration0;
    const big = np.logicalAnd(np.greaterEqual(a, 10), np.greaterEqual(b, 10));
    const as = np.where(big, 1, a);
    const bs = np.where(big, 1, b);
    /** ψ(n) − ψ(c), where o = n − c is the other concentration. */
    const digammaGap = (c: NDArray, o: NDArray) => {
      const large = np.greaterEqual(c, 10);
      const cl = np.where(large, c, 10);
      const nl = np.add(cl, np.where(large, o, 1));
      const viaSeries = np.add(np.log1p(np.divide(np.where(large, o, 1), cl)), np.subtract(digammaMinusLog(nl), digammaMinusLog(cl)));
      const cs = np.where(large, 1, c);
      const direct = np.subtract(special.digamma(np.add(cs, o)), special.digamma(cs));
      return np.where(large, viaSeries, direct);
    };
    const plain = np.add(
      special.lbeta(as, bs),
      np.add(np.multiply(np.subtract(as, 1), digammaGap(as, bs)), np.multiply(np.subtract(bs, 1), digammaGap(bs, as))),
    );
    const al = np.where(big, a, 10);
    const bl = np.where(big, b, 10);
    const n = np.add(al, bl);
    const logs = np.multiply(0.5, np.subtract(np.add(np.log(al), np.log(bl)), np.multiply(3, np.log(n))));
    const corr = np.subtract(np.add(stirlingCorr(al), stirlingCorr(bl)), stirlingCorr(n));
    const deltas = np.subtract(
      np.multiply(np.subtract(n, 2), digammaMinusLog(n)),
      np.add(np.multiply(np.subtract(al, 1), digammaMinusLog(al)), np.multiply(np.subtract(bl, 1), digammaMinusLog(bl))),
    );
    const stir = np.add(np.add(HALF_LOG_2PI, logs), np.add(corr, deltas));
    return np.broadcastTo(np.where(big, stir, plain), this.batchShape);
  }
}
