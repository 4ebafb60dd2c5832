/**
 * tyche/distributions: distributions with NumPyro's names, parameters and shape semantics,
 * constraints, and bijective transforms.
 *
 * @packageDocumentation
 */
export { Distribution, ExpandedDistribution, Independent, MaskedDistribution, enableValidation, validationEnabled, type DistributionOptions } from "./distribution.js";
export * as constraints from "./constraints.js";
export type { Constraint } from "./constraints.js";
export { Normal } from "./continuous/normal.js";
export { Bernoulli } from "./discrete/bernoulli.js";
export { Categorical } from "./discrete/categorical.js";
export { Binomial } from "./discrete/binomial.js";
export { Poisson } from "./discrete/poisson.js";
export { Geometric } from "./discrete/geometric.js";
export { GammaPoisson } from "./discrete/gamma-poisson.js";
export { NegativeBinomial } from "./discrete/negative-binomial.js";
export { NegativeBinomial2 } from "./discrete/negative-binomial2.js";
export { BetaBinomial } from "./discrete/beta-binomial.js";
export { Multinomial } from "./discrete/multinomial.js";
export { DirichletMultinomial } from "./discrete/dirichlet-multinomial.js";
export { ZeroInflatedDistribution, ZeroInflatedPoisson, type GateOptions } from "./discrete/zero-inflated.js";
export { OrderedLogistic } from "./discrete/ordered-logistic.js";
export type { ProbsOrLogits } from "./discrete/params.js";
export { Dirichlet } from "./multivariate/dirichlet.js";
export { MultivariateNormal, type CovarianceOptions } from "./multivariate/multivariate-normal.js";
export { MultivariateStudentT } from "./multivariate/multivariate-student-t.js";
export { LKJCholesky } from "./multivariate/lkj-cholesky.js";
export { LKJ } from "./multivariate/lkj.js";
export { Wishart, type WishartScale } from "./multivariate/wishart.js";
export { LowRankMultivariateNormal } from "./multivariate/low-rank-multivariate-normal.js";
export { Mixture, MixtureGeneral, MixtureSameFamily } from "./mixture.js";
export * as transforms from "./transforms.js";
export { bijectTo, Transform } from "./transforms.js";
export { TransformedDistribution } from "./transformed.js";
export { InverseAutoregressiveTransform, PermuteTransform, type AutoregressiveFn, type InverseAutoregressiveOptions } from "./flows.js";
export { AutoregressiveNN, elu, type AutoregressiveNNParams, type AutoregressiveNNOptions } from "./autoregressive-nn.js";
export { Delta, Unit, ImproperUniform } from "./special-dists.js";
export { TruncatedDistribution, type TruncationBounds } from "./truncated.js";
export { HalfNormal } from "./continuous/half-normal.js";
export { LogNormal } from "./continuous/log-normal.js";
export { StudentT } from "./continuous/student-t.js";
export { Cauchy, HalfCauchy } from "./continuous/cauchy.js";
export { Laplace, AsymmetricLaplace } from "./continuous/laplace.js";
export { Logistic } from "./continuous/logistic.js";
export { Uniform, LogUniform } from "./continuous/uniform.js";
export { Exponential } from "./continuous/exponential.js";
export { Gamma, Chi2, InverseGamma } from "./continuous/gamma.js";
export { Beta } from "./continuous/beta.js";
export { Weibull } from "./continuous/weibull.js";
export { Pareto } from "./continuous/pareto.js";
export { Gumbel } from "./continuous/gumbel.js";
export { VonMises } from "./continuous/von-mises.js";
export { TruncatedNormal } from "./continuous/truncated-normal.js";
export { GaussianRandomWalk } from "./continuous/gaussian-random-walk.js";
