/**
 * Automatic guides: build a variational family from a model (NumPyro's `autoguide`).
 */
export { AutoGuide, type AutoGuideOptions, type SamplePosteriorOptions, type Prototype } from "./base.js";
export { AutoNormal, type AutoNormalOptions } from "./normal.js";
export { AutoDelta } from "./delta.js";
export { AutoContinuous, type AutoContinuousOptions } from "./continuous.js";
export { AutoDiagonalNormal } from "./diagonal-normal.js";
export { AutoMultivariateNormal } from "./multivariate-normal.js";
export { AutoLowRankMultivariateNormal, type AutoLowRankOptions } from "./low-rank.js";
export { AutoLaplaceApproximation } from "./laplace.js";
export { AutoIAF, type AutoIAFOptions } from "./iaf.js";
