/**
 * Model utilities against hand-written formulas: the potential energy and its gradient for
 * eight schools (centered, non-centered, and LocScaleReparam) and a logistic regression,
 * Jacobians included; the same under jit and vmap; logDensity, transformFn, constrainFn,
 * initializeModel and the init strategies.
 */
import { describe, expect, it } from "vitest";
import { grad, jit, np, random, valueAndGrad, vmap, type Array as NDArray } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { constraints } from "../../src/distributions/index.js";
import { deterministic, factor, LocScaleReparam, param, plate, reparam, sample } from "../../src/handlers/index.js";
import {
  constrainFn,
  initializeModel,
  initToMedian,
  initToSample,
  initToUniform,
  initToValue,
  logDensity,
  potentialEnergy,
  transformFn,
  type InitializeOptions,
  type Params,
} from "../../src/infer/index.js";
import { expectClose, flat, randomData } from "../helpers.js";

// ---- eight schools ---------------------------------------------------------------------------

const J = 8;
const Y = [28, 8, -3, 7, -1, 1, 18, 12];
const SIGMA = [15, 10, 16, 11, 9, 11, 10, 18];

function centered(j: number, sigma: number[], y?: number[]) {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("J", j, () => {
    const theta = sample("theta", new dist.Normal(mu, tau));
    sample("obs", new dist.Normal(theta, sigma), { obs: y });
  });
}

function nonCentered(j: number, sigma: number[], y?: number[]) {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  plate("J", j, () => {
    const thetaTilde = sample("theta_tilde", new dist.Normal(0, 1));
    const theta = deterministic("theta", np.add(mu, np.multiply(tau, thetaTilde)));
    sample("obs", new dist.Normal(theta, sigma), { obs: y });
  });
}

const LOG_2PI = Math.log(2 * Math.PI);
const logNormal = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s) - 0.5 * LOG_2PI;
const logHalfCauchy = (x: number, s: number) => Math.log(2 / (Math.PI * s)) - Math.log(1 + (x / s) ** 2);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Potential and gradient of centered eight schools at (mu, log tau, theta), by hand. */
function centeredOracle(mu: number, logTau: number, theta: number[]) {
  const tau = Math.exp(logTau);
  const S = sum(theta.map((t) => (t - mu) ** 2));
  const U = -(
    logNormal(mu, 0, 5) +
    logHalfCauchy(tau, 5) +
    logTau +
    sum(theta.map((t) => logNormal(t, mu, tau))) +
    sum(theta.map((t, j) => logNormal(Y[j], t, SIGMA[j])))
  );
  return {
    U,
    mu: mu / 25 - sum(theta.map((t) => (t - mu) / tau ** 2)),
    tau: (2 * tau ** 2) / (25 + tau ** 2) + J - S / tau ** 2 - 1,
    theta: theta.map((t, j) => (t - mu) / tau ** 2 + (t - Y[j]) / SIGMA[j] ** 2),
  };
}

/** Potential and gradient of non-centered eight schools at (mu, log tau, thetaTilde), by hand. */
function nonCenteredOracle(mu: number, logTau: number, tt: number[]) {
  const tau = Math.exp(logTau);
  const theta = tt.map((t) => mu + tau * t);
  const r = theta.map((t, j) => (Y[j] - t) / SIGMA[j] ** 2);
  const U = -(
    logNormal(mu, 0, 5) +
    logHalfCauchy(tau, 5) +
    logTau +
    sum(tt.map((t) => logNormal(t, 0, 1))) +
    sum(theta.map((t, j) => logNormal(Y[j], t, SIGMA[j])))
  );
  return {
    U,
    mu: mu / 25 - sum(r),
    tau: tau * ((2 * tau) / (25 + tau ** 2) - sum(tt.map((t, j) => t * r[j]))) - 1,
    tt: tt.map((t, j) => t - tau * r[j]),
  };
}

const MU = 1.5;
const LOG_TAU = 0.4;
const THETA = [3, -1, 0.5, 2, 7, -4, 1, 0];
const TOL = { rtol: 2e-5, atol: 1e-4 };

const args: [number, number[], number[]] = [J, SIGMA, Y];
const zCentered: Params = { mu: np.array(MU), tau: np.array(LOG_TAU), theta: np.array(THETA) };
const zNonCentered: Params = { mu: np.array(MU), tau: np.array(LOG_TAU), theta_tilde: np.array(THETA) };

