/**
 * Small helpers shared by the examples (not an example itself: `npm run example` lists only the
 * files directly in examples/): whether a file is being run as a script, timing, number
 * formatting, quantiles and text histograms.
 */
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Array as NDArray } from "../../src/core/index.js";

/** Where an example prints its report (console.log by default; tests pass a function that drops it). */
export type Log = (line?: string) => void;

/** Whether the module at `url` (its `import.meta.url`) is the script node was started with (`npx tsx examples/NAME.ts`). */
export function isMain(url: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  const here = fileURLToPath(url);
  const target = resolve(script);
  return here === target || here === `${target}.ts`;
}

/** Seconds since `t0` (a `performance.now()` value). */
export function since(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/** The values of an array as plain numbers. */
export function values(x: NDArray): number[] {
  return Array.from(x.dataSync(), Number);
}

/** `x` with `d` digits after the point, right-aligned to `w` characters. */
export function f(x: number, d = 2, w = 0): string {
  return x.toFixed(d).padStart(w);
}

/** Empirical quantiles (linear interpolation) of `xs` at levels `qs`. */
export function quantiles(xs: readonly number[], qs: readonly number[]): number[] {
  const s = [...xs].sort((a, b) => a - b);
  return qs.map((q) => {
    const h = (s.length - 1) * q;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, s.length - 1);
    return s[lo] + (h - lo) * (s[hi] - s[lo]);
  });
}

/** Mean and standard deviation of `xs`. */
export function meanSd(xs: readonly number[]): [number, number] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1);
  return [m, Math.sqrt(v)];
}

/**
 * Text histograms of several samples over one grid, side by side: one row per bin, one column of
 * bars per sample, each scaled so that its tallest bin fills `width` characters.
 */
export function histograms(samples: Readonly<Record<string, readonly number[]>>, lo: number, hi: number, bins = 16, width = 14): string[] {
  const names = Object.keys(samples);
  const counts = names.map((n) => {
    const c = new Array<number>(bins).fill(0);
    for (const x of samples[n]) {
      const b = Math.floor(((x - lo) / (hi - lo)) * bins);
      if (b >= 0 && b < bins) c[b]++;
    }
    const total = samples[n].length;
    return c.map((k) => k / total);
  });
  const peak = counts.map((c) => Math.max(...c, 1e-12));
  const lines = [`${"".padStart(15)}  ${names.map((n) => n.padEnd(width)).join(" | ")}`];
  for (let b = 0; b < bins; b++) {
    const a = lo + ((hi - lo) * b) / bins;
    const z = lo + ((hi - lo) * (b + 1)) / bins;
    const label = `[${f(a, 2, 5)}, ${f(z, 2, 5)})`.padStart(15);
    const bars = counts.map((c, i) => "#".repeat(Math.round((c[b] / peak[i]) * width)).padEnd(width));
    lines.push(`${label}  ${bars.join(" | ")}`);
  }
  return lines;
}

/** A one-line sparkline of `xs` (e.g. a loss history), resampled to `width` characters. */
export function sparkline(xs: readonly number[], width = 60): string {
  const ticks = "▁▂▃▄▅▆▇█";
  const n = xs.length;
  const pts = Array.from({ length: Math.min(width, n) }, (_, i) => xs[Math.floor((i * n) / Math.min(width, n))]);
  const lo = Math.min(...pts);
  const hi = Math.max(...pts);
  return pts.map((x) => ticks[hi === lo ? 0 : Math.round(((x - lo) / (hi - lo)) * (ticks.length - 1))]).join("");
}
