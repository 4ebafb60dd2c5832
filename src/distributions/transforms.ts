/**
 * Bijective transforms (NumPyro's `transforms` module) and `bijectTo`, which maps the reals
 * onto any continuous constraint. A transform maps its `domain` onto its `codomain`;
 * `logAbsDetJacobian(x, y)` is log |det dy/dx| with the domain's event dimensions summed out.
 * Where the event shape changes (simplex, Cholesky factors) the determinant is taken with
 * respect to the free coordinates: all but the last simplex entry, the (strictly)
 * lower-triangular entries of a matrix.
 *
 * Everything is written with core ops, so transforms differentiate, vmap and jit.
 */
import { linalg, np, special, type Array as NDArray, type ArrayLike } from "../core/index.js";
import {
  circular,
  corrCholesky,
  corrMatrix,
  IndependentConstraint,
  independent,
  Interval,
  interval,
  lowerCholesky,
  nonnegative,
  ordered,
  positive,
  positiveDefinite,
  positiveOrdered,
  real,
  realVector,
  simplex,
  unitInterval,
  type Constraint,
} from "./constraints.js";
import { sumRightmost } from "./distribution.js";

type Shape = readonly number[];

const LN2 = Math.LN2;
const fmtShape = (s: Shape) => `[${s.join(", ")}]`;

// ---- helpers over the last axis -------------------------------------------------------------

/** `x[..., start:end]` (end defaults to the full length; negative values count from the end). */
function lastSlice(x: NDArray, start: number, end?: number): NDArray {
  const lead = x.shape.slice(0, -1).map(() => 0);
  const leadEnd = x.shape.slice(0, -1).map(() => null);
  return np.slice(x, [...lead, start], [...leadEnd, end ?? null]);
}

/** Pads the last axis with `before` zeros in front and `after` zeros behind. */
function padLast(x: NDArray, before: number, after: number): NDArray {
  return np.pad(x, [...x.shape.slice(0, -1).map(() => [0, 0] as const), [before, after] as const]);
}

/** Σ_{k<j} x_k along the last axis (the cumulative sum shifted right by one, starting at 0). */
function exclusiveCumsum(x: NDArray): NDArray {
  return np.cumsum(padLast(lastSlice(x, 0, -1), 1, 0), -1);
}

/** Row-major (row, column) pairs of the entries of an n x n matrix with column <= row + diagonal. */
function trilIndices(n: number, diagonal: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j <= Math.min(n - 1, i + diagonal); j++) out.push([i, j]);
  return out;
}

/** The lower triangle (column <= row + diagonal) of the last two axes as a vector, row by row. */
export function trilToVec(x: NDArray, diagonal = 0): NDArray {
  const n = x.shape[x.ndim - 1];
  const idx = trilIndices(n, diagonal).map(([i, j]) => i * n + j);
  const flat = np.reshape(x, [...x.shape.slice(0, -2), n * n]);
  return np.take(flat, np.array(idx, "int32"), -1);
}

/** The n x n matrix whose lower triangle (column <= row + diagonal) is `t`, row by row; zeros elsewhere. */
export function vecToTril(t: NDArray, n: number, diagonal = 0): NDArray {
  const pairs = trilIndices(n, diagonal);
  const m = t.shape[t.ndim - 1];
  if (m !== pairs.length) throw new Error(`vecToTril: a ${n} x ${n} triangle with diagonal ${diagonal} has ${pairs.length} entries, got a vector of length ${m}`);
  // every position reads from t padded with one zero; positions outside the triangle read the zero
  const idx = new Array<number>(n * n).fill(m);
  pairs.forEach(([i, j], k) => (idx[i * n + j] = k));
  const flat = np.take(padLast(t, 0, 1), np.array(idx, "int32"), -1);
  return np.reshape(flat, [...t.shape.slice(0, -1), n, n]);
}

function needAxes(shape: Shape, k: number, who: string): void {
  if (shape.length < k) throw new Error(`${who}: needs at least ${k} dimension(s), got shape ${fmtShape(shape)}`);
}

