import { describe, expect, it } from "vitest";
import { enableX64, np, setBackend } from "../../src/core/index.js";
import { forBackends } from "../helpers.js";

/** Expects `fn` to throw a message that contains every one of `parts` (literally). */
function throwsWith(fn: () => unknown, ...parts: string[]): void {
  let msg: string | null = null;
  try {
    fn();
  } catch (e) {
    msg = (e as Error).message;
  }
  expect(msg, "expected an error").not.toBeNull();
  for (const p of parts) expect(msg, `error message should mention ${p}`).toContain(p);
}

forBackends(["js", "tfjs-cpu"], () => {
  describe("shape mismatches name the op and both shapes", () => {
    it("elementwise broadcasting", () => {
      throwsWith(() => np.add(np.zeros([2, 3]), np.zeros([4])), "add", "[2,3]", "[4]");
      throwsWith(() => np.multiply(np.zeros([2, 3]), np.zeros([3, 2])), "mul", "[2,3]", "[3,2]");
      throwsWith(() => np.less(np.zeros([5]), np.zeros([2])), "lt", "[5]", "[2]");
      throwsWith(() => np.where(np.zeros([2], "bool"), np.zeros([3]), 0), "where", "[2]", "[3]");
    });

    it("matmul inner dimensions", () => {
      throwsWith(() => np.matmul(np.zeros([2, 3]), np.zeros([4, 5])), "matmul", "[2,3]", "[4,5]");
      throwsWith(() => np.matmul(np.zeros([3]), np.zeros([4])), "matmul", "[3]", "[4]");
      throwsWith(() => np.matmul(np.zeros([2, 3]), np.zeros([2])), "matmul", "[2,3]", "[2]");
      throwsWith(() => np.matmul(np.zeros([2, 2, 3]), np.zeros([3, 3, 4])), "matmul", "[2]", "[3]");
      throwsWith(() => np.matmul(np.zeros([]), np.zeros([3])), "matmul");
    });

    it("reshape size", () => {
      throwsWith(() => np.reshape(np.zeros([2, 3]), [4]), "reshape", "[2,3]", "[4]");
      throwsWith(() => np.reshape(np.zeros([2, 3]), [4, -1]), "reshape", "[2,3]", "[4,-1]");
    });

    it("concatenate", () => {
      throwsWith(() => np.concatenate([np.zeros([2, 3]), np.zeros([2, 4])], 0), "concatenate", "[2,3]", "[2,4]");
      throwsWith(() => np.concatenate([np.zeros([2, 3]), np.zeros([3])]), "concatenate", "[2,3]", "[3]");
      throwsWith(() => np.concatenate([]), "concatenate");
      throwsWith(() => np.stack([np.zeros([2]), np.zeros([3])]), "concatenate", "[1,2]", "[1,3]");
    });

    it("other layout ops", () => {
      throwsWith(() => np.broadcastTo(np.zeros([3]), [2, 4]), "broadcastTo", "[3]", "[2,4]");
      throwsWith(() => np.broadcastTo(np.zeros([2, 3]), [3]), "broadcastTo", "[2,3]", "[3]");
      throwsWith(() => np.transpose(np.zeros([2, 3]), [0, 0]), "transpose", "[2,3]");
      throwsWith(() => np.squeeze(np.zeros([2, 3]), 0), "squeeze", "[2,3]");
      throwsWith(() => np.slice(np.zeros([2, 3]), [3]), "slice", "[2,3]");
      throwsWith(() => np.pad(np.zeros([2, 3]), [[1, 1]]), "pad");
      throwsWith(() => np.split(np.zeros([5]), 2), "split", "5");
      throwsWith(() => np.einsum("ij,jk->ik", np.zeros([2, 3]), np.zeros([4, 2])), "einsum", "3", "4");
      throwsWith(() => np.einsum("ij->i", np.zeros([2])), "einsum", "rank 1");
      throwsWith(() => np.takeAlongAxis(np.zeros([2, 3]), np.zeros([3], "int32"), 1), "takeAlongAxis");
    });
  });

  describe("bad axes", () => {
    const x = () => np.zeros([2, 3]);
    it("reductions", () => {
      throwsWith(() => np.sum(x(), 2), "sum", "axis 2", "rank 2");
      throwsWith(() => np.max(x(), -3), "max", "axis -3");
      throwsWith(() => np.mean(x(), 5), "mean", "axis 5");
      throwsWith(() => np.sum(x(), [0, 0]), "sum", "repeated");
      throwsWith(() => np.sum(x(), [1, -1]), "sum", "repeated");
      throwsWith(() => np.argmax(x(), 2), "argmax", "axis 2");
      throwsWith(() => np.cumsum(x(), 3), "cumsum", "axis 3");
      throwsWith(() => np.sum(x(), 0.5), "sum", "axis 0.5");
    });
    it("layout ops", () => {
      throwsWith(() => np.concatenate([x(), x()], 2), "concatenate", "axis 2");
      throwsWith(() => np.expandDims(x(), 4), "expandDims", "axis 4");
      throwsWith(() => np.take(x(), [0], 2), "take", "axis 2");
      throwsWith(() => np.sort(x(), 2), "sort", "axis 2");
      throwsWith(() => np.flip(x(), -3), "flip", "axis -3");
      throwsWith(() => np.moveaxis(x(), 0, 2), "moveaxis", "axis 2");
      throwsWith(() => np.stack([x(), x()], 4), "stack", "axis 4");
    });
  });

  describe("bad inputs", () => {
    it("ragged nested arrays", () => {
      throwsWith(() => np.array([[1, 2], [3]]), "ragged");
      throwsWith(() => np.array([[1, 2], 3] as never), "ragged");
      throwsWith(() => np.array([1, [2, 3]] as never), "ragged");
      throwsWith(() => np.array([[[1], [2]], [[3], [4, 5]]]), "ragged");
      throwsWith(() => np.array(["a"] as never), "array");
    });
    it("dtypes", () => {
      throwsWith(() => np.take(np.zeros([3]), np.array([true, false])), "take", "bool");
      throwsWith(() => np.where(np.zeros([2]), 1, 0), "bool");
      throwsWith(() => np.array([1, 2]).item(), "item", "[2]");
    });
  });
});

describe("backend errors", () => {
  it("unknown backend", async () => {
    await expect(setBackend("nope" as never)).rejects.toThrow(/unknown backend 'nope'/);
  });
  it("float64 on a tfjs backend says tfjs is float32 only", async () => {
    await setBackend("tfjs-cpu");
    enableX64(true);
    try {
      expect(() => np.exp(np.array([1, 2]))).toThrow(/float32 only/);
    } finally {
      enableX64(false);
      await setBackend("js");
    }
  });
});
