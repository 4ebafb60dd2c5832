// One chain of a parallel MCMC run, in a worker thread (see MCMC's chainMethod 'parallel').
// Plain JavaScript so that it can register tsx before importing TypeScript modules.
import { parentPort, workerData } from "node:worker_threads";

try {
  const { register } = await import("tsx/esm/api");
  register();
} catch {
  // no tsx: the modules must be JavaScript
}
const { MCMC, treeFromJSON, treeToJSON, stateToJSON, stateFromJSON } = await import(new URL("./index.ts", import.meta.url).href);
// workerData.chain (this chain's index) is there too, for kernels that want to know it
const { module, exportName, key, args, options, resume } = workerData;
const controller = new AbortController();
parentPort.on("message", (m) => {
  if (m === "abort") controller.abort();
});
try {
  const mod = await import(module);
  const makeKernel = mod[exportName];
  if (typeof makeKernel !== "function") throw new Error(`MCMC (parallel): '${exportName}' exported by ${module} is not a function returning a kernel`);
  const mcmc = new MCMC(makeKernel(), {
    ...options,
    initParams: options.initParams === undefined ? undefined : treeFromJSON(options.initParams),
    numChains: 1,
    chainMethod: "sequential",
    progressBar: false,
    signal: controller.signal,
    onProgress: (p) => parentPort.postMessage({ type: "progress", progress: p }),
  });
  if (resume) mcmc.postWarmupState = stateFromJSON(resume);
  const modelArgs = args.map((a) => (a === null ? undefined : treeFromJSON(a)));
  await mcmc.run(treeFromJSON(key), ...modelArgs);
  parentPort.postMessage({
    type: "done",
    samples: treeToJSON(mcmc.getSamples({ groupByChain: true })),
    fields: treeToJSON(mcmc.getExtraFields({ groupByChain: true })),
    state: stateToJSON(mcmc.lastState),
  });
} catch (e) {
  const error = e instanceof Error ? e : new Error(String(e));
  parentPort.postMessage({ type: "error", message: error.message, name: error.name, stack: error.stack });
}
