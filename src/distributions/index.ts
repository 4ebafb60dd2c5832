/**
 * tyche/distributions: distributions with NumPyro's names, parameters and shape semantics,
 * constraints, and bijective transforms.
 */
export { Distribution, ExpandedDistribution, Independent, MaskedDistribution, enableValidation, validationEnabled, type DistributionOptions } from "./distribution.js";
export * as constraints from "./constraints.js";
export type { Constraint } from "./constraints.js";
export { Normal } from "./continuous/normal.js";
