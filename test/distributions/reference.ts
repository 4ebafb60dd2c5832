/**
 * The SciPy reference set for distributions (../shared/reference/distributions.json) and the
 * tolerance rules of its README, shared by the distribution tests.
 */
import { readFileSync } from "node:fs";
import { describe, it } from "vitest";

/** One reference parameter point of a distribution. */
export interface RefPoint {
  id: string;
  name: string;
  params: Record<string, unknown>;
  values: unknown[];
  log_prob: number[];
  cdf: number[] | null;
  icdf: { q: number[]; x: number[] } | null;
  mean: unknown;
  variance: unknown;
  entropy: number | null;
}

const ALL: RefPoint[] = JSON.parse(readFileSync(new URL("../../../shared/reference/distributions.json", import.meta.url), "utf8")).distributions;

/** The reference points of the distribution called `name` (NumPyro's class name). */
export function refPoints(name: string): RefPoint[] {
  const pts = ALL.filter((p) => p.name === name);
  if (pts.length === 0) throw new Error(`no reference points for ${name}`);
  return pts;
}

/**
 * A test per reference point of each distribution that `make` builds (named by the key, grouped
 * by distribution under `title`): `check` gets the distribution built from the point's parameters.
 */
export function describeRefPoints<D>(title: string, make: Record<string, (params: any) => D>, check: (d: D, p: RefPoint, name: string) => void): void {
  describe(title, () => {
    for (const [name, build] of Object.entries(make)) {
      describe(name, () => {
        for (const p of refPoints(name)) it(p.id, () => check(build(p.params), p, name));
      });
    }
  });
}

/** |got - ref| <= atol + rtol |ref| (the README's rule; defaults rtol 1e-5, atol 1e-6). */
export function close(got: number, ref: number, rtol = 1e-5, atol = 1e-6): boolean {
  if (ref === Infinity || ref === -Infinity) return got === ref;
  return Math.abs(got - ref) <= atol + rtol * Math.abs(ref);
}

/** Indices where `got` and `ref` disagree beyond tolerance, with both values (empty when all agree). */
export function mismatches(got: ArrayLike<number>, ref: readonly number[], rtol = 1e-5, atol = 1e-6): string[] {
  const out: string[] = [];
  ref.forEach((r, i) => {
    if (!close(got[i], r, rtol, atol)) out.push(`#${i}: got ${got[i]}, ref ${r}`);
  });
  return out;
}
