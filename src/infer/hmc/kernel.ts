/**
 * The HMC and NUTS kernels: a pure transition `sample(state) -> state` over a flat
 * unconstrained position, with warmup adaptation inside it, so the MCMC driver can jit it,
 * vmap it over chains and scan it over iterations. `init` prepares the model (unconstrained
 * space, potential energy, a valid start) with `initializeModel`, or takes a potential
 * function and an initial point directly.
 */
import { cond, forLoop, np, random, ravel, tree, valueAndGrad, vmap, type Array as NDArray, type PyTree } from "../../core/index.js";
import { substitute, type Model } from "../../handlers/index.js";
import { initToUniform, type InitStrategy } from "../init-strategies.js";
import { initializeModel, potentialEnergy, type Params } from "../util.js";
import { adaptInit, adaptUpdate, massMatrixSqrt, type AdaptOptions, type AdaptState } from "./adaptation.js";
import { findReasonableStepSize } from "./step-size.js";
import { kineticEnergy, leapfrog, momentumFromNoise, type IntegratorState, type PotentialAndGrad } from "./integrator.js";
import { buildTree, MAX_DELTA_ENERGY, type TrajectoryResult } from "./nuts.js";

/** The state of one chain between transitions. */
export interface HMCState {
  /** Iteration count (warmup included). */
  readonly i: NDArray;
  /** Unconstrained position, flattened. */
  readonly z: NDArray;
  readonly zGrad: NDArray;
  readonly potentialEnergy: NDArray;
  readonly energy: NDArray;
  readonly numSteps: NDArray;
  readonly acceptProb: NDArray;
  /** Running mean of acceptProb since the end of warmup. */
  readonly meanAcceptProb: NDArray;
  readonly diverging: NDArray;
  readonly treeDepth: NDArray;
  readonly adapt: AdaptState;
  readonly key: NDArray;
}

/** Options shared by HMC and NUTS (NumPyro's names, camelCased). */
export interface HMCOptions {
  /** Initial step size (default 1). */
  stepSize?: number;
  /** Search for an initial step size from `stepSize` (NumPyro's find_heuristic_step_size; default off). */
  findHeuristicStepSize?: boolean;
  adaptStepSize?: boolean;
  adaptMassMatrix?: boolean;
  /** Estimate a full inverse mass matrix instead of a diagonal one. */
  denseMass?: boolean;
  regularizeMassMatrix?: boolean;
  /** Target mean acceptance statistic of step-size adaptation (default 0.8). */
  targetAcceptProb?: number;
  /** A fixed starting inverse mass matrix (vector or matrix). */
  invMassMatrix?: NDArray;
  /** How latent sites get their starting values (default initToUniform()). */
  initStrategy?: InitStrategy;
  /** A potential energy of a flat or structured position, instead of a model. */
  potentialFn?: (z: any) => NDArray;
}

/** Options of HMC with a fixed trajectory length. */
export interface StaticHMCOptions extends HMCOptions {
  /** Integration time per transition (default 2π); the number of steps is its ratio to the step size. */
  trajectoryLength?: number;
  /** A fixed number of leapfrog steps (overrides trajectoryLength). */
  numSteps?: number;
}

/** Options of NUTS. */
export interface NUTSOptions extends HMCOptions {
  /** Maximum tree depth (default 10), or [during warmup, after warmup]. */
  maxTreeDepth?: number | readonly [number, number];
}

/**
 * What a transition reads besides its state: the model's arguments and the values of its
 * `param` sites (fixed during MCMC). The driver passes them as arguments of the compiled
 * program, so new data of the same shapes runs without recompiling.
 */
export interface TransitionInputs {
  readonly args: readonly unknown[];
  readonly fixed: Params;
}

/** What the driver needs from a kernel. */
export interface MCMCKernel {
  /** Prepares the target and returns the starting state(s): one per key in a `[n, 2]` key batch. */
  init(key: NDArray, numWarmup: number, modelArgs: unknown[], initParams?: PyTree): HMCState;
  /** The inputs of the target prepared by the last `init`. */
  readonly inputs: TransitionInputs;
  /** One transition (pure; jit and vmap apply), by default on the inputs of the last `init`. */
  sample(state: HMCState, inputs?: TransitionInputs): HMCState;
  /** Constrained values (and deterministic sites) of flat positions with a leading draws axis. */
  postprocess(zs: NDArray): Record<string, NDArray>;
}

/** Shared machinery of HMC and NUTS: targets, initial state, adaptation around a trajectory. */
abstract class HamiltonianKernel implements MCMCKernel {
  /** The potential energy and its gradient at a flat position, for given inputs (set by init). */
  private targetOf: ((inputs: TransitionInputs) => PotentialAndGrad) | null = null;
  private lastInputs: TransitionInputs | null = null;
  private postprocessFlat: ((z: NDArray) => Record<string, NDArray>) | null = null;
  protected numWarmup = 0;
  protected adaptOptions: AdaptOptions = { numWarmup: 0 };

