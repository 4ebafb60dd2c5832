/**
 * The interpreter stack: the one dispatch point of every op. `bind` finds the innermost
 * transform whose tracers are among the arguments and lets its interpreter process the
 * primitive; with no tracers the eager interpreter runs the backend's kernel.
 */
import { asArray, NDArray, type ArrayLike, type AVal, type Concrete } from "../array.js";
import type { DType } from "../dtype.js";
import type { Shape } from "../shape.js";
import type { Primitive } from "../primitives/primitive.js";

/** One transform in progress (a level of the stack). */
export class MainTrace {
  done = false;
  constructor(
    readonly level: number,
    readonly make: (main: MainTrace) => Trace,
  ) {}
}

/** An interpreter for one level: how its tracers process primitives. */
export abstract class Trace {
  constructor(readonly main: MainTrace) {}
  /** Wraps a value of no transform (a concrete array) as a tracer of this level. */
  abstract pure(x: NDArray): Tracer;
  /** Wraps a tracer of a lower level as a tracer of this level. */
  lift(x: NDArray): Tracer {
    return this.pure(x);
  }
  /** Applies a primitive to tracers of this level. */
  abstract process(prim: Primitive<any>, args: Tracer[], params: unknown): NDArray[];
}

/** An array standing for a value inside a transform. */
export abstract class Tracer extends NDArray {
  constructor(readonly trace: Trace) {
    super();
  }
  /** The value one level down, when this tracer is only a wrapper that adds nothing. */
  lower(): NDArray {
    return this;
  }
}

/** The eager interpreter's entry: set by interpreters/eager.ts. */
let evalPrimitive: ((prim: Primitive<any>, args: Concrete[], params: unknown) => NDArray[]) | null = null;

/** Installs the eager kernel runner (called once by interpreters/eager.ts). */
export function installEager(fn: (prim: Primitive<any>, args: Concrete[], params: unknown) => NDArray[]): void {
  evalPrimitive = fn;
}

const stack: MainTrace[] = [];

/** Runs `fn` with a new transform pushed on the stack; always pops it. */
export function withMain<T>(make: (main: MainTrace) => Trace, fn: (main: MainTrace) => T): T {
  const main = new MainTrace(stack.length + 1, make);
  stack.push(main);
  try {
    return fn(main);
  } finally {
    stack.pop();
    main.done = true;
  }
}

/** Depth of the transform stack (0 when nothing is being transformed). */
export function stackDepth(): number {
  return stack.length;
}

function levelOf(x: NDArray): number {
  return x instanceof Tracer ? x.trace.main.level : 0;
}

/** Raises a value into `trace`, checking that tracers do not escape their transform. */
export function raise(trace: Trace, x: NDArray): Tracer {
  if (x instanceof Tracer) {
    const m = x.trace.main;
    if (m.done) throw new Error("a traced value escaped the transform that made it (it was kept outside grad/vmap/jit and used later)");
    if (m === trace.main) return x;
    if (m.level < trace.main.level) return trace.lift(x);
    throw new Error("internal: tracer of a higher level where a lower one was expected");
  }
  return trace.pure(x);
}

/** Lowers a tracer that adds nothing at its level. */
export function fullLower(x: NDArray): NDArray {
  let cur = x;
  while (cur instanceof Tracer) {
    const l = cur.lower();
    if (l === cur) break;
    cur = l;
  }
  return cur;
}

/** Applies a primitive: the single dispatch point of every op in tyche. */
export function bind(prim: Primitive<any>, args: readonly NDArray[], params: unknown): NDArray[] {
  let top: MainTrace | null = null;
  for (const a of args) {
    if (a instanceof Tracer) {
      const m = a.trace.main;
      if (m.done) throw new Error(`${prim.name}: a traced value escaped the transform that made it (it was kept outside grad/vmap/jit and used later)`);
      if (!top || m.level > top.level) top = m;
    }
  }
  if (!top) return evalPrimitive!(prim, args as Concrete[], params);
  const trace = top.make(top);
  const tracers = args.map((a) => raise(trace, a));
  return trace.process(prim, tracers, params).map(fullLower);
}

/** Binds a single-output primitive. */
export function bind1(prim: Primitive<any>, args: readonly NDArray[], params: unknown): NDArray {
  return bind(prim, args, params)[0];
}

/** Converts array-likes and binds a single-output primitive. */
export function apply1(prim: Primitive<any>, args: readonly ArrayLike[], params: unknown): NDArray {
  return bind(prim, args.map((a) => asArray(a)), params)[0];
}

/** The level of the innermost transform among `xs` (0: none). */
export function topLevel(xs: readonly NDArray[]): number {
  let l = 0;
  for (const x of xs) l = Math.max(l, levelOf(x));
  return l;
}

/** Makes an abstract value. */
export function aval(shape: Shape, dtype: DType): AVal {
  return { shape, dtype };
}
