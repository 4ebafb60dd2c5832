/**
 * The iterative No-U-Turn Sampler's trajectory (Hoffman & Gelman 2014; Betancourt 2017), as in
 * NumPyro: the tree doubles in a random direction until it makes a U-turn, diverges or reaches
 * the maximum depth. Each new subtree is built leaf by leaf in a while loop (no recursion),
 * sampling its proposal multinomially among its leaves; subtrees join the tree by biased
 * progressive sampling. U-turns inside a subtree are checked on every balanced sub-subtree
 * through O(maxDepth) momentum checkpoints. Everything is written with core ops and control
 * flow, so one transition compiles with jit and batches with vmap.
 */
import { np, random, special, tree, whileLoop, type Array as NDArray, type PyTree } from "../../core/index.js";
import { kineticEnergy, leapfrog, velocity, type IntegratorState, type PotentialAndGrad } from "./integrator.js";

/** Energy errors above this mark a divergent trajectory (Stan's and NumPyro's value). */
export const MAX_DELTA_ENERGY = 1000;

/** A trajectory: its two edges, its current proposal and its bookkeeping. */
export interface Tree {
  readonly left: IntegratorState;
  readonly right: IntegratorState;
  readonly proposal: IntegratorState;
  readonly proposalEnergy: NDArray;
  readonly depth: NDArray;
  readonly logWeight: NDArray;
  readonly rSum: NDArray;
  readonly turning: NDArray;
  readonly diverging: NDArray;
  readonly sumAcceptProbs: NDArray;
  readonly numProposals: NDArray;
}

/** The outcome of one NUTS trajectory. */
export interface TrajectoryResult {
  readonly state: IntegratorState;
  readonly energy: NDArray;
  readonly numSteps: NDArray;
  readonly acceptProb: NDArray;
  readonly diverging: NDArray;
  readonly turning: NDArray;
  readonly depth: NDArray;
}

/**
 * The generalized no-U-turn criterion on a span with edge momenta rLeft, rRight and momentum
 * sum rSum (both edges included): turning when either edge velocity has a non-positive dot
 * product with rSum minus half of each edge momentum (Betancourt 2017, A.4.2).
 */
export function isTurning(invMass: NDArray, rLeft: NDArray, rRight: NDArray, rSum: NDArray): NDArray {
  const rho = np.subtract(rSum, np.multiply(0.5, np.add(rLeft, rRight)));
  const turnLeft = np.lessEqual(np.sum(np.multiply(velocity(invMass, rLeft), rho), -1), 0);
  const turnRight = np.lessEqual(np.sum(np.multiply(velocity(invMass, rRight), rho), -1), 0);
  return np.logicalOr(turnLeft, turnRight);
}

/**
 * The checkpoint range of leaf `n` of a subtree (0-based): leaf n stores its momentum at
 * checkpoint idxMax = popcount(n >> 1) when n is even; when n is odd it checks the spans that
 * start at checkpoints idxMin..idxMax, idxMin = idxMax - (trailing ones of n) + 1.
 * Host version, used for tests and as the definition of the in-graph one below.
 */
export function checkpointRange(n: number): [number, number] {
  let idxMax = 0;
  for (let m = n >> 1; m > 0; m >>= 1) idxMax += m & 1;
  let ones = 0;
  for (let m = n; m & 1; m >>= 1) ones++;
  return [idxMax - ones + 1, idxMax];
}

/**
 * {@link checkpointRange} in core ops on an int32 scalar `n` < 2^bits, elementwise over the
 * powers of two (one fused loop under jit): popcount(n >> 1) is the number of bits of n above
 * the lowest, and the trailing ones of n are the k in 1..bits with 2^k dividing n + 1.
 */
export function checkpointRangeOf(n: NDArray, bits: number): [NDArray, NDArray] {
  const pow2 = np.array(Array.from({ length: bits }, (_, k) => 2 ** k));
  const nf = np.astype(n, "float32");
  const b = np.mod(np.floor(np.divide(nf, pow2)), 2); // bits of n, lowest first
  const idxMax = np.subtract(np.sum(b), np.mod(nf, 2));
  const ones = np.sum(np.astype(np.equal(np.mod(np.add(nf, 1), np.multiply(pow2, 2)), 0), "float32"));
  return [np.add(np.subtract(idxMax, ones), 1), idxMax];
}

/**
 * Whether the new leaf (momentum `r`, subtree momentum sum `rSum`) turns with the span from
 * any checkpoint in idxMin..idxMax (int32 scalars): checked from idxMax down, stopping at the
 * first that turns, as NumPyro's `_is_iterative_turning` (none when idxMin > idxMax).
 */
