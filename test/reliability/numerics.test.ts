/**
 * Numerical robustness (fast-check properties at fixed seeds): log densities at support
 * boundaries, at ±Infinity, outside the support and at extreme parameters are finite or
 * -Infinity, never NaN (+Infinity only at a boundary where the density has a pole, such as
 * Beta(0.5, 0.5) at 0); and where the log density is finite at an interior point, its gradients
 * with respect to the value and every parameter are finite.
 *
 * "Extreme" is bounded by float32: scales and rates in [1e-6, 1e6], locations in [-1e6, 1e6],
 * concentrations in [1e-3, 1e3]. Beyond that, derivatives such as (x - loc)² / scale³ overflow
 * float32 however they are computed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { grad, np, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { FC } from "../helpers.js";

/** 10^u for u uniform in [lo, hi]: parameters spread over orders of magnitude. */
const logUniform = (lo: number, hi: number) => fc.double({ min: lo, max: hi, noNaN: true }).map((u) => Math.fround(10 ** u));
const scale = logUniform(-6, 6);
const conc = logUniform(-3, 3);
const loc = fc.oneof(fc.constantFrom(-1e6, 0, 1e6), fc.double({ min: -1e6, max: 1e6, noNaN: true })).map(Math.fround);
const prob = fc.oneof(fc.constantFrom(1e-7, 0.5, 1 - 1e-7), fc.double({ min: 1e-7, max: 1 - 1e-7, noNaN: true })).map(Math.fround);
const logit = fc.double({ min: -100, max: 100, noNaN: true }).map(Math.fround);

type Where = "interior" | "boundary" | "outside";
/** A value and where it lies: support boundaries, infinities and values outside count as non-interior. */
type Value = readonly [number, Where];
const at = (v: number, w: Where): Value => [v, w];

const realValues = fc.oneof(
  fc.constantFrom(at(-Infinity, "outside"), at(Infinity, "outside"), at(0, "interior"), at(-1e6, "interior"), at(1e6, "interior")),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }).map((v) => at(Math.fround(v), "interior")),
);
const positiveValues = fc.oneof(
  fc.constantFrom(at(0, "boundary"), at(-1, "outside"), at(Infinity, "outside"), at(1e-6, "interior"), at(1e6, "interior")),
  logUniform(-6, 6).map((v) => at(v, "interior")),
);
const unitValues = fc.oneof(
  fc.constantFrom(at(0, "boundary"), at(1, "boundary"), at(-0.5, "outside"), at(1.5, "outside"), at(1e-7, "interior"), at(1 - 1e-7, "interior")),
  fc.double({ min: 1e-7, max: 1 - 1e-7, noNaN: true }).map((v) => at(Math.fround(v), "interior")),
);
const countValues = fc.oneof(fc.constantFrom(at(-1, "outside"), at(0.5, "outside"), at(Infinity, "outside"), at(0, "interior")), fc.integer({ min: 0, max: 1000 }).map((v) => at(v, "interior")));
const binaryValues = fc.constantFrom(at(0, "interior"), at(1, "interior"), at(2, "outside"), at(-1, "outside"), at(0.5, "outside"));

interface Family {
  name: string;
  params: fc.Arbitrary<number[]>;
  make: (p: NDArray[]) => dist.Distribution;
  values: fc.Arbitrary<Value>;
}

const p = (...arbs: fc.Arbitrary<number>[]) => fc.tuple(...arbs).map((t) => [...t]);
const families: Family[] = [
  { name: "Normal", params: p(loc, scale), make: ([a, b]) => new dist.Normal(a, b), values: realValues },
  { name: "StudentT", params: p(conc, loc, scale), make: ([d, a, b]) => new dist.StudentT(d, a, b), values: realValues },
  { name: "Cauchy", params: p(loc, scale), make: ([a, b]) => new dist.Cauchy(a, b), values: realValues },
  { name: "Laplace", params: p(loc, scale), make: ([a, b]) => new dist.Laplace(a, b), values: realValues },
  { name: "Logistic", params: p(loc, scale), make: ([a, b]) => new dist.Logistic(a, b), values: realValues },
  { name: "Gumbel", params: p(loc, scale), make: ([a, b]) => new dist.Gumbel(a, b), values: realValues },
  { name: "HalfNormal", params: p(scale), make: ([s]) => new dist.HalfNormal(s), values: positiveValues },
  { name: "HalfCauchy", params: p(scale), make: ([s]) => new dist.HalfCauchy(s), values: positiveValues },
  { name: "LogNormal", params: p(loc.map((v) => Math.fround(v / 1e5)), logUniform(-3, 1)), make: ([a, b]) => new dist.LogNormal(a, b), values: positiveValues },
  { name: "Exponential", params: p(scale), make: ([r]) => new dist.Exponential(r), values: positiveValues },
  { name: "Gamma", params: p(conc, scale), make: ([a, r]) => new dist.Gamma(a, r), values: positiveValues },
  { name: "InverseGamma", params: p(conc, scale), make: ([a, r]) => new dist.InverseGamma(a, r), values: positiveValues },
  { name: "Weibull", params: p(scale, conc), make: ([s, k]) => new dist.Weibull(s, k), values: positiveValues },
  { name: "Beta", params: p(conc, conc), make: ([a, b]) => new dist.Beta(a, b), values: unitValues },
  { name: "Bernoulli(probs)", params: p(prob), make: ([q]) => new dist.Bernoulli(q), values: binaryValues },
  { name: "Bernoulli(logits)", params: p(logit), make: ([l]) => new dist.Bernoulli({ logits: l }), values: binaryValues },
  { name: "Binomial", params: p(prob), make: ([q]) => new dist.Binomial(1000, q), values: countValues },
  { name: "Poisson", params: p(scale), make: ([r]) => new dist.Poisson(r), values: countValues },
  { name: "Geometric", params: p(prob), make: ([q]) => new dist.Geometric(q), values: countValues },
];

describe("log densities: never NaN; gradients finite where the density is finite", () => {
  for (const fam of families) {
    it(fam.name, () => {
      fc.assert(
        fc.property(fam.params, fam.values, (params, [x, where]) => {
          const arrays = params.map((v) => np.array(v));
          const d = fam.make(arrays);
          const lp = d.logProb(np.array(x)).item();
          const what = `${fam.name}(${params.join(", ")}).logProb(${x})`;
          expect(Number.isNaN(lp), `${what} is NaN`).toBe(false);
          if (where === "outside") expect(lp, `${what}: outside the support`).toBe(-Infinity);
          if (lp === Infinity) expect(where, `${what} is +Infinity inside the support`).toBe("boundary");
          if (where !== "interior" || !Number.isFinite(lp)) return;
          const gParams = grad((ps: NDArray[]) => fam.make(ps).logProb(np.array(x)))(arrays) as NDArray[];
          const grads = gParams.map((g) => g.item());
          if (!d.isDiscrete) grads.push((grad((v: NDArray) => d.logProb(v))(np.array(x)) as NDArray).item());
          expect(grads.every(Number.isFinite), `${what} = ${lp}: gradients ${grads.join(", ")}`).toBe(true);
        }),
        FC(60, 7),
      );
    });
  }
});
