/**
 * A masked autoregressive network (MADE, Germain et al. 2015; NumPyro's `AutoregressiveNN`):
 * a dense network whose weight masks make output `i` depend only on the inputs that come
 * before entry `i` in the network's ordering. Inverse autoregressive flows use it to give each
 * entry a shift and a log scale that depend on the entries before it.
 */
import { np, random, type Array as NDArray, type ArrayLike } from "../core/index.js";

/** The weights of an {@link AutoregressiveNN}: `w[l]` is `[in, out]`, `b[l]` is `[out]`, one per layer. */
export interface AutoregressiveNNParams {
  readonly w: readonly NDArray[];
  readonly b: readonly NDArray[];
}

/** Options of {@link AutoregressiveNN}. */
export interface AutoregressiveNNOptions {
  /** Widths of the hidden layers (default `[inputDim, inputDim]`). */
  hiddenDims?: readonly number[];
  /** Number of outputs per input entry (default 2: a shift and a log scale). */
  paramDims?: number;
  /** The ordering: `permutation[k]` is the input entry that comes k-th (default the identity). */
  permutation?: readonly number[];
  /** The hidden layers' nonlinearity (default ELU, as NumPyro's `AutoIAF`). */
  nonlinearity?: (x: NDArray) => NDArray;
}

/** The exponential linear unit: x where x > 0, e^x − 1 elsewhere. */
export function elu(x: ArrayLike): NDArray {
  const v = np.asarray(x);
  return np.where(np.greater(v, 0), v, np.expm1(np.minimum(v, 0)));
}

/**
 * A MADE over vectors of `inputDim` entries. `apply(params, x)` maps `x` (`[..., inputDim]`)
 * to `paramDims` arrays of the same shape; entry `i` of each depends only on the entries that
 * precede `i` in `permutation`. The first entry in the ordering depends on nothing (its outputs
 * are the output biases).
 */
export class AutoregressiveNN {
  readonly inputDim: number;
  readonly hiddenDims: readonly number[];
  readonly paramDims: number;
  readonly nonlinearity: (x: NDArray) => NDArray;
  /** The 0/1 mask of each layer's weights (`[in, out]`). */
  readonly masks: readonly NDArray[];

  constructor(inputDim: number, opts: AutoregressiveNNOptions = {}) {
    if (!(Number.isInteger(inputDim) && inputDim >= 1)) throw new Error(`AutoregressiveNN: inputDim must be a positive integer, got ${inputDim}`);
    const hidden = opts.hiddenDims ?? [inputDim, inputDim];
    if (hidden.length === 0 || hidden.some((h) => !(Number.isInteger(h) && h >= 1)))
      throw new Error(`AutoregressiveNN: hiddenDims must be one or more positive integers, got [${hidden.join(", ")}]`);
    const paramDims = opts.paramDims ?? 2;
    if (!(Number.isInteger(paramDims) && paramDims >= 1)) throw new Error(`AutoregressiveNN: paramDims must be a positive integer, got ${paramDims}`);
    const perm = opts.permutation ?? Array.from({ length: inputDim }, (_, i) => i);
    const seen = new Set(perm);
    if (perm.length !== inputDim || seen.size !== inputDim || perm.some((p) => !(Number.isInteger(p) && p >= 0 && p < inputDim)))
      throw new Error(`AutoregressiveNN: permutation must order 0..${inputDim - 1}, got [${perm.join(", ")}]`);
    this.inputDim = inputDim;
    this.hiddenDims = [...hidden];
    this.paramDims = paramDims;
    this.nonlinearity = opts.nonlinearity ?? elu;
    this.masks = made(inputDim, hidden, perm, paramDims);
  }

  /** Layer sizes, input to output. */
  get layerSizes(): number[] {
    return [this.inputDim, ...this.hiddenDims, this.inputDim * this.paramDims];
  }

  /** Number of weight layers (hidden layers + 1). */
  get numLayers(): number {
    return this.masks.length;
  }

  /**
   * Starting weights of layer `l` drawn with `key`: Glorot-normal for hidden layers, zero for the
   * output layer (so the outputs start as the output biases).
   */
  initWeight(key: random.Key, l: number): NDArray {
    const [n, m] = [this.layerSizes[l], this.layerSizes[l + 1]];
    return l + 1 === this.numLayers ? np.zeros([n, m]) : np.multiply(random.normal(key, [n, m]), Math.sqrt(2 / (n + m)));
  }

  /** Starting weights drawn with `key`: {@link AutoregressiveNN.initWeight} and zero biases. */
  init(key: random.Key): AutoregressiveNNParams {
    const keys = random.splitList(key, this.numLayers);
    return { w: keys.map((k, l) => this.initWeight(k, l)), b: keys.map((_, l) => np.zeros([this.layerSizes[l + 1]])) };
  }

  /** The outputs at `x` (`[..., inputDim]`): `paramDims` arrays of the same shape. */
  apply(params: AutoregressiveNNParams, x: ArrayLike): NDArray[] {
    const layers = this.masks.length;
    if (params.w.length !== layers || params.b.length !== layers)
      throw new Error(`AutoregressiveNN: expected ${layers} weight matrices and biases, got ${params.w.length} and ${params.b.length}`);
    let h = np.asarray(x);
    if (h.shape[h.ndim - 1] !== this.inputDim) throw new Error(`AutoregressiveNN: expected inputs of shape [..., ${this.inputDim}], got [${h.shape.join(", ")}]`);
    for (let l = 0; l < layers; l++) {
      h = np.add(np.matmul(h, np.multiply(params.w[l], this.masks[l])), params.b[l]);
      if (l + 1 < layers) h = this.nonlinearity(h);
    }
    const d = this.inputDim;
    return Array.from({ length: this.paramDims }, (_, k) => np.slice(h, [...h.shape.slice(0, -1).map(() => 0), k * d], [...h.shape.slice(0, -1), (k + 1) * d]));
  }
}

/**
 * The MADE masks. Input entry `perm[k]` gets degree k + 1; hidden units get degrees cycling
 * through 1..D−1; a unit sees the inputs (or units) of degree ≤ its own, and an output of entry
 * with degree d sees the last hidden units of degree < d.
 */
function made(d: number, hidden: readonly number[], perm: readonly number[], paramDims: number): NDArray[] {
  const inputDegree = new Array<number>(d);
  perm.forEach((entry, k) => (inputDegree[entry] = k + 1));
  const span = Math.max(1, d - 1);
  const hiddenDegrees = hidden.map((h) => Array.from({ length: h }, (_, k) => 1 + (k % span)));
  const outputDegree = Array.from({ length: paramDims * d }, (_, k) => inputDegree[k % d]);
  const mask = (from: number[], to: number[], strict: boolean) =>
    np.array(from.map((f) => to.map((t) => (strict ? f < t : f <= t) ? 1 : 0)));
  const masks = [mask(inputDegree, hiddenDegrees[0], false)];
  for (let l = 1; l < hidden.length; l++) masks.push(mask(hiddenDegrees[l - 1], hiddenDegrees[l], false));
  masks.push(mask(hiddenDegrees[hidden.length - 1], outputDegree, true));
  return masks;
}
