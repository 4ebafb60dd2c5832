/**
 * The base of the automatic guides (NumPyro's `AutoGuide`). An autoguide is built from a model
 * and is itself a guide: calling it with the model's arguments samples every latent site of the
 * model from a variational family whose params it declares. On its first call (under a seed,
 * as in `SVI.init`) it runs the model once to find the latent sites, their supports, plates and
 * starting points (with `initLocFn`), the "prototype".
 */
import { np, random, vmap, type Array as NDArray } from "../../core/index.js";
import { IndependentConstraint, real, type Constraint } from "../../distributions/constraints.js";
import { block, plate, prngKey, seed, substitute, trace, type Model, type PlateFrame, type SampleMessage, type Trace } from "../../handlers/index.js";
import { initToUniform, type InitStrategy } from "../init-strategies.js";
import { initializeModel, transformFn, type Params } from "../util.js";
import type { Transform } from "../../distributions/transforms.js";

/** Options every autoguide takes. */
export interface AutoGuideOptions {
  /** Prefix of the guide's param names (default `"auto"`). */
  prefix?: string;
  /** Where each latent site starts (default `initToUniform()`; AutoDelta: `initToMedian()`). */
  initLocFn?: InitStrategy;
}

/** Options of `samplePosterior`. */
export interface SamplePosteriorOptions {
  /** Leading dimensions of independent draws (default `[]`: one draw). */
  sampleShape?: readonly number[];
}

/** What an autoguide learns about its model on the first call. */
export interface Prototype {
  /** The model's trace at the starting point. */
  readonly trace: Trace;
  /** The latent sample sites, in the order the model runs them. */
  readonly latents: readonly SampleMessage[];
  /** `bijectTo(support)` of each latent site. */
  readonly transforms: Readonly<Record<string, Transform>>;
  /** Unconstrained starting value of each latent site. */
  readonly initLocs: Params;
  /** The model's arguments at the first call. */
  readonly args: readonly unknown[];
}

/**
 * Base class whose instances are functions: calling an instance runs its `body` method. This
 * lets an autoguide be passed wherever a guide model is expected (SVI, Predictive, handlers).
 */
abstract class CallableGuide<A extends unknown[]> {
  constructor() {
    const self = (...args: A): Params => (self as unknown as CallableGuide<A>).body(...args);
    return Object.setPrototypeOf(self, new.target.prototype);
  }
  /** What a call of the guide does. */
  protected abstract body(...args: A): Params;
}

/** An autoguide is callable as a guide: `guide(...modelArgs)` samples the latent sites and returns their values. */
export interface AutoGuide<A extends unknown[] = any[]> {
  (...args: A): Params;
}

/**
 * An automatic guide for `model`. Subclasses declare their params and sample sites in
 * {@link AutoGuide.sampleLatents}, and read fitted params in `samplePosterior`, `median` and
 * `quantiles` (each returning constrained values by site name, deterministic sites of the model
 * included).
 */
export abstract class AutoGuide<A extends unknown[] = any[]> extends CallableGuide<A> {
  /** The model the guide approximates the posterior of. */
  readonly model: Model<A>;
  /** Prefix of the guide's param names. */
  readonly prefix: string;
  /** Where each latent site starts. */
  readonly initLocFn: InitStrategy;
  private proto: Prototype | null = null;

  constructor(model: Model<A>, opts: AutoGuideOptions = {}, defaultInit: InitStrategy = initToUniform()) {
    super();
    if (typeof model !== "function") throw new Error(`${new.target.name}: expected a model function, got ${typeof model}`);
    this.model = model;
    this.prefix = opts.prefix ?? "auto";
    this.initLocFn = opts.initLocFn ?? defaultInit;
  }

  /** The prototype of the model, found on the first call of the guide. */
  get prototypeInfo(): Prototype {
    if (this.proto === null) throw new Error(`${this.constructor.name}: the guide has not been run yet; run it once under a seed (SVI.init does) before reading its posterior`);
    return this.proto;
  }

  protected override body(...args: A): Params {
    if (this.proto === null) {
      this.proto = this.findPrototype(args);
      this.prepare(this.proto);
    }
    return this.sampleLatents(this.proto);
  }

  /** Finds the prototype: runs `initializeModel` hidden from the handlers outside (it needs a seed for its key). */
  private findPrototype(args: A): Prototype {
    const key = prngKey();
    const info = block(() => initializeModel(key, this.model, { initStrategy: this.initLocFn, modelArgs: args }))();
    const latents = [...info.modelTrace.values()].filter((s): s is SampleMessage => s.type === "sample" && !s.isObserved);
    return { trace: info.modelTrace, latents, transforms: info.transforms, initLocs: { ...info.paramInfo.z }, args };
  }