const asArr = (x: ArrayLike) => np.asarray(x);

/** `x` as an array, checked to have at least `k` dimensions. */
function withAxes(x: ArrayLike, k: number, who: string): NDArray {
  const X = asArr(x);
  needAxes(X.shape, k, who);
  return X;
}

// ---- the base class -------------------------------------------------------------------------

/**
 * A bijection from `domain` onto `codomain`. `forward` and `inverse` map values;
 * `logAbsDetJacobian(x, y)` gives log |det J| at `x` (with `y = forward(x)`), summed over the
 * domain's event dimensions. `forwardShape`/`inverseShape` map shapes where a transform changes
 * the event shape.
 */
export abstract class Transform {
  /** The constraint the inputs satisfy. */
  abstract get domain(): Constraint;
  /** The constraint the outputs satisfy. */
  abstract get codomain(): Constraint;
  /** y = f(x). */
  abstract forward(x: ArrayLike): NDArray;
  /** x = f⁻¹(y). */
  abstract inverse(y: ArrayLike): NDArray;
  /** log |det ∂y/∂x| at `x` (and `y = forward(x)`), over the batch (domain event dimensions reduced). */
  abstract logAbsDetJacobian(x: ArrayLike, y: ArrayLike): NDArray;

  /** The transform's name in messages (its class name). */
  get name(): string {
    return this.constructor.name;
  }

  /** The shape of `forward(x)` for `x` of `shape`. */
  forwardShape(shape: Shape): number[] {
    return [...shape];
  }

  /** The shape of `inverse(y)` for `y` of `shape`. */
  inverseShape(shape: Shape): number[] {
    return [...shape];
  }

  /** The sign of the derivative of a scalar transform (+1 increasing, -1 decreasing). */
  get sign(): ArrayLike {
    throw new Error(`${this.name} does not define a sign`);
  }

  /** The inverse transform. */
  get inv(): Transform {
    return new InverseTransform(this);
  }

  toString(): string {
    return this.name;
  }
}

/** The inverse of a transform: forward and inverse swapped, the log-det negated. */
export class InverseTransform extends Transform {
  constructor(readonly base: Transform) {
    super();
  }
  override get name(): string {
    return `${this.base.name}.inv`;
  }
  get domain(): Constraint {
    return this.base.codomain;
  }
  get codomain(): Constraint {
    return this.base.domain;
  }
  forward(x: ArrayLike): NDArray {
    return this.base.inverse(x);
  }
  inverse(y: ArrayLike): NDArray {
    return this.base.forward(y);
  }
  logAbsDetJacobian(x: ArrayLike, y: ArrayLike): NDArray {
    return np.negative(this.base.logAbsDetJacobian(y, x));
  }
  override forwardShape(shape: Shape): number[] {
    return this.base.inverseShape(shape);
  }
  override inverseShape(shape: Shape): number[] {
    return this.base.forwardShape(shape);
  }
  override get sign(): ArrayLike {
    return this.base.sign;
  }
  override get inv(): Transform {
    return this.base;
  }
}

// ---- elementwise transforms -----------------------------------------------------------------

/** A transform between two fixed constraints (a transform without parameters). */
abstract class FixedTransform extends Transform {
  protected constructor(
    private readonly dom: Constraint,
    private readonly cod: Constraint,
  ) {
    super();
  }
  get domain(): Constraint {
    return this.dom;
  }
  get codomain(): Constraint {
    return this.cod;
  }
}

/** The identity on the reals. */
export class IdentityTransform extends FixedTransform {
  constructor() {
    super(real, real);
  }
  forward(x: ArrayLike): NDArray {
    return asArr(x);
  }
  inverse(y: ArrayLike): NDArray {
    return asArr(y);
  }
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    return np.zerosLike(x);
  }
  override get sign(): ArrayLike {
    return 1;
  }
}

