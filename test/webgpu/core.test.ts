/** The core on WebGPU: ops, jit (sync and async), control flow, grad, vmap and the PRNG against the js backend. */
import { expect, it } from "vitest";
import { Array as NDArray, cond, grad, jit, np, random, scan, vmap, whileLoop } from "../../src/core/index.js";
import { describeWebGPU, onHost, values } from "./setup.js";

const close = (got: number[], want: number[], rtol = 1e-5, atol = 1e-5) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i])).toBeLessThanOrEqual(atol + rtol * Math.abs(want[i])));
};

/** Evaluates `f` on the host and on WebGPU (fresh inputs from `make` each time) and compares. */
async function same(make: () => NDArray[], f: (...xs: NDArray[]) => NDArray, rtol = 1e-5): Promise<void> {
  const want = onHost(() => Array.from(f(...make()).dataSync(), Number));
  close(await values(f(...make())), want, rtol);
}

describeWebGPU("core on WebGPU", () => {
  const xs = () => [np.array([[0.5, -1.25, 2], [3, 0.1, -0.7]]), np.array([1.5, -2, 0.25])];

  it("elementwise ops, reductions, matmul and layout agree with the js backend", async () => {
    await same(xs, (a, b) => np.add(np.multiply(np.exp(np.tanh(a)), b), np.log1p(np.abs(a))));
    await same(xs, (a) => np.sum(np.square(a), 1));
    await same(xs, (a) => np.max(a, 0));
    await same(xs, (a, b) => np.matmul(a, np.expandDims(b, -1)));
    await same(xs, (a) => np.transpose(np.concatenate([a, np.negative(a)], 0)));
    await same(xs, (a) => np.take(a, np.array([1, 0, 1], "int32"), 0));
    await same(xs, (a, b) => np.where(np.greater(a, 0), a, b));
  });

  it("random draws equal the js backend's bit for bit, keys moved through slice, stack, gather, select and transpose", async () => {
    const draws = () => {
      const key = random.key(7);
      const ks = random.split(key, 4);
      const moved = np.transpose(np.stack([np.take(ks, np.array([3, 1], "int32"), 0), np.slice(ks, [0, 0], [2, 2])], 0), [1, 0, 2]);
      const picked = np.where(np.array([[true], [false]]), np.take(moved, 0, 1), np.take(moved, 1, 1));
      return [
        random.uniform(key, [3]),
        random.randint(key, [5], -3, 100000),
        picked,
        random.split(np.take(picked, 1, 0), 3),
        random.bernoulli(random.foldIn(key, 12345), 0.3, [6]),
      ];
    };
    const want = onHost(() => draws().map((d) => Array.from(d.dataSync(), Number)));
    const got = await Promise.all(draws().map(values));
    expect(got).toEqual(want);
    // normals go through erfinv, computed in float32 on the device: equal to rounding
    const normal = () => random.normal(random.foldIn(random.key(7), 12345), [2, 2]);
    close(await values(normal()), onHost(() => Array.from(normal().dataSync())), 1e-5);
  });

  it("vmapped draws give each member its own stream, as on the host", async () => {
    const f = () => vmap((k: NDArray) => random.uniform(k, [2]))(random.split(random.key(3), 5));
    expect(await values(f())).toEqual(onHost(() => Array.from(f().dataSync())));
  });

  it("rejection samplers (gamma) run through an asynchronous host round trip and agree", async () => {
    const f = jit((k: NDArray) => random.gamma(k, np.array([0.5, 2, 7])));
    const want = onHost(() => Array.from(f(random.key(1)).dataSync()));
    close(await values(await f.async(random.key(1))), want, 1e-5);
  });

  it("jit of a loop-free program runs synchronously on the device", async () => {
    const f = jit((a: NDArray, b: NDArray) => np.sum(np.multiply(np.sin(a), np.expandDims(b, 0))));
    const want = onHost(() => f(...(xs() as [NDArray, NDArray])).item());
    close(await values(f(...(xs() as [NDArray, NDArray]))), [want]);
  });

  it("whileLoop, scan and cond run under f.async, reading each predicate asynchronously", async () => {
    const f = jit((x: NDArray) => {
      const [n, v] = whileLoop(
        ([i]: NDArray[]) => np.less(i, 5),
        ([i, a]: NDArray[]) => [np.add(i, 1), np.add(np.multiply(a, 1.5), 1)],
        [np.array(0, "int32"), x],
      );
      const [c, ys] = scan((carry: NDArray, r: NDArray) => [np.add(carry, r), np.multiply(carry, r)], np.zeros([3]), np.reshape(np.arange(12, undefined, undefined, "float32"), [4, 3]));
      const z = cond(np.greater(np.sum(v), 0), (u: NDArray) => np.multiply(u, 2), (u: NDArray) => np.negative(u), c);
      return [np.astype(n, "float32"), v, ys, z];
    });
    const x = () => np.array([0.5, -2, 1]);
    const want = onHost(() => (f(x()) as NDArray[]).map((o) => Array.from(o.dataSync())));
    const out = (await f.async(x())) as NDArray[];
    const got = await Promise.all(out.map(values));
    got.forEach((g, i) => close(g, want[i]));
    expect(() => f(x())).toThrow(/asynchronously|f\.async/);
  });

  it("a batched whileLoop runs until every member is done, one predicate read per step", async () => {
    const f = jit(
      vmap((limit: NDArray) =>
        whileLoop(
          ([i]: NDArray[]) => np.less(i, limit),
          ([i, s]: NDArray[]) => [np.add(i, 1), np.add(s, i)],
          [np.array(0), np.array(0)],
        ),
      ),
    );
    const lim = () => np.array([1, 4, 2, 7]);
    const want = onHost(() => (f(lim()) as NDArray[]).map((o) => Array.from(o.dataSync())));
    const got = await Promise.all(((await f.async(lim())) as NDArray[]).map(values));
    expect(got).toEqual(want);
  });

  it("grad through scan under jit agrees with the host", async () => {
    const loss = (w: NDArray) => {
      const [c] = scan((carry: NDArray, x: NDArray) => [np.tanh(np.add(np.multiply(carry, w), x)), carry], np.array(0.1), np.array([0.5, -1, 2]));
      return np.square(c as NDArray);
    };
    const g = jit(grad(loss));
    const want = onHost(() => g(np.array(0.8)).item());
    close(await values(await g.async(np.array(0.8))), [want], 1e-4);
  });

  // last: after such an error the device may reject later work that touches what the failed program left
  it("work WebGPU rejects (a buffer over its binding limit) fails the call with the device's message", async () => {
    const f = jit((x: NDArray) => whileLoop(([i]: NDArray[]) => np.less(i, 1), ([i, a]: NDArray[]) => [np.add(i, 1), np.add(a, 1)], [np.array(0), x]));
    await expect(f.async(np.zeros([6000, 6000]))).rejects.toThrow(/WebGPU rejected the program's work: .*larger than the maximum/);
  });
});
