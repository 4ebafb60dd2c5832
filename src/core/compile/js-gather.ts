/**
 * Gather (take along an axis) and its transpose, scatter-add, for the `js` back end of jit: row
 * copies between contiguous typed arrays, with indices wrapped once when negative and clamped
 * into range, as the eager kernels do.
 */
import { sizeOf, type Shape } from "../shape.js";

/** Sizes around the indexed axis: `outer` rows of `n` slices of `inner` elements, and `m` indices. */
interface Around {
  readonly outer: number;
  readonly n: number;
  readonly inner: number;
  readonly m: number;
}

/** The sizes around `axis` of an array of shape `x` indexed by `m` indices. */
export function around(x: Shape, axis: number, m: number): Around {
  return { outer: sizeOf(x.slice(0, axis)), n: x[axis], inner: sizeOf(x.slice(axis + 1)), m };
}

/**
 * Loops over (outer row o, index k), with `j` the index wrapped once when negative and clamped
 * into range (or taken as it is when `ready`: indices normalized already); `body` gets the
 * positions of the element copy in x and in the other array.
 */
function indexed({ outer, n, inner, m }: Around, idx: string, ready: boolean, body: (x: string, other: string) => string): string[] {
  const lines = ["{", `  for (let o = 0; o < ${outer}; o++) for (let k = 0; k < ${m}; k++) {`];
  if (ready) lines.push(`    const j = ${idx}[k];`);
  else
    lines.push(
      // without branches (an index that turns negative for the first time must not cost a recompile)
      `    const i = ${idx}[k], w = i + ${n};`,
      `    const j = Math.min(Math.max(i < 0 ? w : i, 0), ${n - 1});`,
    );
  const xs = `(o * ${n} + j) * ${inner}`;
  const os = `(o * ${m} + k) * ${inner}`;
  if (inner === 1) lines.push(`    ${body(outer === 1 ? "j" : `o * ${n} + j`, outer === 1 ? "k" : `o * ${m} + k`)};`);
  else lines.push(`    const xs = ${xs};`, `    const os = ${os};`, `    for (let t = 0; t < ${inner}; t++) ${body("xs + t", "os + t")};`);
  lines.push("  }", "}");
  return lines;
}

/** Indices wrapped once when negative and clamped into 0..n-1, as the loops above do (for indices known when compiling). */
export function normalizedIndices(idx: ArrayLike<number>, n: number): Int32Array {
  return Int32Array.from(idx, (i) => Math.min(Math.max(i < 0 ? i + n : i, 0), n - 1));
}

/** Lines writing gather(x, idx) into `out` (all contiguous, from their starts). */
export function emitGather(a: Around, x: string, idx: string, out: string, ready = false): string[] {
  return indexed(a, idx, ready, (xi, oi) => `${out}[${oi}] = ${x}[${xi}]`);
}

/** Lines adding the rows of `upd` into `out` (which holds x already) at `idx`; repeated indices accumulate. */
export function emitScatterAdd(a: Around, idx: string, upd: string, out: string, ready = false): string[] {
  return indexed(a, idx, ready, (xi, oi) => `${out}[${xi}] += ${upd}[${oi}]`);
}
