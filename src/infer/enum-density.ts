/**
 * The log density of a model whose discrete latent sites are enumerated in parallel, with those
 * sites summed out: tensor variable elimination over plates (Obermeyer et al. 2019, "Tensor
 * variable elimination for plated factor graphs", as Pyro's and NumPyro's `TraceEnum_ELBO` and
 * enumerated NUTS do), for plates that nest as a tree.
 *
 * Each sample site's log density is a factor living in the site's plates (its ordinal). From the
 * deepest ordinal up: the factors of the ordinal are added; the enumerated variables of that
 * ordinal are summed out (log-sum-exp over their dimensions); the innermost plate's dimension is
 * summed over (a product of independent terms); and what is left is passed to the enclosing
 * ordinal. An enumerated variable may be used by sites in its own plates and in plates nested
 * inside them; any other use (a local discrete variable feeding a global site) is an error.
 */
import { np, random, special, type Array as NDArray } from "../core/index.js";
import { enumerate, isEnumerated, seed, substitute, trace, type Key, type Model, type PlateFrame, type SiteValues, type Trace } from "../handlers/index.js";
import { siteLogProb } from "./site-log-prob.js";

/** A factor's ordinal: its plates, innermost first. */
interface Ordinal {
  readonly frames: readonly PlateFrame[];
  readonly terms: NDArray[];
}

const keyOf = (frames: readonly PlateFrame[]) => frames.map((f) => f.name).join("\u0000");

/** The number of plate dimensions the sites of a trace use (the largest −dim of their plates). */
export function maxPlateNesting(tr: Trace): number {
  let n = 0;
  for (const site of tr.values()) if (site.type === "sample" || site.type === "deterministic") for (const f of site.condIndepStack) n = Math.max(n, -f.dim);
  return n;
}

/**
 * The log joint density of `model(...args)` with `params` substituted and every site marked
 * for parallel enumeration summed out (its support laid along dimensions left of the model's
 * `plateNesting` plate dimensions), and the trace it ran with. Sites with a scale other than 1
 * (subsampled plates) are not supported with enumeration.
 */
export function enumeratedLogDensity<A extends unknown[]>(model: Model<A>, args: A, params: SiteValues, plateNesting: number): [NDArray, Trace] {
  const tr = trace(enumerate(substitute(model, params), -plateNesting - 1)).getTrace(...args);
  return [eliminate(tr, plateNesting, "sum").total, tr];
}

/** Options of {@link inferDiscrete}. */
export interface InferDiscreteOptions<A extends unknown[]> {
  /** Values of the other latent sites (a posterior draw), by name; the model's own draws where absent. */
  params?: SiteValues;
  /** The model's arguments. */
  modelArgs?: A;
  /** 1 (default): draw from the conditional posterior; 0: its most probable joint value (max-product). */
  temperature?: 0 | 1;
  /** Plate dimensions of the model (default: found by running it once). */
  plateNesting?: number;
}

/**
 * Values of the enumerated sites of `model` drawn from their posterior given `params` and the
 * data (NumPyro's `infer_discrete`): the elimination is run forward, then each enumerated site is
 * drawn backward, conditioned on the sites eliminated after it (forward filtering, backward
 * sampling). With `temperature: 0`, sums become maxima and draws become argmaxes: the jointly
 * most probable values. Returns each site's value with the shape it has without enumeration.
 */
export function inferDiscrete<A extends unknown[]>(model: Model<A>, key: Key, opts: InferDiscreteOptions<A> = {}): Record<string, NDArray> {
  const args = (opts.modelArgs ?? []) as A;
  const params = opts.params ?? {};
  const temperature = opts.temperature ?? 1;
  if (temperature !== 0 && temperature !== 1) throw new Error(`inferDiscrete: temperature must be 0 or 1, got ${temperature}`);
  const [traceKey, drawKey] = random.splitList(key, 2);
  const seeded = seed(substitute(model, params), traceKey);
  const plateNesting = opts.plateNesting ?? maxPlateNesting(trace(seeded).getTrace(...args));
  const tr = trace(enumerate(seeded, -plateNesting - 1)).getTrace(...args);
  const { eliminated } = eliminate(tr, plateNesting, temperature === 1 ? "sum" : "max");
  const keys = random.splitList(drawKey, Math.max(eliminated.length, 1));
  const drawn = new Map<number, NDArray>(); // index tensors by enumeration dim, size 1 at their own dim
  const out: Record<string, NDArray> = {};
  eliminated.reverse().forEach(({ dim, name, logits }, i) => {
    let l = logits;
    for (const [d, idx] of drawn) if (l.ndim >= -d && l.shape[l.ndim + d] > 1) l = np.takeAlongAxis(l, toRank(idx, l.ndim), l.ndim + d);
    const axis = l.ndim + dim;
    const idx = temperature === 1 ? np.expandDims(random.categorical(keys[i], l, axis), axis) : np.argmax(l, axis, true);
    drawn.set(dim, idx);
    const support = tr.get(name)!.value!;
    const rank = Math.max(support.ndim, idx.ndim);
    const value = np.takeAlongAxis(toRank(support, rank), toRank(idx, rank), rank + dim);
    out[name] = stripLeadingOnes(np.reshape(value, value.shape.slice(Math.max(0, value.ndim - plateNesting))));
  });
  return out;
}

