export { MLMPredictor, createMLMPredictor } from './mlm-predictor.js';
export type { GenerateOptions } from './mlm-predictor.js';
export { mlmPredictorOptionsSchema, predictorOptionsFromXlmCore } from './predictor-options.js';
export type { MLMPredictorOptions } from './predictor-options.js';

export {
  CategoricalSampler,
  GreedySampler,
  TopKSampler,
  TopPSampler,
  createSampler,
  createSamplerFromOptions,
  registerSampler,
  samplerNames,
} from './token-sampler.js';
export type {
  CategoricalSamplerOptions,
  SamplerFactory,
  SamplingMethod,
  SamplingOptions,
  TokenSampler,
  TopKSamplerOptions,
  TopPSamplerOptions,
} from './token-sampler.js';
export { topPKeepSet } from './sampling-math.js';

export {
  createPositionStrategy,
  describePositionStrategies,
  positionStrategyNames,
  registerPositionStrategy,
  selectTopScored,
} from './position-strategy.js';
export type { ConfidenceKind, PositionSelectionInput, PositionStrategy, PositionStrategyFactory } from './position-strategy.js';
export { UniformPositionStrategy } from './uniform-strategy.js';
export type { UniformStrategyOptions } from './uniform-strategy.js';
export { ConfidencePositionStrategy } from './confidence-strategy.js';
export type { ConfidenceStrategyOptions } from './confidence-strategy.js';
export { computeConfidence } from './confidence-scores.js';
export { cosineSchedule, getUnmaskSchedule, linearSchedule, registerUnmaskSchedule, unmaskScheduleNames } from './unmask-schedule.js';
export type { UnmaskSchedule } from './unmask-schedule.js';
export { createBlockPlan } from './block-plan.js';
export type { BlockPlan } from './block-plan.js';

export { LogitsShiftBy1, getLogitsHook, logitsShiftBy1, registerLogitsHook } from './logits-hooks.js';
export type { LogitsHook, LogitsHookFunction } from './logits-hooks.js';
export { createLeftPaddedBatch, createUnconditionalBatch, predictorPositions } from './prediction-input.js';
