/**
 * Normalizing-flow transforms on real vectors (NumPyro's `flows` module): the inverse
 * autoregressive transform (Kingma et al. 2016) and the permutation that reorders entries
 * between flows.
 */
import { np, stopGradient, type Array as NDArray, type ArrayLike } from "../core/index.js";
import { realVector, type Constraint } from "./constraints.js";
import { Transform } from "./transforms.js";

/** An autoregressive map from `x` (`[..., D]`) to a shift and a log scale of the same shape (entry i depending on the entries before it). */
export type AutoregressiveFn = (x: NDArray) => readonly NDArray[];

/** Options of {@link InverseAutoregressiveTransform}. */
export interface InverseAutoregressiveOptions {
  /** Smallest log scale (default -5); clipped values keep their gradient. */
  logScaleMinClip?: number;
  /** Largest log scale (default 3). */
  logScaleMaxClip?: number;
}

/**
 * `y = exp(s(x)) · x + m(x)` with `[m, s] = arn(x)` autoregressive, so ∂y/∂x is triangular in
 * the network's ordering and log |det J| = Σ s(x). The log scale is clipped to
 * `[logScaleMinClip, logScaleMaxClip]` in value but not in gradient (NumPyro's
 * `InverseAutoregressiveTransform`). The forward map is one network pass; the inverse solves for
 * one more entry per pass, D passes in all.
 */
export class InverseAutoregressiveTransform extends Transform {
  readonly arn: AutoregressiveFn;
  readonly logScaleMinClip: number;
  readonly logScaleMaxClip: number;

  constructor(arn: AutoregressiveFn, opts: InverseAutoregressiveOptions = {}) {
    super();
    this.arn = arn;
    this.logScaleMinClip = opts.logScaleMinClip ?? -5;
    this.logScaleMaxClip = opts.logScaleMaxClip ?? 3;
    if (!(this.logScaleMinClip < this.logScaleMaxClip))
      throw new Error(`InverseAutoregressiveTransform: logScaleMinClip (${this.logScaleMinClip}) must be below logScaleMaxClip (${this.logScaleMaxClip})`);
  }
  get domain(): Constraint {
    return realVector;
  }
  get codomain(): Constraint {
    return realVector;
  }

  /** The shift and the clipped log scale at `x`. */
  private shiftAndLogScale(x: NDArray): [NDArray, NDArray] {
    const out = this.arn(x);
    if (out.length !== 2) throw new Error(`InverseAutoregressiveTransform: the network must return a shift and a log scale, got ${out.length} output(s)`);
    const [shift, raw] = out;
    const clipped = np.clip(raw, this.logScaleMinClip, this.logScaleMaxClip);
    return [shift, np.add(raw, stopGradient(np.subtract(clipped, raw)))];
  }

  /** `y` and log |det ∂y/∂x| from one network pass. */
  forwardWithLogDet(x: ArrayLike): [NDArray, NDArray] {
    const v = np.asarray(x);
    const [shift, logScale] = this.shiftAndLogScale(v);
    return [np.add(np.multiply(np.exp(logScale), v), shift), np.sum(logScale, -1)];
  }

  forward(x: ArrayLike): NDArray {
    return this.forwardWithLogDet(x)[0];
  }

  inverse(y: ArrayLike): NDArray {
    const v = np.asarray(y);
    const d = v.shape[v.ndim - 1];
    let x = np.zerosLike(v);
    for (let pass = 0; pass < d; pass++) {
      const [shift, logScale] = this.shiftAndLogScale(x);
      x = np.multiply(np.subtract(v, shift), np.exp(np.negative(logScale)));
    }
    return x;
  }

  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    return np.sum(this.shiftAndLogScale(np.asarray(x))[1], -1);
  }
}

/** Reorders the entries of vectors: `y[..., i] = x[..., permutation[i]]` (volume preserving). */
export class PermuteTransform extends Transform {
  readonly permutation: readonly number[];
  private readonly forwardIndex: NDArray;
  private readonly inverseIndex: NDArray;

  constructor(permutation: readonly number[]) {
    super();
    const n = permutation.length;
    if (new Set(permutation).size !== n || permutation.some((p) => !(Number.isInteger(p) && p >= 0 && p < n)))
      throw new Error(`PermuteTransform: permutation must order 0..${n - 1}, got [${permutation.join(", ")}]`);
    this.permutation = [...permutation];
    const inverse = new Array<number>(n);
    permutation.forEach((p, i) => (inverse[p] = i));
    this.forwardIndex = np.array(this.permutation, "int32");
    this.inverseIndex = np.array(inverse, "int32");
  }
  get domain(): Constraint {
    return realVector;
  }
  get codomain(): Constraint {
    return realVector;
  }
  private check(v: NDArray): NDArray {
    if (v.shape[v.ndim - 1] !== this.permutation.length)
      throw new Error(`PermuteTransform: expected vectors of ${this.permutation.length} entries, got shape [${v.shape.join(", ")}]`);
    return v;
  }
  forward(x: ArrayLike): NDArray {
    return np.take(this.check(np.asarray(x)), this.forwardIndex, -1);
  }
  inverse(y: ArrayLike): NDArray {
    return np.take(this.check(np.asarray(y)), this.inverseIndex, -1);
  }
  logAbsDetJacobian(x: ArrayLike, _y?: ArrayLike): NDArray {
    const v = np.asarray(x);
    return np.zeros(v.shape.slice(0, -1), v.dtype);
  }
}
