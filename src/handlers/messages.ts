/**
 * The messages that primitives send down the handler stack: a discriminated union on `type`,
 * one interface per kind, each holding only the fields that kind uses. Messages are immutable:
 * a handler returns an updated copy made with {@link update} (immer's `produce`), never edits
 * the one it was given.
 */
import { produce, type Draft } from "immer";
import type { Array as NDArray, random } from "../core/index.js";
import type { Constraint } from "../distributions/constraints.js";
import type { Distribution } from "../distributions/index.js";

/** A PRNG key (an int32 array of shape [2]). */
export type Key = random.Key;

/** A log-density scale factor: a number, or an array that broadcasts with the site's log density. */
export type Scale = number | NDArray;

/** Free-form hints for inference algorithms (NumPyro's `infer` dict), e.g. `{ isAuxiliary: true }`. */
export type InferConfig = Readonly<Record<string, unknown>>;

/** One enclosing plate, as recorded in a message's `condIndepStack` (NumPyro's `CondIndepStackFrame`). */
export interface PlateFrame {
  /** The plate's name. */
  readonly name: string;
  /** The batch dimension the plate occupies, counted from the right (-1, -2, ...). */
  readonly dim: number;
  /** The plate's full size. */
  readonly size: number;
  /** The number of indices drawn from it (equal to `size` without subsampling). */
  readonly subsampleSize: number;
}

/** What every named message holds. */
interface NamedMessage {
  /** The site's name (unique within a trace for sample and deterministic sites). */
  readonly name: string;
  /** The plates enclosing the site, innermost first. */
  readonly condIndepStack: readonly PlateFrame[];
  /** Set by `block`: handlers further out on the stack do not see the message. */
  readonly stop: boolean;
}

/** A `sample` statement: a random variable drawn from `fn`, or observed when `isObserved`. */
export interface SampleMessage extends NamedMessage {
  readonly type: "sample";
  /** The distribution, already expanded to the enclosing plates once they have processed it. */
  readonly fn: Distribution;
  /** The value: observed, substituted, or (when null on reaching the bottom of the stack) drawn. */
  readonly value: NDArray | null;
  /** Whether the value is data (it enters the log density but is not a latent variable). */
  readonly isObserved: boolean;
  /** The key to draw with (set by `seed`, or given to `sample`). */
  readonly rngKey: Key | null;
  /** Extra leading dimensions of independent draws. */
  readonly sampleShape: readonly number[];
  /** The factor that multiplies the site's log density (subsampling, `scale`). */
  readonly scale: Scale;
  /** Hints for inference algorithms. */
  readonly infer: InferConfig;
}

/** An initial parameter value, or a function of a key that makes one. */
export type ParamInit = NDArray | ((key: Key) => NDArray);

/** A `param` statement: an optimizable value with a constraint. */
export interface ParamMessage extends NamedMessage {
  readonly type: "param";
  /** The initial value (or its maker); null when a handler must supply the value. */
  readonly init: ParamInit | null;
  /** The value, once a handler or the initializer has given one. */
  readonly value: NDArray | null;
  /** The set the value lives in (optimizers work in the unconstrained space of its bijection). */
  readonly constraint: Constraint;
  /** Rightmost dimensions unrelated to plates; null: all of them (no subsampling). */
  readonly eventDim: number | null;
  /** The factor that multiplies the site's contribution. */
  readonly scale: Scale;
}

/** A `plate` statement, sent once when the plate opens; its value is the (sub)sample of indices. */
export interface PlateMessage extends NamedMessage {
  readonly type: "plate";
  /** The full size. */
  readonly size: number;
  /** How many indices to draw (equal to `size` without subsampling). */
  readonly subsampleSize: number;
  /** The dimension asked for, or null to take the rightmost free one. */
  readonly dim: number | null;
  /** The indices: `arange(size)`, or a random subsample drawn with `rngKey` when null. */
  readonly value: NDArray | null;
  /** The key for drawing a subsample. */
  readonly rngKey: Key | null;
}

/** A `deterministic` statement: a named function of other sites, recorded in traces. */
export interface DeterministicMessage extends NamedMessage {
  readonly type: "deterministic";
  readonly value: NDArray;
}

/** A `prngKey()` statement: asks the stack for a fresh key. */
export interface PrngKeyMessage {
  readonly type: "prngKey";
  /** The key handed out (a copy of `rngKey` after processing). */
  readonly value: Key | null;
  /** The key given by `seed`. */
  readonly rngKey: Key | null;
  readonly stop: boolean;
}

/** A `subsample(data, plateName)` statement: the named plate replaces `value` by its subsample. */
export interface SubsampleMessage {
  readonly type: "subsample";
  /** The plate whose indices select the data. */
  readonly plateName: string;
  /** The data (full size along the plate's dimension), then its subsample. */
  readonly value: NDArray;
  /** Rightmost dimensions of `value` that lie right of the plate dimensions. */
  readonly eventDim: number;
  /** The plates the message passed through, innermost first. */
  readonly condIndepStack: readonly PlateFrame[];
  readonly stop: boolean;
}

/** Every message a primitive can send. */
export type Message = SampleMessage | ParamMessage | PlateMessage | DeterministicMessage | PrngKeyMessage | SubsampleMessage;

/** The kinds of message a trace records: the named ones. */
export type Site = SampleMessage | ParamMessage | PlateMessage | DeterministicMessage;

/** The message kinds, by their `type`. */
export type MessageType = Message["type"];

/** Whether a message is a named site (recorded by `trace`, renamed by `scope`, ...). */
export function isSite(msg: Message): msg is Site {
  return msg.type === "sample" || msg.type === "param" || msg.type === "plate" || msg.type === "deterministic";
}

/** A copy of `msg` with `changes` applied (immer's `produce`; the result is frozen). */
export function update<M extends Message>(msg: M, changes: Partial<Omit<M, "type">>): M {
  return produce(msg, (draft: Draft<M>) => {
    Object.assign(draft, changes);
  });
}

/** Shapes as they appear in messages: `[2, 3]`. */
export const fmtShape = (s: readonly number[]): string => `[${s.join(", ")}]`;