function iterativeTurning(invMass: NDArray, r: NDArray, rSum: NDArray, rCkpt: NDArray, rSumCkpt: NDArray, idxMin: NDArray, idxMax: NDArray): NDArray {
  const out = whileLoop(
    (s: { i: NDArray; turning: NDArray }) => np.logicalAnd(np.greaterEqual(s.i, idxMin), np.logicalNot(s.turning)),
    (s: { i: NDArray; turning: NDArray }) => {
      const rc = np.take(rCkpt, s.i, 0);
      const span = np.add(np.subtract(rSum, np.take(rSumCkpt, s.i, 0)), rc);
      return { i: np.subtract(s.i, np.array(1, "int32")), turning: isTurning(invMass, rc, r, span) };
    },
    { i: idxMax, turning: np.array(false) },
  );
  return out.turning;
}

/** `a` where `p` else `b`, leaf by leaf. */
const select = <T>(p: NDArray, a: T, b: T): T => tree.map((x, y) => np.where(p, x as NDArray, y as NDArray), a as PyTree, b as PyTree) as T;

/** Everything a subtree build needs that stays fixed during a transition. */
interface Context {
  readonly potentialAndGrad: PotentialAndGrad;
  readonly invMass: NDArray;
  readonly stepSize: NDArray;
  readonly energy0: NDArray;
  readonly maxDepth: number;
}

/** One new leaf from `edge`: its state, energy, log weight, acceptance statistic and divergence. */
function leaf(ctx: Context, edge: IntegratorState, goingRight: NDArray) {
  const h = np.where(goingRight, ctx.stepSize, np.negative(ctx.stepSize));
  const s = leapfrog(ctx.potentialAndGrad, ctx.invMass, edge, h);
  const energy = np.add(s.potential, kineticEnergy(ctx.invMass, s.r));
  const raw = np.subtract(energy, ctx.energy0);
  const delta = np.where(np.isnan(raw), Infinity, raw);
  return {
    state: s,
    energy,
    logWeight: np.negative(delta),
    acceptProb: np.minimum(1, np.exp(np.negative(delta))),
    diverging: np.greater(delta, MAX_DELTA_ENERGY),
  };
}

/** Builds a subtree of 2^depth leaves outward from the tree's edge in the chosen direction. */
function buildSubtree(ctx: Context, start: IntegratorState, depth: NDArray, goingRight: NDArray, key: NDArray): Tree {
  const dim = start.z.shape[0];
  const size = np.power(2, np.astype(depth, "float32"));
  const init = {
    edge: start,
    proposal: start,
    proposalEnergy: ctx.energy0,
    logWeight: np.array(-Infinity),
    rSum: np.zerosLike(start.r),
    turning: np.array(false),
    diverging: np.array(false),
    sumAcceptProbs: np.array(0),
    numProposals: np.array(0),
    rCkpt: np.zeros([ctx.maxDepth, dim]),
    rSumCkpt: np.zeros([ctx.maxDepth, dim]),
    n: np.array(0, "int32"),
    key,
  };
  type Sub = typeof init;
  const ckptIds = np.arange(0, ctx.maxDepth);
  const out = whileLoop(
    (t: Sub) => np.logicalAnd(np.less(np.astype(t.n, "float32"), size), np.logicalNot(np.logicalOr(t.turning, t.diverging))),
    (t: Sub): Sub => {
      const [kNext, kAccept] = random.splitList(t.key);
      const l = leaf(ctx, t.edge, goingRight);
      // uniform (multinomial) sampling among the subtree's leaves
      const takeLeaf = np.less(random.uniform(kAccept), special.expit(np.subtract(l.logWeight, t.logWeight)));
      const rSum = np.add(t.rSum, l.state.r);
      const [idxMin, idxMax] = checkpointRangeOf(t.n, ctx.maxDepth + 1);
      const even = np.equal(np.mod(t.n, 2), 0);
      const store = np.expandDims(np.logicalAnd(even, np.equal(ckptIds, idxMax)), -1);
      const rCkpt = np.where(store, l.state.r, t.rCkpt);
      const rSumCkpt = np.where(store, rSum, t.rSumCkpt);
      // odd leaves check the spans from each checkpoint in [idxMin, idxMax] to this leaf (even leaves have none)
      const turning = iterativeTurning(ctx.invMass, l.state.r, rSum, rCkpt, rSumCkpt, np.astype(idxMin, "int32"), np.astype(idxMax, "int32"));
      return {
        edge: l.state,
        proposal: select(takeLeaf, l.state, t.proposal),
        proposalEnergy: np.where(takeLeaf, l.energy, t.proposalEnergy),
        logWeight: special.logaddexp(t.logWeight, l.logWeight),
        rSum,
        turning,
        diverging: l.diverging,
        sumAcceptProbs: np.add(t.sumAcceptProbs, l.acceptProb),
        numProposals: np.add(t.numProposals, 1),
        rCkpt,
        rSumCkpt,
        n: np.add(t.n, np.array(1, "int32")),
        key: kNext,
      };
    },
    init,
  );
  return {
    left: out.edge,
    right: out.edge,
    proposal: out.proposal,
    proposalEnergy: out.proposalEnergy,
    depth,
    logWeight: out.logWeight,
    rSum: out.rSum,
    turning: out.turning,
    diverging: out.diverging,
    sumAcceptProbs: out.sumAcceptProbs,
    numProposals: out.numProposals,
  };
}

