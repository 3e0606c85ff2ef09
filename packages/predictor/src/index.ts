export { MLMPredictor, createMLMPredictor } from './mlm-predictor.js';
export type { GenerateOptions } from './mlm-predictor.js';
export { addPredictorSettingsIssues, mlmPredictorOptionsSchema, predictorOptionsFromXlmCore, predictorSettingsShape } from './predictor-options.js';
export type { MLMPredictorOptions } from './predictor-options.js';

export {
  CategoricalSampler,
  GreedySampler,
  TopKSampler,
  TopPSampler,
  categoricalSamplerOptionsSchema,
  createSamplerFromOptions,
  topKSamplerOptionsSchema,
  topPSamplerOptionsSchema,
} from './token-sampler.js';
export type {
  CategoricalSamplerOptions,
  SamplingMethod,
  SamplingOptions,
  TokenSampler,
  TopKSamplerOptions,
  TopPSamplerOptions,
} from './token-sampler.js';
export { topPKeepSet } from './sampling-math.js';

export { selectTopScored } from './position-strategy.js';
export type { ConfidenceKind, PositionSelectionInput, PositionStrategy } from './position-strategy.js';
export { UniformPositionStrategy } from './uniform-strategy.js';
export type { UniformStrategyOptions } from './uniform-strategy.js';
export { ConfidencePositionStrategy, thresholdSchema } from './confidence-strategy.js';
export type { ConfidenceStrategyOptions } from './confidence-strategy.js';
export { computeConfidence } from './confidence-scores.js';
export { builtInUnmaskSchedules, cosineSchedule, linearSchedule, resolveUnmaskSchedule, unmaskScheduleNames } from './unmask-schedule.js';
export type { UnmaskSchedule, UnmaskScheduleName } from './unmask-schedule.js';
export { createBlockPlan } from './block-plan.js';
export type { BlockPlan } from './block-plan.js';

export { LogitsShiftBy1, builtInLogitsHooks, logitsShiftBy1, resolveLogitsHook } from './logits-hooks.js';
export type { LogitsHook, LogitsHookFunction } from './logits-hooks.js';
export { createLeftPaddedBatch, createUnconditionalBatch, predictorPositions } from './prediction-input.js';
// Components (register them in a ComponentRegistry of @mlm/components; the trainer does)
export {
  logitsHookComponents,
  mlmPredictorComponent,
  positionStrategyComponents,
  predictorComponentOptionsSchema,
  predictorComponents,
  qualifiedName,
  samplerComponents,
  unmaskScheduleComponents,
} from './predictor-components.js';
export type { PredictorComponentOptions } from './predictor-components.js';
