import { appendFileSync, mkdirSync } from 'node:fs';
import { writeFileDurablySync } from '@mlm/durable-write';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createNamedRandom } from '@mlm/random';
import { createMeanMetric } from '@mlm/metrics';
import { IGNORE_INDEX, type CollatorInput, type IntMatrix, type MLMPredictionBatch, type Tokenizer } from '@mlm/types';
import type { ExampleSource } from '../tasks/task.js';
import { predictionMetricPrefix, type RunComponents } from './run-components.js';

export type EvaluationSplit = 'validation' | 'test';

export interface EvaluationOptions {
  components: RunComponents;
  split: EvaluationSplit;
  /** The run's seed: evaluation masks and samples come from streams derived from it, fresh every time. */
  seed: number;
  /** The step being evaluated (names the predictions file). */
  step: number;
  /** Use at most this many examples (null = all). */
  maxExamples: number | null;
  batchSize: number;
  /** Unconditional tasks: samples to generate. */
  numSamples: number;
  /** Also compute the LM loss (default true). */
  withLoss?: boolean;
  /** Where to write one JSON line per prediction (folder created as needed). */
  predictionsFile?: string | undefined;
}

export interface EvaluationSample {
  prompt?: string | undefined;
  output: string;
  truth?: string | undefined;
}

export interface EvaluationResult {
  /** `val/lm/accumulated_loss`, `val/prediction/exact_match`, ... (xlm-core's logged names). */
  values: Record<string, number>;
  /** A few generations, for display: the prompt (seq2seq/infill), the generated text, the expected one. */
  samples: EvaluationSample[];
  numExamples: number;
}

/** Up to `limit` examples from the start of a split. */
export async function takeExamples(source: ExampleSource, limit: number | null): Promise<CollatorInput[]> {
  const examples: CollatorInput[] = [];
  if (limit === 0) return examples;
  for await (const example of source.iterate()) {
    examples.push(example);
    if (limit !== null && examples.length >= limit) break;
  }
  return examples;
}

function chunk<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}

/** Batches of at most `size` consecutive examples whose `inputIds` have the same length. */
export function chunkByLength(items: CollatorInput[], size: number): CollatorInput[][] {
  const result: CollatorInput[][] = [];
  let current: CollatorInput[] = [];
  let length: number | undefined;
  for (const item of items) {
    const itemLength = (item.inputIds as ArrayLike<number> | undefined)?.length;
    if (current.length === size || (current.length > 0 && itemLength !== length)) {
      result.push(current);
      current = [];
    }
    current.push(item);
    length = itemLength;
  }
  if (current.length > 0) result.push(current);
  return result;
}

function rowOf(matrix: IntMatrix, row: number): number[] {
  const width = matrix.shape[1];
  return Array.from(matrix.data.subarray(row * width, (row + 1) * width));
}

function decodeTarget(tokenizer: Tokenizer, ids: number[]): string {
  return tokenizer.decode(
    ids.filter((id) => id !== IGNORE_INDEX && id !== tokenizer.padTokenId),
    { skipSpecialTokens: true },
  );
}

function decodeIds(tokenizer: Tokenizer, ids: number[], cutAtEos: boolean): string {
  let kept = ids.filter((id) => id !== tokenizer.padTokenId);
  const eos = tokenizer.eosTokenId;
  if (cutAtEos && eos !== undefined && kept.includes(eos)) kept = kept.slice(0, kept.indexOf(eos));
  return tokenizer.decode(kept, { skipSpecialTokens: true });
}

/** Prompt, generated window and truth of one prediction, decoded for display. */
function describeSample(
  tokenizer: Tokenizer,
  kind: string,
  batch: MLMPredictionBatch,
  prediction: { ids: IntMatrix; outputStartIdx: number; text: string[] },
  index: number,
  truth: string | undefined,
): EvaluationSample {
  const ids = rowOf(prediction.ids, index);
  if (kind === 'seq2seq') {
    return {
      prompt: decodeIds(tokenizer, ids.slice(0, prediction.outputStartIdx), false),
      output: decodeIds(tokenizer, ids.slice(prediction.outputStartIdx), true),
      truth,
    };
  }
  if (kind === 'infill') {
    const input = rowOf(batch.inputIds, index);
    return { prompt: tokenizer.decode(input.filter((id) => id !== tokenizer.padTokenId), { skipSpecialTokens: false }), output: decodeIds(tokenizer, ids, true), truth };
  }
  return { output: prediction.text[index] ?? decodeIds(tokenizer, ids, false) };
}

