/**
 * The `js` back end of jit: one generated JavaScript function for a whole program.
 *
 * Every value lives in one of three places: a local (a value every element shares: scalars,
 * constants whose elements are all equal, broadcasts of those), a typed array read through
 * strides (so reshape, broadcastTo, transpose, slice and rev cost no copy), or a pending loop
 * nest. Elementwise equations of one shape join the same pending nest, and so do reductions of
 * its values and copies of its values into pad and concatenate results; a nest is written out
 * when something outside it needs one of its values (see js-loops.ts). Matrix products are
 * loops over their operands' strides (js-matmul.ts), gather and scatter-add row copies
 * (js-gather.ts), threefry2x32 inline code (js-random.ts). Runs of equations that work row by
 * row along a common leading axis (vmap's batch axis) become one loop over the rows, each row
 * compiled as a small program of its own (js-rows.ts). Control flow (while, scan, cond)
 * becomes a kernel built at compile time (see registerJsSpecializer): its sub-programs get the
 * inputs that are constants here folded in, and are compiled once. Every other equation calls
 * its primitive's JS kernel: `K[id]([{data,shape,dtype},...], P[id], O[id])`.
 *
 * Arrays the program computes are allocated once, at compile time, and reused by every call;
 * outputs are fresh arrays, or, for a program compiled "into" (a loop body), arrays the caller
 * gives. Only numbers and generated identifiers enter the source: every other value (kernels,
 * parameters, constants, dtypes) is passed in through arrays indexed by number.
 */
import { allocate, type DType, type TypedArray } from "../dtype.js";
import { Var, type Eqn, type Program } from "../ir.js";
import { sizeOf, stridesOf, type Shape } from "../shape.js";
import type { HostIn, Primitive } from "../primitives/primitive.js";
import type { AVal } from "../array.js";
import { baseExpr, emitLoopNest, ROW, type Access, type Read, type Reduce, type Stmt, type Store } from "./js-loops.js";
import { around, emitGather, emitScatterAdd, normalizedIndices } from "./js-gather.js";
import { emitMatmul, type MatOperand } from "./js-matmul.js";
import { threefryLines } from "./js-random.js";
import { rowProgram, rowRegions, type RowRegion } from "./js-rows.js";
import { segmentedBody } from "./js-segments.js";
import { asStored, elementwiseExpr, foldOf, isElementwise, numberLiteral, scalarHelpers, type Fold } from "./js-scalar.js";

const ctorIndex: Record<DType, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };
const ctors = [Float32Array, Float64Array, Int32Array, Uint8Array];

/** A compiled program: host inputs in, host outputs out. */
export type CompiledJs = (inputs: readonly TypedArray[]) => TypedArray[];

/**
 * A compiled program that writes its outputs into arrays the caller gives (of the outputs'
 * sizes and dtypes, none of them sharing memory with an input or another output). Regions of
 * an output the program never writes keep what the array held, so the caller hands the same
 * program the same arrays, zeroed when first made (as control-flow kernels do: a loop
 * alternates between two sets of carries).
 */
export type CompiledInto = (inputs: readonly TypedArray[], outputs: readonly TypedArray[]) => void;

/**
 * A kernel built when the program around an equation is compiled, from what is known then:
 * `known[i]` holds input i when it is a constant of that program (else null). `run` gets the
 * other inputs' arrays, in order (all of them when `uses` is absent; else those whose entry
 * is true) and returns output arrays that may be its own (reused by its next call) or the
 * input arrays themselves; the compiled program only reads them, and copies what it returns.
 */
export interface Specialized {
  readonly run: (data: readonly TypedArray[]) => TypedArray[];
  readonly uses?: readonly boolean[];
}
export type Specializer = (params: any, known: readonly (TypedArray | null)[], ins: readonly AVal[], outs: readonly AVal[]) => Specialized;
const specializers = new Map<string, Specializer>();

/** Registers how equations of primitive `name` are compiled into kernels specialized on their constant inputs (control flow). */
export function registerJsSpecializer(name: string, s: Specializer): void {
  specializers.set(name, s);
}

/** Who owns a typed array: the caller (inputs, or output arrays given to fill), the program (constants, reused scratch), this call (fresh), or a kernel. */
type Origin = "input" | "const" | "scratch" | "fresh" | "out" | "kernel";

/** A typed array read at `offset + r * row + Σ index * strides` (`row` is nonzero only inside row loops). */
interface Strided {
  readonly kind: "array";
  readonly buf: string;
  readonly offset: number;
  readonly row: number;
  readonly strides: readonly number[];
  /** Length of the whole typed array `buf`. */
  readonly length: number;
  readonly origin: Origin;
}

/** A value of pad or concatenate, not yet written: zeros with operands (`src`) placed at offsets `lo`. */
interface Piece {
  readonly src: Var;
  readonly lo: readonly number[];
  readonly eqn: Eqn;
}

/**
 * Where a value lives: a local every element shares, a typed array, a pending nest (a member,
 * a reduction, or a scalar computed after the nest from its reductions), pieces not yet
 * assembled, or nowhere (a nest member nothing reads after its nest).
 */
type Loc =
  | { readonly kind: "uniform"; readonly expr: string; readonly value?: number }
  | Strided
  | { readonly kind: "pending"; readonly group: Group }
  | { readonly kind: "pieces"; readonly pieces: readonly Piece[] }
  | { readonly kind: "dead" };

