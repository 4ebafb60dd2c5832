/**
 * Function transforms of the core: grad, valueAndGrad, vjp, jvp, jacobian, hessian,
 * stopGradient, customVjp and checkGrads; vmap and jit live in their own files and are
 * re-exported here.
 */
export { vmap, type VmapOptions, type AxisSpec } from "./vmap.js";
export { jit, makeProgram, type JitOptions, type Jitted } from "./compile/jit.js";
import { asArray, NDArray, type ArrayLike } from "./array.js";
import { isFloat } from "./dtype.js";
import { backward, GradTrace, GradTracer, Tape } from "./interpreters/grad.js";
import { bind1, raise, Tracer, withMain } from "./interpreters/stack.js";
import { add, mul, stopGradientPrim, sub, zerosLike } from "./primitives/elementwise.js";
import { reshape } from "./primitives/layout.js";
import { sum } from "./primitives/reduce.js";
import { flatten, map as treeMap, unflatten, type PyTree, type TreeDef } from "./tree.js";
import { fmt, sameShape } from "./shape.js";
import { stack } from "./numpy.js";

/** Options of grad and valueAndGrad. */
export interface GradOptions {
  /** Which positional arguments to differentiate (default 0). */
  argnums?: number | readonly number[];
  /** The function returns `[value, aux]`; aux is passed through undifferentiated. */
  hasAux?: boolean;
}

type Fn = (...args: any[]) => any;

interface Linearized {
  out: PyTree<NDArray>;
  aux: unknown;
  pullback: (ct: PyTree<ArrayLike>) => PyTree<NDArray>[];
}

/** Runs `f` under a new grad level, differentiating the arguments in `argnums`. */
function linearize(f: Fn, args: unknown[], argnums: readonly number[], hasAux: boolean, who: string): Linearized {
  const tape = new Tape();
  const inputs: { arg: number; def: TreeDef; ids: number[]; primals: NDArray[] }[] = [];
  const fwd = withMain(
    (main) => new GradTrace(main, tape),
    (main) => {
      const trace = new GradTrace(main, tape);
      const wrapped = args.map((a, i) => {
        if (!argnums.includes(i)) return a;
        const [ls, def] = flatten(a as PyTree);
        const primals = ls.map((l) => asArray(l));
        primals.forEach((p) => {
          if (!isFloat(p.dtype)) throw new Error(`${who}: argument ${i} holds a ${p.dtype} array; only float inputs can be differentiated`);
        });
        const ids = primals.map(() => tape.newId());
        inputs.push({ arg: i, def, ids, primals });
        return unflatten(
          def,
          primals.map((p, j) => new GradTracer(trace, p, ids[j])),
        );
      });
      const res = f(...wrapped);
      let outTree: PyTree = res;
      let aux: unknown = undefined;
      if (hasAux) {
        if (!Array.isArray(res) || res.length !== 2) throw new Error(`${who}: with hasAux the function must return [value, aux]`);
        [outTree, aux] = res;
      }
      const [outLeaves, outDef] = flatten(outTree);
      const outs = outLeaves.map((l) => raise(trace, asArray(l)) as GradTracer);
      const lowerAux = (t: unknown): unknown => (t instanceof GradTracer && t.trace.main === main ? t.primal : t);
      return { outs, outDef, aux: hasAux ? treeMap(lowerAux as any, aux as PyTree) : undefined };
    },
  );
  const outPrimals = fwd.outs.map((t) => t.primal);
  const pullback = (ct: PyTree<ArrayLike>) => {
    const [ctLeaves] = flatten(ct as PyTree);
    if (ctLeaves.length !== fwd.outs.length) throw new Error(`${who}: cotangent has ${ctLeaves.length} leaves, the output ${fwd.outs.length}`);
    const seeds = new Map<number, NDArray>();
    fwd.outs.forEach((t, i) => {
      if (t.id < 0) return;
      const c = asArray(ctLeaves[i], t.primal.dtype);
      if (!sameShape(c.shape, t.primal.shape)) throw new Error(`${who}: cotangent of shape ${fmt(c.shape)} for an output of shape ${fmt(t.primal.shape)}`);
      const prev = seeds.get(t.id);
      seeds.set(t.id, prev ? add(prev, c) : c);
    });
    const cts = backward(tape, seeds);
    // one cotangent per entry of argnums, in argnums order (as in JAX)
    return argnums.map((n) => inputs.find((e) => e.arg === n)!).map(({ def, ids, primals }) =>
      unflatten(
        def,
        ids.map((id, j) => cts.get(id) ?? zerosLike(primals[j])),
      ),
    );
  };
  return { out: unflatten(fwd.outDef, outPrimals), aux: fwd.aux, pullback };
}

