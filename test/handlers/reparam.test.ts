/**
 * reparam with LocScaleReparam: the decentered site and the deterministic site it creates, the
 * learnable centering, the log density unchanged up to the change of variables, and errors.
 */
import { describe, expect, it } from "vitest";
import { np } from "../../src/core/index.js";
import * as dist from "../../src/distributions/index.js";
import { constraints } from "../../src/distributions/index.js";
import { LocScaleReparam, plate, reparam, sample, seed, substitute, trace } from "../../src/handlers/index.js";
import { logDensity } from "../../src/infer/index.js";
import { expectClose } from "../helpers.js";

const J = 8;
const SIGMA = [15, 10, 16, 11, 9, 11, 10, 18];
const Y = [28, 8, -3, 7, -1, 1, 18, 12];

function eightSchools(y?: number[]) {
  const mu = sample("mu", new dist.Normal(0, 5));
  const tau = sample("tau", new dist.HalfCauchy(5));
  return plate("J", J, () => {
    const theta = sample("theta", new dist.Normal(mu, tau));
    sample("obs", new dist.Normal(theta, SIGMA), { obs: y });
    return theta;
  });
}

describe("LocScaleReparam", () => {
  it("centered = 0 draws theta_decentered ~ Normal(0, 1) and records theta = mu + tau * theta_decentered", () => {
    const tr = trace(seed(reparam(eightSchools, { theta: new LocScaleReparam(0) }), 0)).getTrace(Y);
    expect([...tr.keys()]).toEqual(["mu", "tau", "J", "theta_decentered", "theta", "obs"]);
    const z = tr.get("theta_decentered")!;
    expect(z.type === "sample" && [z.fn.name, z.fn.batchShape, z.condIndepStack.map((f) => f.name)]).toEqual(["Normal", [J], ["J"]]);
    expect(z.type === "sample" && (z.fn as unknown as { base: dist.Normal }).base.scale.item()).toBe(1);
    const theta = tr.get("theta")!;
    expect(theta.type).toBe("deterministic");
    expect(theta.condIndepStack.map((f) => f.name)).toEqual(["J"]);
    const mu = tr.get("mu")!.value!;
    const tau = tr.get("tau")!.value!;
    expectClose(theta.value!, np.add(mu, np.multiply(tau, z.value!)), { rtol: 1e-6 });
  });

  it("leaves the log density unchanged up to the change of variables (J log tau)", () => {
    const mu = 1.5;
    const tau = 2.5;
    const zs = [0.3, -1, 0.5, 2, 1.2, -0.4, 0.1, 0];
    const theta = zs.map((z) => mu + tau * z);
    const [lpReparam] = logDensity(reparam(eightSchools, { theta: new LocScaleReparam(0) }), [Y], { mu, tau, theta_decentered: zs });
    const [lpCentered] = logDensity(eightSchools, [Y], { mu, tau, theta });
    expectClose(lpReparam, lpCentered.item() + J * Math.log(tau), { rtol: 1e-5 });
  });

  it("centered = 1 leaves the site alone; a function config chooses sites", () => {
    const tr = trace(seed(reparam(eightSchools, { theta: new LocScaleReparam(1) }), 0)).getTrace(Y);
    expect(tr.get("theta")!.type).toBe("sample");
    const byFn = trace(seed(reparam(eightSchools, (site) => (site.name === "mu" ? new LocScaleReparam(0) : null)), 0)).getTrace(Y);
    expect([...byFn.keys()]).toEqual(["mu_decentered", "mu", "tau", "J", "theta", "obs"]);
    expect(byFn.get("mu")!.type).toBe("deterministic");
  });

  it("by default learns the centering as a param in [0, 1] starting at 0.5", () => {
    const model = reparam(eightSchools, { theta: new LocScaleReparam() });
    const tr = trace(seed(model, 0)).getTrace(Y);
    const c = tr.get("theta_centered")!;
    expect(c.type === "param" && c.constraint).toBe(constraints.unitInterval);
    expectClose(c.value!, 0.5);
    const fixed = { mu: 2, tau: 4, theta_decentered: np.full([J], 3), theta_centered: 0.25 };
    const theta = trace(substitute(model, fixed)).getTrace(Y).get("theta")!.value!;
    // theta = loc + scale^(1 - c) (z - c loc)
    expectClose(theta, np.full([J], 2 + 4 ** 0.75 * (3 - 0.25 * 2)), { rtol: 1e-6 });
  });

  it("keeps event dimensions", () => {
    const model = () => sample("v", new dist.Normal(np.zeros([3]), 2).toEvent(1));
    const tr = trace(seed(reparam(model, { v: new LocScaleReparam(0) }), 0)).getTrace();
    const z = tr.get("v_decentered")!;
    expect(z.type === "sample" && [z.fn.batchShape, z.fn.eventShape]).toEqual([[], [3]]);
    expect(tr.get("v")!.value!.shape).toEqual([3]);
  });

  it("errors name the site", () => {
    const observed = () => sample("x", new dist.Normal(0, 1), { obs: 1 });
    expect(() => reparam(observed, { x: new LocScaleReparam(0) })()).toThrow("LocScaleReparam at site 'x': only latent sites can be decentered, this one is observed");
    expect(() => seed(reparam(eightSchools, { tau: new LocScaleReparam(0) }), 0)(Y)).toThrow(
      "LocScaleReparam at site 'tau': needs a distribution with real support, got HalfCauchy with support nonnegative",
    );
    const flat = () => sample("f", new dist.ImproperUniform(constraints.real, [], []));
    expect(() => seed(reparam(flat, { f: new LocScaleReparam(0) }), 0)()).toThrow("LocScaleReparam at site 'f': ImproperUniform has no loc and scale parameters");
    expect(() => new LocScaleReparam(2)).toThrow("LocScaleReparam: centered must lie in [0, 1]");
  });
});
