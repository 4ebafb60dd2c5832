/**
 * From a model to the functions inference works with (NumPyro's `infer/util.py`): the log
 * joint density at given values, the potential energy in unconstrained space, the maps between
 * constrained and unconstrained values, and `initializeModel`, which finds a valid starting
 * point and returns the potential and postprocessing functions a sampler needs.
 *
 * Everything here is written with core ops, so it runs eagerly, under `grad`, under `vmap` and
 * under `jit` (the model then runs once, at trace time).
 */
import { np, random, tree, valueAndGrad, type Array as NDArray } from "../core/index.js";
import { IndependentConstraint, real, type Constraint } from "../distributions/constraints.js";
import { sumRightmost } from "../distributions/distribution.js";
import { Delta } from "../distributions/index.js";
import { bijectTo, type Transform } from "../distributions/transforms.js";
import {
  enumerate,
  factor,
  isEnumerated,
  seed,
  substitute,
  trace,
  type Key,
  type Model,
  type SiteValueFn,
  type SiteValues,
  type Trace,
} from "../handlers/index.js";
import { enumeratedLogDensity, maxPlateNesting } from "./enum-density.js";
import { siteLogProb } from "./site-log-prob.js";
import { initToUniform, siteTransform, type InitStrategy } from "./init-strategies.js";

export { siteLogProb };

/** Values by site name. */
export type Params = Record<string, NDArray>;


/**
 * The log joint density of `model(...args)` with the sites in `params` fixed to those values
 * (every latent site needs one, unless the model is seeded), and the trace it ran with.
 * Observed sites, factors, scales and masks all count.
 */
export function logDensity<A extends unknown[]>(model: Model<A>, args: A, params: SiteValues): [NDArray, Trace] {
  const tr = trace(substitute(model, params)).getTrace(...args);
  let total: NDArray = np.array(0);
  for (const site of tr.values()) if (site.type === "sample") total = np.add(total, np.sum(siteLogProb(site)));
  return [total, tr];
}

/** Whether values in `c` need no transform (real, or independent real). */
const isReal = (c: Constraint): boolean => c === real || (c instanceof IndependentConstraint && isReal(c.base));

/**
 * `model` with its latent sites given by unconstrained values: each site in `params` gets
 * `bijectTo(support).forward(params[name])`, and the log |det J| of that map is added as the
 * factor `_${name}_log_det`.
 */
function unconstrainedModel<A extends unknown[], R>(model: Model<A, R>, params: Params): Model<A, R> {
  const toConstrained: SiteValueFn = (site) => {
    if (!Object.hasOwn(params, site.name)) return null;
    const p = params[site.name];
    if (site.type !== "sample" || isReal(site.fn.support)) return p;
    const t = siteTransform(site);
    const value = t.forward(p);
    const logDet = t.logAbsDetJacobian(p, value);
    factor(`_${site.name}_log_det`, sumRightmost(logDet, logDet.ndim - value.ndim + site.fn.eventDim));
    return value;
  };
  return substitute(model, toConstrained);
}

/**
 * The potential energy at unconstrained values `params`: the negative log joint density of the
 * model with each latent site mapped into its support by `bijectTo`, plus the log |det J| of
 * those maps (so it is the negative log density of the unconstrained variables).
 */
export function potentialEnergy<A extends unknown[]>(model: Model<A>, args: A, params: Params, opts: PotentialOptions = {}): NDArray {
  const m = unconstrainedModel(model, params);
  return np.negative(opts.plateNesting === undefined ? logDensity(m, args, {})[0] : enumeratedLogDensity(m, args, {}, opts.plateNesting)[0]);
}

/** Options of {@link potentialEnergy}. */
export interface PotentialOptions {
  /**
   * Sum out the sites marked for parallel enumeration, laid left of this many plate dimensions
   * (see {@link enumeratedLogDensity}); by default nothing is enumerated.
   */
  plateNesting?: number;
}

/** Applies `transforms[name]` (or its inverse) to each value of `params` that has one; the others pass unchanged. */
export function transformFn(transforms: Readonly<Record<string, Transform>>, params: Params, invert = false): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) {
    const t = transforms[k];
    out[k] = t === undefined ? v : invert ? t.inverse(v) : t.forward(v);
  }
  return out;
}

/**
 * The constrained values of the sites in `params` (unconstrained values of latent sample sites
 * and params), found by running the model, and with `returnDeterministic` the values of its
 * deterministic sites too.
 */
