/**
 * Stein variational gradient descent (Liu & Wang 2016), in the manner of Pyro's `SVGD`: the
 * posterior is approximated by `n` particles, each a point in the unconstrained space of the
 * model's latent sites, moved together by a kernelized gradient ascent. Flattening particle i
 * into the vector x_i, its direction is
 *
 *     φ(x_i) = (1/n) Σ_j [ k(x_j, x_i) ∇log p(x_j) + ∇_{x_j} k(x_j, x_i) ]
 *
 * where log p is the log joint density in unconstrained space (log |det J| of the transforms
 * included): the first term pulls particles towards high density, the second pushes them apart.
 *
 * The fit runs on the {@link SVI} machinery (compiled chunks of steps, data as inputs of the
 * compiled program, callbacks, progress): the particles are the params of an internal guide,
 * and the objective is a surrogate whose gradient is −φ and whose value is the particles' mean
 * potential energy (the negative log joint density), so any optimizer of `optim.ts` ascends
 * along φ.
 */
import { np, random, ravel, stopGradient, valueAndGrad, grad, vmap, type Array as NDArray } from "../core/index.js";
import { param, seed, substitute, type Key, type Model } from "../handlers/index.js";
import type { SVICallback } from "./callbacks.js";
import { ELBO } from "./elbo.js";
import { initToUniform, type InitStrategy } from "./init-strategies.js";
import type { Optimizer } from "./optim.js";
import { RBFKernel, type SteinKernel } from "./stein-kernels.js";
import { SVI, type SVIRunResult, type SVIState } from "./svi.js";
import { constrainFn, initializeModel, potentialEnergy, type Params } from "./util.js";

/** Options of {@link SVGD}. */
export interface SVGDOptions {
  /** Number of particles (default 100; at least 2). */
  numParticles?: number;
  /** The kernel (default `new RBFKernel()`, with the median-heuristic bandwidth). */
  kernel?: SteinKernel;
  /** Where each particle starts (default `initToUniform()`: uniform in (−2, 2) in unconstrained space). */
  initStrategy?: InitStrategy;
  /** Callbacks of `run` and `resume`; the params they see are the particles (see {@link SVGDRunResult}). */
  callbacks?: readonly SVICallback[];
  /** A live progress line on stderr (default: when stderr is a terminal and CI is not set). */
  progressBar?: boolean;
  /** Steps per compiled chunk of `run` (default 100). */
  chunkSize?: number;
  /** Compile steps with `jit` (default true); false runs them eagerly, op by op. */
  jit?: boolean;
}

/** The state of an SVGD fit: the optimizer's state over the particles and the key of the next step. */
export type SVGDState = SVIState;

/**
 * What `run` and `resume` return: `params` are the particles, by latent site, in unconstrained
 * space, each of shape `[numParticles, ...siteShape]` (read constrained values with
 * {@link SVGD.getPosteriorSamples}); `losses` are the particles' mean potential energy (the
 * negative log joint density in unconstrained space) before each step, shape `[steps]`.
 */
export type SVGDRunResult = SVIRunResult;

/** What `init` learns about the model. */
interface Setup<A extends unknown[]> {
  /** The starting particles by site, unconstrained, each `[n, ...siteShape]`. */
  readonly initial: Params;
  /** Maps one flattened particle (`[D]`) back to its values by site. */
  readonly unravel: (flat: NDArray) => Params;
  /** The model with its param sites fixed at their initial values. */
  readonly fixedModel: Model<A>;
  /** The model arguments `init` was called with. */
  readonly args: A;
}

/**
 * Stein variational gradient descent: `new SVGD(model, optimizer, { numParticles, kernel })`,
 * then `await svgd.run(key, numSteps, ...modelArgs)`, or `init` / `update` for a custom loop.
 * The optimizer ascends along the Stein direction (Adagrad, as `adagrad(0.5)`, is the usual
 * choice). The model's latent sites must be continuous; its param sites stay at their initial
 * values. Randomness inside the model (subsampling plates) is seeded afresh at every step, the
 * same for all particles.
 */
