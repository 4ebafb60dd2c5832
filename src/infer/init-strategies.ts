/**
 * Initialization strategies: where inference starts each latent site (NumPyro's
 * `init_to_uniform`, `init_to_median`, `init_to_sample`, `init_to_value`). A strategy is a
 * substitute function: it gets a site, with the key `seed` gave it, and returns the site's
 * initial value in its support (or null to leave the site alone).
 */
import { np, random, type Array as NDArray } from "../core/index.js";
import { bijectTo, type Transform } from "../distributions/transforms.js";
import type { SampleMessage, Site, SiteValueFn, SiteValues } from "../handlers/index.js";

/** A per-site initializer: the constrained initial value of a latent site, or null to leave it. */
export type InitStrategy = SiteValueFn<Site>;

/** Whether `site` is a latent sample site with a continuous support (the sites inference initializes). */
export function isLatentContinuous(site: Site): site is SampleMessage {
  return site.type === "sample" && !site.isObserved && !site.fn.support.isDiscrete;
}

/** `bijectTo` of the site's support, with an error naming the site. */
export function siteTransform(site: SampleMessage): Transform {
  try {
    return bijectTo(site.fn.support);
  } catch (e) {
    throw new Error(`site '${site.name}' (${site.fn.name}): ${(e as Error).message}`);
  }
}

/** The key `seed` gave the site, with an error naming the site when there is none. */
function keyOf(site: SampleMessage, strategy: string): random.Key {
  if (site.rngKey === null) throw new Error(`${strategy} at site '${site.name}': no random key; run the model under seed(model, key)`);
  return site.rngKey;
}

/**
 * Initializes each latent site to a point drawn uniformly from (-radius, radius) in the
 * unconstrained space of its support, mapped into the support.
 */
export function initToUniform(radius = 2): InitStrategy {
  return (site) => {
    if (!isLatentContinuous(site)) return null;
    if (site.value !== null) return site.value;
    const t = siteTransform(site);
    const shape = t.inverseShape(site.fn.shape(site.sampleShape));
    return t.forward(random.uniform(keyOf(site, "initToUniform"), shape, undefined, -radius, radius));
  };
}

/**
 * Initializes each latent site to the median (taken in unconstrained space) of `numSamples`
 * draws from its prior; sites whose prior cannot be sampled fall back to {@link initToUniform}.
 */
export function initToMedian(numSamples = 15): InitStrategy {
  if (!(Number.isInteger(numSamples) && numSamples > 0)) throw new Error(`initToMedian: numSamples must be a positive integer, got ${numSamples}`);
  const fallback = initToUniform();
  return (site) => {
    if (!isLatentContinuous(site)) return null;
    if (site.value !== null) return site.value;
    const t = siteTransform(site);
    let draws: NDArray;
    try {
      draws = site.fn.sample(keyOf(site, "initToMedian"), [numSamples, ...site.sampleShape]);
    } catch {
      return fallback(site);
    }
    return t.forward(medianAlong0(t.inverse(draws)));
  };
}

/** The median along the first axis (the mean of the two middle values for an even count). */
function medianAlong0(x: NDArray): NDArray {
  const n = x.shape[0];
  const sorted = np.sort(x, 0);
  const row = (i: number) => np.take(sorted, i, 0);
  return n % 2 === 1 ? row((n - 1) / 2) : np.multiply(np.add(row(n / 2 - 1), row(n / 2)), 0.5);
}

/**
 * Initializes each latent site to a draw from its prior; sites whose prior cannot be sampled
 * fall back to {@link initToUniform}.
 */
export function initToSample(): InitStrategy {
  const fallback = initToUniform();
  return (site) => {
    if (!isLatentContinuous(site)) return null;
    if (site.value !== null) return site.value;
    try {
      return site.fn.sample(keyOf(site, "initToSample"), site.sampleShape);
    } catch {
      return fallback(site);
    }
  };
}

/** Initializes the latent sites named in `values` to those (constrained) values, the others as {@link initToUniform}. */
export function initToValue(values: SiteValues): InitStrategy {
  const fallback = initToUniform();
  return (site) => {
    if (site.type !== "sample" || site.isObserved) return null;
    return Object.hasOwn(values, site.name) ? values[site.name] : fallback(site);
  };
}