  constructor(
    readonly model: Model | null,
    readonly options: HMCOptions,
  ) {
    if (!model && !options.potentialFn) throw new Error(`${new.target.name}: give a model or options.potentialFn`);
  }

  /** The trajectory from `start` (momentum drawn): the new point and its statistics. */
  protected abstract trajectory(
    s: HMCState,
    start: IntegratorState,
    key: NDArray,
    target: PotentialAndGrad,
  ): Omit<TrajectoryResult, "turning">;

  init(key: NDArray, numWarmup: number, modelArgs: unknown[], initParams?: PyTree): HMCState {
    this.numWarmup = numWarmup;
    const o = this.options;
    this.adaptOptions = {
      numWarmup,
      targetAcceptProb: o.targetAcceptProb,
      adaptStepSize: o.adaptStepSize,
      adaptMassMatrix: o.adaptMassMatrix,
      denseMass: o.denseMass,
      regularizeMassMatrix: o.regularizeMassMatrix,
    };
    const batched = key.ndim === 2;
    let z0: PyTree;
    let potentialOf: (inputs: TransitionInputs) => (z: any) => NDArray;
    let post: (z: any) => Record<string, NDArray>;
    const fixed: Params = {};
    if (this.model) {
      const model = this.model;
      const info = initializeModel(key, model, { initStrategy: o.initStrategy ?? initToUniform(), modelArgs });
      for (const [name, site] of info.modelTrace) if (site.type === "param") fixed[name] = site.value!;
      potentialOf = (inputs) => (z) => potentialEnergy(substitute(model, inputs.fixed), inputs.args as unknown[], z, info.potentialOptions);
      post = info.postprocessFn;
      z0 = initParams ?? info.paramInfo.z;
    } else {
      if (initParams === undefined) throw new Error(`${this.constructor.name}: with a potentialFn, MCMC needs initParams`);
      const potential = o.potentialFn!;
      potentialOf = () => potential;
      post = (z) => (z instanceof Object && !("shape" in (z as object)) ? (z as Record<string, NDArray>) : { z: z as NDArray });
      z0 = initParams;
    }
    if (batched && !tree.leaves(z0).every((x) => (x as NDArray).ndim > 0 && (x as NDArray).shape[0] === key.shape[0]))
      throw new Error(`${this.constructor.name}: with a batch of ${key.shape[0]} keys, the initial position needs a leading axis of that length`);
    // flatten one chain's position; batched starts are flattened member by member
    const one = batched ? tree.map((x) => np.take(x as NDArray, 0, 0), z0) : z0;
    const [flat, unravel] = ravel(one);
    const fromFlat = (z: NDArray) => unravel(z) as PyTree;
    this.targetOf = (inputs) => {
      const potential = potentialOf(inputs);
      return (z) => valueAndGrad((v: NDArray) => potential(fromFlat(v)))(z) as [NDArray, NDArray];
    };
    this.lastInputs = { args: modelArgs, fixed };
    const target = this.targetOf(this.lastInputs);
    this.postprocessFlat = (z) => post(fromFlat(z));
    const dim = flat.shape[0];
    const start = (k: NDArray, zf: NDArray): HMCState => {
      const [pe, g] = target(zf);
      const invMass = o.invMassMatrix ?? (o.denseMass ? np.eye(dim) : np.ones([dim]));
      let stepSize: NDArray | number = o.stepSize ?? 1;
      let chainKey = k;
      if (o.findHeuristicStepSize) {
        const [kChain, kSearch] = random.splitList(k);
        const massSqrt = massMatrixSqrt(invMass);
        const momentum = (key: NDArray) => momentumFromNoise(massSqrt, random.normal(key, [dim]));
        stepSize = findReasonableStepSize(target, invMass, { z: zf, potential: pe, grad: g }, stepSize, momentum, kSearch);
        chainKey = kChain;
      }
      return {
        i: np.array(0, "int32"),
        z: zf,
        zGrad: g,
        potentialEnergy: pe,
        energy: pe,
        numSteps: np.array(0),
        acceptProb: np.array(0),
        meanAcceptProb: np.array(0),
        diverging: np.array(false),
        treeDepth: np.array(0, "int32"),
        adapt: adaptInit(dim, stepSize, invMass, this.adaptOptions),
        key: chainKey,
      };
    };
    if (!batched) return start(key, flat);
    const flats = vmap((z: PyTree) => ravel(z)[0])(z0) as NDArray;
    return vmap(start)(key, flats) as HMCState;
  }

  get inputs(): TransitionInputs {
    if (!this.lastInputs) throw new Error(`${this.constructor.name}: call init first`);
    return this.lastInputs;
  }