const PREFIX: Record<EvaluationSplit, string> = { validation: 'val', test: 'test' };

/**
 * Evaluates a split like xlm-core's validation/test loop: the LM loss over the `lm` loader
 * (`<prefix>/lm/accumulated_loss`, the mean of per-batch losses), then generation on the prediction
 * loader with the task's metrics (`<prefix>/prediction/exact_match`, ...), writing every prediction
 * (predictor.toDict rows, per-sample metrics, the decoded truth) as JSON lines. Call it with the
 * weights to evaluate in place (the trainer swaps EMA weights in).
 */
export async function evaluateSplit(options: EvaluationOptions): Promise<EvaluationResult> {
  const { components, split } = options;
  const { task, tokenizer, loss } = components;
  const prefix = PREFIX[split];
  const values: Record<string, number> = {};
  const samples: EvaluationResult['samples'] = [];
  const source = task.splits[split];
  const unconditional = task.kind === 'unconditional';
  const examples = await takeExamples(source, options.maxExamples);
  if (examples.length === 0 && !(unconditional && options.numSamples > 0)) {
    throw new Error(`the ${split} split of task ${task.name} is empty; nothing to evaluate`);
  }

  if (options.withLoss !== false && examples.length > 0) {
    const collator = await components.createTrainCollator(createNamedRandom(options.seed, `${split}/lm-masks`));
    const mean = createMeanMetric();
    for (const group of chunk(examples, options.batchSize)) {
      const batch = collator.collate(group);
      const value = tf.tidy(() => loss.call(batch, { training: false }).loss.dataSync()[0]!);
      mean.update({ value });
    }
    values[`${prefix}/lm/accumulated_loss`] = mean.compute();
  }

  const metricPrefix = predictionMetricPrefix(prefix);
  const predictionDataset = unconditional && components.createPredictionDataset ? await components.createPredictionDataset(createNamedRandom(options.seed, `${split}/prediction-source`)) : undefined;
  const predictionExamples: CollatorInput[] = predictionDataset
    ? [...predictionDataset]
    : unconditional
      ? Array.from({ length: options.numSamples }, () => ({ inputIds: new Array<number>(task.blockSize).fill(tokenizer.maskTokenId) }))
      : examples;
  if (predictionExamples.length === 0) return { values, samples, numExamples: examples.length };

  const collator = await components.createPredictionCollator(createNamedRandom(options.seed, `${split}/prediction-collator`));
  const predictor = await components.createPredictor(createNamedRandom(options.seed, `${split}/sampling`));
  const metrics = unconditional ? [] : await components.createMetrics();
  const stepsTaken = createMeanMetric();
  if (options.predictionsFile) {
    mkdirSync(path.dirname(options.predictionsFile), { recursive: true });
    writeFileDurablySync(options.predictionsFile, '');
  }
  // Rows of different lengths (a prediction source's) go to different batches, so collators that stack
  // rows as they are (mlm/papl-unconditional-collator) get equal lengths.
  for (const group of chunkByLength(predictionExamples, options.batchSize)) {
    const batch = collator.collate(group) as MLMPredictionBatch;
    const prediction = await predictor.predict(batch);
    stepsTaken.update({ value: prediction.stepsTaken });
    const perSample: Record<string, number[] | undefined> = {};
    for (const metric of metrics) {
      metric.update(batch, prediction, tokenizer);
      perSample[`metric_${metric.name}`] = metric.takePerSample();
    }
    const rows = predictor.toDict(batch, prediction);
    const targets = 'targetIds' in batch && batch.targetIds ? batch.targetIds : undefined;
    const lines: string[] = [];
    rows.forEach((row, index) => {
      const truth = targets ? decodeTarget(tokenizer, rowOf(targets, index)) : undefined;
      const record: Record<string, unknown> = { ...row };
      if (truth !== undefined) record.truth = truth;
      for (const [key, list] of Object.entries(perSample)) if (list) record[key] = list[index];
      lines.push(JSON.stringify(record));
      if (samples.length < 8) samples.push(describeSample(tokenizer, task.kind, batch, prediction, index, truth));
    });
    if (options.predictionsFile) appendFileSync(options.predictionsFile, `${lines.join('\n')}\n`);
  }
  for (const metric of metrics) values[`${metricPrefix}/${metric.name}`] = metric.compute();
  values[`${metricPrefix}/steps_taken`] = stepsTaken.compute();
  return { values, samples, numExamples: predictionExamples.length };
}
