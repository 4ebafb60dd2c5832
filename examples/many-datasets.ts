/**
 * One model, many data sets: fitting again without compiling again, and fitting thousands of
 * independent replicas at once with `vmap`.
 *
 * The model is a small linear regression (intercept, slope, noise scale) on a fixed design. The
 * fit is ADVI (`AutoNormal`, `TraceELBO`, Adam): `fit(key, y)` runs 1000 SVI steps in a `scan`
 * from one initial state and returns the fitted means and standard deviations of the guide. It
 * is a pure function of arrays, so:
 *
 * 1. `jit(fit)` traces and compiles it once; the observations are an argument of the compiled
 *    program, not constants baked into it, so 50 different data sets run through the same
 *    program. `cacheSize()` shows one compiled signature; the first call's time includes
 *    tracing and code generation, the later ones do not.
 * 2. `jit(vmap(fit))` fits 2000 replicas in one call: each replica's true intercept and slope are
 *    drawn from the prior and its data simulated from them. With one fit per replica, the
 *    coverage of the fitted ±2 sd intervals (how often they contain the truth) checks the whole
 *    procedure, simulation-based-calibration style.
 * Run: `npm run example -- many-datasets`.
 */
import { jit, np, random, scan, vmap, type Array } from "../src/core/index.js";
import * as dist from "../src/distributions/index.js";
import { plate, sample } from "../src/handlers/index.js";
import { AutoNormal, SVI, TraceELBO, adam, exponentialDecay, type SVIState } from "../src/infer/index.js";
import { f, isMain, meanSd, since, values, type Log } from "./lib/report.js";

/** y_i ~ Normal(a + b x_i, s) with a ~ N(0, 2), b ~ N(0, 2), s ~ HalfNormal(1). */
export function model(x: Array, y?: Array) {
  const a = sample("a", new dist.Normal(0, 2));
  const b = sample("b", new dist.Normal(0, 2));
  const s = sample("s", new dist.HalfNormal(1));
  plate("N", x.shape[0], () => {
    sample("obs", new dist.Normal(np.add(a, np.multiply(b, x)), s), { obs: y });
  });
}

/** Options of {@link main}. */
export interface Options {
  numPoints?: number;
  numSteps?: number;
  numDatasets?: number;
  numReplicas?: number;
  log?: Log;
}

export interface Result {
  /** Distinct compiled signatures of the jitted single fit after all data sets (1: compiled once). */
  compiles: number;
  /** Distinct compiled signatures of the jitted, vmapped fit. */
  compilesVmapped: number;
  firstFitSeconds: number;
  laterFitSeconds: number;
  /** Coverage of the ±2 sd intervals of a and b over the replicas. */
  coverageA: number;
  coverageB: number;
  replicaSeconds: number;
}