  sample(s: HMCState, inputs: TransitionInputs = this.inputs): HMCState {
    if (!this.targetOf) throw new Error(`${this.constructor.name}: call init first`);
    const [kNext, kMomentum, kTrajectory] = random.splitList(s.key, 3);
    const eps = random.normal(kMomentum, s.z.shape);
    const r = momentumFromNoise(s.adapt.massSqrt, eps);
    const start: IntegratorState = { z: s.z, r, potential: s.potentialEnergy, grad: s.zGrad };
    const t = this.trajectory(s, start, kTrajectory, this.targetOf(inputs));
    const warm = np.less(s.i, this.numWarmup);
    const adapt =
      this.numWarmup > 0
        ? cond(warm, (a: AdaptState) => adaptUpdate(a, s.i, t.state.z, t.acceptProb, this.adaptOptions), (a: AdaptState) => a, s.adapt)
        : s.adapt;
    const n = np.astype(np.add(np.subtract(s.i, this.numWarmup), 1), "float32");
    const meanAcceptProb = np.where(warm, 0, np.add(s.meanAcceptProb, np.divide(np.subtract(t.acceptProb, s.meanAcceptProb), np.maximum(n, 1))));
    return {
      i: np.add(s.i, np.array(1, "int32")),
      z: t.state.z,
      zGrad: t.state.grad,
      potentialEnergy: t.state.potential,
      energy: t.energy,
      numSteps: np.astype(t.numSteps, "float32"),
      acceptProb: t.acceptProb,
      meanAcceptProb,
      diverging: t.diverging,
      treeDepth: t.depth,
      adapt,
      key: kNext,
    };
  }

  postprocess(zs: NDArray): Record<string, NDArray> {
    if (!this.postprocessFlat) throw new Error(`${this.constructor.name}: call init first`);
    return vmap(this.postprocessFlat)(zs) as Record<string, NDArray>;
  }
}

/**
 * Hamiltonian Monte Carlo with a fixed integration time (trajectoryLength, default 2π) and a
 * Metropolis correction; step size and mass matrix adapted during warmup.
 */
export class HMC extends HamiltonianKernel {
  constructor(
    model: Model | null,
    readonly hmcOptions: StaticHMCOptions = {},
  ) {
    super(model, hmcOptions);
  }
  protected trajectory(s: HMCState, start: IntegratorState, key: NDArray, target: PotentialAndGrad) {
    const { invMass, stepSize } = s.adapt;
    const fixed = this.hmcOptions.numSteps;
    const steps = fixed !== undefined ? np.array(fixed, "int32") : np.astype(np.clip(np.ceil(np.divide(this.hmcOptions.trajectoryLength ?? 2 * Math.PI, stepSize)), 1, 65536), "int32");
    const end = forLoop(np.array(0, "int32"), steps, (_i, st: IntegratorState) => leapfrog(target, invMass, st, stepSize), start);
    const e0 = np.add(start.potential, kineticEnergy(invMass, start.r));
    const e1 = np.add(end.potential, kineticEnergy(invMass, end.r));
    const raw = np.subtract(e1, e0);
    const delta = np.where(np.isnan(raw), Infinity, raw);
    const acceptProb = np.minimum(1, np.exp(np.negative(delta)));
    const accept = np.less(random.uniform(key), acceptProb);
    const state = tree.map((a, b) => np.where(accept, a as NDArray, b as NDArray), end as never, start as never) as unknown as IntegratorState;
    return {
      state,
      energy: np.where(accept, e1, e0),
      numSteps: np.astype(steps, "float32"),
      acceptProb,
      diverging: np.greater(delta, MAX_DELTA_ENERGY),
      depth: np.array(0, "int32"),
    };
  }
}

/**
 * The No-U-Turn Sampler (iterative, multinomial, generalized U-turn criterion), with step size
 * and mass matrix adapted during warmup.
 */
export class NUTS extends HamiltonianKernel {
  constructor(
    model: Model | null,
    readonly nutsOptions: NUTSOptions = {},
  ) {
    super(model, nutsOptions);
    const d = nutsOptions.maxTreeDepth ?? 10;
    for (const v of typeof d === "number" ? [d] : d)
      if (!Number.isInteger(v) || v < 1 || v > 30) throw new Error(`NUTS: maxTreeDepth must be an integer in [1, 30], got ${v}`);
  }
  protected trajectory(s: HMCState, start: IntegratorState, key: NDArray, target: PotentialAndGrad) {
    const d = this.nutsOptions.maxTreeDepth ?? 10;
    const [warmDepth, sampleDepth] = typeof d === "number" ? [d, d] : d;
    const cap = warmDepth === sampleDepth ? warmDepth : np.where(np.less(s.i, this.numWarmup), warmDepth, sampleDepth);
    return buildTree(target, s.adapt.invMass, s.adapt.stepSize, start, cap, Math.max(warmDepth, sampleDepth), key);
  }
}

export type { Params };
