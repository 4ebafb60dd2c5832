import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { np, grad, vmap, type Array } from "../../src/core/index.js";

const close = (a: Array, b: Array, tol = 1e-5) => {
  expect(a.shape).toEqual(b.shape);
  const x = a.dataSync();
  const y = b.dataSync();
  for (let i = 0; i < x.length; i++) expect(Math.abs(x[i] - y[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(y[i])));
};

/** vmap(f)(xs) must equal stacking f over the members of xs. */
function checkAgainstLoop(f: (...a: Array[]) => Array, args: Array[], inAxes: (number | null)[]) {
  const size = args.find((_, i) => inAxes[i] !== null)!.shape[inAxes.find((a) => a !== null)!];
  const got = vmap(f, { inAxes })(...args);
  const rows: Array[] = [];
  for (let b = 0; b < size; b++) rows.push(f(...args.map((a, i) => (inAxes[i] === null ? a : np.take(a, b, inAxes[i]!)))));
  close(got, np.stack(rows));
}

const vec = (n: number) => fc.array(fc.float({ min: -2, max: 2, noNaN: true, noDefaultInfinity: true }), { minLength: n, maxLength: n });

describe("vmap equals a loop", () => {
  const unary: [string, (x: Array) => Array][] = [
    ["exp-sum", (x) => np.sum(np.exp(x))],
    ["softmax", (x) => np.divide(np.exp(x), np.sum(np.exp(x), -1, true))],
    ["cumsum", (x) => np.cumsum(x, -1)],
    ["sort", (x) => np.sort(x)],
    ["outer-matmul", (x) => np.matmul(np.outer(x, x), x)],
    ["slice-pad-flip", (x) => np.flip(np.pad(np.slice(x, [1], [3]), [1, 2]))],
    ["transpose-reshape", (x) => np.transpose(np.reshape(np.tile(x, 2), [2, -1]))],
    ["concat-broadcast", (x) => np.concatenate([x, np.broadcastTo(np.max(x), [2])])],
    ["take-repeated", (x) => np.take(x, np.array([0, 0, 3], "int32"))],
    ["argmax-where", (x) => np.where(np.greater(x, 0), x, np.astype(np.argmax(x), "float32"))],
    ["prod-min", (x) => np.add(np.prod(x), np.min(x))],
    ["einsum", (x) => np.einsum("i,j->ij", x, x)],
  ];
  for (const [name, f] of unary)
    it(name, () => {
      fc.assert(
        fc.property(fc.array(vec(4), { minLength: 1, maxLength: 4 }), (rows) => {
          checkAgainstLoop(f, [np.array(rows)], [0]);
          checkAgainstLoop(f, [np.transpose(np.array(rows))], [1]);
        }),
        { seed: 7, numRuns: 15 },
      );
    });

  it("binary ops with one unbatched operand and differing ranks", () => {
    const a = np.array([[1, 2, 3], [4, 5, 6]]);
    const m = np.reshape(np.arange(12, undefined, 1, "float32"), [4, 3]);
    checkAgainstLoop((x, y) => np.add(x, y), [a, m], [0, null]);
    checkAgainstLoop((x, y) => np.matmul(y, x), [a, m], [0, null]);
    checkAgainstLoop((x, y) => np.matmul(x, np.transpose(y)), [a, m], [0, null]);
  });

  it("gather and scatter with both operands batched", () => {
    const x = np.array([[1, 2, 3], [4, 5, 6]]);
    const i = np.array([[2, 0, 2], [1, 1, -1]], "int32");
    checkAgainstLoop((x, i) => np.take(x, i), [x, i], [0, 0]);
    checkAgainstLoop((x, i) => np.takeAlongAxis(np.stack([x, x]), np.stack([i, i]), 1), [x, i], [0, 0]);
    const g = (x: Array, i: Array) => grad((x: Array) => np.sum(np.multiply(np.take(x, i), np.array([1, 2, 3]))))(x);
    checkAgainstLoop(g, [x, i], [0, 0]);
    checkAgainstLoop(g, [x, np.array([0, 2, 2], "int32")], [0, null]);
  });

  it("nested vmap, vmap of grad, grad of vmap", () => {
    const f = (x: Array) => np.sum(np.multiply(np.sin(x), x));
    const xs = np.array([[0.1, 0.2], [0.3, -0.4], [1, 2]]);
    close(vmap(vmap((x: Array) => np.multiply(x, x)))(xs), np.multiply(xs, xs));
    checkAgainstLoop(grad(f), [xs], [0]);
    close(grad((xs: Array) => np.sum(vmap(f)(xs)))(xs), vmap(grad(f))(xs));
  });

  it("outAxes and unbatched outputs", () => {
    const xs = np.ones([3, 2]);
    expect(vmap((x: Array) => x, { outAxes: 1 })(xs).shape).toEqual([2, 3]);
    expect(vmap((_x: Array) => np.zeros([4]))(xs).shape).toEqual([3, 4]);
    expect(vmap((x: Array) => ({ a: x, b: [np.sum(x)] }))(xs).b[0].shape).toEqual([3]);
    expect(() => vmap((x: Array) => x, { outAxes: null })(xs)).toThrow(/outAxes null/);
  });

  it("errors name the problem", () => {
    expect(() => vmap((x: Array, y: Array) => np.add(x, y))(np.ones([2]), np.ones([3]))).toThrow(/different sizes/);
    expect(() => vmap((x: Array) => x.item())(np.ones([2]))).toThrow(/inside vmap/);
  });
});