/** Joins a finished subtree to the tree on its side, with biased progressive sampling of the proposal. */
function mergeTrees(ctx: Context, tree: Tree, sub: Tree, goingRight: NDArray, key: NDArray): Tree {
  const left = select(goingRight, tree.left, sub.left);
  const right = select(goingRight, sub.right, tree.right);
  const rSum = np.add(tree.rSum, sub.rSum);
  const p = np.where(np.logicalOr(sub.turning, sub.diverging), 0, np.minimum(1, np.exp(np.subtract(sub.logWeight, tree.logWeight))));
  const accept = np.less(random.uniform(key), p);
  return {
    left,
    right,
    proposal: select(accept, sub.proposal, tree.proposal),
    proposalEnergy: np.where(accept, sub.proposalEnergy, tree.proposalEnergy),
    depth: np.add(tree.depth, np.array(1, "int32")),
    logWeight: special.logaddexp(tree.logWeight, sub.logWeight),
    rSum,
    turning: np.logicalOr(sub.turning, isTurning(ctx.invMass, left.r, right.r, rSum)),
    diverging: sub.diverging,
    sumAcceptProbs: np.add(tree.sumAcceptProbs, sub.sumAcceptProbs),
    numProposals: np.add(tree.numProposals, sub.numProposals),
  };
}

/**
 * One NUTS trajectory from `start` (with momentum already drawn): doubles the tree until it
 * turns, diverges or reaches `maxDepth` (a number, or an int32 array for a cap that changes
 * after warmup; at most `maxDepthBound`).
 */
export function buildTree(
  potentialAndGrad: PotentialAndGrad,
  invMass: NDArray,
  stepSize: NDArray,
  start: IntegratorState,
  maxDepth: NDArray | number,
  maxDepthBound: number,
  key: NDArray,
): TrajectoryResult {
  const energy0 = np.add(start.potential, kineticEnergy(invMass, start.r));
  const ctx: Context = { potentialAndGrad, invMass, stepSize, energy0, maxDepth: maxDepthBound };
  const tree0: Tree & { key: NDArray } = {
    left: start,
    right: start,
    proposal: start,
    proposalEnergy: energy0,
    depth: np.array(0, "int32"),
    logWeight: np.array(0),
    rSum: start.r,
    turning: np.array(false),
    diverging: np.array(false),
    sumAcceptProbs: np.array(0),
    numProposals: np.array(0),
    key,
  };
  type T = typeof tree0;
  const cap = np.asarray(maxDepth, "int32");
  const tree = whileLoop(
    (t: T) => np.logicalAnd(np.less(t.depth, cap), np.logicalNot(np.logicalOr(t.turning, t.diverging))),
    (t: T): T => {
      const [kNext, kDir, kSub, kMerge] = random.splitList(t.key, 4);
      const goingRight = random.bernoulli(kDir);
      const start = select(goingRight, t.right, t.left);
      const sub = buildSubtree(ctx, start, t.depth, goingRight, kSub);
      return { ...mergeTrees(ctx, t, sub, goingRight, kMerge), key: kNext };
    },
    tree0,
  );
  return {
    state: tree.proposal,
    energy: tree.proposalEnergy,
    numSteps: tree.numProposals,
    acceptProb: np.divide(tree.sumAcceptProbs, np.maximum(tree.numProposals, 1)),
    diverging: tree.diverging,
    turning: tree.turning,
    depth: tree.depth,
  };
}
