/**
 * `formatShapes`: a table of the shapes in a trace (NumPyro's `format_shapes`).
 */
import type { Site } from "./messages.js";
import type { Trace } from "./trace.js";

/** Options of {@link formatShapes}. */
export interface FormatShapesOptions {
  /** The first line (default "Trace Shapes:"). */
  title?: string;
  /** Also show the shape of each sample site's log density (all sites, or those this accepts). */
  computeLogProb?: boolean | ((site: Site) => boolean);
  /** Stop after this site. */
  lastSite?: string;
}

/** One line of the table: a label, batch dimensions, and event dimensions after a bar (none: no bar). */
interface Row {
  label: string;
  batch: readonly number[];
  event?: readonly number[];
}

/**
 * A table of every site's shapes: param values; for sample sites the distribution's batch and
 * event shapes (left and right of the bar) and the value's; plate sizes; deterministic values.
 * Batch dimensions are aligned from the right, as plates allocate them.
 *
 * ```
 *   Trace Shapes:
 *    Param Sites:
 *   Sample Sites:
 *         mu dist    |
 *           value    |
 *        J plate   8 |
 * theta_tilde dist 8 |
 *           value  8 |
 *   theta deterministic 8
 * ```
 */
export function formatShapes(trace: Trace, opts: FormatShapesOptions = {}): string {
  const title = opts.title ?? "Trace Shapes:";
  const sites: Site[] = [];
  for (const site of trace.values()) {
    sites.push(site);
    if (site.name === opts.lastSite) break;
  }
  if (sites.length === 0) return title;
  const wantLogProb = (s: Site) => (typeof opts.computeLogProb === "function" ? opts.computeLogProb(s) : !!opts.computeLogProb);
  const rows: Row[] = [{ label: title, batch: [] }, { label: "Param Sites:", batch: [] }];
  for (const s of sites) if (s.type === "param" && s.value !== null) rows.push({ label: s.name, batch: s.value.shape });
  rows.push({ label: "Sample Sites:", batch: [] });
  for (const s of sites) {
    if (s.type === "sample") {
      const ev = s.fn.eventShape.length;
      rows.push({ label: `${s.name} dist`, batch: s.fn.batchShape, event: s.fn.eventShape });
      if (s.value !== null) {
        const v = s.value.shape;
        rows.push({ label: "value", batch: v.slice(0, v.length - ev), event: v.slice(v.length - ev) });
        if (wantLogProb(s)) rows.push({ label: "log_prob", batch: s.fn.logProb(s.value).shape, event: [] });
      }
    } else if (s.type === "plate" && s.value !== null) rows.push({ label: `${s.name} plate`, batch: s.value.shape, event: [] });
    else if (s.type === "deterministic") rows.push({ label: `${s.name} deterministic`, batch: s.value.shape });
  }
  return table(rows);
}

/** Lays rows out in columns: labels right-justified, batch dims aligned right, event dims left. */
function table(rows: readonly Row[]): string {
  const nBatch = Math.max(...rows.map((r) => r.batch.length));
  const nEvent = Math.max(...rows.map((r) => r.event?.length ?? 0));
  const cells = rows.map((r) => [
    r.label,
    ...new Array<string>(nBatch - r.batch.length).fill(""),
    ...r.batch.map(String),
    r.event ? "|" : "",
    ...(r.event ?? []).map(String),
    ...new Array<string>(nEvent - (r.event?.length ?? 0)).fill(""),
  ]);
  const widths = cells[0].map((_, j) => Math.max(...cells.map((c) => c[j].length)));
  return cells.map((c) => c.map((cell, j) => cell.padStart(widths[j])).join(" ").trimEnd()).join("\n");
}