type Item = { kind: "map"; eqn: Eqn } | { kind: "reduce"; eqn: Eqn; fold: Fold } | { kind: "place"; src: Var; at: Access };

/** A loop nest being collected: elementwise values (members), reductions and copies over one shape. */
class Group {
  flushed = false;
  readonly items: Item[] = [];
  readonly members = new Set<Var>();
  /** Equations whose reads of members happen inside the nest. */
  readonly consumers = new Set<Eqn>();
  /** Names of the single values known once the nest has run: its full reductions, then scalars computed from them. */
  readonly scalars = new Map<Var, string>();
  /** Statements computing those scalars, written after the nest. */
  readonly epilogue: string[] = [];
  constructor(
    readonly shape: Shape,
    readonly key: string,
  ) {}
}

const shapeKey = (s: Shape) => s.join(",");

/** Whether `strides` walk `shape` in row-major order (axes of length 1 may have any stride). */
function rowMajor(shape: Shape, strides: readonly number[]): boolean {
  const c = stridesOf(shape);
  return shape.every((d, i) => d === 1 || strides[i] === c[i]);
}

/** Whether `l` is exactly the elements of an array of `shape` in row-major order, from its start. */
function exact(l: Strided, shape: Shape): boolean {
  return l.row === 0 && l.offset === 0 && l.length === sizeOf(shape) && rowMajor(shape, l.strides);
}

/** Strides to read an array of shape `from` (with strides `strides`) broadcast to `to`. */
function broadcastView(strides: readonly number[], from: Shape, to: Shape): number[] {
  const off = to.length - from.length;
  return to.map((d, i) => (i < off || (from[i - off] === 1 && d !== 1) ? 0 : strides[i - off]));
}

/** Strides of `to` over the data of an array of shape `from` read with `strides`, when reshaping needs no copy. */
function reshapeView(strides: readonly number[], from: Shape, to: Shape): number[] | null {
  if (rowMajor(from, strides)) return stridesOf(to);
  // only axes of length 1 come or go: the other axes keep their strides
  const a = from.map((d, i) => [d, strides[i]] as const).filter(([d]) => d !== 1);
  const b = to.filter((d) => d !== 1);
  if (a.length !== b.length || a.some(([d], i) => d !== b[i])) return null;
  let j = 0;
  return to.map((d) => (d === 1 ? 0 : a[j++][1]));
}

/** Generates the JavaScript function of one program. */
class JsCompiler {
  private readonly prologue: string[] = [];
  private readonly lines: string[] = [];
  private readonly kernels: Primitive<any>["js"][] = [];
  private readonly params: unknown[] = [];
  private readonly outAvals: unknown[] = [];
  private readonly inDescr: { shape: Shape; dtype: DType }[][] = [];
  private readonly scratch: TypedArray[] = [];
  private readonly constVals: TypedArray[] = [];
  private readonly loc = new Map<Var, Loc>();
  private readonly pending = new Map<string, Group>();
  private readonly consumers = new Map<Var, Eqn[]>();
  private readonly outputs: Set<Var>;
  private readonly scalarReads = new Map<Var, string>();
  private readonly contiguousCopies = new Map<Var, string>();
  /** Constant arrays by name, and the arrays of their reciprocals made so far. */
  private readonly constData = new Map<string, TypedArray>();
  private readonly reciprocals = new Map<string, string>();
  /** Inside a row loop: per-row values needed after it, and the values they are rows of. */
  private readonly exports = new Map<Var, Var>();
  private nextVarId: number;
  /** Names of the caller's output arrays declared so far (into mode), by output position. */
  private readonly outNames = new Map<number, string>();

  constructor(
    private readonly program: Program,
    private readonly into = false,
    /** Into mode: zero the regions of a caller's output array that pad leaves unwritten (else they keep what the array held). */
    private readonly zeroGaps = false,
  ) {
    this.outputs = new Set(program.outputs);
    this.addConsumers(program.eqns);
    const ids = [...program.inputs, ...program.consts.map(([v]) => v), ...program.eqns.flatMap((e) => e.outs)].map((v) => v.id);
    this.nextVarId = Math.max(0, ...ids) + 1;
  }

  private addConsumers(eqns: readonly Eqn[]): void {
    for (const e of eqns) for (const v of e.ins) this.consumers.set(v, [...(this.consumers.get(v) ?? []), e]);
  }

  compile(): { run: CompiledJs | CompiledInto; source: string } {
    const { program } = this;
    program.inputs.forEach((v, i) => {
      this.prologue.push(`const in${i} = I[${i}];`);
      this.loc.set(v, this.strided(`in${i}`, v, "input"));
    });
    program.consts.forEach(([v, c], i) => {
      const data = c.concrete().host();
      if (data.length > 0 && data.every((x) => Object.is(x, data[0]))) {
        this.loc.set(v, { kind: "uniform", expr: numberLiteral(data[0]), value: data[0] });
        return;
      }
      this.constVals.push(data);
      this.constData.set(`c${i}`, data);
      this.prologue.push(`const c${i} = C[${this.constVals.length - 1}];`);
      this.loc.set(v, this.strided(`c${i}`, v, "const"));
    });
    const regions = new Map(rowRegions(program.eqns).map((r) => [r.start, r]));
    for (let k = 0; k < program.eqns.length; k++) {
      const region = regions.get(k);
      if (!region) this.equation(program.eqns[k]);
      else {
        this.rows(region);
        k += region.eqns.length - 1;
      }
    }
    this.assembleAll(program.outputs);
    this.flushAll();
    if (this.into) program.outputs.forEach((v, k) => this.outputInto(v, k));
    else {
      const outs = program.outputs.map((v, k) => this.output(v, k));
      this.lines.push(`return [${outs.join(", ")}];`);
    }

    const source = [...this.prologue, segmentedBody(this.lines)].join("\n");
    const factory = new Function("K", "P", "O", "D", "S", "B", "C", "A", "M", `return function compiled(I, Q) {\n${source}\n};`);
    const scratchBuffers = new Set(this.scratch.map((a) => a.buffer));
    const run = factory(this.kernels, this.params, this.outAvals, this.inDescr, this.scratch, scratchBuffers, this.constVals, ctors, scalarHelpers) as CompiledJs | CompiledInto;
    return { run, source };
  }

