/** The negative binomial distribution by mean and concentration. */
import { np, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive } from "../constraints.js";
import { broadcastParams, type DistributionOptions } from "../distribution.js";
import { GammaPoisson } from "./gamma-poisson.js";
import { toFloat } from "./numerics.js";

/**
 * NegativeBinomial2(mean, concentration): the negative binomial with mean μ and variance
 * μ + μ²/α; it is GammaPoisson(α, α/μ). Large concentrations approach Poisson(μ).
 */
export class NegativeBinomial2 extends GammaPoisson {
  /** The mean μ as given. */
  private readonly givenMean: NDArray;

  constructor(mean: ArrayLike, concentration: ArrayLike, opts: DistributionOptions = {}) {
    const { arrays } = broadcastParams("NegativeBinomial2", { mean, concentration });
    const m = toFloat(arrays.mean);
    super(arrays.concentration, np.divide(toFloat(arrays.concentration), m), opts);
    this.givenMean = m;
    this.validate({ mean: [m, positive], concentration: [this.concentration, positive] });
  }
  override get mean(): NDArray {
    return np.broadcastTo(this.givenMean, this.batchShape);
  }
}
