/** The ordered logistic distribution. */
import { np, special, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { ordered, real } from "../constraints.js";
import { broadcastParams, type DistributionOptions } from "../distribution.js";
import { Categorical } from "./categorical.js";
import { toFloat } from "./numerics.js";

/**
 * OrderedLogistic(predictor, cutpoints): a categorical distribution over K = len(cutpoints) + 1
 * ordered outcomes, P(Y ≤ k) = σ(cutpoints_k − predictor) (Stan's ordered logistic).
 * `cutpoints` must be increasing along its last axis.
 */
export class OrderedLogistic extends Categorical {
  /** The linear predictor η. */
  readonly predictor: NDArray;
  /** The cutpoints c, shape [...batch, K − 1]. */
  readonly cutpoints: NDArray;

  constructor(predictor: ArrayLike, cutpoints: ArrayLike, opts: DistributionOptions = {}) {
    const { arrays } = broadcastParams("OrderedLogistic", { predictor, cutpoints }, { cutpoints: 1 });
    const eta = toFloat(arrays.predictor);
    const c = toFloat(arrays.cutpoints);
    const below = special.expit(np.subtract(c, np.expandDims(eta, -1)));
    const batch = np.broadcastShapes(eta.shape, c.shape.slice(0, -1));
    const cum = np.broadcastTo(below, [...batch, c.shape[c.ndim - 1]]);
    const upper = np.concatenate([cum, np.ones([...batch, 1])], -1);
    const lower = np.concatenate([np.zeros([...batch, 1]), cum], -1);
    super(np.subtract(upper, lower), opts);
    this.predictor = eta;
    this.cutpoints = c;
    this.validate({ predictor: [eta, real], cutpoints: [c, ordered] });
  }
}