  // ---- equations -------------------------------------------------------------------------------

  private equation(e: Eqn): void {
    const name = e.prim.name;
    const [x] = e.ins;
    const [y] = e.outs;
    if (name === "stopGradient" && this.loc.get(x)!.kind !== "pending") {
      this.loc.set(y, this.loc.get(x)!);
      return;
    }
    if (name === "add" && this.disjointPieces(e)) return;
    if (name === "threefry2x32") return this.threefry(e);
    if (isElementwise(name)) return this.elementwise(e);
    const fold = x && (e.params as { axes?: unknown } | null)?.axes !== undefined ? foldOf(name, x.aval.dtype) : null;
    if (fold) return this.reduce(e, fold);
    switch (name) {
      case "reshape":
        return this.view(e, (s) => reshapeView(s, x.aval.shape, y.aval.shape));
      case "broadcastTo":
        return this.view(e, (s) => broadcastView(s, x.aval.shape, y.aval.shape));
      case "transpose": {
        const { perm } = e.params as { perm: number[] };
        return this.view(e, (s) => perm.map((p) => s[p]));
      }
      case "slice": {
        const { starts } = e.params as { starts: number[] };
        return this.view(
          e,
          (s) => s,
          (s) => starts.reduce((a, st, i) => a + st * s[i], 0),
        );
      }
      case "rev": {
        const { axes } = e.params as { axes: number[] };
        return this.view(
          e,
          (s) => s.map((st, i) => (axes.includes(i) ? -st : st)),
          (s) => axes.reduce((a, ax) => a + (x.aval.shape[ax] - 1) * s[ax], 0),
        );
      }
      case "pad": {
        const { lo } = e.params as { lo: number[] };
        this.loc.set(y, { kind: "pieces", pieces: [{ src: x, lo, eqn: e }] });
        return;
      }
      case "concatenate": {
        const { axis } = e.params as { axis: number };
        let start = 0;
        const pieces = e.ins.map((src) => {
          const lo = src.aval.shape.map((_, d) => (d === axis ? start : 0));
          start += src.aval.shape[axis];
          return { src, lo, eqn: e };
        });
        this.loc.set(y, { kind: "pieces", pieces });
        return;
      }
      case "matmul":
        return this.matmul(e);
      case "gather":
        return this.gather(e);
      case "scatterAdd":
        return this.scatterAdd(e);
      default:
        return this.kernel(e);
    }
  }

  /**
   * An elementwise equation: a local when every operand is a single value (computed after a
   * pending nest when it needs that nest's reductions), else a member of the nest of its shape.
   */
  private elementwise(e: Eqn): void {
    const [y] = e.outs;
    if (e.ins.every((u) => this.isScalar(u))) {
      const after = new Set(e.ins.map((u) => this.loc.get(u)!).flatMap((l) => (l.kind === "pending" && l.group.scalars.size ? [l.group] : [])));
      const [g] = after.size === 1 ? after : [];
      if (g && e.ins.every((u) => g.scalars.has(u) || this.loc.get(u)!.kind !== "pending")) {
        const expr = this.expr(e, (u, inverse) => (inverse ? this.inverseLiteral(u) : (g.scalars.get(u) ?? this.scalar(u))), true);
        g.epilogue.push(`const s${y.id} = ${expr};`);
        g.scalars.set(y, `s${y.id}`);
        this.loc.set(y, { kind: "pending", group: g });
        return;
      }
      const expr = this.expr(e, (u, inverse) => (inverse ? this.inverseLiteral(u) : this.scalar(u)), true);
      this.lines.push(`const s${y.id} = ${expr};`);
      this.loc.set(y, { kind: "uniform", expr: `s${y.id}` });
      return;
    }
    const g = this.join(y.aval.shape, e.ins);
    g.items.push({ kind: "map", eqn: e });
    g.members.add(y);
    g.consumers.add(e);
    this.loc.set(y, { kind: "pending", group: g });
  }

  /** threefry2x32 (two outputs): inline code, on locals when every operand is a single value, else in the nest of its shape. */
  private threefry(e: Eqn): void {
    const [y0, y1] = e.outs;
    if (e.ins.every((u) => this.isScalar(u))) {
      this.lines.push(...threefryLines(e.ins.map((u) => this.scalar(u)), `s${y0.id}`, `s${y1.id}`));
      this.loc.set(y0, { kind: "uniform", expr: `s${y0.id}` });
      this.loc.set(y1, { kind: "uniform", expr: `s${y1.id}` });
      return;
    }
    const g = this.join(y0.aval.shape, e.ins);
    g.items.push({ kind: "map", eqn: e });
    for (const y of e.outs) {
      g.members.add(y);
      this.loc.set(y, { kind: "pending", group: g });
    }
    g.consumers.add(e);
  }

