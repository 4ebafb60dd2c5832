/**
 * Reproducing kernels for Stein variational gradient descent (NumPyro's
 * `contrib/einstein/stein_kernels.py`). A kernel sees the current particles (a batch of
 * unconstrained latent vectors, shape `[n, D]`) and returns the function `k(x, y)` of two
 * particles that SVGD uses for this step, e.g. with a bandwidth computed from the particles.
 *
 * - {@link RBFKernel}: `exp(−‖x − y‖²/h)` with the median heuristic for `h`.
 * - {@link IMQKernel}: the inverse multi-quadric `(c² + ‖x − y‖²)^β`.
 * - {@link LinearKernel}: `x·y + 1`.
 */
import { np, stopGradient, type Array as NDArray } from "../core/index.js";

/**
 * How a kernel's value is shaped: `"norm"` gives one number per pair of particles; `"vector"`
 * one per coordinate, the d-th depending on the d-th coordinates of the two particles only
 * (SVGD then moves each coordinate with its own kernel weights).
 */
export type KernelMode = "norm" | "vector";

/** A kernel for SVGD. */
export interface SteinKernel {
  /** The shape of the kernel's value (see {@link KernelMode}). */
  readonly mode: KernelMode;
  /**
   * The kernel for the particles `particles` (shape `[n, D]`): a function of two particles
   * (each of shape `[D]`) that returns a scalar (`"norm"`) or a `[D]` vector (`"vector"`),
   * written with array ops so that it differentiates, batches and compiles.
   */
  compute(particles: NDArray): (x: NDArray, y: NDArray) => NDArray;
}

/** Sum of squares over the last axis (`"norm"`), or elementwise squares (`"vector"`). */
function squaredDistance(mode: KernelMode, x: NDArray, y: NDArray): NDArray {
  const d2 = np.square(np.subtract(x, y));
  return mode === "norm" ? np.sum(d2, -1) : d2;
}

function checkMode(who: string, mode: string, allowed: readonly KernelMode[]): KernelMode {
  if (!(allowed as readonly string[]).includes(mode)) throw new Error(`${who}: mode must be ${allowed.map((m) => `'${m}'`).join(" or ")}, got '${mode}'`);
  return mode as KernelMode;
}

/** Options of {@link RBFKernel}. */
export interface RBFKernelOptions {
  /** `"norm"` (default) or `"vector"`. */
  mode?: KernelMode;
  /** The factor applied to the squared median distance, a function of the number of particles n (default `1/log n`). */
  bandwidthFactor?: (numParticles: number) => number;
}

/**
 * The Gaussian RBF kernel `k(x, y) = exp(−‖x − y‖²/h)` (in `"vector"` mode `exp(−(x − y)²/h)`
 * per coordinate) with the median heuristic of Liu & Wang (2016):
 * `h = median(‖x_i − x_j‖ over all n² pairs, i = j included)² · bandwidthFactor(n)`, by default
 * `median²/log n` (1 for a single particle), plus the dtype's epsilon so that coinciding
 * particles give `k = 1`, not NaN. The bandwidth is a constant of the returned kernel: no
 * gradient flows through it.
 */
export class RBFKernel implements SteinKernel {
  /** The shape of the kernel's value. */
  readonly mode: KernelMode;
  private readonly bandwidthFactor: (numParticles: number) => number;

  constructor(opts: RBFKernelOptions = {}) {
    this.mode = checkMode("RBFKernel", opts.mode ?? "norm", ["norm", "vector"]);
    this.bandwidthFactor = opts.bandwidthFactor ?? ((n) => 1 / Math.log(n));
  }

  /** The bandwidth `h` for `particles` (shape `[n, D]`), a scalar. */
  bandwidth(particles: NDArray): NDArray {
    const n = particles.shape[0];
    if (n === 1) return np.array(1, particles.dtype);
    const diffs = np.subtract(np.expandDims(particles, 1), np.expandDims(particles, 0));
    const sorted = np.sort(np.ravel(np.sqrt(np.sum(np.square(diffs), -1))));
    const m = n * n;
    const median = m % 2 === 1 ? np.take(sorted, (m - 1) / 2) : np.mean(np.slice(sorted, [m / 2 - 1], [m / 2 + 1]));
    const eps = particles.dtype === "float64" ? 2.220446049250313e-16 : 1.1920928955078125e-7;
    return stopGradient(np.add(np.multiply(np.square(median), this.bandwidthFactor(n)), eps));
  }

  /** The kernel with the bandwidth of `particles` (shape `[n, D]`). */
  compute(particles: NDArray): (x: NDArray, y: NDArray) => NDArray {
    const h = this.bandwidth(particles);
    return (x, y) => np.exp(np.negative(np.divide(squaredDistance(this.mode, x, y), h)));
  }
}

/** Options of {@link IMQKernel}. */
export interface IMQKernelOptions {
  /** `"norm"` (default) or `"vector"`. */
  mode?: KernelMode;
  /** The positive constant c (default 1). */
  const?: number;
  /** The exponent β, in (−1, 0) (default −½). */
  expon?: number;
}

/**
 * The inverse multi-quadric kernel `k(x, y) = (c² + ‖x − y‖²)^β` of Gorham & Mackey (2017)
 * (in `"vector"` mode per coordinate), c > 0 and β in (−1, 0).
 */
export class IMQKernel implements SteinKernel {
  /** The shape of the kernel's value. */
  readonly mode: KernelMode;
  /** The constant c. */
  readonly const: number;
  /** The exponent β. */
  readonly expon: number;

  constructor(opts: IMQKernelOptions = {}) {
    this.mode = checkMode("IMQKernel", opts.mode ?? "norm", ["norm", "vector"]);
    this.const = opts.const ?? 1;
    this.expon = opts.expon ?? -0.5;
    if (!(this.const > 0)) throw new Error(`IMQKernel: const must be positive, got ${this.const}`);
    if (!(this.expon > -1 && this.expon < 0)) throw new Error(`IMQKernel: expon must be in (-1, 0), got ${this.expon}`);
  }

  /** The kernel (the same for all particles). */
  compute(_particles: NDArray): (x: NDArray, y: NDArray) => NDArray {
    const c2 = this.const * this.const;
    return (x, y) => np.power(np.add(c2, squaredDistance(this.mode, x, y)), this.expon);
  }
}

/** The linear kernel `k(x, y) = x·y + 1` (Liu & Wang 2018: SVGD with it matches first and second moments). */
export class LinearKernel implements SteinKernel {
  /** The shape of the kernel's value: always `"norm"`. */
  readonly mode: KernelMode = "norm";

  /** The kernel (the same for all particles). */
  compute(_particles: NDArray): (x: NDArray, y: NDArray) => NDArray {
    return (x, y) => np.add(np.sum(np.multiply(x, y), -1), 1);
  }
}
