/**
 * SVI benchmark: steps per second of two fits, each eager (op by op), with a compiled `update`
 * per step, and with `run`'s compiled chunks of 100 steps (a `scan`), measured in one run:
 *
 * - minibatch: 40,000 × 100 Gaussian data, flat prior on each column's mean, HalfNormal on its
 *   sd, AutoNormal + TraceELBO, ClippedAdam, the plate subsampling 500 rows per step (the fit
 *   of test/infer/svi-minibatch.test.ts); the subsample draw alone is timed too;
 * - full-batch ADVI: logistic regression, N = 20,000, D = 50 (bench/logistic.ts's data),
 *   AutoNormal + TraceELBO, Adam;
 * - a normalizing-flow guide: AutoIAF (3 flows, hidden layers [20, 20]) on eight schools with 8
 *   particles, a step of about a thousand equations (its generated code is split into segment
 *   functions, each small enough for V8 to optimize).
 *
 * Run: `npm run bench:svi` (writes bench/results/svi.md; with NODE_OPTIONS=--expose-gc to collect
 * garbage between timed batches).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { jit, np, random, type Array as NDArray } from "../src/core/index.js";
import * as dist from "../src/distributions/index.js";
import { constraints } from "../src/distributions/index.js";
import { plate, sample } from "../src/handlers/index.js";
import { adam, AutoIAF, AutoNormal, clippedAdam, initToValue, SVI, TraceELBO, type SVIState } from "../src/infer/index.js";
import { eightSchoolsModel, SIGMA, Y } from "./eight-schools.js";
import { makeData } from "./logistic.js";
import { machineInfo, measure, measureAll, median, medianOf, ratioOf } from "./measure.js";

const CHUNK = 100;

/** A fit to time: the SVI (compiled or not) and its model arguments. */
interface Fit {
  name: string;
  make: (jit: boolean) => SVI;
  args: unknown[];
}

function minibatchFit(): Fit {
  const [N, D, B] = [40000, 100, 500];
  const [kData, kSd] = random.splitList(random.key(0), 2);
  const sd = np.add(0.5, random.uniform(kSd, [D]));
  const data = jit((k: NDArray) => np.add(np.linspace(-2, 2, D), np.multiply(sd, random.normal(k, [N, D]))))(kData);
  const model = (x: NDArray) => {
    const [mu, sigma] = plate("columns", D, () => [sample("mu", new dist.ImproperUniform(constraints.real, [], [])), sample("sigma", new dist.HalfNormal(10))]);
    plate("rows", N, { subsampleSize: B, dim: -2 }, (rows) => sample("obs", new dist.Normal(mu, sigma), { obs: np.take(x, rows, 0) }));
  };
  const initLocFn = initToValue({ mu: np.zeros([D]), sigma: np.ones([D]) });
  return {
    name: `minibatch Gaussian (N=${N}, D=${D}, subsample ${B})`,
    make: (jit) => new SVI(model, new AutoNormal(model, { initLocFn }), clippedAdam(0.01), new TraceELBO(), { jit, progressBar: false, chunkSize: CHUNK }),
    args: [data],
  };
}

function logisticFit(): Fit {
  const [N, D] = [20000, 50];
  const d = makeData(N, D, 1);
  const X = np.reshape(np.array(Float32Array.from(d.X)), [N, D]);
  const y = np.array(Float32Array.from(d.y));
  const model = (x: NDArray, obs: NDArray) => {
    const w = sample("w", new dist.Normal(np.zeros([D]), 1).toEvent(1));
    const b = sample("b", new dist.Normal(0, 1));
    plate("N", N, () => sample("obs", new dist.Bernoulli({ logits: np.add(np.matmul(x, w), b) }), { obs }));
  };
  return {
    name: `full-batch ADVI, logistic regression (N=${N}, D=${D})`,
    make: (jit) => new SVI(model, new AutoNormal(model), adam(0.01), new TraceELBO(), { jit, progressBar: false, chunkSize: CHUNK }),
    args: [X, y],
  };
}

function flowFit(): Fit {
  return {
    name: "AutoIAF (3 flows, hidden [20, 20]), eight schools, 8 particles",
    make: (jit) => new SVI(eightSchoolsModel, new AutoIAF(eightSchoolsModel, { hiddenDims: [20, 20] }), adam(0.01), new TraceELBO({ numParticles: 8 }), { jit, progressBar: false, chunkSize: CHUNK }),
    args: [SIGMA, Y],
  };
}

/**
 * Steps per second of eager `update`, compiled `update` (and the speedup, as the median of the
 * per-round ratios), and `resume` in compiled chunks of CHUNK steps.
 */
async function stepsPerSecond(fit: Fit): Promise<{ eager: number; jit: number; jitSpeedup: number; chunked: number }> {
  const eager = fit.make(false);
  const compiled = fit.make(true);
  let eagerState: SVIState = eager.init(random.key(1), ...fit.args);
  let jitState: SVIState = compiled.init(random.key(1), ...fit.args);
  const rounds = await measureAll(
    {
      eager: { fn: () => void ([eagerState] = eager.update(eagerState, ...fit.args)) },
      jit: { fn: () => void ([jitState] = compiled.update(jitState, ...fit.args)) },
    },
    { reps: 5 },
  );
  await compiled.resume(jitState, CHUNK, ...fit.args); // compiles the chunk
  const chunkMs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    jitState = (await compiled.resume(jitState, CHUNK, ...fit.args)).state;
    chunkMs.push(performance.now() - t0);
  }
  return {
    eager: 1e6 / medianOf(rounds, "eager"),
    jit: 1e6 / medianOf(rounds, "jit"),
    jitSpeedup: ratioOf(rounds, "eager", "jit"),
    chunked: (1000 * CHUNK) / median(chunkMs),
  };
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const lines = [
    "# tyche SVI benchmark: steps per second, eager vs jit",
    "",
    `Measured in one run: ${machineInfo()}.`,
    `Eager and jit \`update\`: median of 5 rounds after a warm-up (each round calibrated to tens of milliseconds, at least one step). Chunked: \`resume\` of ${CHUNK} steps compiled as one scan, median of 3 after compiling.`,
    "",
    "| fit | eager (steps/s) | jit update (steps/s) | jit chunks of 100 (steps/s) | jit update / eager | jit chunks / eager |",
    "|---|---:|---:|---:|---:|---:|",
  ];
  const fits = [minibatchFit(), logisticFit(), flowFit()];
  for (const fit of fits) {
    const r = await stepsPerSecond(fit);
    const row = `| ${fit.name} | ${r.eager.toFixed(1)} | ${r.jit.toFixed(1)} | ${r.chunked.toFixed(1)} | ${r.jitSpeedup.toFixed(1)}× | ${(r.chunked / r.eager).toFixed(1)}× |`;
    console.log(row);
    lines.push(row);
  }
  const subsample = jit((k: NDArray) => np.slice(random.permutation(k, 40000), [0], [500]));
  const key = random.key(2);
  const subsampleUs = await measure(() => subsample(key), { reps: 5 });
  lines.push(
    "",
    `The minibatch step draws its 500 rows as the first 500 of a random permutation of 40,000 (sorting random keys): that draw alone, compiled, takes ${(subsampleUs / 1000).toFixed(1)} ms.`,
    "",
    `Total benchmark time: ${((performance.now() - t0) / 1000).toFixed(1)} s.`,
    "",
  );
  const md = lines.join("\n");
  console.log(md);
  const out = join(dirname(fileURLToPath(import.meta.url)), "results", "svi.md");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, md);
  console.log(`written to ${out}`);
}

await main();
