/**
 * `condition` and `substitute`: give sites values from a record or a function. `condition`
 * makes sample sites observed (they become data); `substitute` only fixes the value (of sample,
 * param, plate and deterministic sites), so a substituted latent stays latent. Nested handlers
 * apply from the inside out, so for a site both give a value, the outermost one wins.
 */
import { asArray, type Array as NDArray, type ArrayLike } from "../core/index.js";
import { isSite, update, type Message, type SampleMessage, type Site } from "./messages.js";
import { withHandler, type Model } from "./stack.js";

/** Values of sites, by site name. */
export type SiteValues = Readonly<Record<string, ArrayLike>>;

/** A function giving a site its value, or null/undefined to leave it alone. */
export type SiteValueFn<S extends Site = Site> = (site: S) => ArrayLike | null | undefined;

/** The value `data` gives `site`, if any. */
function lookup<S extends Site>(data: SiteValues | SiteValueFn<S>, site: S): NDArray | null {
  const v = typeof data === "function" ? data(site) : Object.hasOwn(data, site.name) ? data[site.name] : null;
  return v === null || v === undefined ? null : asArray(v);
}

/**
 * Observes the sample sites named in `data` (or those `data(site)` gives a value): their value
 * is set and they are marked `isObserved`, as if written `sample(name, d, { obs })`.
 */
export function condition<A extends unknown[], R>(model: Model<A, R>, data: SiteValues | SiteValueFn<SampleMessage>): Model<A, R> {
  return withHandler(model, () => ({
    process(msg: Message): Message {
      if (msg.type !== "sample") return msg;
      const value = lookup(data, msg);
      return value === null ? msg : update(msg, { value, isObserved: true });
    },
  }));
}

/**
 * Fixes the value of the sites (sample, param, plate, deterministic) named in `data`, or
 * those `data(site)` gives a value, without changing whether they are observed.
 */
export function substitute<A extends unknown[], R>(model: Model<A, R>, data: SiteValues | SiteValueFn<Site>): Model<A, R> {
  return withHandler(model, () => ({
    process(msg: Message): Message {
      if (!isSite(msg)) return msg;
      const value = lookup(data, msg);
      return value === null ? msg : update(msg, { value });
    },
  }));
}
