/**
 * tyche: probabilistic programming in TypeScript in the style of NumPyro. The subpaths hold
 * the layers: `tyche/core` (arrays, grad, vmap, jit, PRNG). Distributions, handlers and
 * inference join here as they land.
 */
export * from "./core/index.js";