  /** A reduction (sum, max, min, prod over axes): folded inside the nest of its operand's shape. */
  private reduce(e: Eqn, fold: Fold): void {
    const [x] = e.ins;
    const [y] = e.outs;
    if (sizeOf(x.aval.shape) === 1) {
      this.lines.push(`const s${y.id} = ${asStored(fold.step(fold.init, this.scalar(x)), y.aval.dtype)};`);
      this.loc.set(y, { kind: "uniform", expr: `s${y.id}` });
      return;
    }
    const g = this.join(x.aval.shape, [x]);
    g.items.push({ kind: "reduce", eqn: e, fold });
    g.consumers.add(e);
    if (sizeOf(y.aval.shape) === 1) g.scalars.set(y, `a${y.id}`);
    this.loc.set(y, { kind: "pending", group: g });
  }

  /** A view: new strides (and offset) over the operand's data; copies only a reshape of a scattered view. */
  private view(e: Eqn, strides: (s: readonly number[]) => readonly number[] | null, offset: (s: readonly number[]) => number = () => 0): void {
    const [x] = e.ins;
    const [y] = e.outs;
    const p = this.loc.get(x)!;
    if (p.kind === "pending" && p.group.scalars.has(x)) {
      // every element is that one value, known once its nest has run
      p.group.scalars.set(y, p.group.scalars.get(x)!);
      this.loc.set(y, p);
      return;
    }
    let l = this.settled(x);
    if (l.kind === "uniform") {
      this.loc.set(y, l);
      return;
    }
    let s = strides(l.strides);
    if (!s) {
      l = this.contiguous(x);
      s = strides(l.strides)!;
    }
    this.loc.set(y, { ...l, offset: l.offset + offset(l.strides), strides: s });
  }

  /** `add` of two values that are pieces in disjoint regions: the pieces of both (nothing is added). */
  private disjointPieces(e: Eqn): boolean {
    const [a, b] = e.ins.map((u) => this.loc.get(u)!);
    const [y] = e.outs;
    if (a.kind !== "pieces" || b.kind !== "pieces" || !e.ins.every((u) => u.aval.shape.length === y.aval.shape.length && sizeOf(u.aval.shape) === sizeOf(y.aval.shape))) return false;
    const apart = (p: Piece, q: Piece) => p.lo.some((l, d) => l + p.src.aval.shape[d] <= q.lo[d] || q.lo[d] + q.src.aval.shape[d] <= l);
    if (!a.pieces.every((p) => b.pieces.every((q) => apart(p, q)))) return false;
    this.loc.set(y, { kind: "pieces", pieces: [...a.pieces, ...b.pieces] });
    return true;
  }

  /** Writes pieces into a zero-initialized array (each inside its operand's nest when that is pending). */
  private assemble(v: Var, pieces: readonly Piece[]): void {
    const out = this.allocate(v);
    const strides = stridesOf(v.aval.shape);
    // pieces are disjoint: they leave gaps exactly when they hold fewer elements than the value
    const n = sizeOf(v.aval.shape);
    if (this.zeroGaps && out.origin === "out" && pieces.reduce((a, p) => a + sizeOf(p.src.aval.shape), 0) < n) {
      const base = baseExpr(0, out.row);
      this.lines.push(out.row === 0 ? `${out.buf}.fill(0);` : `${out.buf}.fill(0, ${base}, ${base}+${n});`);
    }
    const at = (p: Piece): Access => ({ buf: out.buf, offset: p.lo.reduce((a, l, d) => a + l * strides[d], 0), row: out.row, strides });
    const groups = new Set(pieces.map((p) => this.place(p.src, at(p), p.eqn)));
    for (const g of groups) this.flush(g);
    this.loc.set(v, out);
  }

  private matmul(e: Eqn): void {
    const [a, b] = e.ins;
    const [y] = e.outs;
    const out = this.allocate(y);
    const batch = y.aval.shape.slice(0, -2);
    const operand = (v: Var): MatOperand => {
      const l = this.settled(v);
      const s = v.aval.shape;
      const r = s.length;
      if (l.kind === "uniform") return { uniform: l.expr, buf: "", base: "0", batch: batch.map(() => 0), row: 0, col: 0 };
      const st = broadcastView(l.strides.slice(0, r - 2), s.slice(0, r - 2), batch);
      return { uniform: null, buf: l.buf, base: baseExpr(l.offset, l.row), batch: st, row: s[r - 2] === 1 ? 0 : l.strides[r - 2], col: s[r - 1] === 1 ? 0 : l.strides[r - 1] };
    };
    const [m, k] = a.aval.shape.slice(-2);
    const n = b.aval.shape[b.aval.shape.length - 1];
    this.lines.push(...emitMatmul(operand(a), operand(b), out.buf, baseExpr(0, out.row), batch, m, k, n, (len) => this.f64Scratch(len)));
    this.loc.set(y, out);
  }

  /** take(x, idx, axis): rows of x copied into a reused array. */
  private gather(e: Eqn): void {
    const [x, idx] = e.ins;
    const [y] = e.outs;
    const { axis } = e.params as { axis: number };
    const xs = this.contiguous(x).buf;
    const [is, ready] = this.indices(idx, x.aval.shape[axis]);
    const out = this.allocate(y);
    this.lines.push(...emitGather(around(x.aval.shape, axis, sizeOf(idx.aval.shape)), xs, is, out.buf, ready));
    this.loc.set(y, out);
  }

