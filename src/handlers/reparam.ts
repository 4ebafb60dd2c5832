/**
 * `reparam` and reparameterizers: rewrite a sample site as auxiliary sites plus a
 * deterministic transform of them (Gorinova, Moore & Hoffman 2019, "Automatic
 * Reparameterisation of Probabilistic Programs").
 */
import { Array as NDArray, np, type ArrayLike } from "../core/index.js";
import { IndependentConstraint, real, unitInterval } from "../distributions/constraints.js";
import { Distribution, ExpandedDistribution, Independent } from "../distributions/index.js";
import { update, type DeterministicMessage, type Message, type SampleMessage } from "./messages.js";
import { param, sample } from "./primitives.js";
import { withHandler, type Model } from "./stack.js";

/** What a reparameterizer returns for a site (NumPyro's `(new_fn, value)` pair). */
export interface ReparamResult {
  /** The site's new distribution, or null: the site becomes a deterministic site of `value`. */
  readonly fn: Distribution | null;
  /** The site's value, or null to draw it from `fn`. */
  readonly value: NDArray | null;
}

/** A reparameterizer: rewrites one sample site, usually by drawing auxiliary sites. */
export interface Reparam {
  /** Rewrites the site `name` with distribution `fn` and observed value `obs` (null: latent). */
  apply(name: string, fn: Distribution, obs: NDArray | null): ReparamResult;
}

/**
 * Rewrites the sample sites of `model` with the reparameterizers in `config` (by site name, or
 * a function of the site returning one or null).
 */
export function reparam<A extends unknown[], R>(
  model: Model<A, R>,
  config: Readonly<Record<string, Reparam>> | ((site: SampleMessage) => Reparam | null | undefined),
): Model<A, R> {
  return withHandler(model, () => ({
    process(msg: Message): Message {
      if (msg.type !== "sample") return msg;
      const r = typeof config === "function" ? config(msg) : Object.hasOwn(config, msg.name) ? config[msg.name] : undefined;
      if (!r) return msg;
      const { fn, value } = r.apply(msg.name, msg.fn, msg.value);
      if (fn === null) {
        if (value === null) throw new Error(`reparam at site '${msg.name}': the reparameterizer returned neither a distribution nor a value`);
        const det: DeterministicMessage = { type: "deterministic", name: msg.name, value, condIndepStack: msg.condIndepStack, stop: msg.stop };
        return det;
      }
      if (value === null) return update(msg, { fn });
      return update(msg, { fn, value, isObserved: msg.value === null ? true : msg.isObserved });
    },
  }));
}

/** Builds a distribution of the same family as `like` with new loc and scale. */
export type LocScaleRebuild = (like: Distribution, loc: NDArray, scale: NDArray) => Distribution;

/** Options of {@link LocScaleReparam}. */
export interface LocScaleReparamOptions {
  /**
   * Builds the decentered distribution; by default `new Ctor(loc, scale)` with the class of
   * the site's distribution (right for Normal, Cauchy, Laplace, Logistic, ...). Families with
   * other parameters give their own, e.g. `(d, loc, scale) => new StudentT(d.df, loc, scale)`.
   */
  rebuild?: LocScaleRebuild;
}

const defaultRebuild: LocScaleRebuild = (like, loc, scale) => new (like.constructor as new (loc: NDArray, scale: NDArray) => Distribution)(loc, scale);

/**
 * Decentering of a latent site with a location-scale distribution (NumPyro's
 * `LocScaleReparam`). With `centered` c in [0, 1], the site `x ~ F(loc, scale)` becomes
 * `${name}_decentered ~ F(c loc, scale^c)` and the deterministic site
 * `x = loc + scale^(1 - c) (x_decentered - c loc)`. `centered = 0` is the non-centered
 * parameterization (`x = loc + scale z`, `z ~ F(0, 1)`), 1 leaves the site as it is, and null
 * (the default) learns c per element as the param `${name}_centered`, starting at 0.5.
 */
export class LocScaleReparam implements Reparam {
  private readonly centered: NDArray | number | null;
  private readonly rebuild: LocScaleRebuild;

  constructor(centered: ArrayLike | null = null, opts: LocScaleReparamOptions = {}) {
    if (centered !== null) {
      const c = typeof centered === "number" ? np.array(centered) : np.asarray(centered);
      if (c.isConcrete && np.all(unitInterval.check(c)).item() !== 1) throw new Error("LocScaleReparam: centered must lie in [0, 1]");
    }
    this.centered = centered === null || typeof centered === "number" ? centered : np.asarray(centered);
    this.rebuild = opts.rebuild ?? defaultRebuild;
  }

  apply(name: string, fn: Distribution, obs: NDArray | null): ReparamResult {
    if (obs !== null) throw new Error(`LocScaleReparam at site '${name}': only latent sites can be decentered, this one is observed`);
    const support = fn.support instanceof IndependentConstraint ? fn.support.base : fn.support;
    if (support !== real) throw new Error(`LocScaleReparam at site '${name}': needs a distribution with real support, got ${fn.name} with support ${fn.support.name}`);
    if (this.centered === 1) return { fn, value: null };
    let base = fn;
    while (base instanceof Independent || base instanceof ExpandedDistribution) base = base.base;
    const { loc, scale } = base as unknown as { loc?: unknown; scale?: unknown };
    if (!(loc instanceof NDArray && scale instanceof NDArray)) throw new Error(`LocScaleReparam at site '${name}': ${base.name} has no loc and scale parameters`);
    const fullShape = fn.shape();
    const expandShape = fullShape.slice(0, fullShape.length - base.eventDim);

    const c = this.centered ?? param(`${name}_centered`, np.full(fn.eventShape, 0.5), { constraint: unitInterval });
    const decenteredBase = c === 0 ? this.rebuild(base, np.zerosLike(loc), np.onesLike(scale)) : this.rebuild(base, np.multiply(loc, c), np.power(scale, c));
    const expanded = decenteredBase.expand(expandShape);
    const decentered = expanded.toEvent(fn.eventDim - expanded.eventDim);
    const z = sample(`${name}_decentered`, decentered);
    const value = c === 0 ? np.add(loc, np.multiply(scale, z)) : np.add(loc, np.multiply(np.power(scale, np.subtract(1, c)), np.subtract(z, np.multiply(c, loc))));
    return { fn: null, value };
  }
}
