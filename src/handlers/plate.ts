/**
 * `plate`: conditionally independent copies along a batch dimension. A plate takes the
 * rightmost free dimension (-1, then -2 inside it, ...) unless given one, broadcasts every
 * sample site inside it to include that dimension, and, when subsampled, scales their log
 * densities by size / subsampleSize.
 */
import { np, type Array as NDArray } from "../core/index.js";
import { fmtShape, update, type Message, type PlateFrame, type PlateMessage, type SampleMessage, type Scale } from "./messages.js";
import { applyStack, runWith, type Handler } from "./stack.js";

/** Options of {@link plate}. */
export interface PlateOptions {
  /** Draw this many indices at random (without replacement) instead of taking all `size`. */
  subsampleSize?: number;
  /** The batch dimension to use, counted from the right (-1, -2, ...); default: the rightmost free one. */
  dim?: number;
}

/**
 * Runs `fn(indices)` inside the plate `name` of `size` conditionally independent members and
 * returns its result. `indices` are `arange(size)`, or a random subsample of `subsampleSize`.
 */
export function plate<T>(name: string, size: number, fn: (indices: NDArray) => T): T;
/** As above, with a subsample size or an explicit dimension. */
export function plate<T>(name: string, size: number, opts: PlateOptions, fn: (indices: NDArray) => T): T;
export function plate<T>(name: string, size: number, a: PlateOptions | ((indices: NDArray) => T), b?: (indices: NDArray) => T): T {
  const [opts, fn] = typeof a === "function" ? [{}, a] : [a, b];
  if (typeof fn !== "function") throw new Error(`plate '${name}': expected a function to run inside the plate`);
  if (!(Number.isInteger(size) && size > 0)) throw new Error(`plate '${name}': size must be a positive integer, got ${size}`);
  const subsampleSize = opts.subsampleSize ?? size;
  if (!(Number.isInteger(subsampleSize) && subsampleSize > 0 && subsampleSize <= size))
    throw new Error(`plate '${name}': subsampleSize must be an integer in [1, ${size}], got ${subsampleSize}`);
  if (opts.dim !== undefined && !(Number.isInteger(opts.dim) && opts.dim < 0))
    throw new Error(`plate '${name}': dim must be a negative integer, got ${opts.dim}`);
  const msg: PlateMessage = {
    type: "plate",
    name,
    size,
    subsampleSize,
    dim: opts.dim ?? null,
    value: subsampleSize === size ? np.arange(0, size, 1, "int32") : null,
    rngKey: null,
    condIndepStack: [],
    stop: false,
  };
  const out = applyStack(msg) as PlateMessage;
  const indices = out.value!;
  const frame: PlateFrame = { name, dim: freeDim(name, out.condIndepStack, opts.dim), size, subsampleSize: indices.shape[0] };
  return runWith(plateHandler(frame, indices), () => fn(indices));
}

/** The dimension a new plate takes, given the enclosing plates. */
function freeDim(name: string, enclosing: readonly PlateFrame[], asked: number | undefined): number {
  const taken = (d: number) => enclosing.find((f) => f.dim === d);
  if (asked !== undefined) {
    const other = taken(asked);
    if (other) throw new Error(`plate '${name}': dim ${asked} is already taken by the enclosing plate '${other.name}'`);
    return asked;
  }
  let d = -1;
  while (taken(d)) d--;
  return d;
}

/** The batch shape the plates in `frames` require (1 where no plate sits). */
function platesShape(frames: readonly PlateFrame[]): number[] {
  const n = Math.max(0, ...frames.map((f) => -f.dim));
  const shape = new Array<number>(n).fill(1);
  for (const f of frames) shape[n + f.dim] = f.subsampleSize;
  return shape;
}

const mulScale = (a: Scale, b: number): Scale => (typeof a === "number" ? a * b : np.multiply(a, b));

/** The handler installed while a plate's body runs. */
function plateHandler(frame: PlateFrame, indices: NDArray): Handler {
  const subsampled = frame.subsampleSize < frame.size;
  return {
    process(msg: Message): Message {
      switch (msg.type) {
        case "sample":
          return broadcastSample(msg, frame, subsampled ? frame.size / frame.subsampleSize : 1);
        case "param":
        case "plate":
        case "deterministic":
          return update(msg, { condIndepStack: [...msg.condIndepStack, frame] });
        case "subsample":
          return update(msg, {
            condIndepStack: [...msg.condIndepStack, frame],
            value: msg.plateName === frame.name ? takeAlongPlate(msg.value, frame, indices, msg.eventDim, `subsample(data, '${frame.name}')`) : msg.value,
          });
        default:
          return msg;
      }
    },
    postprocess(msg: Message): Message {
      if (msg.type !== "param" || msg.eventDim === null || msg.value === null) return msg;
      return update(msg, { value: takeAlongPlate(msg.value, frame, indices, msg.eventDim, `param site '${msg.name}' (eventDim ${msg.eventDim})`) });
    },
  };
}

/**
 * Adds the plate to a sample site: checks that the site's batch shape (its sample shape
 * included) fits the plate's dimension, expands the distribution to the plates' batch shape,
 * and multiplies the scale by `scale`.
 */
function broadcastSample(msg: SampleMessage, frame: PlateFrame, scale: number): SampleMessage {
  const frames = [...msg.condIndepStack, frame];
  const batch = [...msg.sampleShape, ...msg.fn.batchShape];
  const plates = platesShape(frames);
  const k = batch.length + frame.dim;
  if (k >= 0 && batch[k] !== 1 && batch[k] !== frame.subsampleSize)
    throw new Error(
      `sample site '${msg.name}' inside plate '${frame.name}' (dim ${frame.dim}, size ${frame.subsampleSize}): its batch shape ${fmtShape(batch)} has size ${batch[k]} at dim ${frame.dim}, where the plate needs ${frame.subsampleSize} (or 1): expected a batch shape that broadcasts to ${fmtShape(plates)}`,
    );
  return update(msg, {
    fn: msg.fn.expand(np.broadcastShapes(batch, plates)),
    sampleShape: [],
    condIndepStack: frames,
    scale: scale === 1 ? msg.scale : mulScale(msg.scale, scale),
  });
}

/** The entries of `value` at `indices` along the plate's dimension (left of `eventDim` dims). */
function takeAlongPlate(value: NDArray, frame: PlateFrame, indices: NDArray, eventDim: number, what: string): NDArray {
  const axis = value.ndim + frame.dim - eventDim;
  if (axis < 0) return value;
  const n = value.shape[axis];
  if (n === 1) return value;
  if (n !== frame.size)
    throw new Error(`${what} inside plate '${frame.name}' (dim ${frame.dim}, size ${frame.size}): shape ${fmtShape(value.shape)} has size ${n} at dim ${frame.dim - eventDim}, expected ${frame.size} or 1`);
  return frame.subsampleSize < frame.size ? np.take(value, indices, axis) : value;
}
