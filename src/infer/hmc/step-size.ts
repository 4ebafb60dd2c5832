/**
 * The heuristic search for an initial step size (Hoffman & Gelman 2014, Algorithm 4, as in
 * NumPyro's `find_reasonable_step_size`): double or halve the step size until one leapfrog
 * step's acceptance probability crosses 0.8, and return the first step size past the crossing.
 */
import { np, random, whileLoop, type Array as NDArray } from "../../core/index.js";
import { kineticEnergy, leapfrog, type IntegratorState, type PotentialAndGrad } from "./integrator.js";

const TINY = 1.1754943508222875e-38;
const HUGE = 3.4028234663852886e38;
const LOG_TARGET = Math.log(0.8);

/**
 * A step size from `stepSize0` for the point `start` (its momentum is ignored: each trial
 * draws one with `momentum(key)`). Written with the core's control flow, so it runs under jit
 * and vmap.
 */
export function findReasonableStepSize(
  target: PotentialAndGrad,
  invMass: NDArray,
  start: Omit<IntegratorState, "r">,
  stepSize0: NDArray | number,
  momentum: (key: NDArray) => NDArray,
  key: NDArray,
): NDArray {
  const init = { stepSize: np.asarray(stepSize0), lastDir: np.array(0, "int32"), dir: np.array(0, "int32"), key };
  type S = typeof init;
  const out = whileLoop(
    (s: S) => {
      const notTiny = np.logicalOr(np.greater(s.stepSize, TINY), np.greaterEqual(s.dir, 0));
      const notHuge = np.logicalOr(np.less(s.stepSize, HUGE), np.lessEqual(s.dir, 0));
      const sameDir = np.logicalAnd(np.equal(s.dir, s.lastDir), np.logicalAnd(notTiny, notHuge));
      return np.logicalOr(np.equal(s.lastDir, 0), sameDir);
    },
    (s: S): S => {
      const [next, kMomentum] = random.splitList(s.key);
      const stepSize = np.multiply(np.power(2, np.astype(s.dir, "float32")), s.stepSize);
      const r = momentum(kMomentum);
      const moved = leapfrog(target, invMass, { ...start, r }, stepSize);
      const delta = np.subtract(np.add(moved.potential, kineticEnergy(invMass, moved.r)), np.add(start.potential, kineticEnergy(invMass, r)));
      // NaN energy errors count as too large (the comparison is false)
      const dir = np.where(np.less(LOG_TARGET, np.negative(delta)), np.array(1, "int32"), np.array(-1, "int32"));
      return { stepSize, lastDir: s.dir, dir, key: next };
    },
    init,
  );
  return out.stepSize;
}
