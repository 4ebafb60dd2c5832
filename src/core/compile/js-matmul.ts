/**
 * Matrix products for the `js` back end of jit: (..., m, k) @ (..., k, n) as loops over the
 * operands' strides, so transposed and broadcast operands are read where they lie. The loop
 * order follows the operands' layout: dot products when both are read along k contiguously,
 * row updates (i, p, j) otherwise, and column sweeps (p, i) for a transposed left operand
 * times a vector; short dot products are written out, and a few long ones share one pass
 * over k. Sums run over k in increasing order in doubles, as in the eager kernel.
 */
import { sizeOf, stridesOf, type Shape } from "../shape.js";

/**
 * One operand: a typed array `buf` read at `base + Σ batch index * batch + row * i + col * j`
 * (`base` an expression), or `uniform`, a value every element has.
 */
export interface MatOperand {
  readonly uniform: string | null;
  readonly buf: string;
  readonly base: string;
  /** Strides of the batch axes, aligned to the output's batch shape (0 where broadcast). */
  readonly batch: readonly number[];
  readonly row: number;
  readonly col: number;
}

/** `base + Σ counter * stride`, without zero terms (a counter may be the literal 0). */
function linear(base: string, terms: readonly (readonly [string, number])[]): string {
  const parts = base === "0" ? [] : [base];
  for (const [v, s] of terms) if (s !== 0 && v !== "0") parts.push(s === 1 ? v : `${v}*${s < 0 ? `(${s})` : s}`);
  return parts.length ? parts.join("+") : "0";
}

/**
 * Lines computing a @ b into the typed array `out` from `outBase` on (contiguous, of shape
 * [...batch, m, n]). `f64Scratch(n)` names a Float64Array of n elements for accumulators.
 */
export function emitMatmul(a: MatOperand, b: MatOperand, out: string, outBase: string, batch: Shape, m: number, k: number, n: number, f64Scratch: (n: number) => string): string[] {
  if (sizeOf(batch) * m * n === 0) return [];
  const lines: string[] = ["{"];
  let depth = 1;
  const put = (s: string) => lines.push("  ".repeat(depth) + s);
  const open = (s: string) => {
    put(s);
    depth++;
  };
  const close = () => {
    depth--;
    put("}");
  };

  const outBatch = stridesOf(batch).map((s) => s * m * n);
  const counters = batch.map((_, d) => `q${d}`);
  batch.forEach((len, d) => open(`for (let q${d} = 0; q${d} < ${len}; q${d}++) {`));
  const base = (start: string, strides: readonly number[]) => linear(start, counters.map((q, d) => [q, strides[d]] as const));
  put(`const oa = ${base(a.base, a.batch)};`);
  put(`const ob = ${base(b.base, b.batch)};`);
  put(`const oo = ${base(outBase, outBatch)};`);
  const A = (i: string, p: string) => a.uniform ?? `${a.buf}[${linear("oa", [[i, a.row], [p, a.col]])}]`;
  const B = (p: string, j: string) => b.uniform ?? `${b.buf}[${linear("ob", [[p, b.row], [j, b.col]])}]`;
  const O = (i: string, j: string) => `${out}[${linear("oo", [[i, n], [j, 1]])}]`;

  const alongK = (a.col === 1 || k === 1 || a.uniform !== null) && (n === 1 || b.row === 1 || b.uniform !== null);
  const transposedTimesVector = !alongK && n === 1 && a.row === 1 && a.uniform === null;
  if (alongK && k <= 8 && n * k <= 32) {
    // short dot products, written out, with B's elements read once into locals (same order of sums)
    const w = (p: number, j: number) => `w${p}_${j}`;
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) put(`const ${w(p, j)} = ${B(String(p), String(j))};`);
    open(`for (let i = 0; i < ${m}; i++) {`);
    for (let j = 0; j < n; j++) put(`${O("i", String(j))} = 0${Array.from({ length: k }, (_, p) => ` + ${A("i", String(p))} * ${w(p, j)}`).join("")};`);
    close();
  } else if (m * n <= 8) {
    // a few long dot products, accumulated side by side in one pass over k (independent
    // chains of additions run in parallel; each still sums in increasing order of p)
    const acc = (i: number, j: number) => `s${i}_${j}`;
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) put(`let ${acc(i, j)} = 0;`);
    open(`for (let p = 0; p < ${k}; p++) {`);
    for (let j = 0; j < n; j++) put(`const bv${j} = ${B("p", String(j))};`);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) put(`${acc(i, j)} += ${A(String(i), "p")} * bv${j};`);
    close();
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) put(`${O(String(i), String(j))} = ${acc(i, j)};`);
  } else if (alongK) {
    // dot products: O[i, j] = Σ_p A[i, p] B[p, j]
    open(`for (let i = 0; i < ${m}; i++) {`);
    open(`for (let j = 0; j < ${n}; j++) {`);
    put("let s = 0;");
    put(`for (let p = 0; p < ${k}; p++) s += ${A("i", "p")} * ${B("p", "j")};`);
    put(`${O("i", "j")} = s;`);
    close();
    close();
  } else if (transposedTimesVector) {
    // columns of A (contiguous) scaled by B[p] and summed: acc[i] += A[i, p] B[p]
    const acc = f64Scratch(m);
    put(`${acc}.fill(0);`);
    open(`for (let p = 0; p < ${k}; p++) {`);
    put(`const bv = ${B("p", "0")};`);
    put(`for (let i = 0; i < ${m}; i++) ${acc}[i] += ${A("i", "p")} * bv;`);
    close();
    put(`for (let i = 0; i < ${m}; i++) ${O("i", "0")} = ${acc}[i];`);
  } else {
    // row updates: acc[j] += A[i, p] B[p, j]
    const acc = f64Scratch(n);
    open(`for (let i = 0; i < ${m}; i++) {`);
    put(`${acc}.fill(0);`);
    open(`for (let p = 0; p < ${k}; p++) {`);
    put(`const av = ${A("i", "p")};`);
    put(`for (let j = 0; j < ${n}; j++) ${acc}[j] += av * ${B("p", "j")};`);
    close();
    put(`for (let j = 0; j < ${n}; j++) ${O("i", "j")} = ${acc}[j];`);
    close();
  }
  batch.forEach(() => close());
  lines.push("}");
  return lines;
}
