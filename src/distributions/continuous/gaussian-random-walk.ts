/** The Gaussian random walk. */
import { np, random, type Array as NDArray, type ArrayLike } from "../../core/index.js";
import { positive, realVector, type Constraint } from "../constraints.js";
import { broadcastParams, Distribution, type DistributionOptions } from "../distribution.js";

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * GaussianRandomWalk(scale, numSteps): vectors of `numSteps` partial sums of independent
 * Normal(0, scale) increments (event shape [numSteps]).
 */
export class GaussianRandomWalk extends Distribution {
  readonly scale: NDArray;
  readonly numSteps: number;

  constructor(scale: ArrayLike = 1, numSteps = 1, opts: DistributionOptions = {}) {
    if (!Number.isInteger(numSteps) || numSteps < 1) throw new Error(`GaussianRandomWalk: parameter 'numSteps' must be a positive integer, got ${numSteps}`);
    const { arrays, batchShape } = broadcastParams("GaussianRandomWalk", { scale });
    super(batchShape, [numSteps], opts);
    this.scale = arrays.scale;
    this.numSteps = numSteps;
    this.validate({ scale: [this.scale, positive] });
  }
  get support(): Constraint {
    return realVector;
  }
  override get hasRsample(): boolean {
    return true;
  }
  /** The normal log density of the increments (the first one from 0), summed over the steps. */
  protected logDensity(x: NDArray): NDArray {
    const lead = x.shape.slice(0, -1).map(() => 0);
    const prev = np.pad(np.slice(x, [...lead, 0], [...x.shape.slice(0, -1), this.numSteps - 1]), [...lead.map(() => [0, 0] as const), [1, 0] as const]);
    const scale = np.expandDims(this.scale, -1);
    const z = np.divide(np.subtract(x, prev), scale);
    const lp = np.subtract(np.multiply(-0.5, np.square(z)), np.add(np.log(scale), HALF_LOG_2PI));
    return np.sum(lp, -1);
  }
  sample(key: random.Key, sampleShape: readonly number[] = []): NDArray {
    const steps = random.normal(key, this.shape(sampleShape));
    return np.multiply(np.cumsum(steps, -1), np.expandDims(this.scale, -1));
  }
  override get mean(): NDArray {
    return np.zeros(this.shape());
  }
  /** scale² · (1, 2, ..., numSteps). */
  override get variance(): NDArray {
    return np.broadcastTo(np.multiply(np.expandDims(np.square(this.scale), -1), np.arange(1, this.numSteps + 1)), this.shape());
  }
  /** numSteps (½ log(2πe) + log scale): the increments are independent and the map to partial sums has unit Jacobian. */
  override entropy(): NDArray {
    return np.broadcastTo(np.multiply(this.numSteps, np.add(np.log(this.scale), 0.5 + HALF_LOG_2PI)), this.batchShape);
  }
}
