import type { BoolMatrix, IntMatrix, MetricUpdateFunction, Tokenizer } from '@mlm/types';
import type { ExactMatchUpdate } from './exact-match.js';
import type { MeanMetricUpdate, NumericValue } from './mean-metric.js';
import type { TokenAccuracyUpdate } from './token-accuracy.js';
import { allTrue, assertMatrix, sliceColumns } from './int-matrix.js';

/** The batch fields the update functions read. */
export interface MetricBatch {
  inputIds?: IntMatrix;
  targetIds?: IntMatrix;
}

/** The step-output fields the update functions read (a loss dict or an `MLMPredictionDict`). */
export interface MetricStepOutput {
  ids?: IntMatrix;
  outputStartIdx?: number;
  loss?: NumericValue | null;
  stepsTaken?: number[];
}

function requireField<T>(value: T | null | undefined, functionName: string, field: string, where: string): T {
  if (value === undefined || value === null) throw new Error(`${functionName}: ${where}.${field} is missing`);
  return value;
}

function requireMatrix(value: IntMatrix | undefined, functionName: string, field: string, where: string): IntMatrix {
  const matrix = requireField(value, functionName, field, where);
  assertMatrix(matrix, `${functionName}: ${where}.${field}`);
  return matrix;
}

function requireStart(output: MetricStepOutput, functionName: string): number {
  const start = requireField(output.outputStartIdx, functionName, 'outputStartIdx', 'output');
  if (!Number.isInteger(start) || start < 0) {
    throw new Error(`${functionName}: output.outputStartIdx = ${start}, expected a non-negative integer`);
  }
  return start;
}

/** Full-sequence exact match: `pred = output.ids`, `target = batch.targetIds`. */
export const exactMatchUpdateFn: MetricUpdateFunction<MetricBatch, MetricStepOutput, ExactMatchUpdate> = (batch, output) => ({
  pred: requireMatrix(output.ids, 'exactMatchUpdateFn', 'ids', 'output'),
  target: requireMatrix(batch.targetIds, 'exactMatchUpdateFn', 'targetIds', 'batch'),
  predLength: null,
  targetLength: null,
});

/** Infilling accuracy: only positions that were `[MASK]` in the input count. Needs the tokenizer. */
export const infillTokenAccuracyUpdateFn: MetricUpdateFunction<MetricBatch, MetricStepOutput, TokenAccuracyUpdate> = (
  batch,
  output,
  tokenizer?: Tokenizer,
) => {
  if (tokenizer === undefined) throw new Error('infillTokenAccuracyUpdateFn: a tokenizer is required (its maskTokenId marks the counted positions)');
  const inputIds = requireMatrix(batch.inputIds, 'infillTokenAccuracyUpdateFn', 'inputIds', 'batch');
  const predMask: BoolMatrix = { data: new Uint8Array(inputIds.data.length), shape: [inputIds.shape[0], inputIds.shape[1]] };
  for (let i = 0; i < inputIds.data.length; i++) predMask.data[i] = inputIds.data[i] === tokenizer.maskTokenId ? 1 : 0;
  return {
    pred: requireMatrix(output.ids, 'infillTokenAccuracyUpdateFn', 'ids', 'output'),
    target: requireMatrix(batch.targetIds, 'infillTokenAccuracyUpdateFn', 'targetIds', 'batch'),
    predMask,
  };
};

/** Exact match of the generated suffix `ids[:, outputStartIdx:]` against `targetIds`, lengths included. */
export const seq2seqExactMatchUpdateFn: MetricUpdateFunction<MetricBatch, MetricStepOutput, ExactMatchUpdate> = (batch, output) => {
  const ids = requireMatrix(output.ids, 'seq2seqExactMatchUpdateFn', 'ids', 'output');
  const pred = sliceColumns(ids, requireStart(output, 'seq2seqExactMatchUpdateFn'));
  const target = requireMatrix(batch.targetIds, 'seq2seqExactMatchUpdateFn', 'targetIds', 'batch');
  return { pred, target, predLength: pred.shape[1], targetLength: target.shape[1] };
};

/** Token accuracy of the generated suffix against `targetIds`, every position counted. */
export const seq2seqTokenAccuracyUpdateFn: MetricUpdateFunction<MetricBatch, MetricStepOutput, TokenAccuracyUpdate> = (batch, output) => {
  const ids = requireMatrix(output.ids, 'seq2seqTokenAccuracyUpdateFn', 'ids', 'output');
  const pred = sliceColumns(ids, requireStart(output, 'seq2seqTokenAccuracyUpdateFn'));
  return {
    pred,
    target: requireMatrix(batch.targetIds, 'seq2seqTokenAccuracyUpdateFn', 'targetIds', 'batch'),
    predMask: allTrue(pred.shape[0], pred.shape[1]),
  };
};

/** `value = output.loss` (a number or a scalar tensor, read when the metric updates). */
export const meanMetricUpdateFn: MetricUpdateFunction<unknown, MetricStepOutput, MeanMetricUpdate> = (_batch, output) => ({
  value: requireField(output.loss, 'meanMetricUpdateFn', 'loss', 'output'),
});

/** `value = output.stepsTaken`: the mean number of unmasking steps per sample. */
export const stepsTakenUpdateFn: MetricUpdateFunction<unknown, MetricStepOutput, MeanMetricUpdate> = (_batch, output) => ({
  value: requireField(output.stepsTaken, 'stepsTakenUpdateFn', 'stepsTaken', 'output'),
});

/**
 * The update functions by name: camelCase, xlm-core's function name, and its dotted config path
 * (`mlm.metrics_mlm.exact_match_update_fn`, `xlm.metrics.steps_taken_update_fn`), so configs translate.
 */
const updateFunctions: Record<string, MetricUpdateFunction<never, never, unknown>> = {};
function registerBuiltIn(camelName: string, snakeName: string, module: string, fn: MetricUpdateFunction<never, never, unknown>): void {
  updateFunctions[camelName] = fn;
  updateFunctions[snakeName] = fn;
  updateFunctions[`${module}.${snakeName}`] = fn;
}
registerBuiltIn('exactMatchUpdateFn', 'exact_match_update_fn', 'mlm.metrics_mlm', exactMatchUpdateFn);
registerBuiltIn('infillTokenAccuracyUpdateFn', 'infill_token_accuracy_update_fn', 'mlm.metrics_mlm', infillTokenAccuracyUpdateFn);
registerBuiltIn('seq2seqExactMatchUpdateFn', 'seq2seq_exact_match_update_fn', 'mlm.metrics_mlm', seq2seqExactMatchUpdateFn);
registerBuiltIn('seq2seqTokenAccuracyUpdateFn', 'seq2seq_token_accuracy_update_fn', 'mlm.metrics_mlm', seq2seqTokenAccuracyUpdateFn);
registerBuiltIn('meanMetricUpdateFn', 'mean_metric_update_fn', 'mlm.metrics_mlm', meanMetricUpdateFn);
registerBuiltIn('stepsTakenUpdateFn', 'steps_taken_update_fn', 'xlm.metrics', stepsTakenUpdateFn);

/** Looks an update function up by any of its names; unknown names list the known ones. */
export function getMetricUpdateFunction(name: string): MetricUpdateFunction<never, never, unknown> {
  const fn = updateFunctions[name];
  if (fn === undefined) {
    const known = Object.keys(updateFunctions).filter((key) => /^[a-z][A-Za-z0-9]*$/.test(key) && !key.includes('_'));
    throw new Error(`metric update function ${JSON.stringify(name)} is unknown; expected one of ${known.join(', ')} (or their xlm-core names)`);
  }
  return fn;
}
