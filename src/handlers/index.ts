/**
 * tyche/handlers: the primitives models are written with (`sample`, `param`, `plate`,
 * `deterministic`, `factor`, `prngKey`, `subsample`) and the effect handlers that give a model
 * its meaning (`trace`, `seed`, `condition`, `substitute`, `replay`, `block`, `scale`, `mask`,
 * `do`, `lift`, `reparam`, `inferConfig`, `scope`, `enumerate`, `configEnumerate`). Every handler
 * takes a model and returns a model, so they nest (`trace(seed(model, key))`) and chain with fp-ts's `pipe`
 * (`pipe(model, (m) => seed(m, key), trace)`).
 *
 * @packageDocumentation
 */
export type {
  Message,
  MessageType,
  Site,
  SampleMessage,
  ParamMessage,
  PlateMessage,
  DeterministicMessage,
  PrngKeyMessage,
  SubsampleMessage,
  PlateFrame,
  ParamInit,
  InferConfig,
  Scale,
  Key,
} from "./messages.js";
export { isSite, update } from "./messages.js";
export { applyStack, runWith, withHandler, type Handler, type Model } from "./stack.js";
export { sample, param, deterministic, factor, prngKey, subsample, type SampleOptions, type ParamOptions } from "./primitives.js";
export { plate, type PlateOptions } from "./plate.js";
export { trace, type Trace, type TracedModel } from "./trace.js";
export { formatShapes, type FormatShapesOptions } from "./format-shapes.js";
export { seed } from "./seed.js";
export { condition, substitute, type SiteValues, type SiteValueFn } from "./condition.js";
export { replay } from "./replay.js";
export { block, type BlockOptions } from "./block.js";
export { scale } from "./scale.js";
export { mask } from "./mask.js";
export { intervene, intervene as do } from "./do.js";
export { lift } from "./lift.js";
export { enumerate, configEnumerate, isEnumerated } from "./enumerate.js";
export { reparam, LocScaleReparam, type Reparam, type ReparamResult, type LocScaleRebuild, type LocScaleReparamOptions } from "./reparam.js";
export { inferConfig } from "./infer-config.js";
export { scope } from "./scope.js";