/** The interval a constraint is (positive, nonnegative and unitInterval as intervals), or null. */
function asInterval(c: Constraint): Interval | null {
  if (c instanceof Interval) return c;
  if (c === positive) return new Interval(np.asarray(0), null, false, false);
  if (c === nonnegative) return new Interval(np.asarray(0), null, true, false);
  if (c === unitInterval) return new Interval(np.asarray(0), np.asarray(1), true, true);
  return null;
}

/** The image of an interval constraint under an increasing (or, with `flip`, decreasing) map `f`. */
function mapInterval(c: Interval, f: (v: NDArray) => NDArray, flip: boolean): Interval {
  const lo = c.lower === null ? null : f(c.lower);
  const hi = c.upper === null ? null : f(c.upper);
  return flip ? new Interval(hi, lo, c.upperInclusive, c.lowerInclusive) : new Interval(lo, hi, c.lowerInclusive, c.upperInclusive);
}

/** y = exp(x). Its codomain follows its domain: real → positive, ordered → positiveOrdered, an interval → its image. */
export class ExpTransform extends Transform {
  constructor(private readonly dom: Constraint = real) {
    super();
  }
  get domain(): Constraint {
    return this.dom;
  }
  get codomain(): Constraint {
    if (this.dom === real) return positive;
    if (this.dom === ordered) return positiveOrdered;
    const iv = asInterval(this.dom);
    if (iv !== null) return mapInterval(iv, np.exp, false);
    throw new Error(`ExpTransform: no codomain for the domain ${this.dom.name}`);
  }
  forward(x: ArrayLike): NDArray {
    return np.exp(x);
  }
  inverse(y: ArrayLike): NDArray {
    return np.log(y);
  }
  /** x, summed over the domain's event dimensions (e.g. for an ordered-vector domain). */
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    return sumRightmost(asArr(x), this.dom.eventDim);
  }
  override get sign(): ArrayLike {
    return 1;
  }
}

/**
 * y = loc + scale·x. The codomain is the image of the domain (real, or an interval constraint);
 * a scale that is not concrete (under jit/vmap) is taken to be positive there, as in NumPyro.
 */
export class AffineTransform extends Transform {
  readonly loc: NDArray;
  readonly scale: NDArray;
  constructor(
    loc: ArrayLike,
    scale: ArrayLike,
    private readonly dom: Constraint = real,
  ) {
    super();
    this.loc = asArr(loc);
    this.scale = asArr(scale);
  }
  get domain(): Constraint {
    return this.dom;
  }
  get codomain(): Constraint {
    if (this.dom === real) return real;
    const iv = asInterval(this.dom);
    if (iv !== null) {
      const negative = this.scale.isConcrete && np.all(np.less(this.scale, 0)).item() === 1;
      return mapInterval(iv, (v) => this.forward(v), negative);
    }
    throw new Error(`AffineTransform: no codomain for the domain ${this.dom.name}`);
  }
  forward(x: ArrayLike): NDArray {
    return np.add(this.loc, np.multiply(this.scale, x));
  }
  inverse(y: ArrayLike): NDArray {
    return np.divide(np.subtract(y, this.loc), this.scale);
  }
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    const shape = np.broadcastShapes(asArr(x).shape, this.loc.shape, this.scale.shape);
    return np.broadcastTo(np.log(np.abs(this.scale)), shape);
  }
  override forwardShape(shape: Shape): number[] {
    return np.broadcastShapes(shape, this.loc.shape, this.scale.shape);
  }
  override inverseShape(shape: Shape): number[] {
    return np.broadcastShapes(shape, this.loc.shape, this.scale.shape);
  }
  override get sign(): ArrayLike {
    return np.sign(this.scale);
  }
}

/** The smallest normal float32 and float32 machine epsilon (the clipping bounds of sigmoid and tanh). */
const TINY32 = 1.1754943508222875e-38;
const EPS32 = 1.1920928955078125e-7;

