/**
 * The Distribution base class and its structural wrappers (NumPyro's `Distribution`,
 * `ExpandedDistribution`, `Independent`, `MaskedDistribution`). Shapes follow NumPyro: a draw
 * with `sample(key, sampleShape)` has shape `[...sampleShape, ...batchShape, ...eventShape]`,
 * and `logProb(x)` reduces the event dimensions, giving `[...sampleShape, ...batchShape]`.
 *
 * The wrappers live here with the base because `expand`, `toEvent` and `mask` construct them.
 */
import { checkReadable, np, random, type Array as NDArray, type ArrayLike } from "../core/index.js";
import { independent, real, type Constraint } from "./constraints.js";

type Shape = readonly number[];

/** Options every distribution takes as the last member of its options object. */
export interface DistributionOptions {
  /** Check parameters (and report values outside the support) eagerly; default: on. */
  validateArgs?: boolean;
}

let validateByDefault = true;

/** Turns argument validation on or off for distributions created afterwards (NumPyro's `enable_validation`). */
export function enableValidation(on = true): void {
  validateByDefault = on;
}

/** Whether distributions created now validate their arguments by default. */
export function validationEnabled(): boolean {
  return validateByDefault;
}

const fmtShape = (s: Shape) => `[${s.join(", ")}]`;

/**
 * A probability distribution over arrays of shape `[...batchShape, ...eventShape]`.
 * Subclasses implement `logDensity` (the log density at a value inside the support),
 * `sample` and `support`, and whatever of mean, variance, cdf, icdf, entropy they define.
 */
export abstract class Distribution {
  /** The shape of independent, non-identical copies of the distribution. */
  readonly batchShape: Shape;
  /** The shape of a single draw. */
  readonly eventShape: Shape;
  /** Whether parameters are checked on construction. */
  readonly validateArgs: boolean;

  protected constructor(batchShape: Shape, eventShape: Shape = [], opts: DistributionOptions = {}) {
    this.batchShape = [...batchShape];
    this.eventShape = [...eventShape];
    this.validateArgs = opts.validateArgs ?? validateByDefault;
  }

  /** The distribution's name in messages (its class name). */
  get name(): string {
    return this.constructor.name;
  }

  /** The set of values with positive density. */
  abstract get support(): Constraint;

  /** Whether draws are differentiable functions of the parameters (reparameterized sampling). */
  get hasRsample(): boolean {
    return false;
  }

  /** Whether `enumerateSupport` is available (finite discrete distributions). */
  get hasEnumerateSupport(): boolean {
    return false;
  }

  /** Whether the support is discrete. */
  get isDiscrete(): boolean {
    return this.support.isDiscrete;
  }

  /** Number of event dimensions. */
  get eventDim(): number {
    return this.eventShape.length;
  }

  /** The log density at a value inside the support, broadcasting over batch dimensions. */
  protected abstract logDensity(value: NDArray): NDArray;

  /**
   * Log density (or mass) of `value`, of shape `[...sampleShape, ...batchShape]`.
   * Values outside the support give -Infinity.
   */
  logProb(value: ArrayLike): NDArray {
    const v = this.checkValueShape(value);
    const lp = this.logDensity(v);
    if (this.support === real) return lp;
    // ±Infinity is no point of a scalar support: its density is 0 (the formulas would give inf - inf)
    const inside = this.support.eventDim === 0 ? np.logicalAnd(this.support.check(v), np.isfinite(v)) : this.support.check(v);
    return np.where(inside, lp, -Infinity);
  }

  /** A draw of shape `[...sampleShape, ...batchShape, ...eventShape]` from `key`. */
  abstract sample(key: random.Key, sampleShape?: Shape): NDArray;

  /** The mean, of shape `[...batchShape, ...eventShape]`. */
  get mean(): NDArray {
    throw new Error(`${this.name} does not define a mean`);
  }

  /** The variance (marginal variances for multivariate distributions). */
  get variance(): NDArray {
    throw new Error(`${this.name} does not define a variance`);
  }

  /** The cumulative distribution function P(X <= value). */
  cdf(value: ArrayLike): NDArray {
    throw new Error(`${this.name} does not define a cdf`);
  }

  /** The inverse cdf (quantile function) at levels `q` in [0, 1]. */
  icdf(q: ArrayLike): NDArray {
    throw new Error(`${this.name} does not define an icdf`);
  }

  /** The entropy in nats, of shape `batchShape`. */
  entropy(): NDArray {
    throw new Error(`${this.name} does not define an entropy`);
  }

