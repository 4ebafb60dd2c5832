/**
 * Exporting MCMC draws for other tools: CmdStan's CSV layout (read by CmdStanPy, CmdStanR,
 * `posterior`, ArviZ's `from_cmdstan`) and the dictionary layout of ArviZ's `from_dict` /
 * `from_json`. Draws are grouped by chain, shape `[chains, draws, ...event]`, as
 * `mcmc.getSamples({groupByChain: true})` returns them; extra fields (`mcmc.getExtraFields`)
 * have shape `[chains, draws]` and are recognised by NumPyro's names in snake_case or camelCase.
 */
import type { ArrayLike } from "../core/index.js";
import { fmt, sizeOf } from "../core/shape.js";
import { nest, toHost, type HostArray, type NestedOf } from "./host-array.js";

// ---- CmdStan CSV ---------------------------------------------------------------------------

/** A chain's adaptation result, written in CmdStan's `# Adaptation terminated` block. */
export interface CmdStanAdaptation {
  /** The adapted step size. */
  stepSize: number;
  /**
   * The inverse mass matrix: its diagonal (CmdStan's `diag_e` metric) or the full matrix
   * (`dense_e`). When omitted, no metric is written.
   */
  inverseMassMatrix?: readonly number[] | readonly (readonly number[])[];
}

/** Options for {@link toCmdStanCsv}. */
export interface CmdStanCsvOptions {
  /**
   * Sampler statistics per draw, shape `[chains, draws]`. Recognised names become CmdStan's
   * sampler columns: `potentialEnergy` → `lp__` (negated: Stan's lp__ is the log density),
   * `acceptProb` → `accept_stat__`, `stepSize` (or `adapt_state.step_size`) → `stepsize__`,
   * `treeDepth` → `treedepth__` (otherwise derived from `numSteps` as ⌊log2 n⌋ + 1, as ArviZ
   * does), `numSteps` → `n_leapfrog__`, `diverging` → `divergent__` (0/1), `energy` →
   * `energy__`. Any other field `f` is appended as a column `f__`.
   */
  extraFields?: Record<string, ArrayLike>;
  /** Number of warmup iterations run (not saved), recorded in the header. */
  numWarmup?: number;
  /** NUTS maximum tree depth, recorded in the header (default 10). */
  maxTreeDepth?: number;
  /**
   * Per-chain adaptation results; when given, one entry per chain. CmdStanPy's strict reader
   * needs this block, with an inverse mass matrix (it reads the metric from it); pandas-style
   * readers that skip `#` lines do not.
   */
  adaptation?: readonly CmdStanAdaptation[];
}

/**
 * The draws as CmdStan output CSV, one string per chain: `#` comment lines with the run
 * configuration, a header row, an optional adaptation block, then one row per draw. Columns are
 * the sampler statistics available from `extraFields` (in CmdStan's order `lp__`,
 * `accept_stat__`, `stepsize__`, `treedepth__`, `n_leapfrog__`, `divergent__`, `energy__`), then
 * each site flattened in Stan's naming: 1-based, column-major (`theta.1`, `theta.2`; a 2×2
 * matrix gives `L.1.1`, `L.2.1`, `L.1.2`, `L.2.2`). Numbers are written at full precision;
 * non-finite values as `nan`, `inf`, `-inf`.
 */
export function toCmdStanCsv(samples: Record<string, ArrayLike>, options: CmdStanCsvOptions = {}): string[] {
  const sites = readSites(samples, "toCmdStanCsv");
  const [numChains, numDraws] = chainLayout(sites, "toCmdStanCsv");
  const columns = [...stanSamplerColumns(options.extraFields ?? {}, numChains, numDraws), ...stanSiteColumns(sites)];
  const adaptation = options.adaptation;
  if (adaptation && adaptation.length !== numChains) {
    throw new Error(`toCmdStanCsv: adaptation has ${adaptation.length} entries for ${numChains} chains`);
  }
  const header = columns.map((c) => c.name).join(",");
  return Array.from({ length: numChains }, (_, chain) => {
    const lines = [...stanConfig(chain, numDraws, options), header, ...stanAdaptation(adaptation?.[chain])];
    for (let draw = 0; draw < numDraws; draw++) {
      lines.push(columns.map((c) => stanNumber(c.value(chain, draw))).join(","));
    }
    return lines.join("\n") + "\n";
  });
}