export class SVGD<A extends unknown[] = any[]> {
  /** Number of particles. */
  readonly numParticles: number;
  /** The kernel. */
  readonly kernel: SteinKernel;
  private readonly initStrategy: InitStrategy;
  private readonly svi: SVI<A>;
  private setup: Setup<A> | null = null;

  /**
   * @param model the model (its latent sites are what the particles approximate)
   * @param optimizer a pure optimizer (`adagrad(0.5)`, `adam(0.05)`, ...), used for ascent along φ
   * @param options number of particles, kernel, initialization, callbacks, progress bar, chunking, jit
   */
  constructor(
    readonly model: Model<A>,
    readonly optimizer: Optimizer,
    options: SVGDOptions = {},
  ) {
    this.numParticles = options.numParticles ?? 100;
    if (!(Number.isInteger(this.numParticles) && this.numParticles >= 2)) throw new Error(`SVGD: numParticles must be an integer >= 2, got ${this.numParticles}`);
    this.kernel = options.kernel ?? new RBFKernel();
    this.initStrategy = options.initStrategy ?? initToUniform();
    const particleGuide = () => {
      for (const [name, value] of Object.entries(this.setupOf("init").initial)) param(name, value);
    };
    const loss = new SteinLoss((key, particles, args) => this.surrogate(key, particles, args as A));
    const { callbacks, progressBar, chunkSize, jit } = options;
    this.svi = new SVI<A>(() => {}, particleGuide, optimizer, loss, { callbacks, progressBar, chunkSize, jit });
  }

  /**
   * The initial state: draws `numParticles` starting points of the model's latent sites (each a
   * valid point: finite log density and gradient) with the init strategy, seeded from `key`.
   * Runs eagerly.
   */
  init(key: Key, ...args: A): SVGDState {
    const [initKey, sviKey] = random.splitList(key, 2);
    const info = initializeModel(random.split(initKey, this.numParticles), this.model, { initStrategy: this.initStrategy, modelArgs: args });
    const initial = info.paramInfo.z;
    if (Object.keys(initial).length === 0) throw new Error("SVGD: the model has no latent sample sites");
    const fixedParams: Params = {};
    for (const [name, site] of info.modelTrace) if (site.type === "param") fixedParams[name] = site.value!;
    const [, unravel] = ravel(mapValues(initial, (v) => np.take(v, 0, 0)));
    this.setup = { initial, unravel: unravel as (flat: NDArray) => Params, fixedModel: substitute(this.model, fixedParams), args };
    return this.svi.init(sviKey, ...args);
  }

  /** One step on `args` (pure: returns the next state and the particles' mean potential energy before the step). */
  update(state: SVGDState, ...args: A): [SVGDState, NDArray] {
    this.setupOf("update");
    return this.svi.update(state, ...args);
  }

  /** Initializes from `key` and takes `numSteps` steps (see {@link SVGD.resume}). */
  async run(key: Key, numSteps: number, ...args: A): Promise<SVGDRunResult> {
    checkSteps(numSteps);
    return this.svi.resume(this.init(key, ...args), numSteps, ...args);
  }

  /** Takes `numSteps` more steps from `state`, in compiled chunks, stopping early when a callback says so. */
  async resume(state: SVGDState, numSteps: number, ...args: A): Promise<SVGDRunResult> {
    checkSteps(numSteps);
    this.setupOf("resume");
    return this.svi.resume(state, numSteps, ...args);
  }

  /** The particles held by `state`: unconstrained values by site, each `[numParticles, ...siteShape]`. */
  getParams(state: SVGDState): Params {
    this.setupOf("getParams");
    return this.svi.getParams(state);
  }