  /** The array of indices `idx` into an axis of length n: normalized now (a constant array) when they are known, else as they are. */
  private indices(idx: Var, n: number): [string, boolean] {
    const name = `n${idx.id}_${n}`;
    if (this.constData.has(name)) return [name, true];
    const known = this.knownValue(idx);
    if (!known || n === 0) return [this.contiguous(idx).buf, false];
    const data = normalizedIndices(known, n);
    this.constVals.push(data);
    this.constData.set(name, data);
    this.prologue.push(`const ${name} = C[${this.constVals.length - 1}];`);
    return [name, true];
  }

  /** scatterAdd(x, idx, upd, axis): x copied into the result (a fresh output is zeros already), then the rows of upd added at idx. */
  private scatterAdd(e: Eqn): void {
    const [x, idx, upd] = e.ins;
    const [y] = e.outs;
    const { axis } = e.params as { axis: number };
    const [is, ready] = this.indices(idx, x.aval.shape[axis]);
    const us = this.contiguous(upd).buf;
    const out = this.allocate(y);
    const base = this.loc.get(x)!;
    const zeros = base.kind === "uniform" && base.value === 0 && out.origin === "fresh";
    if (!zeros) this.flush(this.place(x, { buf: out.buf, offset: 0, row: 0, strides: stridesOf(y.aval.shape) }, e));
    this.lines.push(...emitScatterAdd(around(x.aval.shape, axis, sizeOf(idx.aval.shape)), is, us, out.buf, ready));
    this.loc.set(y, out);
  }

  /** Any other primitive: a call of its JS kernel on contiguous operands. */
  private kernel(e: Eqn): void {
    const specializer = specializers.get(e.prim.name);
    if (specializer) return this.specialized(e, specializer);
    const id = this.kernels.length;
    const data = e.ins.map((v) => this.contiguous(v).buf);
    this.kernels.push(e.prim.js);
    this.params.push(e.params);
    this.outAvals.push(e.outs.map((v) => v.aval));
    this.inDescr.push(e.ins.map((v) => v.aval));
    const args = data.map((d, j) => `{data:${d},shape:D[${id}][${j}].shape,dtype:D[${id}][${j}].dtype}`).join(",");
    this.lines.push(`const r${id} = K[${id}]([${args}], P[${id}], O[${id}]);`);
    e.outs.forEach((v, j) => {
      this.lines.push(`const r${id}_${j} = r${id}[${j}];`);
      this.loc.set(v, this.strided(`r${id}_${j}`, v, "kernel"));
    });
  }

  /** A kernel built now, with the inputs that are constants here folded in; called on the others' arrays. */
  private specialized(e: Eqn, specializer: Specializer): void {
    const known = e.ins.map((v) => this.knownValue(v));
    const k = specializer(
      e.params,
      known,
      e.ins.map((v) => v.aval),
      e.outs.map((v) => v.aval),
    );
    const data = e.ins.flatMap((v, i) => ((k.uses ? k.uses[i] : true) ? [this.contiguous(v).buf] : []));
    const id = this.kernels.length;
    this.kernels.push(k.run as never);
    this.params.push(null);
    this.outAvals.push(null);
    this.inDescr.push([]);
    this.lines.push(`const r${id} = K[${id}]([${data.join(",")}]);`);
    // the arrays stay valid until the kernel's next call (the next run of this program): returned, they are copied
    e.outs.forEach((v, j) => {
      this.lines.push(`const r${id}_${j} = r${id}[${j}];`);
      this.loc.set(v, this.strided(`r${id}_${j}`, v, "scratch"));
    });
  }

  /** The elements of `v` when they are known while compiling (a constant of the program), else null. */
  private knownValue(v: Var): TypedArray | null {
    const l = this.loc.get(v)!;
    const n = sizeOf(v.aval.shape);
    if (l.kind === "uniform" && l.value !== undefined) return allocate(v.aval.dtype, n).fill(l.value);
    if (l.kind === "array" && l.origin === "const" && exact(l, v.aval.shape)) return this.constData.get(l.buf) ?? null;
    return null;
  }