/** y = 1/(1 + e^{-x}), clipped into (0, 1) so that y stays inside the open unit interval. */
export class SigmoidTransform extends FixedTransform {
  constructor() {
    super(real, unitInterval);
  }
  forward(x: ArrayLike): NDArray {
    return np.clip(special.expit(x), TINY32, 1 - EPS32);
  }
  inverse(y: ArrayLike): NDArray {
    return special.logit(y);
  }
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    return np.negative(np.add(special.softplus(x), special.softplus(np.negative(x))));
  }
  override get sign(): ArrayLike {
    return 1;
  }
}

/** y = log(1 + e^x), onto the positive reals. */
export class SoftplusTransform extends FixedTransform {
  constructor() {
    super(real, positive);
  }
  forward(x: ArrayLike): NDArray {
    return special.softplus(x);
  }
  /** x = y + log(1 - e^{-y}). */
  inverse(y: ArrayLike): NDArray {
    return np.add(y, special.log1mexp(y));
  }
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    return np.negative(special.softplus(np.negative(x)));
  }
  override get sign(): ArrayLike {
    return 1;
  }
}

/** log(1 - tanh(x)²) = 2 (log 2 - x - softplus(-2x)), accurate for large |x|. */
function logSech2(x: ArrayLike): NDArray {
  const X = asArr(x);
  return np.multiply(2, np.subtract(np.subtract(LN2, X), special.softplus(np.multiply(-2, X))));
}

/** y = tanh(x), onto (-1, 1). */
export class TanhTransform extends FixedTransform {
  constructor() {
    super(real, interval(-1, 1));
  }
  forward(x: ArrayLike): NDArray {
    return np.tanh(x);
  }
  inverse(y: ArrayLike): NDArray {
    return np.arctanh(y);
  }
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    return logSech2(x);
  }
  override get sign(): ArrayLike {
    return 1;
  }
}

/** y = x^exponent on the positive reals. */
export class PowerTransform extends FixedTransform {
  readonly exponent: NDArray;
  constructor(exponent: ArrayLike) {
    super(positive, positive);
    this.exponent = asArr(exponent);
  }
  forward(x: ArrayLike): NDArray {
    return np.power(x, this.exponent);
  }
  inverse(y: ArrayLike): NDArray {
    return np.power(y, np.reciprocal(this.exponent));
  }
  /** log |exponent| + (exponent - 1) log x. */
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    return np.add(np.log(np.abs(this.exponent)), np.multiply(np.subtract(this.exponent, 1), np.log(x)));
  }
  override forwardShape(shape: Shape): number[] {
    return np.broadcastShapes(shape, this.exponent.shape);
  }
  override inverseShape(shape: Shape): number[] {
    return np.broadcastShapes(shape, this.exponent.shape);
  }
  override get sign(): ArrayLike {
    return np.sign(this.exponent);
  }
}

// ---- structural transforms ------------------------------------------------------------------

/**
 * Wraps a transform so that its `n` rightmost batch dimensions count as event dimensions:
 * the log-det is summed over them.
 */
export class IndependentTransform extends Transform {
  constructor(
    readonly base: Transform,
    readonly reinterpretedBatchNdims: number,
  ) {
    super();
    if (!Number.isInteger(reinterpretedBatchNdims) || reinterpretedBatchNdims < 0)
      throw new Error(`IndependentTransform: reinterpretedBatchNdims must be a non-negative integer, got ${reinterpretedBatchNdims}`);
  }
  override get name(): string {
    return `IndependentTransform(${this.base.name}, ${this.reinterpretedBatchNdims})`;
  }
  get domain(): Constraint {
    return independent(this.base.domain, this.reinterpretedBatchNdims);
  }
  get codomain(): Constraint {
    return independent(this.base.codomain, this.reinterpretedBatchNdims);
  }
  forward(x: ArrayLike): NDArray {
    return this.base.forward(x);
  }
  inverse(y: ArrayLike): NDArray {
    return this.base.inverse(y);
  }
  logAbsDetJacobian(x: ArrayLike, y: ArrayLike): NDArray {
    const r = this.base.logAbsDetJacobian(x, y);
    if (r.ndim < this.reinterpretedBatchNdims)
      throw new Error(`${this.name}: the input needs at least ${this.domain.eventDim} dimension(s), got shape ${fmtShape(asArr(x).shape)}`);
    return sumRightmost(r, this.reinterpretedBatchNdims);
  }
  override forwardShape(shape: Shape): number[] {
    return this.base.forwardShape(shape);
  }
  override inverseShape(shape: Shape): number[] {
    return this.base.inverseShape(shape);
  }
  override get sign(): ArrayLike {
    return this.base.sign;
  }
}

