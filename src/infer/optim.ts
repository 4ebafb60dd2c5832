/**
 * First-order optimizers for SVI as pure triples `{ init, update, getParams }` over pytrees of
 * arrays (the interface of `jax.example_libraries.optimizers`, which NumPyro's `optim` wraps):
 * `init(params)` builds a state, `update(grads, state)` takes one step, `getParams(state)` reads
 * the current parameters. States are pytrees of arrays, so an update runs eagerly, under `jit`
 * and inside `scan`. Every step size may be a number or a schedule of the step count
 * ({@link exponentialDecay}, {@link piecewiseConstant}, or any function of it).
 */
import { defaultFloat, np, tree, type Array as NDArray, type PyTree } from "../core/index.js";

/** A step-size schedule: the step size at step `i` (an int32 scalar, 0 at the first update). */
export type Schedule = (i: NDArray) => NDArray;

/** A step size: a constant, or a {@link Schedule}. */
export type StepSize = number | Schedule;

/**
 * The state of an optimizer: the number of updates taken, the parameters, and named per-leaf
 * statistics (`slots`, each a pytree shaped like the parameters: Adam's moments, ...).
 */
export interface OptimizerState<P = PyTree<NDArray>> {
  /** Number of updates applied so far (an int32 scalar). */
  readonly step: NDArray;
  /** The current parameters. */
  readonly params: P;
  /** Per-parameter statistics by name, each with the structure of `params`. */
  readonly slots: Readonly<Record<string, P>>;
}

/** A pure optimizer over pytrees of float arrays. */
export interface Optimizer {
  /** The state before the first step, at `params`. */
  init<P extends PyTree<NDArray>>(params: P): OptimizerState<P>;
  /** The state after one step along `grads` (gradients of the loss, shaped like the params). */
  update<P extends PyTree<NDArray>>(grads: P, state: OptimizerState<P>): OptimizerState<P>;
  /** The parameters held by `state`. */
  getParams<P extends PyTree<NDArray>>(state: OptimizerState<P>): P;
}

/**
 * One step of an elementwise optimizer on a single leaf: given the step size `lr` at this step,
 * the step index `t` (as a float scalar, 0 first), the gradient `g`, the value `x` and the
 * leaf's slots, returns the new value and the new slots (in the order of the slot names).
 */
type LeafStep = (lr: NDArray, t: NDArray, g: NDArray, x: NDArray, slots: readonly NDArray[]) => [NDArray, NDArray[]];

/** Builds an optimizer from a per-leaf step with the given slots (all initialized to zeros). */
function elementwise(who: string, stepSize: StepSize, slotNames: readonly string[], leafStep: LeafStep): Optimizer {
  const schedule = asSchedule(who, stepSize);
  return {
    init<P extends PyTree<NDArray>>(params: P): OptimizerState<P> {
      for (const x of tree.leaves(params as PyTree<NDArray>)) checkLeaf(who, x);
      const zeros = () => tree.map((x: NDArray) => np.zerosLike(x), params) as P;
      return { step: np.array(0, "int32"), params, slots: Object.fromEntries(slotNames.map((n) => [n, zeros()])) };
    },
    update<P extends PyTree<NDArray>>(grads: P, state: OptimizerState<P>): OptimizerState<P> {
      const [xs, def] = tree.flatten(state.params as PyTree<NDArray>);
      const gs = tree.leaves(grads as PyTree<NDArray>);
      if (gs.length !== xs.length) throw new Error(`${who}: ${gs.length} gradient leaves for ${xs.length} parameters`);
      const slotLeaves = slotNames.map((n) => tree.leaves(state.slots[n] as PyTree<NDArray>));
      const lr = schedule(state.step);
      const newXs: NDArray[] = [];
      const newSlots: NDArray[][] = slotNames.map(() => []);
      xs.forEach((x, i) => {
        const t = np.astype(state.step, x.dtype);
        const [nx, ns] = leafStep(np.astype(lr, x.dtype), t, gs[i], x, slotLeaves.map((s) => s[i]));
        newXs.push(nx);
        ns.forEach((s, k) => newSlots[k].push(s));
      });
      return {
        step: np.add(state.step, np.array(1, "int32")),
        params: tree.unflatten(def, newXs) as P,
        slots: Object.fromEntries(slotNames.map((n, k) => [n, tree.unflatten(def, newSlots[k]) as P])),
      };
    },
    getParams<P extends PyTree<NDArray>>(state: OptimizerState<P>): P {
      return state.params;
    },
  };
}