describe("eight schools: potential energy and gradient equal the formulas", () => {
  it("centered", () => {
    const o = centeredOracle(MU, LOG_TAU, THETA);
    const [U, g] = valueAndGrad((z: Params) => potentialEnergy(centered, args, z))(zCentered) as [NDArray, Params];
    expectClose(U, o.U, TOL);
    expectClose(g.mu, o.mu, TOL);
    expectClose(g.tau, o.tau, TOL);
    expectClose(g.theta, o.theta, TOL);
  });

  it("non-centered", () => {
    const o = nonCenteredOracle(MU, LOG_TAU, THETA);
    const [U, g] = valueAndGrad((z: Params) => potentialEnergy(nonCentered, args, z))(zNonCentered) as [NDArray, Params];
    expectClose(U, o.U, TOL);
    expectClose(g.mu, o.mu, TOL);
    expectClose(g.tau, o.tau, TOL);
    expectClose(g.theta_tilde, o.tt, TOL);
  });

  it("LocScaleReparam(0) of the centered model is the non-centered model: the potential changes by the log-Jacobian J log tau", () => {
    const reparamed = reparam(centered, { theta: new LocScaleReparam(0) });
    const z: Params = { mu: np.array(MU), tau: np.array(LOG_TAU), theta_decentered: np.array(THETA) };
    const [U, g] = valueAndGrad((p: Params) => potentialEnergy(reparamed, args, p))(z) as [NDArray, Params];
    const o = nonCenteredOracle(MU, LOG_TAU, THETA);
    expectClose(U, o.U, TOL);
    expectClose(g.theta_decentered, o.tt, TOL);
    expectClose(g.tau, o.tau, TOL);
    // the same density as the centered model at theta = mu + tau * theta_decentered, up to J log tau
    const theta = THETA.map((t) => MU + Math.exp(LOG_TAU) * t);
    expectClose(U, centeredOracle(MU, LOG_TAU, theta).U - J * LOG_TAU, TOL);
    expectClose(potentialEnergy(centered, args, { ...zCentered, theta: np.array(theta) }), U.item() + J * LOG_TAU, TOL);
  });

  it("under jit equals eager, for the potential and its gradient", () => {
    for (const [model, z] of [
      [centered, zCentered],
      [nonCentered, zNonCentered],
    ] as const) {
      const pe = (p: Params) => potentialEnergy(model, args, p);
      expectClose(jit(pe)(z), pe(z), { rtol: 1e-5 });
      const eager = grad(pe)(z) as Params;
      const compiled = jit(grad(pe))(z) as Params;
      for (const k of Object.keys(eager)) expectClose(compiled[k], eager[k], { rtol: 1e-5, atol: 1e-6 });
    }
  });

  it("under vmap over a batch of unconstrained points equals a loop", () => {
    const B = 5;
    const batch: Params = {
      mu: np.array(randomData(B, 1, -2, 2)),
      tau: np.array(randomData(B, 2, -1, 1)),
      theta: np.reshape(np.array(randomData(B * J, 3, -5, 5)), [B, J]),
    };
    const pe = (p: Params) => potentialEnergy(centered, args, p);
    const batched = vmap(pe)(batch);
    const row = (i: number): Params => ({ mu: np.take(batch.mu, i, 0), tau: np.take(batch.tau, i, 0), theta: np.take(batch.theta, i, 0) });
    const looped = Array.from({ length: B }, (_, i) => pe(row(i)).item());
    expect(batched.shape).toEqual([B]);
    expectClose(batched, looped, { rtol: 1e-5 });
    const grads = vmap(grad(pe))(batch) as Params;
    for (let i = 0; i < B; i++) {
      const g = grad(pe)(row(i)) as Params;
      expectClose(np.take(grads.theta, i, 0), g.theta, { rtol: 1e-5, atol: 1e-6 });
    }
  });
});

// ---- logistic regression --------------------------------------------------------------------

const N = 20;
const D = 3;
const Xdata = Array.from({ length: N }, (_, i) => randomData(D, 10 + i, -2, 2));
const ydata = randomData(N, 99).map((u) => (u > 0 ? 1 : 0));

function logistic(X: NDArray, y: NDArray) {
  const w = sample("w", new dist.Normal(np.zeros([D]), 1).toEvent(1));
  const b = sample("b", new dist.Normal(0, 10));
  plate("N", X.shape[0], () => sample("y", new dist.Bernoulli({ logits: np.add(np.matmul(X, w), b) }), { obs: y }));
}