/**
 * The composition `parts[n-1] ∘ ... ∘ parts[0]` (applied first to last). The event dimension of
 * the whole is the largest any part needs; each part's log-det is summed over the dimensions that
 * are event dimensions of the whole but batch dimensions of the part.
 */
export class ComposeTransform extends Transform {
  readonly parts: readonly Transform[];
  constructor(parts: readonly Transform[]) {
    super();
    if (parts.length === 0) throw new Error("ComposeTransform: needs at least one part");
    this.parts = [...parts];
  }
  override get name(): string {
    return `ComposeTransform(${this.parts.map((p) => p.name).join(", ")})`;
  }
  /** The event dimension of the input of the whole composition. */
  private get inputEventDim(): number {
    const ps = this.parts;
    let d = ps[ps.length - 1].domain.eventDim;
    for (let i = ps.length - 2; i >= 0; i--) d = ps[i].domain.eventDim + Math.max(d - ps[i].codomain.eventDim, 0);
    return d;
  }
  /** The event dimension of the output of the whole composition. */
  private get outputEventDim(): number {
    const ps = this.parts;
    let d = ps[0].codomain.eventDim;
    for (let i = 1; i < ps.length; i++) d = ps[i].codomain.eventDim + Math.max(d - ps[i].domain.eventDim, 0);
    return d;
  }
  get domain(): Constraint {
    const first = this.parts[0].domain;
    return independent(first, this.inputEventDim - first.eventDim);
  }
  get codomain(): Constraint {
    const last = this.parts[this.parts.length - 1].codomain;
    return independent(last, this.outputEventDim - last.eventDim);
  }
  forward(x: ArrayLike): NDArray {
    let v = asArr(x);
    for (const p of this.parts) v = p.forward(v);
    return v;
  }
  inverse(y: ArrayLike): NDArray {
    let v = asArr(y);
    for (let i = this.parts.length - 1; i >= 0; i--) v = this.parts[i].inverse(v);
    return v;
  }
  logAbsDetJacobian(x: ArrayLike, y: ArrayLike): NDArray {
    let eventDim = this.inputEventDim;
    let v = asArr(x);
    let total: NDArray | null = null;
    this.parts.forEach((p, i) => {
      const next = i === this.parts.length - 1 ? asArr(y) : p.forward(v);
      const batchNdims = eventDim - p.domain.eventDim;
      const ld = sumRightmost(p.logAbsDetJacobian(v, next), batchNdims);
      total = total === null ? ld : np.add(total, ld);
      eventDim = p.codomain.eventDim + batchNdims;
      v = next;
    });
    return total!;
  }
  override forwardShape(shape: Shape): number[] {
    let s = [...shape];
    for (const p of this.parts) s = p.forwardShape(s);
    return s;
  }
  override inverseShape(shape: Shape): number[] {
    let s = [...shape];
    for (let i = this.parts.length - 1; i >= 0; i--) s = this.parts[i].inverseShape(s);
    return s;
  }
  override get sign(): ArrayLike {
    let s: ArrayLike = 1;
    for (const p of this.parts) s = np.multiply(s, p.sign);
    return s;
  }
}

// ---- vector and matrix transforms -----------------------------------------------------------

/**
 * R^{K-1} → the K-simplex by stick breaking (Stan's construction, shifted as in NumPyro so
 * that 0 maps to the uniform vector): z_j = σ(x_j − log(K−1−j)), y_j = z_j Π_{k<j}(1 − z_k),
 * y_{K−1} = Π_k (1 − z_k). Computed in log space; the inverse uses tail sums, not 1 − cumsum.
 */
