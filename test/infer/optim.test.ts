/**
 * Optimizers against update sequences computed by hand in plain JS (the formulas of
 * jax.example_libraries.optimizers), schedules against their closed forms, pytree structure,
 * and jit of an update against the eager update.
 */
import { describe, expect, it } from "vitest";
import { jit, np, type Array as NDArray } from "../../src/core/index.js";
import {
  adagrad,
  adam,
  adamax,
  clippedAdam,
  exponentialDecay,
  momentum,
  piecewiseConstant,
  rmsprop,
  sgd,
  type Optimizer,
  type OptimizerState,
} from "../../src/infer/index.js";
import { expectClose } from "../helpers.js";

const X0 = [1.0, -2.0, 0.5];
/** A fixed sequence of gradients (one row per step). */
const GRADS = [
  [0.3, -1.2, 2.0],
  [-0.7, 0.4, 1.5],
  [0.1, 0.9, -3.0],
  [2.5, -0.2, 0.05],
];

/** Runs `opt` on the fixed gradients and returns x after each step. */
function trajectory(opt: Optimizer): number[][] {
  let state: OptimizerState<NDArray> = opt.init(np.array(X0));
  return GRADS.map((g) => {
    state = opt.update(np.array(g), state);
    return opt.getParams(state).toArray() as number[];
  });
}

/** The hand-computed trajectory of an elementwise rule `step(t, g, x, slots) -> x` with mutable per-coordinate slots. */
function reference(nSlots: number, step: (t: number, g: number, x: number, s: number[]) => number): number[][] {
  const x = [...X0];
  const slots = X0.map(() => new Array<number>(nSlots).fill(0));
  return GRADS.map((g, t) => {
    for (let i = 0; i < x.length; i++) x[i] = step(t, g[i], x[i], slots[i]);
    return [...x];
  });
}