/** One CSV column: its name and its value at each (chain, draw). */
interface Column {
  name: string;
  value: (chain: number, draw: number) => number;
}

/** CmdStan's sampler columns, in order, with the extra fields they are read from. */
const STAN_SAMPLER_COLUMNS: readonly { column: string; fields: readonly string[]; map?: (v: number) => number }[] = [
  { column: "lp__", fields: ["potentialEnergy", "potential_energy"], map: (v) => -v },
  { column: "accept_stat__", fields: ["acceptProb", "accept_prob"] },
  { column: "stepsize__", fields: ["stepSize", "step_size", "adapt_state.step_size", "adaptState.stepSize"] },
  { column: "treedepth__", fields: ["treeDepth", "tree_depth"] },
  { column: "n_leapfrog__", fields: ["numSteps", "num_steps"] },
  { column: "divergent__", fields: ["diverging"] },
  { column: "energy__", fields: ["energy"] },
];

/** The sampler columns present in `extraFields`, then the unrecognised fields as `name__`. */
function stanSamplerColumns(extraFields: Record<string, ArrayLike>, numChains: number, numDraws: number): Column[] {
  const fields = new Map<string, HostArray>();
  for (const [name, value] of Object.entries(extraFields)) {
    const h = toHost(value, `toCmdStanCsv: extra field "${name}"`);
    if (h.shape.length !== 2 || h.shape[0] !== numChains || h.shape[1] !== numDraws) {
      throw new Error(`toCmdStanCsv: extra field "${name}" must have shape [chains, draws] = ${fmt([numChains, numDraws])}, got ${fmt(h.shape)}`);
    }
    fields.set(name, h);
  }
  const used = new Set<string>();
  const find = (names: readonly string[]): HostArray | undefined => {
    const name = names.find((n) => fields.has(n));
    if (name !== undefined) used.add(name);
    return name === undefined ? undefined : fields.get(name);
  };
  const column = (name: string, h: HostArray, map: (v: number) => number = (v) => v): Column => ({
    name,
    value: (c, d) => map(h.data[c * numDraws + d]),
  });
  const numSteps = fields.get("numSteps") ?? fields.get("num_steps");
  const columns: Column[] = [];
  for (const { column: name, fields: names, map } of STAN_SAMPLER_COLUMNS) {
    const h = find(names);
    if (h) columns.push(column(name, h, map));
    else if (name === "treedepth__" && numSteps) columns.push(column(name, numSteps, treeDepth));
  }
  for (const [name, h] of fields) {
    if (!used.has(name)) columns.push(column(`${name}__`, h));
  }
  return columns;
}

/** One column per site element, named `site.i.j` (1-based) in column-major element order. */
function stanSiteColumns(sites: Map<string, HostArray>): Column[] {
  const columns: Column[] = [];
  for (const [name, h] of sites) {
    const [, numDraws, ...event] = h.shape;
    const size = sizeOf(event);
    for (const index of columnMajorIndices(event)) {
      let offset = 0;
      for (let k = 0; k < event.length; k++) offset = offset * event[k] + index[k];
      columns.push({
        name: [name, ...index.map((i) => i + 1)].join("."),
        value: (c, d) => h.data[(c * numDraws + d) * size + offset],
      });
    }
  }
  return columns;
}

/** All multi-indices of `shape` with the first index varying fastest. */
function columnMajorIndices(shape: readonly number[]): number[][] {
  const out: number[][] = [];
  const index = shape.map(() => 0);
  for (let n = 0; n < sizeOf(shape); n++) {
    out.push([...index]);
    for (let k = 0; k < shape.length && ++index[k] === shape[k]; k++) index[k] = 0;
  }
  return out;
}