  /**
   * A row region: one loop over the rows, whose body is the region's per-row program. Values
   * computed before it are read a row at a time; per-row values needed after it are stored
   * into arrays of all rows (or, when they are rows of such an array already, seen through it).
   */
  private rows(region: RowRegion): void {
    this.flushAll();
    const rp = rowProgram(region, (aval) => new Var(this.nextVarId++, aval));
    for (const { inner, outer, use } of rp.imports) {
      const l = this.settled(outer);
      if (l.kind === "uniform") this.loc.set(inner, l);
      else this.loc.set(inner, { ...l, row: use === "row" ? l.strides[0] : 0, strides: l.strides.slice(1) });
    }
    const inRegion = new Set(region.eqns);
    for (const [outer, inner] of rp.defs) if (this.outputs.has(outer) || (this.consumers.get(outer) ?? []).some((c) => !inRegion.has(c))) this.exports.set(inner, outer);
    this.addConsumers(rp.eqns);
    const cached = [new Set(this.scalarReads.keys()), new Set(this.contiguousCopies.keys())];

    this.lines.push(`for (let ${ROW} = 0; ${ROW} < ${region.extent}; ${ROW}++) {`);
    for (const e of rp.eqns) this.equation(e);
    this.assembleAll([...this.exports.keys()]);
    const exported: [Var, Strided][] = [];
    for (const [inner, outer] of this.exports) {
      let l = this.settled(inner);
      if (l.kind !== "array" || l.row === 0) {
        const all = this.allocate(inner);
        this.flush(this.place(inner, { buf: all.buf, offset: 0, row: all.row, strides: all.strides }, null));
        l = all;
      }
      exported.push([outer, { ...l, row: 0, strides: [l.row, ...l.strides] }]);
    }
    this.flushAll();
    this.lines.push("}");

    for (const [outer, l] of exported) this.loc.set(outer, l);
    this.exports.clear();
    // locals read inside the loop body are out of scope after it
    for (const v of this.scalarReads.keys()) if (!cached[0].has(v)) this.scalarReads.delete(v);
    for (const v of this.contiguousCopies.keys()) if (!cached[1].has(v)) this.contiguousCopies.delete(v);
  }

  /**
   * The scalar expression of elementwise equation `e`, its operands named by `operand(u,
   * false)`; rounded to float32 when the value is `kept` beyond the loop computing it (so that
   * every reader sees the value eager would hold). A float32 division by a constant multiplies
   * by the constant's reciprocal (`operand(u, true)`, null when `u` is not constant): in
   * doubles the two differ by at most an ulp of a double, far below what float32 resolves, and
   * agree on zeros, infinities and NaN.
   */
  private expr(e: Eqn, operand: (u: Var, inverse: boolean) => string | null, kept: boolean): string {
    const [y] = e.outs;
    const r = e.prim.name === "div" && y.aval.dtype === "float32" ? operand(e.ins[1], true) : null;
    const expr =
      r !== null
        ? elementwiseExpr("mul", [operand(e.ins[0], false)!, r], y.aval.dtype)
        : elementwiseExpr(
            e.prim.name,
            e.ins.map((u) => operand(u, false)!),
            y.aval.dtype,
          );
    return kept && y.aval.dtype === "float32" ? asStored(expr, y.aval.dtype) : expr;
  }

  /** A literal for 1/u when `u` is a constant every element of which is equal, else null. */
  private inverseLiteral(u: Var): string | null {
    const l = this.loc.get(u)!;
    return l.kind === "uniform" && l.value !== undefined ? numberLiteral(1 / l.value) : null;
  }

  /** The name of an array holding the reciprocals of constant array `l` (same layout), or null when `l` is not constant. */
  private reciprocalOf(l: Strided): string | null {
    const data = this.constData.get(l.buf);
    if (!data) return null;
    let name = this.reciprocals.get(l.buf);
    if (!name) {
      this.constVals.push(Float64Array.from(data, (x) => 1 / x));
      name = `${l.buf}i`;
      this.prologue.push(`const ${name} = C[${this.constVals.length - 1}];`);
      this.reciprocals.set(l.buf, name);
    }
    return name;
  }

  // ---- nests -----------------------------------------------------------------------------------

  /** The pending nest of `shape` that an equation reading `ins` can join (after writing out nests holding other needed values). */
  private join(shape: Shape, ins: readonly Var[]): Group {
    const key = shapeKey(shape);
    for (const u of ins) {
      const p = this.loc.get(u)!;
      if (p.kind === "pieces") this.assemble(u, p.pieces);
      const l = this.loc.get(u)!;
      if (l.kind === "pending" && !(l.group.key === key && l.group.members.has(u))) this.flush(l.group);
    }
    let g = this.pending.get(key);
    if (!g) this.pending.set(key, (g = new Group(shape, key)));
    return g;
  }

  /** Assembles the values among `vs` that are pieces (while the nests of their operands may still be pending, to write them there). */
  private assembleAll(vs: readonly Var[]): void {
    for (const v of vs) {
      const l = this.loc.get(v)!;
      if (l.kind === "pieces") this.assemble(v, l.pieces);
    }
  }

  private flushAll(): void {
    for (const g of [...this.pending.values()]) this.flush(g);
  }

  /** Copies `src` into region `at` of another array, inside the nest of `src`'s shape; returns that nest. */
  private place(src: Var, at: Access, consumer: Eqn | null): Group {
    const g = this.join(src.aval.shape, [src]);
    g.items.push({ kind: "place", src, at });
    if (consumer) g.consumers.add(consumer);
    return g;
  }

