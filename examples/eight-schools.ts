/**
 * Eight schools (Rubin 1981), non-centered, sampled with NUTS: 4 chains of 1000 warmup and
 * 1000 draws, then a NumPyro-style summary. Run: `npm run example -- eight-schools`.
 */
import { np, random, type Array } from "../src/core/index.js";
import * as dist from "../src/distributions/index.js";
import { deterministic, plate, sample } from "../src/handlers/index.js";
import { MCMC, NUTS } from "../src/infer/index.js";

const y = np.array([28, 8, -3, 7, -1, 1, 18, 12]);
const sigma = np.array([15, 10, 16, 11, 9, 11, 10, 18]);

function eightSchools(sigma: Array, y?: Array) {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("J", 8, () => {
    const thetaTilde = sample("theta_tilde", new dist.Normal(0, 1));
    const theta = deterministic("theta", np.add(mu, np.multiply(tau, thetaTilde)));
    sample("obs", new dist.Normal(theta, sigma), { obs: y });
  });
}

const mcmc = new MCMC(new NUTS(eightSchools), { numWarmup: 1000, numSamples: 1000, numChains: 4 });
const t0 = performance.now();
await mcmc.run(random.key(0), sigma, y);
console.log(`sampled in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
mcmc.printSummary();