describe("optimizers follow their update rules", () => {
  it("sgd: x - lr g", () => {
    expectClose(trajectory(sgd(0.1)), reference(0, (_t, g, x) => x - 0.1 * g));
  });

  it("momentum: v = mass v + g, x - lr v", () => {
    const want = reference(1, (_t, g, x, s) => {
      s[0] = 0.8 * s[0] + g;
      return x - 0.05 * s[0];
    });
    expectClose(trajectory(momentum(0.05, 0.8)), want);
  });

  it("adam: bias-corrected moments; the first step moves every coordinate by lr sign(g)", () => {
    const lr = 0.01;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const want = reference(2, (t, g, x, s) => {
      s[0] = (1 - b1) * g + b1 * s[0];
      s[1] = (1 - b2) * g * g + b2 * s[1];
      const mHat = s[0] / (1 - b1 ** (t + 1));
      const vHat = s[1] / (1 - b2 ** (t + 1));
      return x - (lr * mHat) / (Math.sqrt(vHat) + eps);
    });
    const got = trajectory(adam(lr));
    expectClose(got, want, { rtol: 1e-5, atol: 1e-7 });
    expectClose(got[0], X0.map((x, i) => x - lr * Math.sign(GRADS[0][i])), { rtol: 1e-6, atol: 1e-7 });
  });

  it("adam with custom b1, b2, eps", () => {
    const [b1, b2, eps] = [0.5, 0.9, 0.1];
    const want = reference(2, (t, g, x, s) => {
      s[0] = (1 - b1) * g + b1 * s[0];
      s[1] = (1 - b2) * g * g + b2 * s[1];
      return x - (0.2 * (s[0] / (1 - b1 ** (t + 1)))) / (Math.sqrt(s[1] / (1 - b2 ** (t + 1))) + eps);
    });
    expectClose(trajectory(adam(0.2, { b1, b2, eps })), want, { rtol: 1e-5, atol: 1e-7 });
  });

  it("clippedAdam: adam on gradients clipped to [-clipNorm, clipNorm]", () => {
    const clip = 1.0;
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const want = reference(2, (t, g0, x, s) => {
      const g = Math.max(-clip, Math.min(clip, g0));
      s[0] = (1 - b1) * g + b1 * s[0];
      s[1] = (1 - b2) * g * g + b2 * s[1];
      return x - (0.01 * (s[0] / (1 - b1 ** (t + 1)))) / (Math.sqrt(s[1] / (1 - b2 ** (t + 1))) + eps);
    });
    expectClose(trajectory(clippedAdam(0.01, { clipNorm: clip })), want, { rtol: 1e-5, atol: 1e-7 });
  });

  it("adamax: infinity-norm second moment", () => {
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    const want = reference(2, (t, g, x, s) => {
      s[0] = (1 - b1) * g + b1 * s[0];
      s[1] = Math.max(b2 * s[1], Math.abs(g));
      return x - (0.02 / (1 - b1 ** (t + 1))) * (s[0] / (s[1] + eps));
    });
    expectClose(trajectory(adamax(0.02)), want, { rtol: 1e-5, atol: 1e-7 });
  });

  it("adagrad: accumulated squares with momentum", () => {
    const mom = 0.9;
    const want = reference(2, (_t, g, x, s) => {
      s[0] += g * g;
      s[1] = (1 - mom) * (g / Math.sqrt(s[0])) + mom * s[1];
      return x - 0.1 * s[1];
    });
    expectClose(trajectory(adagrad(0.1)), want, { rtol: 1e-5, atol: 1e-7 });
  });

  it("rmsprop: running mean of squares", () => {
    const want = reference(1, (_t, g, x, s) => {
      s[0] = 0.8 * s[0] + 0.2 * g * g;
      return x - (0.01 * g) / Math.sqrt(s[0] + 1e-8);
    });
    expectClose(trajectory(rmsprop(0.01, { gamma: 0.8 })), want, { rtol: 1e-5, atol: 1e-7 });
  });

  it("counts steps and keeps the structure of a pytree of params", () => {
    const opt = adam(0.1);
    const params = { a: np.array([1, 2]), b: { c: np.array(3), d: [np.zeros([2, 2])] } };
    let state = opt.init(params);
    expect(state.step.item()).toBe(0);
    expect(state.slots.m.b.d[0].shape).toEqual([2, 2]);
    const grads = { a: np.array([1, -1]), b: { c: np.array(2), d: [np.ones([2, 2])] } };
    state = opt.update(grads, state);
    state = opt.update(grads, state);
    expect(state.step.item()).toBe(2);
    const p = opt.getParams(state);
    expect(p.b.d[0].shape).toEqual([2, 2]);
    // two Adam steps with a constant gradient move each coordinate by 2 lr sign(g)
    expectClose(p.a, [0.8, 2.2], { rtol: 1e-5 });
    expectClose(p.b.c, 2.8, { rtol: 1e-5 });
  });

  it("jit of update equals the eager update", () => {
    const opt = adam(exponentialDecay(0.1, 2, 0.5));
    const run = (state: OptimizerState<NDArray>, g: NDArray) => opt.update(g, state);
    const compiled = jit(run);
    let eager: OptimizerState<NDArray> = opt.init(np.array(X0));
    let traced = eager;
    for (const g of GRADS) {
      eager = run(eager, np.array(g));
      traced = compiled(traced, np.array(g));
    }
    expectClose(opt.getParams(traced), opt.getParams(eager), { rtol: 1e-6, atol: 1e-7 });
    expect(traced.step.item()).toBe(GRADS.length);
  });

  it("rejects bad step sizes and hyperparameters, naming the optimizer", () => {
    expect(() => sgd(0)).toThrow(/sgd: the step size/);
    expect(() => adam(-1)).toThrow(/adam: the step size/);
    expect(() => adam(0.1, { b1: 1 })).toThrow(/adam: b1/);
    expect(() => momentum(0.1, 1.5)).toThrow(/momentum: mass/);
    expect(() => sgd(0.1).init({ k: np.array([1, 2], "int32") })).toThrow(/float arrays/);
  });
});

describe("step-size schedules", () => {
  it("exponentialDecay: lr decayRate^(i / decaySteps)", () => {
    const s = exponentialDecay(0.5, 10, 0.1);
    for (const i of [0, 5, 10, 25]) expectClose(s(np.array(i, "int32")), 0.5 * 0.1 ** (i / 10), { rtol: 1e-5 });
  });

  it("piecewiseConstant: values[#{boundaries below i}]", () => {
    const s = piecewiseConstant([2, 5], [1, 0.5, 0.1]);
    const got = [0, 1, 2, 3, 5, 6, 100].map((i) => s(np.array(i, "int32")).item());
    expectClose(got, [1, 1, 1, 0.5, 0.5, 0.1, 0.1]);
    expect(() => piecewiseConstant([1, 2], [1, 2])).toThrow(/one more value/);
  });

  it("a schedule sets the step size of every update", () => {
    const lrs = [1, 1, 0.5, 0.5];
    const want = reference(0, (t, g, x) => x - lrs[t] * g);
    expectClose(trajectory(sgd(piecewiseConstant([1], [1, 0.5]))), want);
  });
});