  /**
   * The particles as posterior samples: constrained values of the latent sites and the values
   * of the deterministic sites, each of shape `[numParticles, ...siteShape]`, computed by
   * running the model with `args` (default: the arguments of `init`; a subsampling plate draws
   * its subsample with a fixed key). Ready for `new Predictive(model, { posteriorSamples })` and
   * `new EmpiricalPosterior(samples)`.
   */
  getPosteriorSamples(params: Params, ...args: A | []): Params {
    const { fixedModel, args: initArgs } = this.setupOf("getPosteriorSamples");
    const modelArgs = (args.length > 0 ? args : initArgs) as A;
    const model = seed(fixedModel, random.key(0));
    return vmap((z: Params) => constrainFn(model, modelArgs, z, true))(params);
  }

  /**
   * The surrogate objective at the particles `particles` (by site, `[n, ...siteShape]`): its
   * value is the mean potential energy, its gradient with respect to the particles is −φ.
   */
  private surrogate(key: Key, particles: Params, args: A): NDArray {
    const { unravel, fixedModel } = this.setupOf("update");
    const x = vmap((p: Params) => ravel(p)[0])(particles);
    const xs = stopGradient(x);
    const model = seed(fixedModel, key);
    const logJoint = (flat: NDArray) => np.negative(potentialEnergy(model, args, unravel(flat)));
    const [logp, scores] = vmap(valueAndGrad(logJoint))(xs) as [NDArray, NDArray];
    const phi = stopGradient(steinDirection(this.kernel, xs, scores));
    return np.subtract(np.negative(np.mean(logp)), np.sum(np.multiply(phi, np.subtract(x, xs))));
  }

  private setupOf(who: string): Setup<A> {
    if (this.setup === null) throw new Error(`SVGD.${who}: call init (or run) first`);
    return this.setup;
  }
}

/**
 * The Stein direction φ(x_i) = (1/n) Σ_j [k(x_j, x_i) s_j + ∇_{x_j} k(x_j, x_i)] for particles
 * `x` (`[n, D]`) with scores `s_j = ∇log p(x_j)` (`[n, D]`). A `"vector"` kernel weighs each
 * coordinate with its own kernel value; its d-th value depends on the d-th coordinates only, so
 * the gradient of its sum gives each ∂k_d/∂x_{j,d}.
 */
function steinDirection(kernel: SteinKernel, x: NDArray, scores: NDArray): NDArray {
  const k = kernel.compute(x);
  const overPairs = (f: (xj: NDArray, xi: NDArray) => NDArray): NDArray => vmap((xj: NDArray) => vmap((xi: NDArray) => f(xj, xi))(x))(x);
  const weights = overPairs(k);
  const repulsion = np.sum(
    overPairs((xj, xi) => grad((a: NDArray) => np.sum(k(a, xi)))(xj)),
    0,
  );
  const attraction = kernel.mode === "norm" ? np.matmul(np.transpose(weights), scores) : np.sum(np.multiply(weights, np.expandDims(scores, 1)), 0);
  return np.divide(np.add(attraction, repulsion), x.shape[0]);
}

/** SVGD's objective in the form SVI optimizes: the guide and the model SVI passes are ignored. */
class SteinLoss extends ELBO {
  constructor(private readonly objective: (key: Key, particles: Params, args: unknown[]) => NDArray) {
    super();
  }

  loss<A extends unknown[]>(key: Key, params: Params, _model: Model<A>, _guide: Model<A>, ...args: A): NDArray {
    return this.objective(key, params, args);
  }
}

function checkSteps(numSteps: number): void {
  if (!(Number.isInteger(numSteps) && numSteps > 0)) throw new Error(`SVGD: numSteps must be a positive integer, got ${numSteps}`);
}

function mapValues<T, U>(r: Readonly<Record<string, T>>, f: (v: T) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const [k, v] of Object.entries(r)) out[k] = f(v);
  return out;
}
