import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Array as NDArray, np, ravel, tree, type DType } from "../../src/core/index.js";
import { expectArray, FC, flat, forBackends } from "../helpers.js";

describe("tree.flatten / unflatten", () => {
  it("visits leaves depth-first with object keys sorted", () => {
    const t = { b: [1, { y: 2, x: 3 }], a: 4, c: null };
    const [leaves, def] = tree.flatten(t);
    expect(leaves).toEqual([4, 1, 3, 2]);
    expect(tree.unflatten(def, leaves)).toEqual({ a: 4, b: [1, { x: 3, y: 2 }], c: null });
    expect(tree.numLeaves(def)).toBe(4);
  });

  it("insertion order of keys does not matter", () => {
    const [l1, d1] = tree.flatten({ x: 1, y: 2, z: [3] });
    const [l2, d2] = tree.flatten({ z: [3], y: 2, x: 1 });
    expect(l1).toEqual(l2);
    expect(tree.sameStructure(d1, d2)).toBe(true);
  });

  it("null and undefined are structure, not leaves; arrays are leaves", () => {
    const a = np.array([1, 2]);
    const [leaves, def] = tree.flatten([null, undefined, a, { k: undefined }]);
    expect(leaves).toHaveLength(1);
    expect(leaves[0]).toBe(a);
    const back = tree.unflatten(def, [np.array(5)]) as unknown[];
    expect(back[0]).toBeNull();
    expect(back[1]).toBeUndefined();
    expect((back[2] as NDArray).item()).toBe(5);
    expect(back[3]).toEqual({ k: undefined });
    expect(tree.flatten(7)[0]).toEqual([7]);
    expect(tree.flatten([])[0]).toEqual([]);
    expect(tree.flatten({})[0]).toEqual([]);
  });

  it("unflatten checks the number of leaves", () => {
    const [, def] = tree.flatten([1, [2, 3]]);
    expect(() => tree.unflatten(def, [1, 2])).toThrow(/too few|leaves/);
    expect(() => tree.unflatten(def, [1, 2, 3, 4])).toThrow(/leaves/);
  });

  it("round trips random nested structures (fast-check)", () => {
    const leaf = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.boolean());
    const { node } = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        leaf,
        fc.constant(null),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 4 }), tie("node"), { maxKeys: 4 }),
      ),
    }));
    fc.assert(
      fc.property(node, (t) => {
        const [leaves, def] = tree.flatten(t as never);
        const back = tree.unflatten(def, leaves);
        expect(back).toEqual(t);
        expect(tree.numLeaves(def)).toBe(leaves.length);
        // flattening the rebuilt tree gives the same leaves and structure
        const [l2, d2] = tree.flatten(back);
        expect(l2).toEqual(leaves);
        expect(tree.sameStructure(def, d2)).toBe(true);
      }),
      FC(100),
    );
  });
});

describe("tree.map", () => {
  it("maps over one tree", () => {
    expect(tree.map((x: number) => x * 2, { a: [1, 2], b: 3 } as never)).toEqual({ a: [2, 4], b: 6 });
  });

  it("maps over several trees of the same structure", () => {
    const r = tree.map((x: number, y: number, z: number) => x + 10 * y + 100 * z, { a: 1, b: [2] } as never, { b: [3], a: 4 } as never, { a: 5, b: [6] } as never);
    expect(r).toEqual({ a: 541, b: [632] });
    const arrs = tree.map((a: NDArray, b: NDArray) => np.add(a, b), [np.array([1, 2]), { w: np.array(3) }] as never, [np.array([10, 20]), { w: np.array(4) }] as never) as [NDArray, { w: NDArray }];
    expectArray(arrs[0], [11, 22]);
    expectArray(arrs[1].w, 7);
  });

  it("refuses trees of different structures", () => {
    expect(() => tree.map((x: number, y: number) => x + y, { a: 1 } as never, { b: 1 } as never)).toThrow(/structure/);
    expect(() => tree.map((x: number, y: number) => x + y, [1, 2] as never, [1] as never)).toThrow(/structure/);
    expect(() => tree.map((x: number, y: number) => x + y, [1] as never, { 0: 1 } as never)).toThrow(/structure/);
  });

  it("leaves", () => {
    expect(tree.leaves({ z: 1, a: [2, null, 3] } as never)).toEqual([2, 3, 1]);
  });
});

forBackends(["js", "tfjs-cpu"], () => {
  describe("ravel / unravel", () => {
    it("concatenates leaves in flatten order and restores shapes and dtypes", () => {
      const t = { w: np.array([[1, 2], [3, 4]]), b: np.array(5), n: [np.array([6, 7], "int32")] };
      const [v, unravel] = ravel(t);
      expect(v.shape).toEqual([7]);
      expect(v.dtype).toBe("float32");
      expect(flat(v)).toEqual([5, 6, 7, 1, 2, 3, 4]); // keys b, n, w
      const back = unravel(np.multiply(v, 2)) as { w: NDArray; b: NDArray; n: NDArray[] };
      expectArray(back.w, [[2, 4], [6, 8]], "float32");
      expectArray(back.b, 10, "float32");
      expectArray(back.n[0], [12, 14], "int32");
      expect(() => unravel(np.zeros([3]))).toThrow(/unravel|slice/);
    });

    it("an all-int tree ravels to int32; an empty tree to an empty vector", () => {
      const [v, un] = ravel([np.array([1, 2], "int32"), np.array(3, "int32")]);
      expect(v.dtype).toBe("int32");
      const back = un(v) as NDArray[];
      expectArray(back[1], 3, "int32");
      const [e, une] = ravel({});
      expect(e.shape).toEqual([0]);
      expect(une(e)).toEqual({});
    });

    it("round trips random trees of arrays (fast-check)", () => {
      const shape = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 });
      const dtype = fc.constantFrom<DType>("float32", "int32", "bool");
      const leafSpec = fc.tuple(shape, dtype, fc.integer({ min: 0, max: 1000 }));
      fc.assert(
        fc.property(fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 3 }), fc.array(leafSpec, { maxLength: 3 })), { maxLength: 4 }), (spec) => {
          const make = ([s, d, seed]: [number[], DType, number]) => {
            const n = s.reduce((a, b) => a * b, 1);
            const vals = Array.from({ length: n }, (_, i) => (d === "bool" ? (seed + i) % 2 : d === "int32" ? ((seed * 7 + i * 13) % 50) - 25 : ((seed + i) % 17) / 4 - 2));
            return np.reshape(np.array(vals, d), s);
          };
          const t: Record<string, NDArray[]> = {};
          for (const [k, leaves] of spec) t[k] = leaves.map(make);
          const [v, unravel] = ravel(t);
          expect(v.ndim).toBe(1);
          const back = unravel(v) as Record<string, NDArray[]>;
          expect(Object.keys(back).sort()).toEqual(Object.keys(t).sort());
          for (const k of Object.keys(t))
            t[k].forEach((a, i) => {
              expect(back[k][i].shape).toEqual(a.shape);
              expect(back[k][i].dtype).toBe(a.dtype);
              expect(flat(back[k][i])).toEqual(flat(a));
            });
        }),
        FC(40),
      );
    });
  });
});
