// `@mlm/predictor/testing`: test doubles for code that drives a predictor (plugins, apps): a model with
// fixed per-position probabilities that counts its calls. Not for generation runs.
export { FixedDistributionModel, createFixedDistributionModel, peakedDistribution } from './fixed-distribution-model.js';
export type { FixedDistributionContext, FixedDistributionModelOptions } from './fixed-distribution-model.js';
