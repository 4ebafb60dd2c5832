/**
 * Backends: `js` (tyche's own kernels over typed arrays, the default) and the tfjs family
 * (`tfjs-cpu`, `wasm`, `webgpu`), whose module is loaded only when first selected.
 */
import type * as TF from "@tensorflow/tfjs-core";

/** Names accepted by {@link setBackend}. */
export type BackendName = "js" | "tfjs-cpu" | "wasm" | "webgpu";

/** The tfjs module type, for kernels. */
export type Tf = typeof TF;

let current: BackendName = "js";
let tfModule: Tf | null = null;

// literal imports, so bundlers (Vite) include the backends that are installed; wasm is optional
const tfjsBackendOf: Record<Exclude<BackendName, "js">, { pkg: string; name: string; load: () => Promise<unknown> }> = {
  "tfjs-cpu": { pkg: "@tensorflow/tfjs-backend-cpu", name: "cpu", load: () => import("@tensorflow/tfjs-backend-cpu") },
  wasm: { pkg: "@tensorflow/tfjs-backend-wasm", name: "wasm", load: () => import(/* @vite-ignore */ "@tensorflow/tfjs-backend-wasm" as string) },
  webgpu: { pkg: "@tensorflow/tfjs-backend-webgpu", name: "webgpu", load: () => import("@tensorflow/tfjs-backend-webgpu") },
};

/**
 * Selects the backend for eager kernels. The tfjs family is imported on first use, so it is
 * asynchronous: `await setBackend("tfjs-cpu")`.
 */
export async function setBackend(name: BackendName): Promise<void> {
  if (name === "js") {
    current = "js";
    return;
  }
  const spec = tfjsBackendOf[name];
  if (!spec) throw new Error(`setBackend: unknown backend '${String(name)}' (expected js, tfjs-cpu, wasm or webgpu)`);
  const tf = (tfModule ??= (await import("@tensorflow/tfjs-core")) as Tf);
  if (name === "webgpu") await provideNavigatorGpu();
  try {
    await spec.load();
  } catch (e) {
    throw new Error(`setBackend('${name}'): could not load ${spec.pkg} (${(e as Error).message}); install it to use this backend`);
  }
  // tfjs prints a banner suggesting tfjs-node on first use; production mode silences its warnings
  tf.enableProdMode();
  const ok = await tf.setBackend(spec.name);
  if (!ok) throw new Error(`setBackend('${name}'): tfjs could not initialize its '${spec.name}' backend`);
  current = name;
}

/**
 * Makes `navigator.gpu` exist before tfjs's WebGPU backend is imported: in a browser it does
 * already; in Node it comes from the optional `webgpu` package (Dawn), whose adapter is whatever
 * Vulkan/Metal/D3D12 device the machine has (a software Vulkan device such as lavapipe works).
 */
async function provideNavigatorGpu(): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator?.gpu) return;
  if (typeof process === "undefined" || !process.versions?.node) throw new Error("setBackend('webgpu'): this browser has no navigator.gpu (WebGPU is not available or not enabled)");
  let dawn: { create(flags: string[]): unknown; globals: Record<string, unknown> };
  try {
    dawn = (await import(/* @vite-ignore */ "webgpu")) as typeof dawn;
  } catch (e) {
    throw new Error(`setBackend('webgpu'): in Node, WebGPU comes from the optional 'webgpu' package (Dawn), which could not be loaded (${(e as Error).message})`);
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  if (g.navigator) Object.defineProperty(g.navigator, "gpu", { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
}

/**
 * Runs `f` with eager kernels on `name`, then restores the backend (synchronous `f` only). The
 * inference drivers set up models on the host (`js`) while their compiled loops run on WebGPU.
 */
export function withBackend<T>(name: "js", f: () => T): T {
  const prev = current;
  current = name;
  try {
    return f();
  } finally {
    current = prev;
  }
}

/**
 * Reads a tensor's values synchronously, or says what to do instead: in Node, WebGPU values can
 * only be read asynchronously (tfjs's synchronous read needs a browser's OffscreenCanvas).
 */
export function readTensorSync(t: TF.Tensor, what: string): TF.TypedArray {
  try {
    return t.dataSync() as TF.TypedArray;
  } catch (e) {
    if (tfModule?.getBackend() !== "webgpu") throw e;
    throw new Error(`${what}: a WebGPU value cannot be read synchronously here (${(e as Error).message}); read it with \`await x.data()\`, and run jitted loops with \`f.async(...)\``);
  }
}

/** The backend eager kernels run on now. */
export function getBackend(): BackendName {
  return current;
}

/** True when the current backend is one of the tfjs family. */
export function onTfjs(): boolean {
  return current !== "js";
}

/** The loaded tfjs module; throws when no tfjs backend was ever selected. */
export function tfjs(): Tf {
  if (!tfModule) throw new Error("tfjs is not loaded: call `await setBackend('tfjs-cpu' | 'wasm' | 'webgpu')` first");
  return tfModule;
}

/** The tfjs module when it has been loaded, else null. */
export function tfjsIfLoaded(): Tf | null {
  return tfModule;
}
