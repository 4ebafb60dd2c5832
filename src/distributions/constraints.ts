/**
 * Constraints: the support of a distribution or the domain of a parameter, as in NumPyro's
 * `constraints` module. A constraint checks values (a boolean array over the batch, event
 * dimensions reduced) and names a point inside itself; `bijectTo` (transforms) maps the reals
 * onto it.
 */
import { linalg, np, type Array as NDArray, type ArrayLike } from "../core/index.js";

/** A set of values: the support of a distribution or the domain of a parameter. */
export abstract class Constraint {
  /** A readable name, used in error messages (e.g. `positive`, `interval(0, 1)`). */
  abstract readonly name: string;
  /** How many rightmost dimensions one element of the set spans (0 for scalars, 1 for simplex). */
  readonly eventDim: number = 0;
  /** Whether the set is discrete (integers, booleans). */
  readonly isDiscrete: boolean = false;
  /** Whether `x` lies in the set: a boolean array of `x`'s shape without its event dimensions. */
  abstract check(x: ArrayLike): NDArray;
  /** A point in the set with the shape of `prototype` (NumPyro's `feasible_like`). */
  abstract feasibleLike(prototype: NDArray): NDArray;
  toString(): string {
    return this.name;
  }
}

/** A constraint given by a predicate (built from core ops) over its `eventDim` rightmost dimensions. */
class PredicateConstraint extends Constraint {
  constructor(
    readonly name: string,
    override readonly eventDim: number,
    private readonly test: (x: NDArray) => NDArray,
    private readonly feasible: (prototype: NDArray) => NDArray,
    override readonly isDiscrete = false,
  ) {
    super();
  }
  check(x: ArrayLike): NDArray {
    return this.test(np.asarray(x));
  }
  feasibleLike(prototype: NDArray): NDArray {
    return this.feasible(prototype);
  }
}

/** A constraint checked elementwise, with the constant `feasible` as its point. */
const elementwise = (name: string, test: (x: NDArray) => NDArray, feasible: number, isDiscrete = false): Constraint =>
  new PredicateConstraint(name, 0, test, (p) => np.fullLike(p, feasible), isDiscrete);

const isInteger = (x: NDArray) => np.equal(np.floor(x), x);

/** All real numbers (NaN excluded). */
export const real: Constraint = elementwise("real", (x) => np.logicalNot(np.isnan(x)), 0);
/** x > 0. */
export const positive: Constraint = elementwise("positive", (x) => np.greater(x, 0), 1);
/** x >= 0. */
export const nonnegative: Constraint = elementwise("nonnegative", (x) => np.greaterEqual(x, 0), 1);
/** 0 <= x <= 1. */
export const unitInterval: Constraint = elementwise("unitInterval", (x) => np.logicalAnd(np.greaterEqual(x, 0), np.lessEqual(x, 1)), 0.5);
/** Integers. */
export const integer: Constraint = elementwise("integer", isInteger, 0, true);
/** Integers >= 0. */
export const nonnegativeInteger: Constraint = elementwise("nonnegativeInteger", (x) => np.logicalAnd(isInteger(x), np.greaterEqual(x, 0)), 0, true);
/** Integers >= 1. */
export const positiveInteger: Constraint = elementwise("positiveInteger", (x) => np.logicalAnd(isInteger(x), np.greaterEqual(x, 1)), 1, true);
/** 0 or 1. */
export const boolean: Constraint = elementwise("boolean", (x) => np.logicalOr(np.equal(x, 0), np.equal(x, 1)), 0, true);
/** Angles in [-pi, pi). */
export const circular: Constraint = elementwise("circular", (x) => np.logicalAnd(np.greaterEqual(x, -Math.PI), np.lessEqual(x, Math.PI)), 0);