function logisticOracle(w: number[], b: number) {
  const logits = Xdata.map((row) => sum(row.map((x, k) => x * w[k])) + b);
  const sig = logits.map((l) => 1 / (1 + Math.exp(-l)));
  const loglik = sum(logits.map((l, i) => ydata[i] * l - Math.log1p(Math.exp(l))));
  const U = -(sum(w.map((v) => logNormal(v, 0, 1))) + logNormal(b, 0, 10) + loglik);
  const resid = sig.map((s, i) => ydata[i] - s);
  return { U, w: w.map((v, k) => v - sum(resid.map((r, i) => r * Xdata[i][k]))), b: b / 100 - sum(resid) };
}

describe("logistic regression: potential energy and gradient equal the formulas", () => {
  const X = np.array(Xdata);
  const y = np.array(ydata);
  const w = [0.5, -1, 0.25];
  const b = 0.3;
  const z: Params = { w: np.array(w), b: np.array(b) };
  const pe = (p: Params) => potentialEnergy(logistic, [X, y], p);

  it("eagerly", () => {
    const o = logisticOracle(w, b);
    const [U, g] = valueAndGrad(pe)(z) as [NDArray, Params];
    expectClose(U, o.U, TOL);
    expectClose(g.w, o.w, TOL);
    expectClose(g.b, o.b, TOL);
  });

  it("under jit and under vmap", () => {
    const o = logisticOracle(w, b);
    expectClose(jit(pe)(z), o.U, TOL);
    const g = jit(grad(pe))(z) as Params;
    expectClose(g.w, o.w, TOL);
    const batch: Params = { w: np.stack([np.array(w), np.array([0, 0, 0])]), b: np.array([b, -1]) };
    expectClose(vmap(pe)(batch), [o.U, logisticOracle([0, 0, 0], -1).U], TOL);
  });
});

// ---- logDensity, transforms -------------------------------------------------------------------

describe("logDensity", () => {
  it("sums every site's log density at the given values, and returns the trace", () => {
    const [lp, tr] = logDensity(centered, args, { mu: MU, tau: Math.exp(LOG_TAU), theta: THETA });
    const o = centeredOracle(MU, LOG_TAU, THETA);
    expectClose(lp, -o.U - LOG_TAU, TOL);
    expect([...tr.keys()]).toEqual(["mu", "tau", "J", "theta", "obs"]);
  });

  it("a latent site without a value is an error naming it", () => {
    expect(() => logDensity(centered, args, { mu: 0 })).toThrow(/sample site 'tau' \(HalfCauchy\) has no random key/);
  });
});

describe("transformFn and constrainFn", () => {
  it("map between unconstrained and constrained values", () => {
    const info = initializeModel(random.key(0), nonCentered, { modelArgs: args });
    const c = transformFn(info.transforms, zNonCentered);
    expectClose(c.tau, Math.exp(LOG_TAU), { rtol: 1e-6 });
    expectClose(c.mu, MU);
    const back = transformFn(info.transforms, c, true);
    expectClose(back.tau, LOG_TAU, { rtol: 1e-6 });
    const withDet = constrainFn(nonCentered, args, zNonCentered, true);
    expect(Object.keys(withDet).sort()).toEqual(["mu", "tau", "theta", "theta_tilde"]);
    expectClose(withDet.theta, THETA.map((t) => MU + Math.exp(LOG_TAU) * t), { rtol: 1e-5 });
    expect(Object.keys(constrainFn(nonCentered, args, zNonCentered)).sort()).toEqual(["mu", "tau", "theta_tilde"]);
  });

  it("constrainFn maps params through their constraint", () => {
    const m = () => sample("x", new dist.Normal(param("s", 1, { constraint: constraints.positive }), 1), { obs: 0 });
    expectClose(constrainFn(m, [], { s: np.array(0) }).s, 1);
  });
});

// ---- initializeModel and init strategies --------------------------------------------------------

