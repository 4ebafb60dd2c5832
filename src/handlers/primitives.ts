/**
 * The primitives a model is written with: `sample`, `param`, `deterministic`, `factor`,
 * `prngKey` and `subsample` (`plate` lives in plate.ts). Each builds a message, sends it down
 * the handler stack, and returns the value the stack settled on.
 */
import { asArray, checkReadable, np, type Array as NDArray, type ArrayLike } from "../core/index.js";
import { IndependentConstraint, Interval, real, type Constraint } from "../distributions/constraints.js";
import { Distribution, ExpandedDistribution, Independent, MaskedDistribution, Unit } from "../distributions/index.js";
import { mask } from "./mask.js";
import { fmtShape, type InferConfig, type Key, type ParamMessage, type SampleMessage, type SubsampleMessage } from "./messages.js";
import { applyStack, requestKey } from "./stack.js";

/** Options of {@link sample}. */
export interface SampleOptions {
  /** An observed value: the site conditions the model instead of drawing. */
  obs?: ArrayLike | null;
  /**
   * With `obs`: where true the entry is observed, elsewhere it is imputed by a latent site
   * `${name}_unobserved` (the observed part is the site `${name}_observed`).
   */
  obsMask?: ArrayLike;
  /** Extra leading dimensions of independent draws. */
  sampleShape?: readonly number[];
  /** A key to draw with, instead of one from `seed`. */
  rngKey?: Key;
  /** Hints for inference algorithms. */
  infer?: InferConfig;
}

/**
 * A random variable `name` with distribution `d`: drawn (with the key `seed` supplies), or
 * observed when `obs` is given. Handlers may substitute, condition, rescale or rename it.
 * The value has shape `[...sampleShape, ...batchShape, ...eventShape]`, the batch shape
 * including the enclosing plates.
 */
export function sample(name: string, d: Distribution, opts: SampleOptions = {}): NDArray {
  if (!(d instanceof Distribution)) throw new Error(`sample site '${name}': expected a Distribution, got ${typeof d}`);
  const obs = opts.obs === undefined || opts.obs === null ? null : asArray(opts.obs);
  if (opts.obsMask !== undefined) {
    if (obs === null) throw new Error(`sample site '${name}': obsMask needs obs`);
    return maskedObserve(name, d, obs, asArray(opts.obsMask), opts);
  }
  const msg: SampleMessage = {
    type: "sample",
    name,
    fn: d,
    value: obs,
    isObserved: obs !== null,
    rngKey: opts.rngKey ?? null,
    sampleShape: [...(opts.sampleShape ?? [])],
    scale: 1,
    infer: { ...opts.infer },
    condIndepStack: [],
    stop: false,
  };
  const out = applyStack(msg);
  if (out.type === "sample") {
    checkValueShape(out);
    // on WebGPU the check runs on the host, and not for data that live only on the device
    if (out.isObserved && out.value!.isConcrete) checkReadable([out.value!], () => checkObservedValue(out));
  }
  return out.value!;
}

/**
 * Whether a support has bounds that may be functions of latent values (the continuous intervals:
 * `Uniform(0, theta)`, `Pareto(scale, alpha)`), where a value outside is a fact about the latent
 * values tried, not about the data. Integer intervals (counts up to a total count) are data.
 */
function boundsMayBeLatent(c: Constraint): boolean {
  if (c instanceof IndependentConstraint) return boundsMayBeLatent(c.base);
  return c instanceof Interval && !c.isDiscrete;
}

/**
 * Checks the data of an observed site whose distribution validates its arguments: a value that
 * is not finite or lies outside the support (unless its bounds may be latent), where it counts in
 * the log density (masked entries do not), is an error naming the site, the value and where it
 * is, instead of a log density of NaN or -Infinity found later. Runs on concrete values only (not
 * under jit or vmap).
 */
function checkObservedValue(site: SampleMessage): void {
  let inner: Distribution = site.fn;
  while (inner instanceof ExpandedDistribution || inner instanceof Independent || inner instanceof MaskedDistribution) inner = inner.base;
  if (!inner.validateArgs) return;
  const v = site.value!;
  const finite = np.isfinite(v);
  const inSupport = boundsMayBeLatent(site.fn.support) ? finite : site.fn.support.check(v);
  if (np.all(finite).item() && np.all(inSupport).item()) return;
  // only entries that count: a masked entry contributes 0 whatever its value
  const lp = site.fn.logProb(v);
  if (np.all(np.isfinite(lp)).item()) return;
  const data = v.dataSync();
  const fin = finite.dataSync();
  const sup = inSupport.dataSync();
  // with one log density per value, the first entry that is bad and counts; else the first bad entry
  const counts = site.fn.eventDim === 0 && lp.ndim === v.ndim && lp.shape.every((d, k) => d === v.shape[k]) ? np.isfinite(lp).dataSync() : null;
  const bad = (k: number) => (!fin[k] || (sup.length === fin.length && !sup[k])) && (counts === null || !counts[k]);
  const where = (k: number) => (v.ndim === 0 ? "" : ` at flat index ${k}`);
  const i = fin.findIndex((_, k) => bad(k));
  if (i >= 0 && !fin[i])
    throw new Error(`sample site '${site.name}': observed value ${data[i]}${where(i)} is not finite (${site.fn.name}, support ${site.fn.support.name}); observed data must be finite numbers`);
  if (i >= 0) throw new Error(`sample site '${site.name}': observed value ${data[i]}${where(i)} is outside the support of ${site.fn.name} (${site.fn.support.name})`);
  // a value outside an event-shaped support (a simplex, a matrix): the first batch entry
  const j = counts === null ? sup.findIndex((x) => !x) : -1;
  if (j >= 0) throw new Error(`sample site '${site.name}': the observed value at batch index ${j} is outside the support of ${site.fn.name} (${site.fn.support.name})`);
  // else the data that count are fine, and the log density is not finite for another reason (its parameters)
}

