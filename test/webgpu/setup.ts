/**
 * The WebGPU test suites: each runs its cases on the `js` backend (the reference) and on
 * `webgpu`, and compares. Where no WebGPU adapter exists the suites are skipped, unless
 * TYCHE_WEBGPU=1 (CI sets it after installing a software Vulkan device), when they fail.
 */
import { afterAll, beforeAll, describe, it } from "vitest";
import { Array as NDArray, setBackend, toHost, withBackend } from "../../src/core/index.js";

/** Why WebGPU is unavailable here, or null when it works. */
async function probe(): Promise<string | null> {
  try {
    await setBackend("webgpu");
    await setBackend("js");
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

const unavailable = await probe();
const required = process.env.TYCHE_WEBGPU === "1";

/** A describe block that runs on WebGPU (switched to in beforeAll), or says why it cannot. */
export function describeWebGPU(name: string, fn: () => void): void {
  if (unavailable !== null && !required) {
    describe.skip(`${name} (WebGPU unavailable: ${unavailable})`, fn);
    return;
  }
  describe(name, () => {
    if (unavailable !== null)
      it("has a WebGPU adapter (TYCHE_WEBGPU=1 requires one)", () => {
        throw new Error(`WebGPU unavailable: ${unavailable}`);
      });
    beforeAll(async () => {
      await setBackend("webgpu");
    });
    afterAll(async () => {
      await setBackend("js");
    });
    fn();
  });
}

/** Runs `f` on the host (`js` backend): the reference values. */
export function onHost<T>(f: () => T): T {
  return withBackend("js", f);
}

/** The values of an array as numbers, read asynchronously (as WebGPU requires). */
export async function values(x: NDArray): Promise<number[]> {
  return Array.from(await (await toHost(x)).data(), Number);
}
