import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { np } from "../../src/core/index.js";
import { expectArray, expectClose, FC, flat, forBackends, randomData, size, strides, unravelIndex } from "../helpers.js";

const f32 = Math.fround;
const iota = (shape: number[], dtype?: "int32" | "float32") => np.reshape(np.arange(size(shape), undefined, 1, dtype ?? "float32"), shape);

/** Oracle transpose: output axis i is input axis perm[i]. */
function transposeOracle(data: number[], shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  const st = strides(shape);
  return Array.from({ length: data.length }, (_, i) => {
    const idx = unravelIndex(i, outShape);
    return data[idx.reduce((o, v, k) => o + v * st[perm[k]], 0)];
  });
}

/** Oracle batched matmul of 2-D or 3-D row-major arrays with equal batch. */
function matmulOracle(a: number[], b: number[], batch: number, m: number, k: number, n: number, bBatched = true): number[] {
  const out: number[] = [];
  for (let t = 0; t < batch; t++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[t * m * k + i * k + p] * b[(bBatched ? t * k * n : 0) + p * n + j];
        out.push(s);
      }
  return out;
}

forBackends(["js", "tfjs-cpu"], () => {
  describe("reshape family", () => {
    it("reshape, -1, ravel", () => {
      const x = iota([2, 3]);
      expectArray(np.reshape(x, [3, 2]), [[0, 1], [2, 3], [4, 5]]);
      expectArray(np.reshape(x, [-1]), [0, 1, 2, 3, 4, 5]);
      expectArray(np.reshape(x, [3, -1]), [[0, 1], [2, 3], [4, 5]]);
      expectArray(np.reshape(x, [1, 2, 1, 3]), [[[[0, 1, 2]], [[3, 4, 5]]]]);
      expectArray(np.reshape(np.array(7), [1, 1]), [[7]]);
      expectArray(np.reshape(np.array([7]), []), 7);
      expectArray(np.reshape(np.zeros([0, 3]), [3, 0]), [], undefined, [3, 0]);
      expectArray(np.ravel(np.array([[1, 2], [3, 4]], "int32")), [1, 2, 3, 4], "int32");
    });

    it("expandDims, squeeze", () => {
      const x = np.array([1, 2, 3]);
      expect(np.expandDims(x, 0).shape).toEqual([1, 3]);
      expect(np.expandDims(x, 1).shape).toEqual([3, 1]);
      expect(np.expandDims(x, -1).shape).toEqual([3, 1]);
      expect(np.expandDims(np.array(1), 0).shape).toEqual([1]);
      const y = np.zeros([1, 3, 1, 2]);
      expect(np.squeeze(y).shape).toEqual([3, 2]);
      expect(np.squeeze(y, 2).shape).toEqual([1, 3, 2]);
      expect(np.squeeze(y, [0, -2]).shape).toEqual([3, 2]);
      expect(np.squeeze(np.zeros([1, 1])).shape).toEqual([]);
    });

    it("broadcastTo", () => {
      expectArray(np.broadcastTo([1, 2, 3], [2, 3]), [[1, 2, 3], [1, 2, 3]]);
      expectArray(np.broadcastTo([[1], [2]], [2, 3]), [[1, 1, 1], [2, 2, 2]]);
      expectArray(np.broadcastTo(5, [2, 2]), [[5, 5], [5, 5]]);
      expectArray(np.broadcastTo(np.array([[1, 2]], "int32"), [2, 2, 2]), [[[1, 2], [1, 2]], [[1, 2], [1, 2]]], "int32");
      expect(np.broadcastTo([1], [0]).shape).toEqual([0]);
    });
  });

  describe("transpose family", () => {
    it("transpose vs oracle for every permutation of 3 axes", () => {
      const shape = [2, 3, 4];
      const d = flat(iota(shape));
      for (const perm of [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
      ]) {
        const y = np.transpose(iota(shape), perm);
        expect(y.shape).toEqual(perm.map((p) => shape[p]));
        expect(flat(y)).toEqual(transposeOracle(d, shape, perm));
      }
      expectArray(np.transpose([[1, 2, 3]]), [[1], [2], [3]]);
      expect(np.transpose(iota(shape)).shape).toEqual([4, 3, 2]);
      expect(flat(np.transpose(iota(shape), [-1, 0, 1]))).toEqual(transposeOracle(d, shape, [2, 0, 1]));
      expectArray(np.transpose(np.array(3)), 3);
    });

    it("moveaxis, swapaxes, matrixTranspose", () => {
      const x = iota([2, 3, 4]);
      expect(np.moveaxis(x, 0, -1).shape).toEqual([3, 4, 2]);
      expect(np.moveaxis(x, -1, 0).shape).toEqual([4, 2, 3]);
      expect(np.moveaxis(x, [0, 1], [-1, -2]).shape).toEqual([4, 3, 2]);
      expect(flat(np.moveaxis(x, 0, -1))).toEqual(transposeOracle(flat(x), [2, 3, 4], [1, 2, 0]));
      expect(flat(np.swapaxes(x, 0, 2))).toEqual(transposeOracle(flat(x), [2, 3, 4], [2, 1, 0]));
      expect(flat(np.matrixTranspose(x))).toEqual(transposeOracle(flat(x), [2, 3, 4], [0, 2, 1]));
    });
  });

  describe("joining and splitting", () => {
    it("concatenate along axes, with dtype promotion", () => {
      const a = [[1, 2], [3, 4]];
      const b = [[5, 6]];
      expectArray(np.concatenate([a, b]), [[1, 2], [3, 4], [5, 6]]);
      expectArray(np.concatenate([a, [[7], [8]]], 1), [[1, 2, 7], [3, 4, 8]]);
      expectArray(np.concatenate([a, [[7], [8]]], -1), [[1, 2, 7], [3, 4, 8]]);
      expectArray(np.concatenate([[1], [2, 3], [4, 5, 6]]), [1, 2, 3, 4, 5, 6]);
      expectArray(np.concatenate([np.array([1], "int32"), np.array([2], "int32")]), [1, 2], "int32");
      expectArray(np.concatenate([np.array([1], "int32"), np.array([2.5])]), [1, 2.5], "float32");
      expectArray(np.concatenate([np.array([true]), np.array([3], "int32")]), [1, 3], "int32");
      expectArray(np.concatenate([np.zeros([0, 2]), [[1, 2]]]), [[1, 2]]);
      expectArray(np.concatenate([[1, 2]]), [1, 2]);
      const x = iota([2, 3, 4]);
      const y = np.concatenate([np.slice(x, [0, 0, 0], [2, 3, 1]), np.slice(x, [0, 0, 1])], 2);
      expectArray(y, x.toArray() as number[][][]);
    });

    it("stack", () => {
      expectArray(np.stack([[1, 2], [3, 4]]), [[1, 2], [3, 4]]);
      expectArray(np.stack([[1, 2], [3, 4]], 1), [[1, 3], [2, 4]]);
      expectArray(np.stack([[1, 2], [3, 4]], -1), [[1, 3], [2, 4]]);
      expectArray(np.stack([1, 2, 3]), [1, 2, 3]);
    });

    it("slice with negative bounds and open ends", () => {
      const x = iota([3, 4]);
      expectArray(np.slice(x, [1]), [[4, 5, 6, 7], [8, 9, 10, 11]]);
      expectArray(np.slice(x, [0, 1], [2, 3]), [[1, 2], [5, 6]]);
      expectArray(np.slice(x, [-1, -2]), [[10, 11]]);
      expectArray(np.slice(x, [0, 0], [null, -3]), [[0], [4], [8]]);
      expectArray(np.slice(x, [0, 1], [3, 99]), [[1, 2, 3], [5, 6, 7], [9, 10, 11]]);
      expect(np.slice(x, [1, 1], [1, 3]).shape).toEqual([0, 2]);
    });

    it("split in equal sections or at indices", () => {
      const x = iota([4, 2]);
      const [a, b] = np.split(x, 2);
      expectArray(a, [[0, 1], [2, 3]]);
      expectArray(b, [[4, 5], [6, 7]]);
      const parts = np.split(np.arange(6), [1, 4]);
      expect(parts.map((p) => p.toArray())).toEqual([[0], [1, 2, 3], [4, 5]]);
      const cols = np.split(x, 2, -1);
      expectArray(cols[1], [[1], [3], [5], [7]]);
    });
  });

  describe("indexing", () => {
    it("take: flattened, along an axis, negative and clamped indices, index arrays", () => {
      const x = iota([3, 4]);
      expectArray(np.take(x, [0, 5, 11]), [0, 5, 11]);
      expectArray(np.take(x, [2, 0], 0), [[8, 9, 10, 11], [0, 1, 2, 3]]);
      expectArray(np.take(x, [3, -1, 0], 1), [[3, 3, 0], [7, 7, 4], [11, 11, 8]]);
      expectArray(np.take(x, [[0, 1], [1, 1]], 0), [[[0, 1, 2, 3], [4, 5, 6, 7]], [[4, 5, 6, 7], [4, 5, 6, 7]]]);
      expectArray(np.take(x, 1, 1), [1, 5, 9]);
      expectArray(np.take(x, [10, -10], 0), [[8, 9, 10, 11], [0, 1, 2, 3]]); // clamped, as in JAX
      expectArray(np.take(np.array([5, 6, 7], "int32"), np.array([2, 0], "int32")), [7, 5], "int32");
      expectArray(np.take(x, np.array([1.9, 0])), [1, 0]); // float indices truncate
      expect(np.take(x, np.zeros([0], "int32"), 0).shape).toEqual([0, 4]);
    });

    it("takeAlongAxis", () => {
      const x = [
        [10, 30, 20],
        [60, 40, 50],
      ];
      expectArray(np.takeAlongAxis(x, np.argsort(x, 1), 1), [[10, 20, 30], [40, 50, 60]]);
      expectArray(np.takeAlongAxis(x, [[1], [0]], 1), [[30], [60]]);
      expectArray(np.takeAlongAxis(x, [[1, 0, 1]], 0), [[60, 30, 50]]);
      expectArray(np.takeAlongAxis(x, [[-1], [0]], 1), [[20], [60]]);
      expectArray(np.takeAlongAxis(x, [[0, 0, 2, 2]], 1), [[10, 10, 20, 20], [60, 60, 50, 50]]);
    });

    it("takeAlongAxis broadcasts the other axes (NumPy semantics)", () => {
      // a [3,1] array picked along axis 0 with [3,2] indices: out[i,j] = a[idx[i,j], 0]
      const a = [[1], [2], [3]];
      expectArray(np.takeAlongAxis(a, [[2, 0], [1, 1], [0, 2]], 0), [[3, 1], [2, 2], [1, 3]]);
      // indices [1,2] broadcast over the rows of a [2,3] array along axis 1
      expectArray(np.takeAlongAxis([[1, 2, 3], [4, 5, 6]], [[2, 0]], 1), [[3, 1], [6, 4]]);
      // a [1,3] array with [2,3] indices along axis 1
      expectArray(np.takeAlongAxis([[7, 8, 9]], [[0, 1, 2], [2, 2, 2]], 1), [[7, 8, 9], [9, 9, 9]]);
      // 3-D, middle axis, size-1 axes in both
      const b = np.reshape(np.arange(6), [2, 3, 1]);
      expectArray(np.takeAlongAxis(b, np.array([[[0, 2]]], "int32"), 1), [[[0, 2]], [[3, 5]]], "int32");
    });

    it("pad", () => {
      expectArray(np.pad([1, 2], 1), [0, 1, 2, 0]);
      expectArray(np.pad([1, 2], [2, 0]), [0, 0, 1, 2]);
      expectArray(np.pad([[1, 2]], [[1, 0], [0, 1]]), [[0, 0, 0], [1, 2, 0]]);
      expectArray(np.pad(np.array([[3]], "int32"), 1), [[0, 0, 0], [0, 3, 0], [0, 0, 0]], "int32");
      expectArray(np.pad(np.zeros([0]), [1, 1]), [0, 0]);
    });

    it("tile", () => {
      expectArray(np.tile([1, 2, 3], 2), [1, 2, 3, 1, 2, 3]);
      expectArray(np.tile([[1, 2]], [2, 1]), [[1, 2], [1, 2]]);
      expectArray(np.tile([[1, 2], [3, 4]], [1, 2]), [[1, 2, 1, 2], [3, 4, 3, 4]]);
      expectArray(np.tile([1, 2], [2, 2]), [[1, 2, 1, 2], [1, 2, 1, 2]]);
      expectArray(np.tile([[1], [2]], 2), [[1, 1], [2, 2]]);
      expect(np.tile([1, 2], 0).shape).toEqual([0]);
    });

    it("flip", () => {
      const x = iota([2, 3]);
      expectArray(np.flip(x), [[5, 4, 3], [2, 1, 0]]);
      expectArray(np.flip(x, 0), [[3, 4, 5], [0, 1, 2]]);
      expectArray(np.flip(x, -1), [[2, 1, 0], [5, 4, 3]]);
      expectArray(np.flip(x, [0, 1]), [[5, 4, 3], [2, 1, 0]]);
      expectArray(np.flip(np.array([1, 2, 3], "int32")), [3, 2, 1], "int32");
      expect(np.flip(np.zeros([0, 2]), 0).shape).toEqual([0, 2]);
    });
  });

  describe("sorting", () => {
    it("sort along axes", () => {
      const x = [
        [3, 1, 2],
        [0, 5, -1],
      ];
      expectArray(np.sort(x), [[1, 2, 3], [-1, 0, 5]]);
      expectArray(np.sort(x, 0), [[0, 1, -1], [3, 5, 2]]);
      expectArray(np.sort(np.array([3, -7, 2], "int32")), [-7, 2, 3], "int32");
      expectArray(np.sort([2, -Infinity, Infinity, 0]), [-Infinity, 0, 2, Infinity]);
    });

    it("sort puts NaN last (after +inf)", () => {
      expectArray(np.sort([3, NaN, 1, Infinity, NaN, -2]), [-2, 1, 3, Infinity, NaN, NaN]);
      expectArray(np.sort([[NaN, 1], [2, NaN]], 1), [[1, NaN], [2, NaN]]);
      expectArray(np.argsort([3, NaN, 1, Infinity, -2]), [4, 2, 0, 3, 1]);
    });

    it("argsort is stable and total on float32 specials, signed zeros and ints", () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(0, -0, 1.5, -1.5, 3e38, -3e38, 1e-40, -1e-40, Infinity, -Infinity, NaN, 2, 2), { maxLength: 40 }), (xs) => {
          const got = Array.from(np.argsort(np.array(xs, "float32")).dataSync());
          const key = (v: number) => (Number.isNaN(v) ? Infinity : Math.fround(v) === 0 ? 0 : Math.fround(v));
          const rank = (v: number) => (Number.isNaN(v) ? 1 : 0);
          const want = xs.map((_, i) => i).sort((i, j) => rank(xs[i]) - rank(xs[j]) || (key(xs[i]) < key(xs[j]) ? -1 : key(xs[i]) > key(xs[j]) ? 1 : i - j));
          expect(got).toEqual(want);
        }),
        { seed: 5, numRuns: 200 },
      );
      const ints = [5, -2147483647, 2147483647, 0, -1, 5];
      expect(Array.from(np.argsort(np.array(ints, "int32")).dataSync())).toEqual([1, 4, 3, 0, 5, 2]);
    });

    it("argsort is stable", () => {
      expectArray(np.argsort([2, 1, 2, 1, 0]), [4, 1, 3, 0, 2], "int32");
      expectArray(np.argsort([[1, 1, 1]], 1), [[0, 1, 2]]);
      expectArray(np.argsort([[3, 1], [1, 3], [2, 2]], 0), [[1, 0], [2, 2], [0, 1]]);
    });

    it("sort and argsort agree with Array.prototype.sort on random data", () => {
      fc.assert(
        fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 20 }), (v) => {
          const want = [...v].sort((a, b) => a - b);
          expect(flat(np.sort(v))).toEqual(want);
          const order = flat(np.argsort(v));
          expect(order.map((i) => v[i])).toEqual(want);
          // stability: equal keys keep their order
          for (let i = 1; i < order.length; i++) if (v[order[i]] === v[order[i - 1]]) expect(order[i]).toBeGreaterThan(order[i - 1]);
        }),
        FC(30),
      );
    });
  });

  describe("linear algebra", () => {
    it("matmul: 2-D, batched, broadcast batch, 1-D operands", () => {
      const a = randomData(2 * 3 * 4, 1).map(f32);
      const b = randomData(2 * 4 * 5, 2).map(f32);
      const A = np.reshape(np.array(a), [2, 3, 4]);
      const Bm = np.reshape(np.array(b), [2, 4, 5]);
      expectClose(np.matmul(A, Bm), matmulOracle(a, b, 2, 3, 4, 5), { shape: [2, 3, 5] });
      // broadcast: [2,3,4] @ [4,5]
      const b2 = b.slice(0, 20);
      expectClose(np.matmul(A, np.reshape(np.array(b2), [4, 5])), matmulOracle(a, b2, 2, 3, 4, 5, false), { shape: [2, 3, 5] });
      // [2,1,3,4] @ [3,4,2] -> [2,3,3,2]
      const c = randomData(3 * 4 * 2, 3).map(f32);
      const y = np.matmul(np.reshape(np.array(a), [2, 1, 3, 4]), np.reshape(np.array(c), [3, 4, 2]));
      expect(y.shape).toEqual([2, 3, 3, 2]);
      const yv = flat(y);
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 3; j++) {
          const want = matmulOracle(a.slice(i * 12, i * 12 + 12), c.slice(j * 8, j * 8 + 8), 1, 3, 4, 2);
          expectClose(yv.slice((i * 3 + j) * 6, (i * 3 + j) * 6 + 6), want);
        }
      // 1-D cases
      expectClose(np.matmul([1, 2, 3], [4, 5, 6]), 32, { shape: [] });
      expectClose(np.matmul([[1, 2], [3, 4], [5, 6]], [1, -1]), [-1, -1, -1], { shape: [3] });
      expectClose(np.matmul([1, -1, 2], [[1, 2], [3, 4], [5, 6]]), [8, 10], { shape: [2] });
      expectClose(np.matmul([1, 2], np.reshape(np.arange(8), [2, 2, 2])), [[4, 7], [16, 19]], { shape: [2, 2] });
      expectClose(np.matmul(np.reshape(np.arange(8), [2, 2, 2]), [1, 2]), [[2, 8], [14, 20]], { shape: [2, 2] });
      expectArray(np.matmul(np.array([[1, 2]], "int32"), np.array([[3], [4]], "int32")), [[11]], "int32");
      expectArray(np.matmul(np.zeros([2, 0]), np.zeros([0, 3])), [[0, 0, 0], [0, 0, 0]]);
    });

    it("dot, outer, trace, diagonal, diag, tril, triu", () => {
      expectArray(np.dot([1, 2], [3, 4]), 11);
      expectArray(np.dot(2, [3, 4]), [6, 8]);
      expectArray(np.dot([[1, 0], [0, 2]], [3, 4]), [3, 8]);
      expectArray(np.outer([1, 2], [3, 4, 5]), [[3, 4, 5], [6, 8, 10]]);
      const m = iota([3, 3]);
      expectArray(np.trace(m), 12);
      expectArray(np.diagonal(m), [0, 4, 8]);
      expectArray(np.diagonal(iota([2, 3])), [0, 4]);
      expectArray(np.diagonal(iota([3, 2])), [0, 3]);
      expectArray(np.diagonal(iota([2, 2, 2])), [[0, 3], [4, 7]]);
      expectArray(np.trace(iota([2, 2, 2])), [3, 11]);
      expectArray(np.diag([1, 2]), [[1, 0], [0, 2]]);
      expectArray(np.diag([[1, 2], [3, 4]]), [[[1, 0], [0, 2]], [[3, 0], [0, 4]]]);
      expectArray(np.tril(m), [[0, 0, 0], [3, 4, 0], [6, 7, 8]]);
      expectArray(np.tril(m, -1), [[0, 0, 0], [3, 0, 0], [6, 7, 0]]);
      expectArray(np.triu(m), [[0, 1, 2], [0, 4, 5], [0, 0, 8]]);
      expectArray(np.triu(m, 1), [[0, 1, 2], [0, 0, 5], [0, 0, 0]]);
      expectArray(np.tril(np.ones([2, 3])), [[1, 0, 0], [1, 1, 0]]);
    });

    it("einsum", () => {
      const a = randomData(6, 4).map(f32);
      const b = randomData(12, 5).map(f32);
      const A = np.reshape(np.array(a), [2, 3]);
      const B = np.reshape(np.array(b), [3, 4]);
      expectClose(np.einsum("ij,jk->ik", A, B), matmulOracle(a, b, 1, 2, 3, 4), { shape: [2, 4] });
      expectClose(np.einsum("ij,jk", A, B), matmulOracle(a, b, 1, 2, 3, 4), { shape: [2, 4] });
      expectClose(np.einsum("ij->ji", A), transposeOracle(a, [2, 3], [1, 0]), { shape: [3, 2] });
      expectClose(np.einsum("ij->", A), a.reduce((s, v) => s + v, 0), { shape: [] });
      expectClose(np.einsum("ij->j", A), [0, 1, 2].map((j) => a[j] + a[3 + j]), { shape: [3] });
      expectClose(np.einsum("i,j->ij", [1, 2], [3, 4, 5]), [[3, 4, 5], [6, 8, 10]]);
      expectClose(np.einsum("bi,bi->b", A, A), [0, 1].map((r) => a.slice(3 * r, 3 * r + 3).reduce((s, v) => s + v * v, 0)), { shape: [2] });
      const C = np.reshape(np.array(randomData(2 * 3 * 4, 6).map(f32)), [2, 3, 4]);
      const D = np.reshape(np.array(randomData(2 * 4 * 2, 7).map(f32)), [2, 4, 2]);
      const want = matmulOracle(flat(C), flat(D), 2, 3, 4, 2);
      expectClose(np.einsum("bij,bjk->bik", C, D), want, { shape: [2, 3, 2] });
      expectClose(np.einsum("...ij,...jk->...ik", C, D), want, { shape: [2, 3, 2] });
      expectClose(np.einsum("ij,ij->", A, A), a.reduce((s, v) => s + v * v, 0), { shape: [] });
    });
  });
});
