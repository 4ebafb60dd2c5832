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

/** Loops over (outer row o, index k), with `j` the clamped index; `body` gets the element copy loop's counter name. */
function indexed({ outer, n, inner, m }: Around, idx: string, body: (x: string, other: string) => string): string[] {
  return [
    "{",
    `  for (let o = 0; o < ${outer}; o++) for (let k = 0; k < ${m}; k++) {`,
    `    let j = ${idx}[k];`,
    `    if (j < 0) j += ${n};`,
    `    j = j < 0 ? 0 : j > ${n - 1} ? ${n - 1} : j;`,
    `    const xs = (o * ${n} + j) * ${inner};`,
    `    const os = (o * ${m} + k) * ${inner};`,
    `    for (let t = 0; t < ${inner}; t++) ${body("xs + t", "os + t")};`,
    "  }",
    "}",
  ];
}

/** Lines writing gather(x, idx) into `out` (all contiguous, from their starts). */
export function emitGather(a: Around, x: string, idx: string, out: string): string[] {
  return indexed(a, idx, (xi, oi) => `${out}[${oi}] = ${x}[${xi}]`);
}

/** Lines adding the rows of `upd` into `out` (which holds x already) at `idx`; repeated indices accumulate. */
export function emitScatterAdd(a: Around, idx: string, upd: string, out: string): string[] {
  return indexed(a, idx, (xi, oi) => `${out}[${xi}] += ${upd}[${oi}]`);
}