describe("initializeModel", () => {
  it("finds a valid point, with the potential, its gradient, transforms and postprocessing", () => {
    const info = initializeModel(random.key(1), nonCentered, { modelArgs: args });
    const { z, potentialEnergy: pe, zGrad } = info.paramInfo;
    expect(Object.keys(z).sort()).toEqual(["mu", "tau", "theta_tilde"]);
    expect(z.theta_tilde.shape).toEqual([J]);
    expectClose(pe, info.potentialFn(z));
    const o = nonCenteredOracle(z.mu.item(), z.tau.item(), z.theta_tilde.toArray() as number[]);
    expectClose(pe, o.U, TOL);
    expectClose(zGrad.theta_tilde, o.tt, TOL);
    for (const v of [z.mu, z.tau, z.theta_tilde]) expect(flat(v).every((u) => Math.abs(u) < 2)).toBe(true);
    const post = info.postprocessFn(z);
    expect(Object.keys(post).sort()).toEqual(["mu", "tau", "theta", "theta_tilde"]);
    expectClose(post.tau, Math.exp(z.tau.item()), { rtol: 1e-6 });
    expect(info.transforms.tau.forward(0).item()).toBe(1);
    expect([...info.modelTrace.keys()]).toEqual(["mu", "tau", "J", "theta_tilde", "theta", "obs"]);
    const again = initializeModel(random.key(1), nonCentered, { modelArgs: args });
    expect(again.paramInfo.z.mu.item()).toBe(z.mu.item());
  });

  it("the potential function compiles, and a batch of keys gives one point per key", () => {
    const info = initializeModel(random.split(random.key(2), 3), centered, { modelArgs: args });
    expect(info.paramInfo.z.theta.shape).toEqual([3, J]);
    expect(info.paramInfo.potentialEnergy.shape).toEqual([3]);
    expectClose(vmap(jit(info.potentialFn))(info.paramInfo.z), info.paramInfo.potentialEnergy, { rtol: 1e-5 });
  });

  it("retries until the log density is finite", () => {
    const m = () => {
      const x = sample("x", new dist.Normal(0, 1));
      factor("inside", np.where(np.greater(x, 1.5), 0, -Infinity));
    };
    const info = initializeModel(random.key(0), m);
    expect(info.paramInfo.z.x.item()).toBeGreaterThan(1.5);
  });

  it("an impossible model is an error naming the culprit site", () => {
    const bad = () => {
      sample("x", new dist.Normal(0, 1));
      factor("y", -Infinity);
    };
    expect(() => initializeModel(random.key(0), bad, { maxTries: 5 })).toThrow(
      "initializeModel: no valid starting point in 5 tries: the log density of site 'y' (Unit) is -Infinity",
    );
    // data outside the support is caught earlier, by the observed site itself
    const outside = () => {
      sample("x", new dist.Normal(0, 1));
      sample("y", new dist.Exponential(1), { obs: -1 });
    };
    expect(() => initializeModel(random.key(0), outside)).toThrow("sample site 'y': observed value -1 is outside the support of Exponential (nonnegative)");
    const discrete = () => sample("c", new dist.Bernoulli(0.5));
    expect(() => initializeModel(random.key(0), discrete)).toThrow(/site 'c' is discrete \(Bernoulli with support boolean\)/);
  });

  it("params are fixed at their initial values", () => {
    const m = () => sample("x", new dist.Normal(param("loc", 3), 1), { obs: 0 });
    const lat = () => sample("z", new dist.Normal(param("loc", 3), 1));
    const info = initializeModel(random.key(0), lat);
    expectClose(info.paramInfo.zGrad.z, np.subtract(info.paramInfo.z.z, 3), { rtol: 1e-5, atol: 1e-6 });
    expect(Object.keys(initializeModel(random.key(0), m).paramInfo.z)).toEqual([]);
  });
});

describe("init strategies", () => {
  const m = () => {
    sample("a", new dist.Normal(3, 0.01));
    sample("b", new dist.Exponential(np.ones([4])));
  };
  const start = (opts: InitializeOptions<[]>) => initializeModel(random.key(5), m, opts).paramInfo.z;

  it("initToUniform draws in (-radius, radius) in unconstrained space", () => {
    for (const v of start({ initStrategy: initToUniform(0.5) }).b.toArray() as number[]) expect(Math.abs(v)).toBeLessThan(0.5);
    expect(start({ initStrategy: initToUniform(0) }).b.toArray()).toEqual([0, 0, 0, 0]);
  });

  it("initToMedian starts at the prior median; initToSample at a prior draw", () => {
    expectClose(start({ initStrategy: initToMedian() }).a, 3, { atol: 0.02 });
    const b = start({ initStrategy: initToMedian(1001) }).b;
    expectClose(b, np.full([4], Math.log(Math.LN2)), { atol: 0.2 });
    expectClose(start({ initStrategy: initToSample() }).a, 3, { atol: 0.05 });
  });

  it("initToValue starts at the given values, the others uniformly", () => {
    const z = start({ initStrategy: initToValue({ b: [1, 2, 3, 4] }) });
    expectClose(z.b, [0, Math.log(2), Math.log(3), Math.log(4)], { atol: 1e-6 });
    expect(Math.abs(z.a.item())).toBeLessThan(2);
  });
});