export class StickBreakingTransform extends FixedTransform {
  constructor() {
    super(realVector, simplex);
  }
  /** x_j − log(K − 1 − j), j = 0..K−2. */
  private shifted(x: NDArray): NDArray {
    const n = x.shape[x.ndim - 1];
    return np.subtract(x, np.log(np.arange(n, 0, -1)));
  }
  forward(x: ArrayLike): NDArray {
    const X = withAxes(x, 1, this.name);
    const s = this.shifted(X);
    const logRest = special.logSigmoid(np.negative(s)); // log(1 - z_j)
    const logStick = np.cumsum(logRest, -1); // log Π_{k<=j}(1 - z_k)
    const logY = np.add(special.logSigmoid(s), exclusiveCumsum(logRest));
    return np.concatenate([np.exp(logY), np.exp(lastSlice(logStick, -1))], -1);
  }
  /** x_j = log y_j − log Σ_{k>j} y_k + log(K − 1 − j). */
  inverse(y: ArrayLike): NDArray {
    const Y = withAxes(y, 1, this.name);
    const tail = lastSlice(np.cumsum(Y, -1, true), 1);
    const x = np.subtract(np.log(lastSlice(Y, 0, -1)), np.log(np.maximum(tail, TINY32)));
    const n = x.shape[x.ndim - 1];
    return np.add(x, np.log(np.arange(n, 0, -1)));
  }
  /** Σ_j [log σ(s_j) + log σ(−s_j) + Σ_{k<j} log σ(−s_k)] (= Σ_j log(y_j (1 − z_j))). */
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    const s = this.shifted(asArr(x));
    const logRest = special.logSigmoid(np.negative(s));
    return np.sum(np.add(np.add(special.logSigmoid(s), logRest), exclusiveCumsum(logRest)), -1);
  }
  override forwardShape(shape: Shape): number[] {
    needAxes(shape, 1, this.name);
    return [...shape.slice(0, -1), shape[shape.length - 1] + 1];
  }
  override inverseShape(shape: Shape): number[] {
    needAxes(shape, 1, this.name);
    return [...shape.slice(0, -1), shape[shape.length - 1] - 1];
  }
}

/** R^K → increasing vectors: y_0 = x_0, y_j = y_{j−1} + exp(x_j) (Stan's ordered transform). */
export class OrderedTransform extends FixedTransform {
  constructor() {
    super(realVector, ordered);
  }
  forward(x: ArrayLike): NDArray {
    const X = withAxes(x, 1, this.name);
    return np.cumsum(np.concatenate([lastSlice(X, 0, 1), np.exp(lastSlice(X, 1))], -1), -1);
  }
  inverse(y: ArrayLike): NDArray {
    const Y = withAxes(y, 1, this.name);
    return np.concatenate([lastSlice(Y, 0, 1), np.log(np.subtract(lastSlice(Y, 1), lastSlice(Y, 0, -1)))], -1);
  }
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    return np.sum(lastSlice(asArr(x), 1), -1);
  }
}

/**
 * What CorrCholeskyTransform and LowerCholeskyTransform share: real vectors holding the lower
 * triangle of D x D matrices row by row (the strictly lower triangle when `strict`), mapped
 * onto the matrices.
 */
abstract class TriangleTransform extends FixedTransform {
  protected constructor(
    codomain: Constraint,
    private readonly strict: boolean,
  ) {
    super(realVector, codomain);
  }
  /** The number of entries in the triangle of a D x D matrix. */
  private entries(d: number): number {
    return this.strict ? (d * (d - 1)) / 2 : (d * (d + 1)) / 2;
  }
  /** The side D of the matrix whose triangle has `m` entries. */
  protected side(m: number): number {
    const root = Math.sqrt(1 + 8 * m);
    const d = Math.round(this.strict ? (1 + root) / 2 : (root - 1) / 2);
    if (this.entries(d) !== m) throw new Error(`${this.name}: a vector of length ${m} is not the ${this.strict ? "strictly " : ""}lower triangle of a square matrix`);
    return d;
  }
  override forwardShape(shape: Shape): number[] {
    needAxes(shape, 1, this.name);
    const d = this.side(shape[shape.length - 1]);
    return [...shape.slice(0, -1), d, d];
  }
  override inverseShape(shape: Shape): number[] {
    needAxes(shape, 2, this.name);
    const d = shape[shape.length - 1];
    return [...shape.slice(0, -2), this.entries(d)];
  }
}