/** The `#` configuration block CmdStan writes before the header. */
function stanConfig(chain: number, numDraws: number, options: CmdStanCsvOptions): string[] {
  const metric = options.adaptation?.[chain]?.inverseMassMatrix;
  return [
    "# Written by tyche (MCMC draws in CmdStan's output layout)",
    "# method = sample (Default)",
    "#   sample",
    `#     num_samples = ${numDraws}`,
    ...(options.numWarmup !== undefined ? [`#     num_warmup = ${options.numWarmup}`] : []),
    "#     save_warmup = 0",
    "#     thin = 1 (Default)",
    "#     algorithm = hmc (Default)",
    "#       hmc",
    "#         engine = nuts (Default)",
    "#           nuts",
    `#             max_depth = ${options.maxTreeDepth ?? 10}`,
    ...(metric ? [`#         metric = ${isDense(metric) ? "dense_e" : "diag_e"}`] : []),
    `# id = ${chain + 1}`,
  ];
}

/** CmdStan's adaptation block: step size and (if given) the inverse metric. */
function stanAdaptation(adaptation: CmdStanAdaptation | undefined): string[] {
  if (!adaptation) return [];
  const lines = ["# Adaptation terminated", `# Step size = ${stanNumber(adaptation.stepSize)}`];
  const metric = adaptation.inverseMassMatrix;
  if (metric && isDense(metric)) {
    lines.push("# Elements of inverse mass matrix:", ...metric.map((row) => `# ${row.map(stanNumber).join(", ")}`));
  } else if (metric) {
    lines.push("# Diagonal elements of inverse mass matrix:", `# ${metric.map(stanNumber).join(", ")}`);
  }
  return lines;
}

function isDense(metric: readonly number[] | readonly (readonly number[])[]): metric is readonly (readonly number[])[] {
  return metric.length > 0 && Array.isArray(metric[0]);
}

/** A number as CmdStan writes it (`nan`, `inf`, `-inf` for non-finite values). */
function stanNumber(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  return String(v);
}

/** NUTS tree depth from the number of leapfrog steps, ⌊log2 n⌋ + 1 (ArviZ's convention). */
function treeDepth(numSteps: number): number {
  return numSteps >= 1 ? Math.floor(Math.log2(numSteps)) + 1 : 0;
}

// ---- ArviZ dictionary / JSON ---------------------------------------------------------------

/** Options for {@link toArvizJson}. */
export interface ArvizJsonOptions {
  /**
   * Sampler statistics per draw, shape `[chains, draws, ...]`, renamed as ArviZ's NumPyro
   * converter does: `potentialEnergy` → `lp` (negated), `acceptProb` → `acceptance_rate`,
   * `stepSize` (or `adapt_state.step_size`) → `step_size`, `numSteps` → `n_steps` plus
   * `tree_depth` = ⌊log2 n⌋ + 1, `diverging` → `diverging` (booleans), `energy` → `energy`;
   * snake_case NumPyro names are accepted too, and other fields keep their names.
   */
  extraFields?: Record<string, ArrayLike>;
  /** Observed data by site name, any shape (no chain or draw dimensions). */
  observedData?: Record<string, ArrayLike>;
}

/** Nested arrays of numbers or booleans, as they appear in {@link ArvizJson}. */
export type ArvizValue = NestedOf<number> | NestedOf<boolean>;

/**
 * InferenceData groups as nested arrays, the dictionary ArviZ's `from_dict(**d)` (and so
 * `from_json` after `JSON.stringify`) reads: every posterior and sample_stats variable is
 * indexed `[chain][draw]...`.
 */
export interface ArvizJson {
  posterior: Record<string, ArvizValue>;
  /** Present when extra fields were given. */
  sample_stats?: Record<string, ArvizValue>;
  /** Present when observed data was given. */
  observed_data?: Record<string, ArvizValue>;
}