  /** Writes out a pending nest: its members needed elsewhere are stored, its reductions and copies completed. */
  private flush(g: Group): void {
    if (g.flushed) return;
    g.flushed = true;
    this.pending.delete(g.key);
    const stmts: Stmt[] = [];
    const stores: Store[] = [];
    const reductions: Reduce[] = [];
    const after: string[] = [];
    const settled = new Map<Var, Loc>();
    const readsOf = new Map<string, Read>();
    const read = (name: string, l: Strided, u: Var): string => {
      if (!readsOf.has(name)) readsOf.set(name, { name, at: { buf: l.buf, offset: l.offset, row: l.row, strides: broadcastView(l.strides, u.aval.shape, g.shape) } });
      return name;
    };
    const operand = (u: Var): string => {
      if (g.members.has(u)) return `t${u.id}`;
      const l = this.loc.get(u)!;
      if (l.kind === "uniform") return l.expr;
      if (l.kind !== "array") throw new Error(`internal: jit js: value v${u.id} is not available`);
      return read(`e${u.id}`, l, u);
    };
    const inverse = (u: Var): string | null => {
      const l = this.loc.get(u)!;
      if (g.members.has(u) || l.kind !== "array") return this.inverseLiteral(u);
      const buf = this.reciprocalOf(l);
      return buf && read(`e${u.id}i`, { ...l, buf }, u);
    };
    const needed = new Set([...g.members].filter((v) => this.outputs.has(v) || this.exports.has(v) || (this.consumers.get(v) ?? []).some((c) => !g.consumers.has(c))));
    for (const it of g.items) {
      if (it.kind === "map" && it.eqn.prim.name === "threefry2x32") {
        const [y0, y1] = it.eqn.outs.map((y) => `t${y.id}`);
        const deps: string[] = [];
        const args = it.eqn.ins.map((u) => {
          const name = operand(u);
          deps.push(name);
          return name;
        });
        stmts.push({ name: y0, expr: "", deps, code: threefryLines(args, y0, y1) });
        stmts.push({ name: y1, expr: "", deps: [y0], code: [] });
      } else if (it.kind === "map") {
        const [y] = it.eqn.outs;
        const deps: string[] = [];
        const expr = this.expr(
          it.eqn,
          (u, inv) => {
            const name = inv ? inverse(u) : operand(u);
            if (name) deps.push(name);
            return name;
          },
          needed.has(y),
        );
        stmts.push({ name: `t${y.id}`, expr, deps });
      } else if (it.kind === "reduce") {
        const [x] = it.eqn.ins;
        const [y] = it.eqn.outs;
        const { axes } = it.eqn.params as { axes: number[] };
        const value = operand(x);
        if (sizeOf(y.aval.shape) === 1) {
          const local = `a${y.id}`;
          reductions.push({ fold: it.fold, value, into: { local } });
          if (y.aval.dtype === "float32" || y.aval.dtype === "int32") after.push(`${local} = ${asStored(local, y.aval.dtype)};`);
          settled.set(y, { kind: "uniform", expr: local });
        } else {
          const out = this.allocate(y);
          const ys = stridesOf(y.aval.shape);
          let j = 0;
          const strides = x.aval.shape.map((_, d) => (axes.includes(d) ? 0 : ys[j++]));
          reductions.push({ fold: it.fold, value, into: { at: { buf: out.buf, offset: 0, row: out.row, strides }, size: sizeOf(y.aval.shape) } });
          settled.set(y, out);
        }
      } else stores.push({ at: it.at, value: operand(it.src) });
    }
    for (const v of g.members) {
      if (!needed.has(v)) {
        settled.set(v, { kind: "dead" });
        continue;
      }
      const out = this.allocate(v);
      stores.push({ at: { buf: out.buf, offset: 0, row: out.row, strides: stridesOf(g.shape) }, value: `t${v.id}` });
      settled.set(v, out);
    }
    this.lines.push(...emitLoopNest({ shape: g.shape, reads: [...readsOf.values()], stmts, stores, reductions }, (n) => this.f64Scratch(n)), ...after, ...g.epilogue);
    for (const [v, name] of g.scalars) settled.set(v, { kind: "uniform", expr: name });
    for (const [v, l] of settled) this.loc.set(v, l);
  }

  // ---- values ----------------------------------------------------------------------------------

  /** The location of `v` once any nest computing it is written out. */
  private settled(v: Var): Exclude<Loc, { kind: "pending" } | { kind: "pieces" } | { kind: "dead" }> {
    let l = this.loc.get(v)!;
    if (l.kind === "pending") this.flush(l.group);
    if (l.kind === "pieces") this.assemble(v, l.pieces);
    l = this.loc.get(v)!;
    if (l.kind === "pending" || l.kind === "pieces" || l.kind === "dead") throw new Error(`internal: jit js: value v${v.id} is not available`);
    return l;
  }

  private isScalar(v: Var): boolean {
    const l = this.loc.get(v)!;
    return l.kind === "uniform" || (l.kind === "pending" && l.group.scalars.has(v)) || sizeOf(v.aval.shape) === 1;
  }

  /** An expression for the single value of `v` (all its elements). */
  private scalar(v: Var): string {
    const l = this.settled(v);
    if (l.kind === "uniform") return l.expr;
    let name = this.scalarReads.get(v);
    if (!name) {
      name = `x${v.id}`;
      this.lines.push(`const ${name} = ${l.buf}[${baseExpr(l.offset, l.row)}];`);
      this.scalarReads.set(v, name);
    }
    return name;
  }

