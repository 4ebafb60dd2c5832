/** Models shared by the SBC tests (each takes its observed data last, undefined to simulate). */
import { np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { deterministic, plate, sample } from "../../src/handlers/index.js";

/** mu ~ N(0, 1), y_i ~ N(mu, 1), i < n: the posterior is N(sum(y) / (n + 1), 1 / (n + 1)). */
export const normalNormal = (n: number, y?: NDArray) => {
  const mu = sample("mu", new dist.Normal(0, 1));
  plate("N", n, () => sample("y", new dist.Normal(mu, 1), { obs: y }));
};

const X = random.normal(random.key(42), [20, 2]);

/** A logistic regression on 20 fixed covariate rows: alpha, beta[2] ~ N(0, 1). */
export const logistic = (y?: NDArray) => {
  const alpha = sample("alpha", new dist.Normal(0, 1));
  const beta = sample("beta", new dist.Normal(0, 1).expand([2]).toEvent(1));
  plate("N", 20, () => sample("y", new dist.Bernoulli({ logits: np.add(alpha, np.matmul(X, beta)) }), { obs: y }));
};

const sigma = np.array([15, 10, 16, 11, 9, 11, 10, 18]);

/** Eight schools, non-centered, with theta as a deterministic site. */
export const eightSchools = (y?: NDArray) => {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("J", 8, () => {
    const thetaTilde = sample("theta_tilde", new dist.Normal(0, 1));
    const theta = deterministic("theta", np.add(mu, np.multiply(tau, thetaTilde)));
    sample("obs", new dist.Normal(theta, sigma), { obs: y });
  });
};
