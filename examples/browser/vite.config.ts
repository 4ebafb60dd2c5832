/**
 * Vite config of the browser example: `npx vite examples/browser` (dev server) or
 * `npx vite build examples/browser` (static build in examples/browser/dist).
 *
 * - `tyche`, `tyche/core`, ... resolve to the repository's src/ (no build of the library needed).
 * - Node-only modules that tyche loads lazily are replaced by stubs that throw if ever called:
 *   `@resvg/resvg-js` (PNG rasterizing in tyche/plots; the page renders SVG with Vega's View) and
 *   `webgpu` (Dawn for Node; a browser has navigator.gpu).
 */
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));
const src = fileURLToPath(new URL("../../src", import.meta.url));
const repo = fileURLToPath(new URL("../..", import.meta.url));

/** Node-only packages and the stub modules that stand in for them in the browser bundle. */
const nodeOnly: Record<string, string> = {
  "@resvg/resvg-js": `export class Resvg { constructor() { throw new Error("@resvg/resvg-js is Node-only; in a browser, render plots to SVG with Vega's View"); } }`,
  webgpu: `export const globals = {}; export function create() { throw new Error("the 'webgpu' package (Dawn) is Node-only; a browser provides navigator.gpu"); }`,
};

function nodeOnlyStubs(): Plugin {
  const prefix = "\0tyche-node-only:";
  return {
    name: "tyche-node-only-stubs",
    enforce: "pre",
    resolveId(id) {
      return id in nodeOnly ? prefix + id : null;
    },
    load(id) {
      return id.startsWith(prefix) ? nodeOnly[id.slice(prefix.length)] : null;
    },
  };
}

/**
 * MCMC's chainMethod 'parallel' starts a Node worker thread with
 * `new Worker(new URL("./mcmc-worker.mjs", import.meta.url))`, which Vite would take for a web
 * worker and bundle (with tsx and esbuild, which that file loads). A page never uses it: hide the
 * pattern from Vite by writing `'' + import.meta.url` (the same string at run time; Vite's own
 * convention for URLs it must leave alone).
 */
function nodeWorkerNotBundled(): Plugin {
  const workerUrl = /(new\s+URL\s*\(\s*(["'`])[^"'`]*mcmc-worker\.mjs\2\s*,\s*)import\.meta\.url/g;
  return {
    name: "tyche-node-worker-not-bundled",
    enforce: "pre",
    transform(code, id) {
      if (!/[\\/]src[\\/]infer[\\/]/.test(id) || !code.includes("mcmc-worker.mjs")) return null;
      return { code: code.replace(workerUrl, "$1'' + import.meta.url"), map: null };
    },
  };
}

export default defineConfig({
  root: here,
  base: "./",
  resolve: {
    alias: [
      { find: /^tyche$/, replacement: `${src}/index.ts` },
      { find: /^tyche\/(core|distributions|handlers|infer|plots)$/, replacement: `${src}/$1/index.ts` },
    ],
  },
  plugins: [nodeOnlyStubs(), nodeWorkerNotBundled()],
  server: { fs: { allow: [repo] } },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 4096 },
});