/** A bounded or half-bounded interval; `lower`/`upper` may be arrays (broadcast against x). */
export class Interval extends Constraint {
  readonly name: string;
  constructor(
    readonly lower: NDArray | null,
    readonly upper: NDArray | null,
    readonly lowerInclusive: boolean,
    readonly upperInclusive: boolean,
    override readonly isDiscrete = false,
  ) {
    super();
    const b = (v: NDArray | null) => (v === null ? "∞" : v.size === 1 && v.isConcrete ? String(v.item()) : `[${v.shape}]`);
    this.name = `${isDiscrete ? "integer" : ""}${lowerInclusive ? "[" : "("}${b(lower)}, ${b(upper)}${upperInclusive ? "]" : ")"}`.replace("∞, ", "-∞, ");
  }
  check(x: ArrayLike): NDArray {
    const a = np.asarray(x);
    let ok = this.isDiscrete ? isInteger(a) : np.logicalNot(np.isnan(a));
    if (this.lower !== null) ok = np.logicalAnd(ok, this.lowerInclusive ? np.greaterEqual(a, this.lower) : np.greater(a, this.lower));
    if (this.upper !== null) ok = np.logicalAnd(ok, this.upperInclusive ? np.lessEqual(a, this.upper) : np.less(a, this.upper));
    return ok;
  }
  feasibleLike(prototype: NDArray): NDArray {
    const { lower: lo, upper: hi } = this;
    let v: NDArray;
    if (lo !== null && hi !== null) v = this.isDiscrete ? lo : np.divide(np.add(lo, hi), 2);
    else if (lo !== null) v = this.isDiscrete ? lo : np.add(lo, 1);
    else if (hi !== null) v = this.isDiscrete ? hi : np.subtract(hi, 1);
    else v = np.zerosLike(prototype);
    return np.add(np.zerosLike(prototype), v);
  }
}

/** lower < x < upper (NumPyro's `interval`, open at both ends for the purpose of transforms). */
export const interval = (lower: ArrayLike, upper: ArrayLike): Interval => new Interval(np.asarray(lower), np.asarray(upper), true, true);
/** x > lower. */
export const greaterThan = (lower: ArrayLike): Interval => new Interval(np.asarray(lower), null, false, false);
/** x >= lower. */
export const greaterThanEq = (lower: ArrayLike): Interval => new Interval(np.asarray(lower), null, true, false);
/** x < upper. */
export const lessThan = (upper: ArrayLike): Interval => new Interval(null, np.asarray(upper), false, false);
/** Integers in [lower, upper]. */
export const integerInterval = (lower: ArrayLike, upper: ArrayLike): Interval => new Interval(np.asarray(lower), np.asarray(upper), true, true, true);
/** Integers >= lower. */
export const integerGreaterThan = (lower: ArrayLike): Interval => new Interval(np.asarray(lower), null, false, false, true);

/** `base` with its `n` rightmost batch dimensions reinterpreted as event dimensions. */
export class IndependentConstraint extends Constraint {
  readonly name: string;
  override readonly eventDim: number;
  override readonly isDiscrete: boolean;
  constructor(
    readonly base: Constraint,
    readonly reinterpreted: number,
  ) {
    super();
    if (!Number.isInteger(reinterpreted) || reinterpreted < 0) throw new Error(`independent: n must be a non-negative integer, got ${reinterpreted}`);
    this.name = `independent(${base.name}, ${reinterpreted})`;
    this.eventDim = base.eventDim + reinterpreted;
    this.isDiscrete = base.isDiscrete;
  }
  check(x: ArrayLike): NDArray {
    const ok = this.base.check(x);
    if (this.reinterpreted === 0) return ok;
    const axes = Array.from({ length: this.reinterpreted }, (_, i) => ok.ndim - 1 - i);
    return np.all(ok, axes);
  }
  feasibleLike(prototype: NDArray): NDArray {
    return this.base.feasibleLike(prototype);
  }
}

/** `c` over the `n` rightmost dimensions jointly (e.g. `independent(real, 1)` is a real vector). */
export const independent = (c: Constraint, n: number): Constraint => (n === 0 ? c : new IndependentConstraint(c, n));
/** Real vectors. */
export const realVector: Constraint = independent(real, 1);
/** Vectors of positive numbers. */
export const positiveVector: Constraint = independent(positive, 1);

const diffs = (x: NDArray) => {
  const n = x.shape[x.ndim - 1];
  return np.subtract(np.slice(x, [...x.shape.slice(0, -1).map(() => 0), 1]), np.slice(x, x.shape.map(() => 0), [...x.shape.slice(0, -1), n - 1]));
};

