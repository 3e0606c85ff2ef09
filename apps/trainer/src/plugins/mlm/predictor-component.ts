import { z } from 'zod';
import { createMLMPredictor, unmaskScheduleNames, type MLMPredictorOptions } from '@mlm/predictor';
import type { PositionStrategy, TokenSampler } from '@mlm/predictor';
import { defineComponent } from '../../registry/define-plugin.js';
import { booleanFlag, nonEmptyString, nonNegativeInteger, nonNegativeNumber, numberInRange, oneOf, positiveInteger, positiveNumber } from '../../config/schema-helpers.js';

/** `{ name, ...options }` of a registered position strategy or sampler. */
const partSection = () => z.looseObject({ name: nonEmptyString() }).nullable().default(null);

export const predictorOptionsSchema = z
  .strictObject({
    /** Unmasking steps; null = the task's block size (the reference's max_steps = block_size). */
    maxSteps: nonNegativeInteger().nullable().default(null),
    /** Masks appended after the prompt; null = the block size for seq2seq tasks, none otherwise. */
    maxNewTokens: positiveInteger().nullable().default(null),
    /** Sample among the k most likely tokens (null = no top-k). */
    topK: positiveInteger().nullable().default(null),
    /** Nucleus sampling threshold in (0, 1] (null = off). */
    topP: numberInRange(0, 1, '(', ']').nullable().default(null),
    /** Sampling temperature; 0 = greedy. */
    temperature: nonNegativeNumber().default(1),
    samplingMethod: oneOf(['gumbel-max', 'inverse-cdf']).default('gumbel-max'),
    /** xlm-core confidence mode (threshold mode); null = uniform positions. */
    confidence: oneOf(['top_prob', 'prob_diff', 'entropy']).nullable().default(null),
    /** Threshold of the confidence mode. */
    threshold: positiveNumber().nullable().default(null),
    /** Count schedule (`linear` as xlm-core, `cosine`, ...); null = linear, or the threshold with `confidence`. */
    unmaskSchedule: nonEmptyString().nullable().default(null),
    /** Gumbel-perturbed ranking of confidence positions (0 = deterministic). */
    confidenceTemperature: nonNegativeNumber().default(0),
    /** Semi-autoregressive block length (null = the whole window at once). */
    blockLength: positiveInteger().nullable().default(null),
    /** A registered `position-strategy` component instead of confidence/threshold/unmaskSchedule. */
    positionStrategy: partSection(),
    /** A registered `sampler` component instead of temperature/topK/topP. */
    sampler: partSection(),
    skipSpecialTokens: booleanFlag().default(true),
    /** Reuse the last logits when no token changed. */
    cacheLogits: booleanFlag().default(true),
  })
  .superRefine((options, context) => {
    if (options.topK !== null && options.topP !== null && options.temperature !== 0) {
      context.addIssue({ code: 'custom', path: ['topP'], message: `cannot be set together with predictor.topK (${options.topK}); choose one` });
    }
    if (options.unmaskSchedule !== null && !unmaskScheduleNames().includes(options.unmaskSchedule)) {
      context.addIssue({
        code: 'custom',
        path: ['unmaskSchedule'],
        message: `expected one of ${unmaskScheduleNames().map((name) => JSON.stringify(name)).join(', ')}, got ${JSON.stringify(options.unmaskSchedule)}`,
      });
    }
    if (options.confidence !== null && options.threshold === null && options.unmaskSchedule === null) {
      context.addIssue({ code: 'custom', path: ['threshold'], message: `is required when predictor.confidence is ${JSON.stringify(options.confidence)} (or set predictor.unmaskSchedule)` });
    }
  });

export type PredictorOptions = z.output<typeof predictorOptionsSchema>;

/** `mlm/predictor`: iterative unmasking (xlm-core MLMPredictor). */
export const mlmPredictorComponent = defineComponent({
  kind: 'predictor',
  name: 'mlm/predictor',
  description: 'iterative unmasking: uniform or confidence positions, top-k / top-p sampling (xlm-core MLMPredictor)',
  schema: predictorOptionsSchema,
  async create(options, context) {
    const { model, tokenizer, taskInfo: task, registry } = context;
    if (!model || !tokenizer) throw new Error('mlm/predictor needs the model and the tokenizer');
    const maxSteps = options.maxSteps ?? task?.blockSize;
    if (maxSteps === undefined) throw new Error('predictor.maxSteps must be given when there is no task to derive it from');
    const maxNewTokens = options.maxNewTokens ?? (task?.kind === 'seq2seq' ? task.blockSize : null);
    const part = async <T>(kind: string, section: { name: string; [key: string]: unknown } | null, path: string): Promise<T | null> => {
      if (!section) return null;
      const { name, ...rest } = section;
      return (await registry.create(kind, name, rest, context, path)) as T;
    };
    const positionStrategy = await part<PositionStrategy>('position-strategy', options.positionStrategy, 'predictor.positionStrategy');
    const sampler = await part<TokenSampler>('sampler', options.sampler, 'predictor.sampler');
    const predictorOptions: MLMPredictorOptions = {
      model,
      tokenizer,
      random: context.random,
      maxSteps,
      maxNewTokens,
      temperature: options.temperature,
      topK: sampler ? null : options.topK,
      topP: sampler ? null : options.topP,
      samplingMethod: options.samplingMethod,
      sampler,
      positionStrategy,
      confidence: positionStrategy ? null : options.confidence,
      threshold: positionStrategy ? null : options.threshold,
      unmaskSchedule: positionStrategy ? null : options.unmaskSchedule,
      confidenceTemperature: options.confidenceTemperature,
      blockLength: options.blockLength,
      skipSpecialTokens: options.skipSpecialTokens,
      cacheLogits: options.cacheLogits,
    };
    return createMLMPredictor(predictorOptions);
  },
});