/** `x` with leading dimensions of size 1 added or removed to have rank `r`. */
function toRank(x: NDArray, r: number): NDArray {
  if (x.ndim === r) return x;
  if (x.ndim < r) return np.reshape(x, [...new Array<number>(r - x.ndim).fill(1), ...x.shape]);
  if (x.shape.slice(0, x.ndim - r).some((d) => d !== 1)) throw new Error(`internal: cannot drop dims of shape [${x.shape.join(", ")}] to rank ${r}`);
  return np.reshape(x, x.shape.slice(x.ndim - r));
}

function stripLeadingOnes(x: NDArray): NDArray {
  let k = 0;
  while (k < x.ndim && x.shape[k] === 1) k++;
  return k === 0 ? x : np.reshape(x, x.shape.slice(k));
}

/** One enumerated site as eliminated: its dimension and the log weights over it (and over the sites eliminated after it) just before. */
interface Eliminated {
  readonly dim: number;
  readonly name: string;
  readonly logits: NDArray;
}

/**
 * Tensor variable elimination over the enumerated trace `tr`: the summed-out log density (with
 * `"max"`, the maximum over the enumerated values), and each enumerated site in the order it
 * was eliminated.
 */
function eliminate(tr: Trace, plateNesting: number, reduce: "sum" | "max"): { total: NDArray; eliminated: Eliminated[] } {
  const enumVars = new Map<number, { name: string; frames: readonly PlateFrame[] }>();
  for (const site of tr.values()) if (site.type === "sample" && isEnumerated(site)) enumVars.set(site.infer.enumDim as number, { name: site.name, frames: site.condIndepStack });

  const ordinals = new Map<string, Ordinal>();
  const termAt = (frames: readonly PlateFrame[], term: NDArray) => {
    const key = keyOf(frames);
    if (!ordinals.has(key)) ordinals.set(key, { frames, terms: [] });
    ordinals.get(key)!.terms.push(term);
  };
  for (const site of tr.values()) {
    if (site.type !== "sample") continue;
    if (site.scale !== 1 && enumVars.size > 0) throw new Error(`sample site '${site.name}': enumeration does not support scaled sites (subsampled plates or scale)`);
    const lp = siteLogProb(site);
    for (let d = -1; d >= -Math.min(plateNesting, lp.ndim); d--)
      if (lp.shape[lp.ndim + d] > 1 && !site.condIndepStack.some((f) => f.dim === d))
        throw new Error(`sample site '${site.name}': its log density has a batch dimension of size ${lp.shape[lp.ndim + d]} at dim ${d} that no enclosing plate declares; with enumeration, declare every batch dimension with a plate`);
    termAt(site.condIndepStack, lp);
  }

  let total: NDArray | null = null;
  const eliminated: Eliminated[] = [];
  while (ordinals.size > 0) {
    // the deepest ordinal left: nothing can still send it a term
    const [key, ordinal] = [...ordinals].reduce((a, b) => (b[1].frames.length > a[1].frames.length ? b : a));
    ordinals.delete(key);
    let t = ordinal.terms.reduce((a, b) => np.add(a, b));
    for (let d = -plateNesting - 1; d >= -t.ndim; d--) {
      if (t.shape[t.ndim + d] === 1) continue;
      const v = enumVars.get(d);
      if (v === undefined) throw new Error(`internal: a log density has size ${t.shape[t.ndim + d]} at dim ${d}, left of the plates, where no site is enumerated`);
      const local = keyOf(v.frames) === key;
      const enclosing = v.frames.length < ordinal.frames.length && keyOf(ordinal.frames.slice(ordinal.frames.length - v.frames.length)) === keyOf(v.frames);
      if (!local && !enclosing)
        throw new Error(`enumerated site '${v.name}' (plates: ${v.frames.map((f) => f.name).join(", ") || "none"}) is used by a site in plates ${ordinal.frames.map((f) => f.name).join(", ") || "none"}; an enumerated site may only be used inside its own plates`);
      if (local) {
        eliminated.push({ dim: d, name: v.name, logits: t });
        t = reduce === "sum" ? special.logsumexp(t, t.ndim + d, true) : np.max(t, t.ndim + d, true);
      }
    }
    if (ordinal.frames.length === 0) {
      total = total === null ? np.sum(t) : np.add(total, np.sum(t));
      continue;
    }
    const inner = ordinal.frames[0];
    if (t.ndim >= -inner.dim) t = np.sum(t, t.ndim + inner.dim, true);
    termAt(ordinal.frames.slice(1), t);
  }
  return { total: total ?? np.array(0), eliminated };
}