export async function main(opts: Options = {}): Promise<Result> {
  const log = opts.log ?? console.log;
  const n = opts.numPoints ?? 30;
  const numSteps = opts.numSteps ?? 1000;
  const numDatasets = opts.numDatasets ?? 50;
  const R = opts.numReplicas ?? 2000;
  const x = np.linspace(-1, 1, n); // a centered design: the posteriors of a and b are nearly independent
  const S = 0.5; // true noise scale of every simulated data set

  const simulate = (key: Array, a: Array, b: Array) => np.add(np.add(a, np.multiply(b, x)), np.multiply(S, random.normal(key, [n])));

  // one SVI object; its initial state comes from any data set of the right shape
  const guide = new AutoNormal(model);
  const svi = new SVI(model, guide, adam(exponentialDecay(0.05, numSteps, 0.05)), new TraceELBO(), { progressBar: false });
  const state0 = svi.init(random.key(0), x, simulate(random.key(1), np.array(0), np.array(0)));

  /** 1000 SVI steps on data y from state0 (with the step key `key`); the guide's fitted locations and scales. */
  const fit = (key: Array, y: Array): Record<string, Array> => {
    const [last] = scan((s: SVIState) => [svi.update(s, x, y)[0], null] as const, { ...state0, rngKey: key }, null, { length: numSteps });
    const p = svi.getParams(last);
    return { a: p.a_auto_loc, aSd: p.a_auto_scale, b: p.b_auto_loc, bSd: p.b_auto_scale };
  };

  // 1. many data sets, one compiled program
  const fitOne = jit(fit);
  const keys = random.split(random.key(2), numDatasets);
  const truths = values(random.normal(random.key(3), [numDatasets]));
  const times: number[] = [];
  const errors: number[] = [];
  for (let k = 0; k < numDatasets; k++) {
    const y = simulate(np.take(keys, k, 0), np.array(1), np.array(truths[k]));
    const t0 = performance.now();
    const r = fitOne(np.take(keys, k, 0), y);
    errors.push(Math.abs(r.b.item() - truths[k]));
    times.push(since(t0));
  }
  const [later] = meanSd(times.slice(1));
  log(`1. ${numDatasets} data sets (${n} points each), ${numSteps} ADVI steps per fit, one jitted function:`);
  log(`   first fit ${f(1000 * times[0], 0)} ms (tracing + compiling + running), later fits ${f(1000 * later, 1)} ms on average`);
  log(`   compiled signatures after ${numDatasets} data sets: ${fitOne.cacheSize()}; mean |slope estimate - truth| = ${f(meanSd(errors)[0], 3)}`);

  // 2. thousands of replicas at once: vmap of the same fit over keys and data sets
  const [ka, kb, ky, kf] = random.splitList(random.key(4), 4);
  const aTrue = np.multiply(2, random.normal(ka, [R]));
  const bTrue = np.multiply(2, random.normal(kb, [R]));
  const ys = vmap(simulate)(random.split(ky, R), aTrue, bTrue);
  const fitMany = jit(vmap(fit));
  const t0 = performance.now();
  const fits = fitMany(random.split(kf, R), ys);
  const replicaSeconds = since(t0);
  const covers = (est: Array, sd: Array, truth: Array) => values(np.mean(np.astype(np.lessEqual(np.abs(np.subtract(est, truth)), np.multiply(2, sd)), "float32")))[0];
  const coverageA = covers(fits.a, fits.aSd, aTrue);
  const coverageB = covers(fits.b, fits.bSd, bTrue);
  const z = values(np.divide(np.subtract(fits.b, bTrue), fits.bSd));
  const [zm, zs] = meanSd(z);
  log(`\n2. ${R} replicas, each with its own true (a, b) drawn from the prior, fit in one call of jit(vmap(fit)): ${f(replicaSeconds, 2)} s`);
  log(`   (${f((1e6 * replicaSeconds) / (R * numSteps), 2)} µs per replica per step; compiled signatures: ${fitMany.cacheSize()})`);
  log(`   coverage of the fitted ±2 sd intervals (95.4% for a calibrated posterior): a ${f(100 * coverageA, 1)}%, b ${f(100 * coverageB, 1)}%`);
  log(`   (b_fit - b_true) / sd_fit over the replicas: mean ${f(zm, 3)}, sd ${f(zs, 3)} (0 and 1 when calibrated)`);
  const first = fits.b.toArray() as number[];
  const firstSd = fits.bSd.toArray() as number[];
  const bt = bTrue.toArray() as number[];
  log("   the first five replicas, slope b:  truth   fit ± sd");
  for (let i = 0; i < 5; i++) log(`                                   ${f(bt[i], 3, 6)}   ${f(first[i], 3, 6)} ± ${f(firstSd[i], 3)}`);
  return {
    compiles: fitOne.cacheSize(),
    compilesVmapped: fitMany.cacheSize(),
    firstFitSeconds: times[0],
    laterFitSeconds: later,
    coverageA,
    coverageB,
    replicaSeconds,
  };
}

if (isMain(import.meta.url)) await main();