function argnumList(argnums: number | readonly number[] | undefined): number[] {
  return argnums === undefined ? [0] : typeof argnums === "number" ? [argnums] : [...argnums];
}

/**
 * `valueAndGrad(f, {argnums, hasAux})(...args)` returns `[value, grads]` (with hasAux,
 * `[[value, aux], grads]`). `grads` mirrors the argument (a pytree), or is a list when
 * argnums is a list. `f` must return a float scalar.
 */
export function valueAndGrad(f: Fn, opts: GradOptions = {}): (...args: any[]) => [any, any] {
  const nums = argnumList(opts.argnums);
  return (...args: any[]) => {
    for (const i of nums) if (i >= args.length) throw new Error(`grad: argnums includes ${i} but the function got ${args.length} arguments`);
    const lin = linearize(f, args, nums, !!opts.hasAux, "grad");
    const y = lin.out;
    if (!(y instanceof NDArray) || y.ndim !== 0 || !isFloat(y.dtype))
      throw new Error(`grad: the function must return a float scalar, got ${y instanceof NDArray ? `${y.dtype} of shape ${fmt(y.shape)}` : typeof y}`);
    const gs = lin.pullback(asArray(1, y.dtype));
    const grads = typeof opts.argnums === "object" ? gs : gs[0];
    return [opts.hasAux ? [y, lin.aux] : y, grads];
  };
}

/** `grad(f, {argnums, hasAux})`: the gradient of a scalar function (with hasAux, `[grads, aux]`). */
export function grad(f: Fn, opts: GradOptions = {}): (...args: any[]) => any {
  const vg = valueAndGrad(f, opts);
  return (...args: any[]) => {
    const [v, g] = vg(...args);
    return opts.hasAux ? [g, v[1]] : g;
  };
}

/**
 * `vjp(f, ...primals)` returns `[out, pullback]`: `pullback(ct)` maps a cotangent shaped
 * like `out` to a list with one cotangent per primal.
 */
export function vjp(f: Fn, ...primals: any[]): [any, (ct: any) => any[]] {
  const lin = linearize(
    f,
    primals,
    primals.map((_, i) => i),
    false,
    "vjp",
  );
  return [lin.out, lin.pullback];
}

/**
 * `jvp(f, primals, tangents)` returns `[out, tangentOut]`: the directional derivative of
 * `f` at `primals` along `tangents`. Computed as the transpose of the (linear) pullback.
 */
export function jvp(f: Fn, primals: readonly any[], tangents: readonly any[]): [any, any] {
  const [out, pullback] = vjp(f, ...primals);
  const zeroCt = treeMap((o: any) => zerosLike(o as NDArray), out as PyTree) as PyTree;
  const [, pb2] = vjp((u: any) => pullback(u), zeroCt);
  const [tOut] = pb2([...tangents]);
  return [out, tOut];
}

/** Reverse-mode Jacobian of a function of one array: shape out.shape + x.shape. */
export function jacobian(f: (x: NDArray) => NDArray): (x: ArrayLike) => NDArray {
  return (x0: ArrayLike) => {
    const x = asArray(x0);
    const [y, pb] = vjp(f, x) as [NDArray, (ct: any) => NDArray[]];
    const m = y.size;
    const rows: NDArray[] = [];
    for (let i = 0; i < m; i++) {
      const e = new Float64Array(m);
      e[i] = 1;
      rows.push(pb(reshape(asArray(e, y.dtype), y.shape))[0]);
    }
    if (m === 0) return zerosLike({ shape: [...y.shape, ...x.shape], dtype: x.dtype });
    return reshape(stack(rows, 0), [...y.shape, ...x.shape]);
  };
}

/** Hessian of a scalar function of one array: shape x.shape + x.shape. */
export function hessian(f: (x: NDArray) => NDArray): (x: ArrayLike) => NDArray {
  return jacobian(grad(f));
}

/** The identity whose gradient is zero. */
export function stopGradient(x: ArrayLike): NDArray {
  return bind1(stopGradientPrim, [asArray(x)], null);
}

/**
 * A function with its own gradient (JAX's custom_vjp). `fwd(...args)` returns `[out,
 * residuals]`; `bwd(residuals, ct)` returns one cotangent per argument (null for none).
 * Without differentiation the function is just `f`.
 */
