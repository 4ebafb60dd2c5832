/**
 * Parallel enumeration of discrete latent sites (NumPyro's `config_enumerate` and `enum`): a site
 * marked `infer: { enumerate: "parallel" }` takes every value of its finite support at once, laid
 * along a batch dimension of its own to the left of all plate dimensions, so that everything
 * downstream is computed for each value by broadcasting. Inference then sums those dimensions out
 * of the log density (see `enumeratedLogDensity` in tyche/infer).
 */
import { np } from "../core/index.js";
import { update, type Message, type SampleMessage } from "./messages.js";
import { inferConfig } from "./infer-config.js";
import { withHandler, type Model } from "./stack.js";

/** Whether a sample site is marked for parallel enumeration. */
export function isEnumerated(site: SampleMessage): boolean {
  return site.infer.enumerate === "parallel" && !site.isObserved;
}

/** Marks every discrete latent site of `model` whose support is finite for parallel enumeration. */
export function configEnumerate<A extends unknown[], R>(model: Model<A, R>): Model<A, R> {
  return inferConfig(model, (site) => (!site.isObserved && site.fn.hasEnumerateSupport && site.infer.enumerate === undefined ? { enumerate: "parallel" } : {}));
}

/**
 * Gives each site marked for parallel enumeration (and without a value) its whole support: the
 * k-th such site gets the values along dimension `firstAvailableDim − k` (negative, counted from
 * the right; the first free dimension left of the model's plates), all others of size 1. The
 * sites' `infer.enumDim` records that dimension.
 */
export function enumerate<A extends unknown[], R>(model: Model<A, R>, firstAvailableDim: number): Model<A, R> {
  if (!(Number.isInteger(firstAvailableDim) && firstAvailableDim < 0)) throw new Error(`enumerate: firstAvailableDim must be a negative integer, got ${firstAvailableDim}`);
  return withHandler(model, () => {
    let next = firstAvailableDim;
    return {
      process(msg: Message): Message {
        if (msg.type !== "sample" || msg.value !== null || !isEnumerated(msg)) return msg;
        const fn = msg.fn;
        if (!fn.hasEnumerateSupport) throw new Error(`sample site '${msg.name}': ${fn.name} has no finite support to enumerate (support ${fn.support.name})`);
        if (fn.eventDim !== 0) throw new Error(`sample site '${msg.name}': enumeration needs a distribution without event dimensions, got ${fn.name} with event shape [${fn.eventShape.join(", ")}]`);
        if (msg.sampleShape.length > 0) throw new Error(`sample site '${msg.name}': enumeration does not combine with a sample shape`);
        const dim = next--;
        const support = fn.enumerateSupport(false);
        const value = np.reshape(support, [support.shape[0], ...new Array<number>(-dim - 1).fill(1)]);
        return update(msg, { value, infer: { ...msg.infer, enumDim: dim } });
      },
    };
  });
}
