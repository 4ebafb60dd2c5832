/**
 * Snippets of docs/performance.md. Each `#region` is shown verbatim in the guide (kept in step
 * by `npm run docs:snippets`); test/docs.test.ts runs every exported function.
 */
// #region imports
import { cond, enableX64, getBackend, grad, isX64, jit, makeProgram, np, random, setBackend, vmap, whileLoop } from "tyche/core";
import * as dist from "tyche/distributions";
import { plate, sample } from "tyche/handlers";
import { MCMC, NUTS, logDensity } from "tyche/infer";
// #endregion

/** jit: tracing, the program, the generated code, the cache. */
export function jitBasics() {
  // #region jit
  const f = (x: np.Array, w: np.Array) => np.sum(np.square(np.subtract(np.matmul(x, w), 1)));
  const fast = jit(f);
  const x = random.normal(random.key(0), [100, 3]);
  const w = np.ones([3]);
  console.log(fast(x, w).item()); // traced and compiled on the first call, then cached

  console.log(makeProgram(f)(x, w).toString()); // the traced program (like jax.make_jaxpr)
  console.log(fast.source(x, w)); // the generated JavaScript
  fast(random.normal(random.key(1), [100, 3]), w); // same shapes and dtypes: no new compile
  fast(random.normal(random.key(1), [50, 3]), w); // new shapes: a second program
  console.log(fast.cacheSize()); // 2
  // #endregion
  // #region grad-jit
  const dfdw = jit(grad(f, { argnums: 1 })); // transforms compose: the gradient, compiled
  console.log(dfdw(x, w).shape); // [3]
  // #endregion
  // #region compiled
  const compiled = fast.compile(x, w); // the program of this signature, over flat typed arrays
  console.log(compiled.inputs.map((l) => l.shape)); // [ [ 100, 3 ], [ 3 ] ]: the leaves, in flattened order
  const inputs = compiled.flattenArgs(x, w); // copies of their elements: Float32Arrays of 300 and 3
  const outputs = compiled.newOutputs(); // [Float32Array(1)], reused by every call
  for (let step = 0; step < 3; step++) {
    compiled.call(inputs, outputs); // no pytrees, cache lookup or array wrapping
    inputs[1][0] -= 0.01; // a hot loop of your own updates the inputs in place
  }
  console.log(outputs[0][0]); // the loss at the last inputs
  // #endregion
  return { value: fast(x, w), cacheSize: fast.cacheSize(), gradient: dfdw(x, w) };
}

/** What compiles: values are abstract inside jit. */
export function controlFlow() {
  // #region control-flow
  // Inside jit, arrays have shapes but no values: `if (x.item() > 0)` throws
  // ("cannot read the value of a traced array ... inside jit"). Choose with np.where or cond:
  const relu = jit((x: np.Array) => np.where(np.greater(x, 0), x, 0));
  const branch = jit((x: np.Array) => cond(np.greater(np.sum(x), 0), (v: np.Array) => np.log1p(v), (v: np.Array) => np.negative(v), x));

  // Loops whose length depends on values: whileLoop (a pure function of a carry).
  const halvings = jit((x: np.Array) =>
    whileLoop(
      ([v]: [np.Array, np.Array]) => np.greater(v, 1),
      ([v, n]: [np.Array, np.Array]) => [np.divide(v, 2), np.add(n, 1)] as [np.Array, np.Array],
      [x, np.array(0)] as [np.Array, np.Array],
    )[1],
  );
  console.log(halvings(np.array(100)).item()); // 7
  // #endregion
  // #region static
  // A plain JS value that selects the program: mark it static (one program per value).
  const power = jit((x: np.Array, k: number) => np.power(x, k), { staticArgnums: [1] });
  power(np.array(3), 2);
  power(np.array(3), 3); // a second program
  // #endregion
  return { relu: relu(np.array([-1, 2])), branch: branch(np.array([1, 2])), halvings: halvings(np.array(100)), power: power(np.array(3), 3) };
}

/** vmap: batching without loops. */
export function batching() {
  // #region vmap
  function model(y: np.Array) {
    const mu = sample("mu", new dist.Normal(0, 1));
    plate("N", 3, () => sample("y", new dist.Normal(mu, 1), { obs: y }));
  }
  const y = np.array([0.5, 1.5, 1.0]);
  const logJoint = (mu: np.Array) => logDensity(model, [y], { mu })[0];
  // The log density at 1000 values of mu, in one pass, compiled:
  const many = jit(vmap(logJoint));
  console.log(many(np.linspace(-3, 3, 1000)).shape); // [1000]
  // #endregion
  return many(np.linspace(-3, 3, 1000));
}

/** Vectorized chains. */
export async function chains() {
  // #region chains
  function model() {
    sample("x", new dist.Normal(0, 1).expand([10]).toEvent(1));
  }
  // 'vectorized': one compiled transition for all chains (vmap), best for many chains of a
  // small model; 'sequential': one chain after the other.
  const many = new MCMC(new NUTS(model), { numWarmup: 200, numSamples: 200, numChains: 32, chainMethod: "vectorized" });
  await many.run(random.key(0));
  console.log(many.getSamples({ groupByChain: true }).x.shape); // [32, 200, 10]
  // #endregion
  return many.getSamples({ groupByChain: true }).x;
}

/** Backends and float64. */
export async function backendsAndDtypes() {
  // #region backends
  console.log(getBackend()); // 'js': tyche's own kernels, jit generates JavaScript
  await setBackend("tfjs-cpu"); // TensorFlow.js kernels (the path 'webgpu' takes on a GPU)
  const onTfjs = np.sum(np.arange(0, 10)).item();
  await setBackend("js");
  // #endregion
  // #region x64
  console.log(np.array(1).dtype); // 'float32' (the default, as in NumPyro)
  enableX64(); // float64 by default from here on (js backend only)
  console.log(np.array(1).dtype, isX64()); // 'float64' true
  const precise = np.divide(1, 3).item();
  enableX64(false);
  // #endregion
  return { onTfjs, precise };
}