  /**
   * The values of a finite discrete support, stacked along a new leading axis: shape
   * `[n, ...batchShape]` when `expand`, else `[n, 1, ..., 1]`.
   */
  enumerateSupport(expand = true): NDArray {
    throw new Error(`${this.name} has no finite support to enumerate`);
  }

  /** The shape of a draw with the given sample shape. */
  shape(sampleShape: Shape = []): number[] {
    return [...sampleShape, ...this.batchShape, ...this.eventShape];
  }

  /** The same distribution broadcast to a larger batch shape. */
  expand(batchShape: Shape): Distribution {
    if (sameShape(batchShape, this.batchShape)) return this;
    return new ExpandedDistribution(this, batchShape);
  }

  /** Reinterprets the `n` rightmost batch dimensions as event dimensions (all of them by default). */
  toEvent(n?: number): Distribution {
    const k = n ?? this.batchShape.length;
    return k === 0 ? this : new Independent(this, k);
  }

  /** Masks the log density: entries where `mask` is false contribute 0. */
  mask(mask: ArrayLike | boolean): Distribution {
    if (mask === true) return this;
    return new MaskedDistribution(this, mask);
  }

  toString(): string {
    return `${this.name}(batchShape=${fmtShape(this.batchShape)}, eventShape=${fmtShape(this.eventShape)})`;
  }

  /**
   * Checks that a value's rightmost dimensions match the event shape and that the rest
   * broadcasts with the batch shape; throws an error naming the distribution and the shapes.
   */
  protected checkValueShape(value: ArrayLike): NDArray {
    const v = np.asarray(value);
    const ev = this.eventShape;
    const k = v.ndim - ev.length;
    const bad = () =>
      new Error(
        `${this.name}.logProb: value of shape ${fmtShape(v.shape)} does not fit batch shape ${fmtShape(this.batchShape)} and event shape ${fmtShape(ev)}`,
      );
    if (k < 0 || ev.some((d, i) => v.shape[k + i] !== d && v.shape[k + i] !== 1)) throw bad();
    try {
      np.broadcastShapes(v.shape.slice(0, k), this.batchShape);
    } catch {
      throw bad();
    }
    return v;
  }

  /**
   * Checks parameters against their constraints when validation is on and their values are
   * known (not under jit/vmap); throws an error naming the distribution and the parameter.
   */
  protected validate(params: Record<string, readonly [NDArray, Constraint]>): void {
    if (!this.validateArgs) return;
    for (const [pname, [value, constraint]] of Object.entries(params)) {
      if (!value.isConcrete) continue;
      const error = checkReadable([value], () => {
        const bad = constraint.check(value).dataSync().findIndex((f) => !f);
        if (bad < 0) return null;
        const shown = constraint.eventDim === 0 ? ` (got ${value.dataSync()[bad]} at flat index ${bad})` : "";
        return `${this.name}: parameter '${pname}' must satisfy ${constraint.name}${shown}; its shape is ${fmtShape(value.shape)}`;
      });
      if (error) throw new Error(error);
    }
  }
}

function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * Broadcasts parameters against each other: returns them as arrays (unchanged) and their
 * common batch shape, with an error naming the distribution and each parameter's shape.
 * `eventDims[name]` trailing dimensions of a parameter are excluded from the batch shape.
 */
export function broadcastParams<K extends string>(
  distName: string,
  params: Record<K, ArrayLike>,
  eventDims: Partial<Record<K, number>> = {},
): { arrays: Record<K, NDArray>; batchShape: number[] } {
  const arrays = {} as Record<K, NDArray>;
  const shapes: [string, Shape][] = [];
  for (const k of Object.keys(params) as K[]) {
    const a = np.asarray(params[k]);
    arrays[k] = a;
    const ed = eventDims[k] ?? 0;
    if (a.ndim < ed) throw new Error(`${distName}: parameter '${k}' must have at least ${ed} dimension(s), got shape ${fmtShape(a.shape)}`);
    shapes.push([k, a.shape.slice(0, a.ndim - ed)]);
  }
  try {
    return { arrays, batchShape: np.broadcastShapes(...shapes.map(([, s]) => s)) };
  } catch {
    throw new Error(`${distName}: parameter shapes do not broadcast: ${shapes.map(([k, s]) => `${k} ${fmtShape(s)}`).join(", ")}`);
  }
}

