/**
 * Warmup adaptation (Stan's windowed scheme, as in NumPyro): dual averaging of the step size
 * throughout, and a diagonal or dense inverse mass matrix estimated with Welford's algorithm
 * over slow windows of doubling length between an initial and a terminal fast buffer. The
 * schedule is computed on the host; the adapter's update is written in core ops so it runs
 * inside a jitted, vmapped transition.
 */
import { cond, linalg, np, tree, type Array as NDArray } from "../../core/index.js";
import { dualAveragingInit, dualAveragingUpdate, type DualAveragingState } from "./dual-averaging.js";
import { welfordCovariance, welfordInit, welfordUpdate, type WelfordState } from "./welford.js";

/** A window of warmup iterations, both ends inclusive. */
export type Window = readonly [number, number];

/**
 * The adaptation windows for `numWarmup` iterations: one window when fewer than 20; else an
 * initial buffer (75), slow windows doubling from 25, a terminal buffer (50), shrunk to 15%,
 * 10% and the rest when they do not fit.
 */
export function buildAdaptationSchedule(numWarmup: number): Window[] {
  if (numWarmup < 20) return [[0, numWarmup - 1]];
  let init = 75;
  let term = 50;
  let base = 25;
  if (init + term + base > numWarmup) {
    init = Math.floor(0.15 * numWarmup);
    term = Math.floor(0.1 * numWarmup);
    base = numWarmup - init - term;
  }
  const windows: Window[] = [[0, init - 1]];
  const endStart = numWarmup - term;
  let nextSize = base;
  let nextStart = init;
  while (nextStart < endStart) {
    const start = nextStart;
    let size = nextSize;
    if (3 * size <= endStart - start) nextSize = 2 * size;
    else size = endStart - start;
    nextStart = start + size;
    windows.push([start, nextStart - 1]);
  }
  windows.push([endStart, numWarmup - 1]);
  return windows;
}

/** The adapted quantities and the accumulators that produce them. */
export interface AdaptState {
  readonly stepSize: NDArray;
  /** Inverse mass matrix: a vector (diagonal) or a matrix (dense). */
  readonly invMass: NDArray;
  /** L with L Lᵀ = M (the mass matrix): momentum draws are L ε. */
  readonly massSqrt: NDArray;
  readonly da: DualAveragingState;
  readonly welford: WelfordState;
  readonly windowIdx: NDArray;
}

/** Settings of the warmup adapter. */
export interface AdaptOptions {
  numWarmup: number;
  targetAcceptProb?: number;
  adaptStepSize?: boolean;
  adaptMassMatrix?: boolean;
  denseMass?: boolean;
  regularizeMassMatrix?: boolean;
}

/** The factor L (L Lᵀ = M) of the mass matrix whose inverse is `invMass`. */
export function massMatrixSqrt(invMass: NDArray): NDArray {
  if (invMass.ndim === 1) return np.divide(1, np.sqrt(invMass));
  return linalg.cholesky(linalg.inv(invMass));
}

const TINY = 1.1754943508222875e-38;
const HUGE = 3.4028234663852886e38;
const clipStep = (x: NDArray) => np.clip(x, TINY, HUGE);

/** The initial adapter state for a position of length `dim`. */
export function adaptInit(dim: number, stepSize: NDArray | number, invMass: NDArray | null, opts: AdaptOptions): AdaptState {
  const dense = !!opts.denseMass;
  const im = invMass ?? (dense ? np.eye(dim) : np.ones([dim]));
  const eps = np.asarray(stepSize);
  return {
    stepSize: eps,
    invMass: im,
    massSqrt: massMatrixSqrt(im),
    da: dualAveragingInit(np.log(np.multiply(10, eps))),
    welford: welfordInit(dim, dense),
    windowIdx: np.array(0, "int32"),
  };
}

/**
 * The adapter's update after warmup iteration `i` (0-based) produced position `z` with mean
 * acceptance statistic `acceptProb`. Iterations at or past numWarmup leave the state as it is
 * (the caller applies the update only during warmup).
 */
export function adaptUpdate(s: AdaptState, i: NDArray, z: NDArray, acceptProb: NDArray, opts: AdaptOptions): AdaptState {
  const { numWarmup, targetAcceptProb = 0.8, adaptStepSize = true, adaptMassMatrix = true, regularizeMassMatrix = true } = opts;
  const windows = buildAdaptationSchedule(numWarmup);
  const last = windows.length - 1;
  let { stepSize, da, welford, invMass, massSqrt } = s;
  if (adaptStepSize) {
    da = dualAveragingUpdate(da, np.subtract(targetAcceptProb, acceptProb));
    stepSize = clipStep(np.exp(np.where(np.equal(i, numWarmup - 1), da.xBar, da.x)));
  }
  const windowIdx = s.windowIdx;
  const inMiddle = np.logicalAnd(np.greater(windowIdx, 0), np.less(windowIdx, last));
  const atEnd = np.equal(i, np.take(np.array(windows.map((w) => w[1]), "int32"), np.minimum(windowIdx, last)));
  if (adaptMassMatrix && windows.length > 2) {
    const updated = welfordUpdate(welford, z);
    welford = tree.map((a, b) => np.where(inMiddle, a as NDArray, b as NDArray), updated as never, welford as never) as unknown as WelfordState;
    const finalize = np.logicalAnd(atEnd, inMiddle);
    const dim = z.shape[0];
    const dense = invMass.ndim === 2;
    [invMass, massSqrt, welford, da] = cond(
      finalize,
      (w: WelfordState, st: NDArray, im: NDArray, ms: NDArray, d: DualAveragingState) => {
        const cov = welfordCovariance(w, regularizeMassMatrix);
        return [cov, massMatrixSqrt(cov), welfordInit(dim, dense), dualAveragingInit(np.add(Math.log(10), np.log(st)))];
      },
      (w: WelfordState, _st: NDArray, im: NDArray, ms: NDArray, d: DualAveragingState) => [im, ms, w, d],
      welford,
      stepSize,
      invMass,
      massSqrt,
      da,
    ) as [NDArray, NDArray, WelfordState, DualAveragingState];
  }
  return { stepSize, invMass, massSqrt, da, welford, windowIdx: np.add(windowIdx, np.astype(atEnd, "int32")) };
}
