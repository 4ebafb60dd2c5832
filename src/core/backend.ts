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

const tfjsBackendOf: Record<Exclude<BackendName, "js">, { pkg: string; name: string }> = {
  "tfjs-cpu": { pkg: "@tensorflow/tfjs-backend-cpu", name: "cpu" },
  wasm: { pkg: "@tensorflow/tfjs-backend-wasm", name: "wasm" },
  webgpu: { pkg: "@tensorflow/tfjs-backend-webgpu", name: "webgpu" },
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
  try {
    await import(/* @vite-ignore */ spec.pkg);
  } catch (e) {
    throw new Error(`setBackend('${name}'): could not load ${spec.pkg} (${(e as Error).message}); install it to use this backend`);
  }
  // tfjs prints a banner suggesting tfjs-node on first use; production mode silences its warnings
  tf.enableProdMode();
  const ok = await tf.setBackend(spec.name);
  if (!ok) throw new Error(`setBackend('${name}'): tfjs could not initialize its '${spec.name}' backend`);
  current = name;
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