function checkLeaf(who: string, x: NDArray): NDArray {
  if (x.dtype !== "float32" && x.dtype !== "float64") throw new Error(`${who}: parameters must be float arrays, got a ${x.dtype} array of shape [${x.shape.join(", ")}]`);
  return x;
}

/** A step size as a schedule, with an error naming the optimizer when a constant is not a positive number. */
function asSchedule(who: string, stepSize: StepSize): Schedule {
  if (typeof stepSize === "function") return stepSize;
  if (!(Number.isFinite(stepSize) && stepSize > 0)) throw new Error(`${who}: the step size must be a positive number or a schedule, got ${stepSize}`);
  return () => np.array(stepSize);
}

/** Checks that an optimizer's hyperparameter lies in [lo, hi). */
function inRange(who: string, name: string, v: number, lo: number, hi: number): number {
  if (!(v >= lo && v < hi)) throw new Error(`${who}: ${name} must be in [${lo}, ${hi}), got ${v}`);
  return v;
}

/** Gradient descent: `x ← x − lr·g`. */
export function sgd(stepSize: StepSize): Optimizer {
  return elementwise("sgd", stepSize, [], (lr, _t, g, x) => [np.subtract(x, np.multiply(lr, g)), []]);
}

/** Gradient descent with momentum: `v ← mass·v + g`, `x ← x − lr·v` (default mass 0.9). */
export function momentum(stepSize: StepSize, mass = 0.9): Optimizer {
  inRange("momentum", "mass", mass, 0, 1);
  return elementwise("momentum", stepSize, ["velocity"], (lr, _t, g, x, [v]) => {
    const nv = np.add(np.multiply(mass, v), g);
    return [np.subtract(x, np.multiply(lr, nv)), [nv]];
  });
}

/**
 * Adagrad with momentum (as `jax.example_libraries.optimizers.adagrad`): `G ← G + g²`,
 * `m ← (1 − momentum)·g/√G + momentum·m` (0 where G is 0), `x ← x − lr·m`. Default momentum 0.9.
 */
export function adagrad(stepSize: StepSize, momentum = 0.9): Optimizer {
  inRange("adagrad", "momentum", momentum, 0, 1);
  return elementwise("adagrad", stepSize, ["sumSquares", "momentum"], (lr, _t, g, x, [gsq, m]) => {
    const ngsq = np.add(gsq, np.square(g));
    const positive = np.greater(ngsq, 0);
    const invSqrt = np.where(positive, np.divide(1, np.sqrt(np.where(positive, ngsq, 1))), 0);
    const nm = np.add(np.multiply(1 - momentum, np.multiply(g, invSqrt)), np.multiply(momentum, m));
    return [np.subtract(x, np.multiply(lr, nm)), [ngsq, nm]];
  });
}

/** RMSProp: `s ← γ·s + (1 − γ)·g²`, `x ← x − lr·g/√(s + eps)` (defaults γ = 0.9, eps = 1e-8). */
export function rmsprop(stepSize: StepSize, opts: { gamma?: number; eps?: number } = {}): Optimizer {
  const gamma = inRange("rmsprop", "gamma", opts.gamma ?? 0.9, 0, 1);
  const eps = opts.eps ?? 1e-8;
  return elementwise("rmsprop", stepSize, ["meanSquare"], (lr, _t, g, x, [s]) => {
    const ns = np.add(np.multiply(gamma, s), np.multiply(1 - gamma, np.square(g)));
    return [np.subtract(x, np.divide(np.multiply(lr, g), np.sqrt(np.add(ns, eps)))), [ns]];
  });
}

/** Options of {@link adam}, {@link adamax} and {@link clippedAdam}. */
export interface AdamOptions {
  /** Decay rate of the first moment (default 0.9). */
  b1?: number;
  /** Decay rate of the second moment (default 0.999). */
  b2?: number;
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
}