/**
 * An options object carrying exactly one of the keys `K` (the alternative forms of one
 * parameter, such as `{ probs }` or `{ logits }`), with the usual options.
 */
export type OneOf<K extends string> = { [k in K]: Record<k, ArrayLike> & Partial<Record<Exclude<K, k>, undefined>> }[K] & DistributionOptions;

/**
 * Reads a parameter that can be given in several forms (NumPyro's alternative keyword
 * arguments): positionally, as the first of `kinds`, or as an options object carrying exactly
 * one of `kinds` with the usual options, which are merged over `opts`. Throws, naming the
 * distribution, when an options object gives none or several of them.
 */
export function parseAlternatives<K extends string>(
  distName: string,
  arg: ArrayLike | OneOf<K>,
  opts: DistributionOptions,
  kinds: readonly K[],
): { kind: K; value: ArrayLike; opts: DistributionOptions } {
  const isOptions = typeof arg === "object" && arg !== null && !Array.isArray(arg) && !ArrayBuffer.isView(arg) && kinds.some((k) => k in arg);
  if (!isOptions) return { kind: kinds[0], value: arg as ArrayLike, opts };
  const given = arg as Partial<Record<K, ArrayLike>> & DistributionOptions;
  const present = kinds.filter((k) => given[k] !== undefined);
  if (present.length !== 1) {
    const names = kinds.map((k) => `'${k}'`);
    throw new Error(`${distName}: give exactly one of ${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`);
  }
  const rest: Record<string, unknown> = { ...given };
  for (const k of kinds) delete rest[k];
  return { kind: present[0], value: given[present[0]]!, opts: { ...opts, ...rest } };
}

/**
 * What the structural wrappers (Expanded, Independent, Masked) share: they keep the base's
 * name, support and abilities, draw from the base, and compute their log density from the
 * base's `logProb` in their own `logProb`. Each overrides what it changes.
 */
abstract class WrapperDistribution extends Distribution {
  abstract readonly base: Distribution;

  override get name(): string {
    return this.base.name;
  }
  get support(): Constraint {
    return this.base.support;
  }
  override get hasRsample(): boolean {
    return this.base.hasRsample;
  }
  override get hasEnumerateSupport(): boolean {
    return this.base.hasEnumerateSupport;
  }
  protected logDensity(value: NDArray): NDArray {
    return this.logProb(value);
  }
  abstract override logProb(value: ArrayLike): NDArray;
  sample(key: random.Key, sampleShape: Shape = []): NDArray {
    return this.base.sample(key, sampleShape);
  }
  override get mean(): NDArray {
    return this.base.mean;
  }
  override get variance(): NDArray {
    return this.base.variance;
  }
}

/** A distribution broadcast to a larger batch shape (NumPyro's `ExpandedDistribution`). */
export class ExpandedDistribution extends WrapperDistribution {
  /** Batch positions (in the new batch shape) where the base has size 1 and the expansion does not. */
  private readonly expandedAxes: number[];