  /** `v` as a typed array of exactly its elements in row-major order (copied when it is a scattered view or a local). */
  private contiguous(v: Var): Strided {
    const l = this.settled(v);
    const n = sizeOf(v.aval.shape);
    if (l.kind === "array" && exact(l, v.aval.shape)) return l;
    let buf = this.contiguousCopies.get(v);
    if (!buf) {
      buf = `m${v.id}`;
      if (l.kind === "uniform" && l.value !== undefined) {
        // a constant: its array is made now, not filled on every call
        const data = allocate(v.aval.dtype, n).fill(l.value);
        this.constVals.push(data);
        this.constData.set(buf, data);
        this.prologue.push(`const ${buf} = C[${this.constVals.length - 1}];`);
        this.contiguousCopies.set(v, buf);
        return { kind: "array", buf, offset: 0, row: 0, strides: stridesOf(v.aval.shape), length: n, origin: "const" };
      }
      // a view of a long enough run of another array (a short one is copied: cheaper than a view object per call)
      if (l.kind === "array" && l.row === 0 && rowMajor(v.aval.shape, l.strides) && n > 16) this.lines.push(`const ${buf} = ${l.buf}.subarray(${l.offset}, ${l.offset + n});`);
      else {
        this.scratch.push(allocate(v.aval.dtype, n));
        this.prologue.push(`const ${buf} = S[${this.scratch.length - 1}];`);
        this.flush(this.place(v, { buf, offset: 0, row: 0, strides: stridesOf(v.aval.shape) }, null));
      }
      this.contiguousCopies.set(v, buf);
    }
    return { kind: "array", buf, offset: 0, row: 0, strides: stridesOf(v.aval.shape), length: n, origin: "scratch" };
  }

  /** The array of output `v`: returned as it is when the call owns it or it is immutable, else copied. */
  private output(v: Var, k: number): string {
    const l = this.settled(v);
    const n = sizeOf(v.aval.shape);
    if (l.kind === "array" && exact(l, v.aval.shape)) {
      if (l.origin === "scratch") return `${l.buf}.slice()`;
      // a kernel may return (a view of) one of its operands, which may be scratch
      if (l.origin === "kernel") return `(B.has(${l.buf}.buffer) ? ${l.buf}.slice() : ${l.buf})`;
      return l.buf;
    }
    const buf = `o${k}`;
    this.lines.push(`const ${buf} = new A[${ctorIndex[v.aval.dtype]}](${n});`);
    this.flush(this.place(v, { buf, offset: 0, row: 0, strides: stridesOf(v.aval.shape) }, null));
    return buf;
  }

  /** Into mode: output `v` written into the caller's array for position `k` (copied there unless it was computed there). */
  private outputInto(v: Var, k: number): void {
    const name = this.outName(k);
    const l = this.settled(v);
    if (l.kind === "array" && l.buf === name && exact(l, v.aval.shape)) return;
    this.flush(this.place(v, { buf: name, offset: 0, row: 0, strides: stridesOf(v.aval.shape) }, null));
  }

  /** The name of the caller's output array at position `k` (into mode). */
  private outName(k: number): string {
    let name = this.outNames.get(k);
    if (!name) {
      name = `u${k}`;
      this.prologue.push(`const ${name} = Q[${k}];`);
      this.outNames.set(k, name);
    }
    return name;
  }

  /**
   * An array for `v`: for outputs, fresh per call (zeroed) or, in into mode, the caller's
   * array (holding what the last call wrote there); else scratch allocated once (holding what
   * the last call wrote). Inside a row loop, a per-row value needed after the loop gets an
   * array for all rows.
   */
  private allocate(v: Var): Strided {
    const outer = this.exports.get(v);
    const owner = outer ?? v;
    const n = sizeOf(owner.aval.shape);
    const row = outer ? sizeOf(v.aval.shape) : 0;
    const fresh = this.outputs.has(owner);
    if (fresh && this.into) {
      const k = this.program.outputs.indexOf(owner);
      if (!this.outNames.has(k)) return { kind: "array", buf: this.outName(k), offset: 0, row, strides: stridesOf(v.aval.shape), length: n, origin: "out" };
    }
    const buf = `b${v.id}`;
    if (fresh && !this.into) this.prologue.push(`const ${buf} = new A[${ctorIndex[v.aval.dtype]}](${n});`);
    else {
      this.scratch.push(allocate(v.aval.dtype, n));
      this.prologue.push(`const ${buf} = S[${this.scratch.length - 1}];`);
    }
    return { kind: "array", buf, offset: 0, row, strides: stridesOf(v.aval.shape), length: n, origin: fresh && !this.into ? "fresh" : "scratch" };
  }

  private f64Scratch(n: number): string {
    this.scratch.push(new Float64Array(n));
    const name = `f${this.scratch.length - 1}`;
    this.prologue.push(`const ${name} = S[${this.scratch.length - 1}];`);
    return name;
  }

  private strided(buf: string, v: Var, origin: Origin): Strided {
    return { kind: "array", buf, offset: 0, row: 0, strides: stridesOf(v.aval.shape), length: sizeOf(v.aval.shape), origin };
  }
}

/** Compiles a program to one JavaScript function (and returns its source, for inspection). */
export function compileJs(program: Program): { run: CompiledJs; source: string } {
  return new JsCompiler(program).compile() as { run: CompiledJs; source: string };
}

/** Options of {@link compileJsInto}. */
export interface CompileIntoOptions {
  /**
   * Zero, on every call, the regions of an output that the program leaves unwritten (the
   * padding of a pad), so that the output arrays may hold anything beforehand (default false:
   * those regions keep what the arrays held, see {@link CompiledInto}).
   */
  readonly zeroGaps?: boolean;
}

/** Compiles a program to one JavaScript function that writes its outputs into arrays the caller gives (see {@link CompiledInto}). */
export function compileJsInto(program: Program, opts: CompileIntoOptions = {}): { run: CompiledInto; source: string } {
  return new JsCompiler(program, true, opts.zeroGaps ?? false).compile() as { run: CompiledInto; source: string };
}

/** Host operand descriptor (re-exported for kernels that are called from generated code). */
export type { HostIn };
