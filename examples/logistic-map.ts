/**
 * Logistic regression fit by gradient ascent on its log density, written once with `np` and
 * then differentiated (valueAndGrad), compiled (jit) and batched over restarts (vmap).
 * Run: npm run example -- logistic-map
 */
import { np, jit, valueAndGrad, vmap, type Array } from "../src/core/index.js";

const N = 2000;
const D = 5;
const trueW = [1, -2, 0.5, 0, 3];

// deterministic synthetic data (a tiny LCG keeps the example independent of the PRNG module)
let s = 12345;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const Xv = Float32Array.from({ length: N * D }, () => rnd() * 2 - 1);
const yv = Float32Array.from({ length: N }, (_, i) => {
  let l = 0;
  for (let d = 0; d < D; d++) l += Xv[i * D + d] * trueW[d];
  return rnd() < 1 / (1 + Math.exp(-l)) ? 1 : 0;
});
const X = np.reshape(np.array(Xv), [N, D]);
const y = np.array(yv);

/** log p(w | X, y) up to a constant: N(0, 5) prior and a Bernoulli-logit likelihood. */
function logDensity(w: Array, X: Array, y: Array): Array {
  const logits = np.matmul(X, w);
  const softplus = np.add(np.log1p(np.exp(np.negative(np.abs(logits)))), np.maximum(logits, 0));
  const lik = np.sum(np.subtract(np.multiply(y, logits), softplus));
  const prior = np.multiply(-0.5 / 25, np.sum(np.square(w)));
  return np.add(lik, prior);
}

const step = jit((w: Array, X: Array, y: Array) => {
  const [lp, g] = valueAndGrad(logDensity)(w, X, y);
  return [np.add(w, np.multiply(g, 1 / N)), lp];
});

let w: Array = np.zeros([D]);
const t0 = performance.now();
let lp: Array = np.zeros([]);
for (let i = 0; i < 500; i++) [w, lp] = step(w, X, y) as [Array, Array];
const ms = performance.now() - t0;
console.log(`MAP after 500 jitted gradient steps (${ms.toFixed(0)} ms, ${((ms * 1000) / 500).toFixed(0)} us/step)`);
console.log("  log density:", (lp.item() as number).toFixed(3));
console.log("  w:   ", [...w.dataSync()].map((v) => v.toFixed(2)).join("  "));
console.log("  true:", trueW.map((v) => v.toFixed(2)).join("  "));

// eight restarts at once: vmap over the starting points, the data shared
const starts = np.multiply(np.reshape(np.arange(8 * D, undefined, 1, "float32"), [8, D]), 0.05);
const batchStep = jit(vmap((w: Array, X: Array, y: Array) => step(w, X, y)[0], { inAxes: [0, null, null] }));
let ws: Array = starts;
for (let i = 0; i < 500; i++) ws = batchStep(ws, X, y) as Array;
const spread = np.max(np.abs(np.subtract(ws, np.broadcastTo(w, [8, D])))).item() as number;
console.log(`8 vmapped restarts agree with the single run to ${spread.toExponential(1)}`);
