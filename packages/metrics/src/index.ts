export { MeanMetric, createMeanMetric, readNumbers } from './mean-metric.js';
export type { MeanMetricOptions, MeanMetricUpdate, NanStrategy, NumericValue } from './mean-metric.js';
export { ExactMatch, createExactMatch } from './exact-match.js';
export type { ExactMatchUpdate } from './exact-match.js';
export { TokenAccuracy, createTokenAccuracy } from './token-accuracy.js';
export type { TokenAccuracyUpdate } from './token-accuracy.js';
export {
  exactMatchUpdateFn,
  infillTokenAccuracyUpdateFn,
  seq2seqExactMatchUpdateFn,
  seq2seqTokenAccuracyUpdateFn,
  meanMetricUpdateFn,
  stepsTakenUpdateFn,
  getMetricUpdateFunction,
} from './update-functions.js';
export type { MetricBatch, MetricStepOutput } from './update-functions.js';
export { MetricWrapper, createMetricWrapper } from './metric-wrapper.js';
export type { MetricWrapperOptions } from './metric-wrapper.js';
export { sliceColumns } from './int-matrix.js';

// Components (register them in a ComponentRegistry of @mlm/components; the trainer does)
export { defaultMetricNames, metricComponents } from './metric-components.js';