  constructor(
    readonly base: Distribution,
    batchShape: Shape,
  ) {
    super(batchShape, base.eventShape, { validateArgs: false });
    const n = batchShape.length;
    const b = base.batchShape;
    const bad = () => new Error(`${base.name}.expand: cannot expand batch shape ${fmtShape(b)} to ${fmtShape(batchShape)}`);
    if (b.length > n) throw bad();
    const padded = [...new Array<number>(n - b.length).fill(1), ...b];
    this.expandedAxes = [];
    padded.forEach((d, i) => {
      if (d === batchShape[i]) return;
      if (d !== 1) throw bad();
      this.expandedAxes.push(i);
    });
  }
  override logProb(value: ArrayLike): NDArray {
    const v = this.checkValueShape(value);
    const lp = this.base.logProb(v);
    return np.broadcastTo(lp, np.broadcastShapes(lp.shape, this.batchShape));
  }
  /**
   * Draws the expanded axes as extra sample axes of the base, then moves each into the
   * base's size-1 batch position, so every member of the expanded batch is independent.
   */
  override sample(key: random.Key, sampleShape: Shape = []): NDArray {
    const n = this.batchShape.length;
    const extra = this.expandedAxes.map((i) => this.batchShape[i]);
    const draw = this.base.sample(key, [...sampleShape, ...extra]);
    const s = sampleShape.length;
    const e = extra.length;
    const ev = this.eventShape.length;
    // view the base batch as n dims (leading 1s): [...S, ...extra, ...padded base batch, ...event]
    const padded = [...new Array<number>(n - this.base.batchShape.length).fill(1), ...this.base.batchShape];
    const x = np.reshape(draw, [...sampleShape, ...extra, ...padded, ...this.eventShape]);
    const perm: number[] = Array.from({ length: s }, (_, i) => i);
    for (let p = 0; p < n; p++) {
      const j = this.expandedAxes.indexOf(p);
      perm.push(j >= 0 ? s + j : s + e + p);
    }
    for (const p of this.expandedAxes) perm.push(s + e + p);
    for (let i = 0; i < ev; i++) perm.push(s + e + n + i);
    return np.reshape(np.transpose(x, perm), this.shape(sampleShape));
  }
  override get mean(): NDArray {
    return np.broadcastTo(this.base.mean, this.shape());
  }
  override get variance(): NDArray {
    return np.broadcastTo(this.base.variance, this.shape());
  }
  override cdf(value: ArrayLike): NDArray {
    const c = this.base.cdf(value);
    return np.broadcastTo(c, np.broadcastShapes(c.shape, this.batchShape));
  }
  override icdf(q: ArrayLike): NDArray {
    const x = this.base.icdf(q);
    return np.broadcastTo(x, np.broadcastShapes(x.shape, this.shape()));
  }
  override entropy(): NDArray {
    return np.broadcastTo(this.base.entropy(), this.batchShape);
  }
  override enumerateSupport(expand = true): NDArray {
    const s = this.base.enumerateSupport(false);
    const n = s.shape[0];
    const ones = [n, ...this.batchShape.map(() => 1), ...this.eventShape];
    const v = np.reshape(s, ones);
    return expand ? np.broadcastTo(v, [n, ...this.batchShape, ...this.eventShape]) : v;
  }
}

/**
 * Reinterprets the `reinterpretedBatchNdims` rightmost batch dimensions of a distribution as
 * event dimensions: log densities are summed over them (NumPyro's `Independent`).
 */
export class Independent extends WrapperDistribution {
  constructor(
    readonly base: Distribution,
    readonly reinterpretedBatchNdims: number,
    opts: DistributionOptions = {},
  ) {
    const k = reinterpretedBatchNdims;
    const b = base.batchShape;
    if (!Number.isInteger(k) || k < 0 || k > b.length)
      throw new Error(`Independent: reinterpretedBatchNdims must be an integer in [0, ${b.length}] for ${base.name} with batch shape ${fmtShape(b)}, got ${k}`);
    super(b.slice(0, b.length - k), [...b.slice(b.length - k), ...base.eventShape], opts);
  }
  override get name(): string {
    return `Independent(${this.base.name})`;
  }
  override get support(): Constraint {
    return independent(this.base.support, this.reinterpretedBatchNdims);
  }
  /** The base's values do not enumerate the joint events. */
  override get hasEnumerateSupport(): boolean {
    return false;
  }
  override logProb(value: ArrayLike): NDArray {
    const lp = this.base.logProb(this.checkValueShape(value));
    return sumRightmost(lp, this.reinterpretedBatchNdims);
  }
  override entropy(): NDArray {
    return sumRightmost(this.base.entropy(), this.reinterpretedBatchNdims);
  }
}

/** Sums the `n` rightmost dimensions of `x`. */
export function sumRightmost(x: NDArray, n: number): NDArray {
  if (n === 0) return x;
  return np.sum(x, Array.from({ length: n }, (_, i) => x.ndim - 1 - i));
}

/** A distribution whose log density is zero where `mask` is false (NumPyro's `MaskedDistribution`). */
export class MaskedDistribution extends WrapperDistribution {
  readonly base: Distribution;
  readonly maskArray: NDArray;
  constructor(base: Distribution, mask: ArrayLike | boolean) {
    const m = np.asarray(mask, "bool");
    let batch: number[];
    try {
      batch = np.broadcastShapes(base.batchShape, m.shape);
    } catch {
      throw new Error(`${base.name}.mask: mask of shape ${fmtShape(m.shape)} does not broadcast with batch shape ${fmtShape(base.batchShape)}`);
    }
    super(batch, base.eventShape, { validateArgs: false });
    this.base = base.expand(batch);
    this.maskArray = m;
  }
  override logProb(value: ArrayLike): NDArray {
    const lp = this.base.logProb(value);
    return np.where(this.maskArray, lp, 0);
  }
  override enumerateSupport(expand = true): NDArray {
    return this.base.enumerateSupport(expand);
  }
}