/** Adam's moment updates and bias-corrected step for one leaf. */
function adamStep(who: string, opts: AdamOptions): LeafStep {
  const b1 = inRange(who, "b1", opts.b1 ?? 0.9, 0, 1);
  const b2 = inRange(who, "b2", opts.b2 ?? 0.999, 0, 1);
  const eps = opts.eps ?? 1e-8;
  return (lr, t, g, x, [m, v]) => {
    const nm = np.add(np.multiply(1 - b1, g), np.multiply(b1, m));
    const nv = np.add(np.multiply(1 - b2, np.square(g)), np.multiply(b2, v));
    const t1 = np.add(t, 1);
    const mHat = np.divide(nm, np.subtract(1, np.power(b1, t1)));
    const vHat = np.divide(nv, np.subtract(1, np.power(b2, t1)));
    return [np.subtract(x, np.divide(np.multiply(lr, mHat), np.add(np.sqrt(vHat), eps))), [nm, nv]];
  };
}

/**
 * Adam (Kingma & Ba): `m ← b1·m + (1 − b1)·g`, `v ← b2·v + (1 − b2)·g²`, and with the
 * bias-corrected `m̂ = m/(1 − b1^(t+1))`, `v̂ = v/(1 − b2^(t+1))`: `x ← x − lr·m̂/(√v̂ + eps)`.
 */
export function adam(stepSize: StepSize, opts: AdamOptions = {}): Optimizer {
  return elementwise("adam", stepSize, ["m", "v"], adamStep("adam", opts));
}

/**
 * Adam whose gradients are first clipped elementwise to [−clipNorm, clipNorm] (NumPyro's
 * `ClippedAdam`; default clipNorm 10).
 */
export function clippedAdam(stepSize: StepSize, opts: AdamOptions & { clipNorm?: number } = {}): Optimizer {
  const clip = opts.clipNorm ?? 10;
  if (!(clip > 0)) throw new Error(`clippedAdam: clipNorm must be positive, got ${clip}`);
  const step = adamStep("clippedAdam", opts);
  return elementwise("clippedAdam", stepSize, ["m", "v"], (lr, t, g, x, slots) => step(lr, t, np.clip(g, -clip, clip), x, slots));
}

/**
 * Adamax (the infinity-norm variant of Adam): `m ← b1·m + (1 − b1)·g`, `u ← max(b2·u, |g|)`,
 * `x ← x − (lr/(1 − b1^(t+1)))·m/(u + eps)`.
 */
export function adamax(stepSize: StepSize, opts: AdamOptions = {}): Optimizer {
  const b1 = inRange("adamax", "b1", opts.b1 ?? 0.9, 0, 1);
  const b2 = inRange("adamax", "b2", opts.b2 ?? 0.999, 0, 1);
  const eps = opts.eps ?? 1e-8;
  return elementwise("adamax", stepSize, ["m", "u"], (lr, t, g, x, [m, u]) => {
    const nm = np.add(np.multiply(1 - b1, g), np.multiply(b1, m));
    const nu = np.maximum(np.multiply(b2, u), np.abs(g));
    const rate = np.divide(lr, np.subtract(1, np.power(b1, np.add(t, 1))));
    return [np.subtract(x, np.multiply(rate, np.divide(nm, np.add(nu, eps)))), [nm, nu]];
  });
}

/** The schedule `stepSize · decayRate^(i / decaySteps)`. */
export function exponentialDecay(stepSize: number, decaySteps: number, decayRate: number): Schedule {
  if (!(stepSize > 0 && decaySteps > 0 && decayRate > 0))
    throw new Error(`exponentialDecay: stepSize, decaySteps and decayRate must be positive, got ${stepSize}, ${decaySteps}, ${decayRate}`);
  return (i) => np.multiply(stepSize, np.power(decayRate, np.divide(np.astype(i, defaultFloat()), decaySteps)));
}

/**
 * The schedule that is `values[0]` up to and including step `boundaries[0]`, `values[1]` up to
 * `boundaries[1]`, ..., and `values[boundaries.length]` after the last boundary (as JAX's
 * `piecewise_constant`: the value at step i is `values[#{b : i > b}]`).
 */
export function piecewiseConstant(boundaries: readonly number[], values: readonly number[]): Schedule {
  if (values.length !== boundaries.length + 1)
    throw new Error(`piecewiseConstant: needs one more value than boundaries, got ${values.length} values and ${boundaries.length} boundaries`);
  if (boundaries.some((b, k) => k > 0 && b <= boundaries[k - 1])) throw new Error(`piecewiseConstant: boundaries must increase, got [${boundaries.join(", ")}]`);
  const b = np.array([...boundaries], "int32");
  const v = np.array([...values]);
  return (i) => np.take(v, np.sum(np.astype(np.greater(i, b), "int32")));
}