/** Vectors of nonnegative entries summing to 1 (within 1e-6 relative to the length). */
export const simplex: Constraint = new PredicateConstraint(
  "simplex",
  1,
  (x) => {
    const n = x.shape[x.ndim - 1];
    const sumOk = np.lessEqual(np.abs(np.subtract(np.sum(x, -1), 1)), 1e-6 * Math.max(1, n));
    return np.logicalAnd(np.all(np.greaterEqual(x, 0), -1), sumOk);
  },
  (p) => np.fullLike(p, 1 / p.shape[p.ndim - 1]),
);

/** Strictly increasing real vectors. */
export const ordered: Constraint = new PredicateConstraint(
  "ordered",
  1,
  (x) => np.logicalAnd(np.all(np.logicalNot(np.isnan(x)), -1), x.shape[x.ndim - 1] < 2 ? np.all(np.isfinite(x), -1) : np.all(np.greater(diffs(x), 0), -1)),
  (p) => np.add(np.zerosLike(p), np.arange(0, p.shape[p.ndim - 1])),
);

/** Strictly increasing vectors of positive numbers. */
export const positiveOrdered: Constraint = new PredicateConstraint(
  "positiveOrdered",
  1,
  (x) => np.logicalAnd(ordered.check(x), np.all(np.greater(x, 0), -1)),
  (p) => np.add(np.zerosLike(p), np.arange(1, p.shape[p.ndim - 1] + 1)),
);

const eyeLike = (p: NDArray) => np.add(np.zerosLike(p), np.eye(p.shape[p.ndim - 1]));
const allLast2 = (x: NDArray) => np.all(x, [x.ndim - 2, x.ndim - 1]);
const isLowerTriangular = (x: NDArray) => allLast2(np.equal(np.triu(x, 1), 0));
const isSymmetric = (x: NDArray) => allLast2(np.lessEqual(np.abs(np.subtract(x, np.matrixTranspose(x))), 1e-6));
/** Whether a symmetric matrix is positive definite: every Cholesky pivot is positive and finite. */
const isPositiveDefinite = (x: NDArray) => {
  const n = x.shape[x.ndim - 1];
  // Sylvester's criterion: every leading principal minor is positive
  let ok = isSymmetric(x);
  for (let k = 1; k <= n; k++) {
    const block = np.slice(x, x.shape.map(() => 0), [...x.shape.slice(0, -2), k, k]);
    ok = np.logicalAnd(ok, np.greater(linalg.det(block), 0));
  }
  return ok;
};

/** Lower-triangular matrices with a positive diagonal. */
export const lowerCholesky: Constraint = new PredicateConstraint(
  "lowerCholesky",
  2,
  (x) => np.logicalAnd(isLowerTriangular(x), np.all(np.greater(np.diagonal(x), 0), -1)),
  eyeLike,
);

/** Cholesky factors of correlation matrices: lower triangular, positive diagonal, rows of unit norm. */
export const corrCholesky: Constraint = new PredicateConstraint(
  "corrCholesky",
  2,
  (x) => {
    const unitRows = np.all(np.lessEqual(np.abs(np.subtract(np.sqrt(np.sum(np.square(x), -1)), 1)), 1e-6), -1);
    return np.logicalAnd(lowerCholesky.check(x), unitRows);
  },
  eyeLike,
);

/** Symmetric positive-definite matrices. */
export const positiveDefinite: Constraint = new PredicateConstraint("positiveDefinite", 2, isPositiveDefinite, eyeLike);

/** Correlation matrices: positive definite with a unit diagonal. */
export const corrMatrix: Constraint = new PredicateConstraint(
  "corrMatrix",
  2,
  (x) => np.logicalAnd(isPositiveDefinite(x), np.all(np.lessEqual(np.abs(np.subtract(np.diagonal(x), 1)), 1e-6), -1)),
  eyeLike,
);

/** Vectors of nonnegative integers summing to `totalCount` (the support of a Multinomial). */
export const multinomial = (totalCount: ArrayLike): Constraint => {
  const n = np.asarray(totalCount);
  return new PredicateConstraint(
    "multinomial",
    1,
    (x) => np.logicalAnd(np.all(nonnegativeInteger.check(x), -1), np.equal(np.sum(x, -1), n)),
    (p) => {
      const k = p.shape[p.ndim - 1];
      const first = np.concatenate([np.ones([1]), np.zeros([k - 1])]);
      return np.multiply(np.add(np.zerosLike(p), first), np.expandDims(n, -1));
    },
  );
};
