/** The frame of distributions over the counts 0..totalCount (Binomial, BetaBinomial). */
import type { Array as NDArray } from "../../core/index.js";
import { integerInterval, type Constraint } from "../constraints.js";
import { Distribution, type DistributionOptions } from "../distribution.js";
import { enumerateCounts } from "./numerics.js";

/** A scalar distribution on the integers 0..totalCount: its support and its enumeration. */
export abstract class BoundedCountDistribution extends Distribution {
  /** The number of trials n. */
  readonly totalCount: NDArray;
  private readonly supportConstraint: Constraint;

  /** `totalCount` is taken as given (a float array); subclasses validate it with their other parameters. */
  protected constructor(batchShape: readonly number[], totalCount: NDArray, opts: DistributionOptions) {
    super(batchShape, [], opts);
    this.totalCount = totalCount;
    this.supportConstraint = integerInterval(0, totalCount);
  }
  get support(): Constraint {
    return this.supportConstraint;
  }
  override get hasEnumerateSupport(): boolean {
    return true;
  }
  /** 0, ..., n (every batch member must have the same concrete n). */
  override enumerateSupport(expand = true): NDArray {
    return enumerateCounts(this.name, this.totalCount, this.batchShape, expand);
  }
}