/**
 * R^{D(D−1)/2} → Cholesky factors of D x D correlation matrices (NumPyro's construction): the
 * vector fills the strictly lower triangle row by row, each entry goes through tanh to r in
 * (−1, 1), and each row is stick-broken on the squares: y_ij = r_ij Π_{k<j} √(1 − r_ik²),
 * y_ii = Π_{k<i} √(1 − r_ik²). The log-det is with respect to the strictly lower entries of y.
 */
export class CorrCholeskyTransform extends TriangleTransform {
  constructor() {
    super(corrCholesky, true);
  }
  forward(x: ArrayLike): NDArray {
    const X = withAxes(x, 1, this.name);
    const d = this.side(X.shape[X.ndim - 1]);
    const t = np.clip(np.tanh(X), -1 + EPS32, 1 - EPS32);
    const r = vecToTril(t, d, -1);
    // log Π_{k<j} √(1 − r_ik²) along each row
    const logRemain = exclusiveCumsum(np.multiply(0.5, np.log1p(np.negative(np.square(r)))));
    return np.multiply(np.add(r, np.eye(d)), np.exp(logRemain));
  }
  inverse(y: ArrayLike): NDArray {
    const Y = withAxes(y, 2, this.name);
    // Π_{k<j} (1 − r_ik²) = 1 − Σ_{k<j} y_ik²
    const remain = np.subtract(1, exclusiveCumsum(np.square(Y)));
    const t = np.divide(trilToVec(Y, -1), np.sqrt(trilToVec(remain, -1)));
    return np.arctanh(t);
  }
  /** Σ over strictly lower entries of [log(1 − r_ij²) + ½ Σ_{k<j} log(1 − r_ik²)], from x. */
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    const X = asArr(x);
    const d = this.side(X.shape[X.ndim - 1]);
    const ls = vecToTril(logSech2(X), d, -1); // log(1 − r²) in the strict lower triangle, 0 elsewhere
    const stick = np.multiply(0.5, exclusiveCumsum(ls));
    const lower = np.tril(np.ones([d, d]), -1);
    return np.sum(np.add(ls, np.multiply(stick, lower)), [-2, -1]);
  }
}

/**
 * R^{D(D+1)/2} → lower-triangular matrices with a positive diagonal: the first D(D−1)/2
 * entries fill the strictly lower triangle row by row, the last D go through exp onto the diagonal.
 */
export class LowerCholeskyTransform extends TriangleTransform {
  constructor() {
    super(lowerCholesky, false);
  }
  forward(x: ArrayLike): NDArray {
    const X = withAxes(x, 1, this.name);
    const m = X.shape[X.ndim - 1];
    const d = this.side(m);
    const off = vecToTril(lastSlice(X, 0, m - d), d, -1);
    return np.add(off, np.diag(np.exp(lastSlice(X, m - d))));
  }
  inverse(y: ArrayLike): NDArray {
    const Y = withAxes(y, 2, this.name);
    return np.concatenate([trilToVec(Y, -1), np.log(np.diagonal(Y))], -1);
  }
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    const X = asArr(x);
    const m = X.shape[X.ndim - 1];
    const d = this.side(m);
    return np.sum(lastSlice(X, m - d), -1);
  }
}

/** Σ_i c_i log L_ii with c_i = offset − i (i = 0..D−1): the log-dets of L ↦ L Lᵀ. */
function weightedLogDiag(L: NDArray, offset: number): NDArray {
  const d = L.shape[L.ndim - 1];
  const c = np.arange(offset, offset - d, -1);
  return np.sum(np.multiply(c, np.log(np.diagonal(L))), -1);
}

