/** The log density one sample site contributes, shared by every log density and ELBO. */
import { np, type Array as NDArray } from "../core/index.js";
import type { SampleMessage } from "../handlers/index.js";

/** The log density a sample site contributes, `scale * fn.logProb(value)`, not summed. */
export function siteLogProb(site: SampleMessage): NDArray {
  const lp = site.fn.logProb(site.value!);
  return site.scale === 1 ? lp : np.multiply(site.scale, lp);
}
