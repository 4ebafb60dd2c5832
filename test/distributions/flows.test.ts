/**
 * Normalizing-flow pieces: the masked autoregressive network's dependency structure (from the
 * autodiff Jacobian), the inverse autoregressive transform's round trip and log-det against
 * the autodiff Jacobian, the permutation, and the flow distribution's density.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { jacobian, linalg, np, random, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { AutoregressiveNN, InverseAutoregressiveTransform, PermuteTransform, type AutoregressiveNNParams } from "../../src/distributions/index.js";
import { expectClose, FC, flat, withX64 } from "../helpers.js";

/** Weights with every layer random (the network's own init zeroes the output layer). */
function randomWeights(arn: AutoregressiveNN, key: random.Key, scale = 0.7): AutoregressiveNNParams {
  const sizes = arn.layerSizes;
  const keys = random.splitList(key, 2 * arn.numLayers);
  return {
    w: Array.from({ length: arn.numLayers }, (_, l) => np.multiply(random.normal(keys[2 * l], [sizes[l], sizes[l + 1]]), scale)),
    b: Array.from({ length: arn.numLayers }, (_, l) => np.multiply(random.normal(keys[2 * l + 1], [sizes[l + 1]]), scale)),
  };
}

const permutationOf = (d: number, seed: number) =>
  Array.from({ length: d }, (_, i) => i)
    .map((i) => [i, Math.sin(seed * 97 + i * 13)] as const)
    .sort((a, b) => a[1] - b[1])
    .map(([i]) => i);

describe("AutoregressiveNN", () => {
  it("output i depends on input j exactly when j comes before i in the ordering (autodiff Jacobian)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 0, max: 1000 }), (d, h, seed) => {
        const permutation = permutationOf(d, seed);
        const arn = new AutoregressiveNN(d, { hiddenDims: [h + d, h + d], permutation });
        const w = randomWeights(arn, random.key(seed));
        const x = random.normal(random.key(seed + 1), [d]);
        const rank = new Array<number>(d);
        permutation.forEach((entry, k) => (rank[entry] = k));
        for (let out = 0; out < 2; out++) {
          const J = flat(jacobian((v: NDArray) => arn.apply(w, v)[out])(x));
          for (let i = 0; i < d; i++)
            for (let j = 0; j < d; j++) if (rank[j] >= rank[i]) expect(J[i * d + j]).toBe(0);
          // the last entry in the ordering sees the first (a hidden unit of degree 1 connects them)
          if (d > 1) expect(Math.abs(J[permutation[d - 1] * d + permutation[0]])).toBeGreaterThan(0);
        }
      }),
      FC(20),
    );
  });

  it("starts with zero output weights (outputs equal the output biases) and rejects bad shapes", () => {
    const arn = new AutoregressiveNN(3);
    const w = arn.init(random.key(0));
    const [m, s] = arn.apply(w, np.array([[1, -2, 3]]));
    expect(m.shape).toEqual([1, 3]);
    expect(flat(m)).toEqual([0, 0, 0]);
    expect(flat(s)).toEqual([0, 0, 0]);
    expect(() => arn.apply(w, np.zeros([4]))).toThrow(/inputs of shape \[\.\.\., 3\], got \[4\]/);
    expect(() => new AutoregressiveNN(3, { permutation: [0, 0, 1] })).toThrow(/permutation must order 0\.\.2/);
    expect(() => new AutoregressiveNN(0)).toThrow(/inputDim must be a positive integer/);
  });
});

describe("InverseAutoregressiveTransform", () => {
  const make = (d: number, seed: number) => {
    const arn = new AutoregressiveNN(d, { hiddenDims: [2 * d, 2 * d], permutation: permutationOf(d, seed) });
    const w = randomWeights(arn, random.key(seed), 0.5);
    return new InverseAutoregressiveTransform((x) => arn.apply(w, x));
  };

  it("inverse(forward(x)) = x, and log|det J| equals the autodiff Jacobian's", () => {
    withX64(() =>
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 1000 }), (d, seed) => {
          const t = make(d, seed);
          const x = random.normal(random.key(seed + 7), [3, d]);
          const y = t.forward(x);
          expectClose(t.inverse(y), x, { atol: 1e-9 });
          const [yy, ld] = t.forwardWithLogDet(x);
          expectClose(yy, y, { atol: 0 });
          expect(ld.shape).toEqual([3]);
          expectClose(t.logAbsDetJacobian(x, y), ld, { atol: 0 });
          for (let r = 0; r < 3; r++) {
            const xr = np.take(x, r, 0);
            const [, logAbsDet] = linalg.slogdet(jacobian((v: NDArray) => t.forward(v))(xr));
            expectClose(np.take(ld, r, 0), logAbsDet, { atol: 1e-9 });
          }
        }),
        FC(20),
      ),
    );
  });

  it("clips the log scale in value but not in gradient", () => {
    const big = (x: NDArray) => [np.zerosLike(x), np.add(np.zerosLike(x), 10)] as const;
    const t = new InverseAutoregressiveTransform(big);
    expectClose(t.forward(np.array([1, 2])), [Math.exp(3), 2 * Math.exp(3)], { rtol: 1e-6 });
    expectClose(t.logAbsDetJacobian(np.array([1, 2])), 6, { rtol: 1e-6 });
    expect(() => new InverseAutoregressiveTransform(big, { logScaleMinClip: 2, logScaleMaxClip: 1 })).toThrow(/must be below/);
  });

  it("the flow distribution's density is the base density at the pre-image minus the log-det", () => {
    const t = make(4, 3);
    const p = new PermuteTransform([3, 1, 0, 2]);
    const base = new dist.Normal(0, 1).expand([4]).toEvent(1);
    const flow = new dist.TransformedDistribution(base, [t, p, make(4, 5)]);
    const y = flow.sample(random.key(2), [5]);
    expect(y.shape).toEqual([5, 4]);
    const t2 = flow.transforms[2] as InverseAutoregressiveTransform;
    const x1 = p.inverse(t2.inverse(y));
    const x0 = t.inverse(x1);
    const want = np.subtract(np.subtract(base.logProb(x0), t.logAbsDetJacobian(x0)), t2.logAbsDetJacobian(p.forward(x1)));
    expectClose(flow.logProb(y), want, { atol: 1e-4 });
  });
});

describe("PermuteTransform", () => {
  it("reorders entries, round-trips, and has log-det 0", () => {
    const t = new PermuteTransform([2, 0, 1]);
    const x = np.array([[10, 20, 30]]);
    expect(flat(t.forward(x))).toEqual([30, 10, 20]);
    expect(flat(t.inverse(t.forward(x)))).toEqual([10, 20, 30]);
    expect(t.logAbsDetJacobian(x).shape).toEqual([1]);
    expect(flat(t.logAbsDetJacobian(x))).toEqual([0]);
    expect(() => new PermuteTransform([0, 2])).toThrow(/permutation must order 0\.\.1/);
    expect(() => t.forward(np.zeros([2]))).toThrow(/vectors of 3 entries/);
  });
});
