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
import { np, special, type Array as NDArray } from "../core/index.js";
import { enumerate, isEnumerated, substitute, trace, type Model, type PlateFrame, type SiteValues, type Trace } from "../handlers/index.js";

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
    const lp = site.scale === 1 ? site.fn.logProb(site.value!) : np.multiply(site.scale, site.fn.logProb(site.value!));
    for (let d = -1; d >= -Math.min(plateNesting, lp.ndim); d--)
      if (lp.shape[lp.ndim + d] > 1 && !site.condIndepStack.some((f) => f.dim === d))
        throw new Error(`sample site '${site.name}': its log density has a batch dimension of size ${lp.shape[lp.ndim + d]} at dim ${d} that no enclosing plate declares; with enumeration, declare every batch dimension with a plate`);
    termAt(site.condIndepStack, lp);
  }

  let total: NDArray | null = null;
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
      if (local) t = special.logsumexp(t, t.ndim + d, true);
    }
    if (ordinal.frames.length === 0) {
      total = total === null ? np.sum(t) : np.add(total, np.sum(t));
      continue;
    }
    const inner = ordinal.frames[0];
    if (t.ndim >= -inner.dim) t = np.sum(t, t.ndim + inner.dim, true);
    termAt(ordinal.frames.slice(1), t);
  }
  return [total ?? np.array(0), tr];
}