  /** Subclass set-up once the prototype is known (shapes of params, checks). */
  protected prepare(proto: Prototype): void {}

  /** Declares the guide's params and samples each latent site of the prototype; returns their values. */
  protected abstract sampleLatents(proto: Prototype): Params;

  /**
   * Draws from the fitted posterior with `params` (e.g. `svi.getParams(state)`): constrained
   * values of the latent and deterministic sites, each of shape `[...sampleShape, ...siteShape]`.
   */
  abstract samplePosterior(key: random.Key, params: Params, opts?: SamplePosteriorOptions): Params;

  /** The posterior median of each latent site (and the deterministic sites at it). */
  abstract median(params: Params): Params;

  /** The posterior quantiles at levels `qs` of each latent site, stacked along a leading axis of `qs.length`. */
  abstract quantiles(params: Params, qs: readonly number[]): Params;

  /**
   * Constrained values from unconstrained values `z` of the latent sites (with `batchNdims`
   * leading batch dimensions), with the values of the model's deterministic sites computed at
   * them (the model run with `params`).
   */
  protected constrain(z: Params, params: Params, batchNdims: number): Params {
    return this.withDeterministic(transformFn(this.prototypeInfo.transforms, z), params, batchNdims);
  }

  /**
   * The constrained latent values `values` (with `batchNdims` leading batch dimensions) and the
   * model's deterministic sites at them, found by running the model (with the model's params
   * from `params` and its first call's arguments) once per draw, vectorized with `vmap`.
   */
  protected withDeterministic(values: Params, params: Params, batchNdims: number): Params {
    const proto = this.prototypeInfo;
    const names = [...proto.trace.values()].filter((s) => s.type === "deterministic").map((s) => s.name);
    if (names.length === 0) return values;
    const modelParams: Params = {};
    for (const [name, site] of proto.trace) if (site.type === "param" && Object.hasOwn(params, name)) modelParams[name] = params[name];
    const one = (v: Params): Params => {
      const tr = trace(seed(substitute(this.model, { ...modelParams, ...v }), random.key(0))).getTrace(...(proto.args as A));
      return Object.fromEntries(names.map((n) => [n, tr.get(n)!.value!]));
    };
    if (batchNdims === 0) return { ...values, ...one(values) };
    const first = Object.values(values)[0];
    const batch = first.shape.slice(0, batchNdims);
    const n = batch.reduce((a, b) => a * b, 1);
    const flat = mapRecord(values, (v) => np.reshape(v, [n, ...v.shape.slice(batchNdims)]));
    const det = mapRecord(vmap(one)(flat), (v) => np.reshape(v, [...batch, ...v.shape.slice(1)]));
    return { ...values, ...det };
  }

  /**
   * Runs `body` inside the plates `frames` (innermost first, as in a site's `condIndepStack`),
   * with their full sizes, dimensions and subsample sizes. A plate opened again in the same call
   * reuses the indices it drew first (kept in `drawn`), so all sites of one call agree on the
   * subsample (which the model then replays).
   */
  protected withinPlates<T>(frames: readonly PlateFrame[], drawn: Map<string, NDArray>, body: () => T): T {
    const open = (k: number): T => {
      if (k < 0) return body();
      const f = frames[k];
      const inside = (indices: NDArray) => {
        drawn.set(f.name, indices);
        return open(k - 1);
      };
      const opts = { dim: f.dim, subsampleSize: f.subsampleSize };
      const known = drawn.get(f.name);
      return known === undefined ? plate(f.name, f.size, opts, inside) : substitute(() => plate(f.name, f.size, opts, inside), { [f.name]: known })();
    };
    return open(frames.length - 1);
  }
}

/** Whether values in `c` need no transform (real, or independent real). */
export function isRealSupport(c: Constraint): boolean {
  return c === real || (c instanceof IndependentConstraint && isRealSupport(c.base));
}

/**
 * `x` repeated periodically along the dimension `dim` (negative, from the right) to length
 * `size`: entry i is entry `i mod n` of the original (NumPyro's `periodic_repeat`). Used to
 * stretch a starting value drawn on a subsample to the full plate.
 */
export function periodicRepeat(x: NDArray, size: number, dim: number): NDArray {
  const axis = x.ndim + dim;
  const n = x.shape[axis];
  if (n === size) return x;
  const idx = Array.from({ length: size }, (_, i) => i % n);
  return np.take(x, np.array(idx, "int32"), axis);
}

/** A record with `f` applied to each value. */
export function mapRecord<T, U>(r: Readonly<Record<string, T>>, f: (v: T, k: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v, k)]));
}
