/**
 * Reading posterior draws for plotting: each site of a record of draws is split into its scalar
 * elements (`theta[0]`, `theta[1]`, ... as `summary` names them), each held as one
 * Float64Array per chain. Plots work on concrete draws on the host; nothing here touches a
 * backend after the read.
 */
import { Array as NDArray, asArray, type ArrayLike } from "../core/index.js";

/** Posterior draws by site name, as `mcmc.getSamples({ groupByChain: true })` returns them. */
export type Draws = Readonly<Record<string, ArrayLike>>;

/** Which draws a plot reads. */
export interface DrawsOptions {
  /**
   * Sites to plot, in this order (default: every site of the record, in its key order). A
   * name may pick one element of a site: `"theta[0]"`, `"L[1,0]"`.
   */
  sites?: readonly string[];
  /**
   * Whether every site has shape `[chains, draws, ...event]` (default true, as
   * `getSamples({ groupByChain: true })` gives); when false it has shape `[draws, ...event]`
   * and is one chain.
   */
  groupByChain?: boolean;
}

/** One scalar element of a site, its draws split by chain. */
export interface SiteElement {
  /** The site's name. */
  readonly site: string;
  /** The element's label: the site name, with the index for non-scalar sites (`theta[0]`, `L[1,0]`). */
  readonly name: string;
  /** The element's index within the site's event shape (empty for a scalar site). */
  readonly index: readonly number[];
  /** The draws of each chain, in draw order. */
  readonly chains: readonly Float64Array[];
}

/** Reads a concrete array's shape and values (as float64) on the host. */
export function readHost(x: ArrayLike, what: string): { data: Float64Array; shape: number[] } {
  let a: NDArray;
  try {
    a = asArray(x);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
  if (!a.isConcrete) throw new Error(`${what}: got an abstract array (inside jit or vmap); plots need concrete values`);
  return { data: Float64Array.from(a.dataSync()), shape: [...a.shape] };
}

/**
 * Splits the requested sites of `samples` into their scalar elements. `who` names the plot in
 * errors: an unknown site, a site without draws, a shape without a chain axis, or a draw that is
 * not finite.
 */
export function siteElements(samples: Draws, options: DrawsOptions, who: string): SiteElement[] {
  const groupByChain = options.groupByChain ?? true;
  const names = options.sites ?? Object.keys(samples);
  if (names.length === 0) throw new Error(`${who}: no sites to plot`);
  const out: SiteElement[] = [];
  for (const requested of names) {
    const [site, only] = parseSiteName(samples, requested, who);
    const what = `${who}: site '${site}'`;
    const h = readHost(samples[site], what);
    const shape = groupByChain ? h.shape : [1, ...h.shape];
    if (shape.length < 2) {
      throw new Error(`${what}: expected draws of shape [chains, draws, ...event] (groupByChain), got [${h.shape.join(", ")}]`);
    }
    const [numChains, numDraws] = shape;
    if (numChains < 1 || numDraws < 1) throw new Error(`${what}: no draws (shape [${h.shape.join(", ")}])`);
    const eventShape = shape.slice(2);
    const eventSize = eventShape.reduce((a, b) => a * b, 1);
    if (only !== null && (only.length !== eventShape.length || only.some((i, k) => i >= eventShape[k]))) {
      throw new Error(`${who}: no element ${requested}: the draws of '${site}' have event shape [${eventShape.join(", ")}]`);
    }
    for (let e = 0; e < eventSize; e++) {
      const index = unravel(e, eventShape);
      if (only !== null && only.some((i, k) => i !== index[k])) continue;
      const name = index.length === 0 ? site : `${site}[${index.join(",")}]`;
      const chains: Float64Array[] = [];
      for (let c = 0; c < numChains; c++) {
        const lane = new Float64Array(numDraws);
        for (let d = 0; d < numDraws; d++) {
          const v = h.data[(c * numDraws + d) * eventSize + e];
          if (!Number.isFinite(v)) throw new Error(`${what}: draw ${d} of chain ${c} of ${name} is ${v}; plots need finite draws`);
          lane[d] = v;
        }
        chains.push(lane);
      }
      out.push({ site, name, index, chains });
    }
  }
  return out;
}

/**
 * The site a requested name refers to, and the element index it picks (null: every element):
 * a site's own name, or a site name followed by an index in brackets (`theta[0]`, `L[1,0]`).
 */
function parseSiteName(samples: Draws, requested: string, who: string): [string, number[] | null] {
  if (Object.prototype.hasOwnProperty.call(samples, requested)) return [requested, null];
  const m = /^(.+)\[(\d+(?:,\d+)*)\]$/.exec(requested);
  if (m && Object.prototype.hasOwnProperty.call(samples, m[1])) return [m[1], m[2].split(",").map(Number)];
  throw new Error(`${who}: no site '${requested}' in the draws (sites: ${Object.keys(samples).join(", ") || "none"})`);
}

/** All draws of an element, chains concatenated. */
export function pooled(el: SiteElement): Float64Array {
  const out = new Float64Array(el.chains.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of el.chains) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Row-major multi-index of flat position `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let i = shape.length - 1; i >= 0; i--) {
    index[i] = flat % shape[i];
    flat = Math.floor(flat / shape[i]);
  }
  return index;
}