/** Checks that a site's value broadcasts with its distribution's shape; the error names the site. */
function checkValueShape(site: SampleMessage): void {
  const v = site.value!;
  const want = site.fn.shape(site.sampleShape);
  let ok = v.ndim >= site.fn.eventDim;
  if (ok) {
    try {
      np.broadcastShapes(v.shape, want);
    } catch {
      ok = false;
    }
  }
  if (!ok)
    throw new Error(
      `sample site '${site.name}': ${site.isObserved ? "observed " : ""}value of shape ${fmtShape(v.shape)} does not fit the distribution ${site.fn.name} of shape ${fmtShape(want)} (batch shape ${fmtShape(site.fn.batchShape)}, event shape ${fmtShape(site.fn.eventShape)})`,
    );
}

/** `sample` with an observation mask: an observed and an imputed site, interleaved. */
function maskedObserve(name: string, d: Distribution, obs: NDArray, obsMask: NDArray, opts: SampleOptions): NDArray {
  if (obsMask.dtype !== "bool") throw new Error(`sample site '${name}': obsMask must be a bool array, got ${obsMask.dtype}`);
  const common = { rngKey: opts.rngKey, infer: opts.infer };
  const observed = mask(() => sample(`${name}_observed`, d, { ...common, obs }), obsMask)();
  const unobserved = mask(() => sample(`${name}_unobserved`, d, common), np.logicalNot(obsMask))();
  const batchMask = np.reshape(obsMask, [...obsMask.shape, ...d.eventShape.map(() => 1)]);
  return deterministic(name, np.where(batchMask, observed, unobserved));
}

/** Options of {@link param}. */
export interface ParamOptions {
  /** The set the parameter lives in (default: real). */
  constraint?: Constraint;
  /**
   * Rightmost dimensions unrelated to plates. When given, the dimensions to their left line up
   * with the enclosing plates and are subsampled with them; by default none are.
   */
  eventDim?: number;
}

/**
 * An optimizable parameter `name`, initialized to `init` (a value, or a function of a key
 * drawn from `seed`). Handlers (`substitute`, SVI) give it its current value.
 */
export function param(name: string, init?: ArrayLike | ((key: Key) => ArrayLike) | null, opts: ParamOptions = {}): NDArray {
  if (opts.eventDim !== undefined && !(Number.isInteger(opts.eventDim) && opts.eventDim >= 0))
    throw new Error(`param site '${name}': eventDim must be a non-negative integer, got ${opts.eventDim}`);
  const msg: ParamMessage = {
    type: "param",
    name,
    init: init === undefined || init === null ? null : typeof init === "function" ? (key: Key) => asArray(init(key)) : asArray(init),
    value: null,
    constraint: opts.constraint ?? real,
    eventDim: opts.eventDim ?? null,
    scale: 1,
    condIndepStack: [],
    stop: false,
  };
  const out = applyStack(msg);
  if (out.value === null) throw new Error(`param site '${name}' has no value: give it an initial value, or substitute one`);
  return out.value;
}

/** Records `value` in traces as the site `name` and returns it (handlers may substitute it). */
export function deterministic(name: string, value: ArrayLike): NDArray {
  return applyStack({ type: "deterministic", name, value: asArray(value), condIndepStack: [], stop: false }).value!;
}

/**
 * Adds `logFactor` to the model's log density, as an observed site `name` of the distribution
 * `Unit(logFactor)` (marked `infer.isAuxiliary`).
 */
export function factor(name: string, logFactor: ArrayLike): void {
  const d = new Unit(logFactor);
  sample(name, d, { obs: np.zeros(d.shape()), infer: { isAuxiliary: true } });
}

/** A fresh PRNG key from the enclosing `seed`; an error when there is none. */
export function prngKey(): Key {
  const key = requestKey();
  if (key === null) throw new Error("prngKey(): no random key: run the model under seed(model, key)");
  return key;
}

/**
 * The entries of `data` selected by the indices of the enclosing plate `plateName` (all of
 * them without subsampling), taken along that plate's dimension: dimension `dim - eventDim`
 * counted from the right, where `eventDim` (default 0) is the number of rightmost dimensions
 * that lie right of the plates.
 */
export function subsample(data: ArrayLike, plateName: string, opts: { eventDim?: number } = {}): NDArray {
  const eventDim = opts.eventDim ?? 0;
  if (!(Number.isInteger(eventDim) && eventDim >= 0)) throw new Error(`subsample: eventDim must be a non-negative integer, got ${eventDim}`);
  const msg: SubsampleMessage = { type: "subsample", plateName, value: asArray(data), eventDim, condIndepStack: [], stop: false };
  const out = applyStack(msg) as SubsampleMessage;
  if (!out.condIndepStack.some((f) => f.name === plateName)) {
    const names = out.condIndepStack.map((f) => `'${f.name}'`).join(", ");
    throw new Error(`subsample: no enclosing plate named '${plateName}' (enclosing plates: ${names || "none"})`);
  }
  return out.value;
}