export function constrainFn<A extends unknown[]>(model: Model<A>, args: A, params: Params, returnDeterministic = false): Params {
  const toConstrained: SiteValueFn = (site) => {
    if (!Object.hasOwn(params, site.name)) return null;
    const p = params[site.name];
    if (site.type === "sample") return siteTransform(site).forward(p);
    if (site.type === "param") return bijectTo(site.constraint).forward(p);
    return p;
  };
  const tr = trace(substitute(model, toConstrained)).getTrace(...args);
  const out: Params = {};
  for (const [name, site] of tr)
    if (site.value !== null && (Object.hasOwn(params, name) || (returnDeterministic && site.type === "deterministic"))) out[name] = site.value;
  return out;
}

/** Options of {@link initializeModel}. */
export interface InitializeOptions<A extends unknown[]> {
  /** Where to start each latent site (default `initToUniform()`). */
  initStrategy?: InitStrategy;
  /** The model's arguments. */
  modelArgs?: A;
  /** How many starting points to try before giving up (default 100). */
  maxTries?: number;
}

/** A starting point in unconstrained space, with its potential energy and gradient. */
export interface ParamInfo {
  readonly z: Params;
  readonly potentialEnergy: NDArray;
  readonly zGrad: Params;
}

/** What {@link initializeModel} returns. */
export interface ModelInfo {
  /** A valid starting point: finite potential energy and gradient. With a batch of keys, one per key, stacked. */
  readonly paramInfo: ParamInfo;
  /** The potential energy of unconstrained latent values (see {@link potentialEnergy}). */
  readonly potentialFn: (z: Params) => NDArray;
  /** Maps unconstrained latent values to constrained ones, adding the deterministic sites. */
  readonly postprocessFn: (z: Params) => Params;
  /** `bijectTo(support)` of each latent site: unconstrained to constrained. */
  readonly transforms: Readonly<Record<string, Transform>>;
  /** The trace of the model at the first starting point drawn. */
  readonly modelTrace: Trace;
  /** How `potentialFn` calls {@link potentialEnergy} (the plate nesting when sites are enumerated). */
  readonly potentialOptions: PotentialOptions;
}

/**
 * Prepares `model` for inference in unconstrained space: traces it (seeded with `key`) to find
 * its latent sites and their transforms, fixes its params at their initial values, and draws
 * starting points with `initStrategy` until the potential energy and its gradient are finite
 * (an error naming the site at fault when none is found in `maxTries`). A key batch of shape
 * `[n, 2]` gives n starting points (for n chains), stacked along a leading axis.
 * Runs eagerly: it reads values to decide when a starting point is valid.
 */
