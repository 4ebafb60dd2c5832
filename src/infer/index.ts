/**
 * tyche/infer: inference. MCMC (`NUTS`, `HMC`) with sequential or vectorized chains; SVI with
 * ELBOs, autoguides, optimizers and callbacks; SVGD with Stein kernels; predictive
 * distributions; diagnostics (R-hat, ESS, MCSE, HPDI, summaries) and draw export; and the
 * model utilities underneath (log density, potential energy, constrained and unconstrained
 * values, initialization strategies).
 *
 * @packageDocumentation
 */
export {
  logDensity,
  potentialEnergy,
  type PotentialOptions,
  transformFn,
  constrainFn,
  initializeModel,
  siteLogProb,
  type Params,
  type InitializeOptions,
  type ModelInfo,
  type ParamInfo,
} from "./util.js";
export { initToUniform, initToMedian, initToSample, initToValue, isLatentContinuous, siteTransform, type InitStrategy } from "./init-strategies.js";
export { Predictive, logLikelihood, type PredictiveOptions } from "./predictive.js";
export { MCMC, type MCMCOptions, type ChainMethod, type Progress, type ExtraFields } from "./mcmc.js";
export { HMC, NUTS, type HMCOptions, type NUTSOptions, type StaticHMCOptions, type HMCState, type MCMCKernel, type TransitionInputs } from "./hmc/kernel.js";
export {
  autocorrelation,
  autocovariance,
  gelmanRubin,
  splitGelmanRubin,
  rhat,
  effectiveSampleSize,
  essBulk,
  essTail,
  mcse,
  hpdi,
  quantiles,
  summary,
  formatSummary,
  printSummary,
  type Summary,
  type SummaryRow,
  type SummaryOptions,
  type PrintSummaryOptions,
} from "./diagnostics.js";
export { toCmdStanCsv, toArvizJson, type CmdStanCsvOptions, type ArvizJsonOptions, type ArvizJson } from "./export.js";
export { SVI, type SVIState, type SVIRunResult, type SVIOptions } from "./svi.js";
export { ELBO, TraceELBO, TraceMeanFieldELBO, RenyiELBO, klDivergence, type ELBOOptions, type RenyiELBOOptions } from "./elbo.js";
export {
  sgd,
  momentum,
  adagrad,
  rmsprop,
  adam,
  adamax,
  clippedAdam,
  exponentialDecay,
  piecewiseConstant,
  type Optimizer,
  type OptimizerState,
  type StepSize,
  type Schedule,
  type AdamOptions,
} from "./optim.js";
export { convergenceCheck, tracker, type SVICallback, type StartInfo, type ChunkInfo, type ConvergenceCheck, type ConvergenceCheckOptions, type Tracker } from "./callbacks.js";
export {
  AutoGuide,
  AutoNormal,
  AutoDelta,
  AutoContinuous,
  AutoDiagonalNormal,
  AutoMultivariateNormal,
  AutoLowRankMultivariateNormal,
  AutoLaplaceApproximation,
  AutoIAF,
  type AutoIAFOptions,
  type AutoGuideOptions,
  type AutoNormalOptions,
  type AutoContinuousOptions,
  type AutoLowRankOptions,
  type SamplePosteriorOptions,
  type Prototype,
} from "./autoguide/index.js";
export { SVGD, type SVGDOptions, type SVGDState, type SVGDRunResult } from "./stein.js";
export { RBFKernel, IMQKernel, LinearKernel, type SteinKernel, type KernelMode, type RBFKernelOptions, type IMQKernelOptions } from "./stein-kernels.js";
export { Empirical, EmpiricalPosterior, type EmpiricalOptions } from "./empirical.js";
export { sbc, simulate, chiSquareSurvival, type Simulation, type SBCOptions, type SBCResult, type SBCElement, type SBCInfer, type SBCDraws } from "./sbc.js";
export { stateToJSON, stateFromJSON, continuationKey, treeToJSON, treeFromJSON, type MCMCStateJSON, type TreeJSON, type ArrayJSON } from "./checkpoint.js";
export { psis, fitGeneralizedPareto, type PsisResult } from "./psis.js";
export { importanceResample, type ImportanceResampleOptions, type ImportanceResampleResult } from "./importance-resample.js";
export { enumeratedLogDensity, inferDiscrete, maxPlateNesting, type InferDiscreteOptions } from "./enum-density.js";