/** ArviZ's names for NumPyro's extra fields, with the value transform ArviZ applies. */
const ARVIZ_STATS: Readonly<Record<string, { name: string; leaf: (v: number) => number | boolean }>> = {
  potentialEnergy: { name: "lp", leaf: (v) => -v },
  potential_energy: { name: "lp", leaf: (v) => -v },
  acceptProb: { name: "acceptance_rate", leaf: (v) => v },
  accept_prob: { name: "acceptance_rate", leaf: (v) => v },
  stepSize: { name: "step_size", leaf: (v) => v },
  step_size: { name: "step_size", leaf: (v) => v },
  "adapt_state.step_size": { name: "step_size", leaf: (v) => v },
  "adaptState.stepSize": { name: "step_size", leaf: (v) => v },
  numSteps: { name: "n_steps", leaf: (v) => v },
  num_steps: { name: "n_steps", leaf: (v) => v },
  diverging: { name: "diverging", leaf: (v) => v !== 0 },
};

/**
 * The draws (and optionally sampler statistics and observed data) as an ArviZ InferenceData
 * dictionary, ready for `JSON.stringify` and `az.from_json`, or `az.from_dict(**d)` in Python.
 * Non-finite numbers become `null` under `JSON.stringify`.
 */
export function toArvizJson(samples: Record<string, ArrayLike>, options: ArvizJsonOptions = {}): ArvizJson {
  const sites = readSites(samples, "toArvizJson");
  const [numChains, numDraws] = chainLayout(sites, "toArvizJson");
  const out: ArvizJson = { posterior: {} };
  for (const [name, h] of sites) out.posterior[name] = nest(h.data, h.shape, (v) => v);

  if (options.extraFields) {
    const stats: Record<string, ArvizValue> = {};
    for (const [field, value] of Object.entries(options.extraFields)) {
      const what = `toArvizJson: extra field "${field}"`;
      const h = toHost(value, what);
      if (h.shape.length < 2 || h.shape[0] !== numChains || h.shape[1] !== numDraws) {
        throw new Error(`${what} must have shape [chains, draws, ...] = ${fmt([numChains, numDraws])}..., got ${fmt(h.shape)}`);
      }
      const known = ARVIZ_STATS[field];
      stats[known?.name ?? field] = nest(h.data, h.shape, known?.leaf ?? ((v: number) => v)) as ArvizValue;
      if (known?.name === "n_steps") stats.tree_depth = nest(h.data, h.shape, treeDepth);
    }
    out.sample_stats = stats;
  }

  if (options.observedData) {
    out.observed_data = {};
    for (const [name, value] of Object.entries(options.observedData)) {
      const h = toHost(value, `toArvizJson: observed data "${name}"`);
      out.observed_data[name] = nest(h.data, h.shape, (v) => v);
    }
  }
  return out;
}

// ---- shared --------------------------------------------------------------------------------

function readSites(samples: Record<string, ArrayLike>, what: string): Map<string, HostArray> {
  const sites = new Map<string, HostArray>();
  for (const [name, value] of Object.entries(samples)) sites.set(name, toHost(value, `${what}: site "${name}"`));
  if (sites.size === 0) throw new Error(`${what}: no sites to export`);
  return sites;
}

/** The common `[chains, draws]` of all sites; throws when a site disagrees. */
function chainLayout(sites: Map<string, HostArray>, what: string): [number, number] {
  let layout: [number, number] | undefined;
  for (const [name, h] of sites) {
    if (h.shape.length < 2) throw new Error(`${what}: site "${name}" must have shape [chains, draws, ...event], got ${fmt(h.shape)}`);
    const [c, d] = h.shape;
    layout ??= [c, d];
    if (c !== layout[0] || d !== layout[1]) {
      throw new Error(`${what}: site "${name}" has ${c} chains × ${d} draws where other sites have ${layout[0]} × ${layout[1]}`);
    }
  }
  return layout!;
}