export function initializeModel<A extends unknown[]>(key: Key, model: Model<A>, opts: InitializeOptions<A> = {}): ModelInfo {
  const strategy = opts.initStrategy ?? initToUniform();
  const args = (opts.modelArgs ?? []) as A;
  const maxTries = opts.maxTries ?? 100;
  const keys = key.ndim === 1 ? [key] : key.ndim === 2 && key.shape[1] === 2 ? unstack(key) : [];
  if (keys.length === 0) throw new Error(`initializeModel: expected a key (shape [2]) or a batch of keys (shape [n, 2]), got shape [${key.shape.join(", ")}]`);

  const modelTrace = trace(substitute(seed(model, keys[0]), strategy)).getTrace(...args);
  const transforms: Record<string, Transform> = {};
  const fixed: Params = {};
  let hasDeterministic = false;
  let hasEnumerated = false;
  for (const [name, site] of modelTrace) {
    if (site.type === "param") fixed[name] = site.value!;
    else if (site.type === "deterministic") hasDeterministic = true;
    else if (site.type === "sample" && !site.isObserved) {
      if (isEnumerated(site)) {
        hasEnumerated = true;
        continue;
      }
      if (site.fn.support.isDiscrete)
        throw new Error(
          `initializeModel: site '${name}' is discrete (${site.fn.name} with support ${site.fn.support.name}); continuous inference cannot draw it, but can sum it out: mark it with infer: { enumerate: "parallel" } or wrap the model in configEnumerate`,
        );
      if (site.fn instanceof Delta) throw new Error(`initializeModel: site '${name}' has a Delta distribution; use deterministic('${name}', value) to record a value instead`);
      transforms[name] = siteTransform(site);
    }
  }
  const fixedModel = substitute(model, fixed);
  const plateNesting = hasEnumerated ? maxPlateNesting(modelTrace) : undefined;
  const potentialFn = (z: Params) => potentialEnergy(fixedModel, args, z, { plateNesting });
  const postprocessFn = !hasDeterministic
    ? (z: Params) => transformFn(transforms, z)
    : plateNesting === undefined
      ? (z: Params) => constrainFn(fixedModel, args, z, true)
      : (z: Params) => withoutEnumeratedValues(constrainFn(enumerate(fixedModel, -plateNesting - 1), args, z, true), modelTrace);

  const start = (chainKey: Key, first: Trace | null): ParamInfo => {
    let last: { z: Params; pe: NDArray; grad: Params } | null = null;
    for (let attempt = 0; attempt < maxTries; attempt++) {
      const tr = attempt === 0 && first !== null ? first : trace(substitute(seed(fixedModel, random.foldIn(chainKey, attempt)), strategy)).getTrace(...args);
      const z = unconstrainedPoint(tr, transforms);
      const [pe, grad] = valueAndGrad(potentialFn)(z) as [NDArray, Params];
      if (allFinite(pe) && tree.leaves(grad).every((g) => allFinite(g as NDArray))) return { z, potentialEnergy: pe, zGrad: grad };
      last = { z, pe, grad };
    }
    throw new Error(`initializeModel: no valid starting point in ${maxTries} tries: ${culprit(fixedModel, args, last!)}`);
  };
  const infos = keys.map((k, i) => start(k, i === 0 ? modelTrace : null));
  const paramInfo =
    key.ndim === 2
      ? { z: stackTrees(infos.map((p) => p.z)), potentialEnergy: np.stack(infos.map((p) => p.potentialEnergy)), zGrad: stackTrees(infos.map((p) => p.zGrad)) }
      : infos[0];
  return { paramInfo, potentialFn, postprocessFn, transforms, modelTrace, potentialOptions: { plateNesting } };
}

/**
 * The values of `values` that keep the shape they have in `tr` (a run without enumeration):
 * deterministic sites computed from enumerated values carry enumeration dimensions and are left
 * out, as they have no single value per draw.
 */
function withoutEnumeratedValues(values: Params, tr: Trace): Params {
  const out: Params = {};
  for (const [name, v] of Object.entries(values)) {
    const site = tr.get(name);
    if (site?.value != null && v.ndim === site.value.ndim) out[name] = v;
  }
  return out;
}

/** The latent values of a trace, mapped to unconstrained space. */
function unconstrainedPoint(tr: Trace, transforms: Readonly<Record<string, Transform>>): Params {
  const z: Params = {};
  for (const name of Object.keys(transforms)) z[name] = transforms[name].inverse(tr.get(name)!.value!);
  return z;
}

const allFinite = (x: NDArray): boolean => np.all(np.isfinite(x)).item() === 1;

/** Says which site makes a starting point invalid: a non-finite log density, log-Jacobian or gradient. */
function culprit<A extends unknown[]>(model: Model<A>, args: A, last: { z: Params; pe: NDArray; grad: Params }): string {
  const [, tr] = logDensity(unconstrainedModel(model, last.z), args, {});
  for (const site of tr.values()) {
    if (site.type !== "sample") continue;
    const lp = np.sum(siteLogProb(site));
    if (!allFinite(lp)) {
      const jac = /^_(.*)_log_det$/.exec(site.name);
      return jac
        ? `the log |det J| of the transform of site '${jac[1]}' is ${lp.item()}`
        : `the log density of site '${site.name}' (${site.fn.name}) is ${lp.item()}`;
    }
  }
  for (const [name, g] of Object.entries(last.grad)) if (!allFinite(g)) return `the gradient of the potential energy with respect to site '${name}' is not finite`;
  return `the potential energy is ${last.pe.item()}`;
}

/** The keys of a batch of shape [n, 2]. */
function unstack(keys: NDArray): NDArray[] {
  return Array.from({ length: keys.shape[0] }, (_, i) => np.take(keys, i, 0));
}

/** Stacks records of arrays with the same keys along a new leading axis. */
function stackTrees(items: readonly Params[]): Params {
  const out: Params = {};
  for (const k of Object.keys(items[0])) out[k] = np.stack(items.map((p) => p[k]));
  return out;
}