export function customVjp<A extends NDArray[], O extends PyTree<NDArray>, R>(
  f: (...args: A) => O,
  fwd: (...args: A) => [O, R],
  bwd: (res: R, ct: O) => (NDArray | null)[],
): (...args: { [K in keyof A]: ArrayLike }) => O {
  return ((...raw: ArrayLike[]) => {
    const args = raw.map((a) => asArray(a)) as A;
    let top: GradTracer | null = null;
    for (const a of args) if (a instanceof Tracer && (!top || a.trace.main.level > top.trace.main.level)) top = a as GradTracer;
    if (!(top instanceof GradTracer)) return f(...args);
    const main = top.trace.main;
    const trace = main.make(main) as GradTrace;
    const tracers = args.map((a) => raise(trace, a) as GradTracer);
    let outDef: TreeDef | null = null;
    const outs = trace.processCustom(
      (...primals) => {
        const [o, r] = fwd(...(primals as A));
        const [ls, def] = flatten(o as PyTree);
        outDef = def;
        return [ls.map((l) => asArray(l)), r];
      },
      (r, cts) => {
        const res = bwd(r as R, unflatten(outDef!, cts) as O);
        if (res.length !== args.length) throw new Error(`customVjp: bwd returned ${res.length} cotangents for ${args.length} arguments`);
        return res.map((c, i) => (c === null ? null : asArray(c, args[i].dtype)));
      },
      tracers,
    );
    return unflatten(outDef!, outs) as O;
  }) as any;
}

/** Options of {@link checkGrads}. */
export interface CheckGradsOptions {
  /** Finite-difference step (default 1e-3 for float32, 1e-6 for float64). */
  eps?: number;
  /** Relative tolerance (default 1e-2 for float32, 1e-5 for float64). */
  rtol?: number;
  /** Absolute tolerance (default as rtol). */
  atol?: number;
  /** Derivative order to check: 1 (the vjp) or 2 (also the vjp of the vjp). Default 1. */
  order?: number;
  /** Number of random directions (default 3). */
  directions?: number;
  /** Seed of the directions. */
  seed?: number;
}

/**
 * Checks reverse-mode derivatives of `f` at `args` against central finite differences along
 * random directions (like `jax.test_util.check_grads`); throws an error describing the
 * mismatch. Every argument that holds float arrays is checked.
 */
export function checkGrads(f: Fn, args: readonly any[], opts: CheckGradsOptions = {}): void {
  const order = opts.order ?? 1;
  const [leaves0] = flatten(args as PyTree);
  const f64 = leaves0.some((l) => l instanceof NDArray && l.dtype === "float64");
  const eps = opts.eps ?? (f64 ? 1e-6 : 1e-3);
  const rtol = opts.rtol ?? (f64 ? 1e-5 : 1e-2);
  const atol = opts.atol ?? rtol;
  let state = (opts.seed ?? 12345) >>> 0;
  const rand = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
  const randomLike = (t: PyTree) =>
    treeMap((l: any) => {
      const a = asArray(l);
      const v = new Float64Array(a.size).map(() => rand());
      return reshape(asArray(v, isFloat(a.dtype) ? a.dtype : "float32"), a.shape);
    }, t);
  const inner = (x: PyTree, y: PyTree): number => {
    const [a] = flatten(x);
    const [b] = flatten(y);
    return a.reduce((acc: number, l, i) => acc + (sum(mul(asArray(l), asArray(b[i]))).item() as number), 0);
  };
  const shift = (s: number, v: PyTree) => treeMap((x: any, d: any) => add(asArray(x), mul(d, s)), args as PyTree, v) as any[];
  for (let k = 0; k < (opts.directions ?? 3); k++) {
    const v = randomLike(args as PyTree);
    const [out, pb] = vjp(f, ...args);
    const u = randomLike(out as PyTree);
    const plus = f(...shift(eps, v));
    const minus = f(...shift(-eps, v));
    const fd = inner(treeMap((p: any, m: any) => sub(p, m), plus, minus), u) / (2 * eps);
    const ad = inner(pb(u), v as PyTree);
    const scale = Math.max(Math.abs(fd), Math.abs(ad));
    if (!(Math.abs(fd - ad) <= atol + rtol * scale))
      throw new Error(`checkGrads: reverse-mode derivative ${ad} differs from the finite difference ${fd} (direction ${k}, eps ${eps}, rtol ${rtol}, atol ${atol})`);
    if (order > 1) checkGrads((...xs: any[]) => vjp(f, ...xs)[1](u), args, { ...opts, order: order - 1, seed: (opts.seed ?? 12345) + 7 * (k + 1) });
  }
}