/**
 * Positive-definite matrices → their lower Cholesky factors, y = cholesky(x). The log-det is
 * with respect to the lower-triangular entries of x and y: −D log 2 − Σ_i (D − i) log y_ii.
 */
export class CholeskyTransform extends FixedTransform {
  constructor() {
    super(positiveDefinite, lowerCholesky);
  }
  forward(x: ArrayLike): NDArray {
    return linalg.cholesky(x);
  }
  inverse(y: ArrayLike): NDArray {
    const Y = asArr(y);
    return np.matmul(Y, np.matrixTranspose(Y));
  }
  logAbsDetJacobian(x: ArrayLike, y: ArrayLike): NDArray {
    const Y = asArr(y);
    const d = Y.shape[Y.ndim - 1];
    return np.negative(np.add(weightedLogDiag(Y, d), d * LN2));
  }
}

/**
 * Correlation matrices → their Cholesky factors. The log-det is with respect to the strictly
 * lower entries of x and y: −Σ_i (D − 1 − i) log y_ii.
 */
export class CorrMatrixCholeskyTransform extends CholeskyTransform {
  override get domain(): Constraint {
    return corrMatrix;
  }
  override get codomain(): Constraint {
    return corrCholesky;
  }
  override logAbsDetJacobian(x: ArrayLike, y: ArrayLike): NDArray {
    const Y = asArr(y);
    return np.negative(weightedLogDiag(Y, Y.shape[Y.ndim - 1] - 1));
  }
}

// ---- bijectTo --------------------------------------------------------------------------------

/**
 * The transform from unconstrained reals onto `constraint` (NumPyro's `biject_to`): identity for
 * real, exp for positive and nonnegative, sigmoid and affine maps for intervals and circular,
 * stick breaking for simplex, the ordered, Cholesky and correlation transforms for the structured
 * constraints, and the transform of the base for `independent`. Discrete constraints have none.
 */
export function bijectTo(constraint: Constraint): Transform {
  const c = constraint;
  if (c.isDiscrete) throw new Error(`bijectTo: ${c.name} is a discrete constraint; there is no bijection from the reals onto it`);
  if (c === real) return new IdentityTransform();
  if (c === positive || c === nonnegative) return new ExpTransform();
  if (c === unitInterval) return new SigmoidTransform();
  if (c === circular) return new ComposeTransform([new SigmoidTransform(), new AffineTransform(-Math.PI, 2 * Math.PI, unitInterval)]);
  if (c === simplex) return new StickBreakingTransform();
  if (c === ordered) return new OrderedTransform();
  if (c === positiveOrdered) return new ComposeTransform([new OrderedTransform(), new ExpTransform(ordered)]);
  if (c === lowerCholesky) return new LowerCholeskyTransform();
  if (c === corrCholesky) return new CorrCholeskyTransform();
  if (c === corrMatrix) return new ComposeTransform([new CorrCholeskyTransform(), new CorrMatrixCholeskyTransform().inv]);
  if (c === positiveDefinite) return new ComposeTransform([new LowerCholeskyTransform(), new CholeskyTransform().inv]);
  if (c instanceof IndependentConstraint) return new IndependentTransform(bijectTo(c.base), c.reinterpreted);
  if (c instanceof Interval) {
    const { lower, upper } = c;
    if (lower !== null && upper !== null) {
      const unit = new SigmoidTransform();
      return new ComposeTransform([unit, new AffineTransform(lower, np.subtract(upper, lower), unitInterval)]);
    }
    if (lower !== null) return new ComposeTransform([new ExpTransform(), new AffineTransform(lower, 1, positive)]);
    if (upper !== null) return new ComposeTransform([new ExpTransform(), new AffineTransform(upper, -1, positive)]);
    return new IdentityTransform();
  }
  throw new Error(`bijectTo: no transform onto the constraint ${c.name}`);
}
