import { z } from 'zod';
import { booleanFlag, nonNegativeInteger, nonNegativeNumber, numberInRange, oneOf, positiveInteger } from '@mlm/components';
import type { HistoryPlugin, Model, RandomSource, Tokenizer } from '@mlm/types';
import type { LogitsHook } from './logits-hooks.js';
import type { PositionStrategy } from './position-strategy.js';
import type { SamplingMethod, TokenSampler } from './token-sampler.js';
import type { UnmaskSchedule, UnmaskScheduleName } from './unmask-schedule.js';
import { unmaskScheduleNames } from './unmask-schedule.js';
import { builtInLogitsHooks } from './logits-hooks.js';
import { thresholdSchema } from './confidence-strategy.js';

const has = (value: unknown, key: string, type: string): boolean =>
  value !== null && typeof value === 'object' && typeof (value as Record<string, unknown>)[key] === type;

const modelSchema = z.custom<Model>((v) => has(v, 'forward', 'function') && has(v, 'numEmbeddings', 'number'), {
  error: 'expected a Model (with forward() and numEmbeddings)',
});
const tokenizerSchema = z.custom<Tokenizer>((v) => has(v, 'maskTokenId', 'number') && has(v, 'batchDecode', 'function'), {
  error: 'expected a Tokenizer (with maskTokenId and batchDecode())',
});
const randomSchema = z.custom<RandomSource>((v) => has(v, 'next', 'function') && has(v, 'fill', 'function'), {
  error: 'expected a RandomSource (from @mlm/random: createRandom(seed))',
});
const functionSchema = <T>(what: string) => z.custom<T>((v) => typeof v === 'function', { error: `expected ${what}` });
const samplerSchema = z.custom<TokenSampler>((v) => has(v, 'sample', 'function'), { error: 'expected a TokenSampler (with sample())' });
const strategySchema = z.custom<PositionStrategy>((v) => has(v, 'select', 'function'), { error: 'expected a PositionStrategy (with select())' });
const hookSchema = z.union([z.enum(Object.keys(builtInLogitsHooks) as [string, ...string[]]), functionSchema<LogitsHook>('a logits hook'), z.custom<LogitsHook>((v) => has(v, 'call', 'function'))], {
  error: `expected a logits hook: a function, { call }, or one of ${Object.keys(builtInLogitsHooks).join(', ')}`,
});
const historySchema = z.custom<HistoryPlugin>((v) => has(v, 'updateHistory', 'function') && has(v, 'reset', 'function') && has(v, 'toDict', 'function'), {
  error: 'expected a HistoryPlugin (updateHistory, reset, toDict)',
});

/**
 * The predictor's plain-value settings, one declaration for the library and the `mlm/predictor`
 * component (which adds what a config names instead of passing objects).
 */
export const predictorSettingsShape = {
  /** Sampling temperature; 0 = greedy. */
  temperature: nonNegativeNumber().default(1),
  /** Sample among the k most likely tokens (null = no top-k). */
  topK: positiveInteger().nullable().default(null),
  /** Nucleus sampling threshold in (0, 1] (null = off). */
  topP: numberInRange(0, 1, '(', ']').nullable().default(null),
  samplingMethod: oneOf(['gumbel-max', 'inverse-cdf']).default('gumbel-max'),
  /** xlm-core confidence mode (threshold mode); null = uniform positions. */
  confidence: oneOf(['top_prob', 'prob_diff', 'entropy']).nullable().default(null),
  /** Threshold of the confidence mode (> 0). */
  threshold: thresholdSchema.nullable().default(null),
  /** Gumbel-perturbed ranking of confidence positions (0 = deterministic). */
  confidenceTemperature: nonNegativeNumber().default(0),
  /** Semi-autoregressive block length (null = the whole window at once). */
  blockLength: positiveInteger().nullable().default(null),
  skipSpecialTokens: booleanFlag().default(true),
  /** Reuse the last logits when no token changed. */
  cacheLogits: booleanFlag().default(true),
};

/** The settings the rules between options read (the library's options and the component's alike). */
interface SettingsToCheck {
  temperature: number;
  topK: number | null;
  topP: number | null;
  confidence: string | null;
  threshold: number | null;
  unmaskSchedule: unknown;
}

/**
 * The rules between the predictor's settings, one declaration for `createMLMPredictor` and the
 * `mlm/predictor` component: topK and topP exclude each other (unless temperature 0 makes both moot, as
 * in xlm-core); a confidence mode needs a threshold (dynamic count) or an unmask schedule (fixed count),
 * not both.
 */
export function addPredictorSettingsIssues(options: SettingsToCheck, context: z.RefinementCtx): void {
  if (options.topK !== null && options.topP !== null && options.temperature !== 0) {
    context.addIssue({ code: 'custom', path: ['topP'], input: options.topP, message: `cannot be set together with topK (${options.topK}); choose one` });
  }
  if (options.confidence !== null && options.threshold === null && options.unmaskSchedule === null) {
    context.addIssue({
      code: 'custom',
      path: ['threshold'],
      input: options.threshold,
      message: `is required when confidence is ${JSON.stringify(options.confidence)} (or set unmaskSchedule)`,
    });
  }
  if (options.confidence !== null && options.threshold !== null && options.unmaskSchedule !== null) {
    context.addIssue({
      code: 'custom',
      path: ['unmaskSchedule'],
      input: options.unmaskSchedule,
      message: `cannot be set together with threshold (${options.threshold}): the threshold picks a dynamic count per step, unmaskSchedule a fixed one; choose one`,
    });
  }
}

/** Run a refinement only when every option passed its own check (no second error about a bad value). */
export const whenEveryOptionIsValid = { when: (payload: { issues: readonly unknown[] }) => payload.issues.length === 0 };

export const mlmPredictorOptionsSchema = z.strictObject({
  model: modelSchema,
  tokenizer: tokenizerSchema,
  random: randomSchema,
  maxSteps: nonNegativeInteger(),
  maxNewTokens: positiveInteger().nullable().default(null),
  ...predictorSettingsShape,
  sampler: samplerSchema.nullable().default(null),
  positionStrategy: strategySchema.nullable().default(null),
  unmaskSchedule: z.union([z.enum(unmaskScheduleNames), functionSchema<UnmaskSchedule>('a schedule')], {
    error: `expected one of ${unmaskScheduleNames.join(', ')} or a schedule function`,
  }).nullable().default(null),
  logitsHook: hookSchema.nullable().default(null),
  history: historySchema.nullable().default(null),
  clock: functionSchema<() => number>('a clock function returning milliseconds').optional(),
}).superRefine((options, context) => {
  addPredictorSettingsIssues(options, context);
  // Objects that replace settings: giving both is a mistake (temperature 1 is the default). A config
  // (the `mlm/predictor` component) instead lets its sampler/positionStrategy sections override them.
  if (options.sampler !== null) {
    for (const key of ['topK', 'topP'] as const) {
      if (options[key] !== null) context.addIssue({ code: 'custom', path: [key], input: options[key], message: `sampler is given, so ${key} must not be (give it to the sampler instead)` });
    }
    if (options.temperature !== 1) {
      context.addIssue({ code: 'custom', path: ['temperature'], input: options.temperature, message: 'sampler is given, so temperature must not be (give it to the sampler instead)' });
    }
  }
  if (options.positionStrategy !== null && options.confidence !== null) {
    context.addIssue({ code: 'custom', path: ['confidence'], input: options.confidence, message: 'set either positionStrategy or confidence (which picks a strategy), not both' });
  }
}, whenEveryOptionIsValid);

/**
 * Options of `createMLMPredictor`. xlm-core's constructor arguments keep their names in camelCase
 * (`maxSteps`, `maxNewTokens`, `topK`, `topP`, `confidence`, `threshold`, `confidenceTemperature`,
 * `temperature`, `logitsHook`, `skipSpecialTokens`); the rest is new.
 */
export interface MLMPredictorOptions {
  model: Model;
  tokenizer: Tokenizer;
  /** Every draw (positions, tokens) comes from here. */
  random: RandomSource;
  /** Unmasking steps before the final fill step (≥ 0). */
  maxSteps: number;
  /** Prefix → suffix: append this many [MASK] after each (left-padded) prompt. */
  maxNewTokens?: number | null;
  /** 0 = greedy. Default 1. */
  temperature?: number;
  topK?: number | null;
  topP?: number | null;
  samplingMethod?: SamplingMethod;
  /** A sampler instead of temperature/topK/topP (`new TopKSampler({ k: 5 })`, or one of your own). */
  sampler?: TokenSampler | null;
  /** A position strategy instead of confidence/threshold/unmaskSchedule. */
  positionStrategy?: PositionStrategy | null;
  /** xlm-core's confidence mode: `top_prob` → `top-probability`, `prob_diff` → `margin`, `entropy`. */
  confidence?: 'top_prob' | 'prob_diff' | 'entropy' | null;
  /** With `confidence`: dynamic count by threshold (as xlm-core); > 0. */
  threshold?: number | null;
  /** Count schedule: for uniform selection (default `linear`), or with `confidence` instead of a threshold. */
  unmaskSchedule?: UnmaskScheduleName | UnmaskSchedule | null;
  /** Gumbel-perturbed position ranking for confidence strategies (0 = deterministic, the default). */
  confidenceTemperature?: number;
  /** Semi-autoregressive: fill the generated window block by block, left to right. */
  blockLength?: number | null;
  logitsHook?: string | LogitsHook | null;
  skipSpecialTokens?: boolean;
  /** Called every step with the step's tokens and logits. */
  history?: HistoryPlugin | null;
  /** Reuse the last logits when no token changed since they were computed. Default true. */
  cacheLogits?: boolean;
  /** Milliseconds, for `timeTaken`. Default `performance.now`. */
  clock?: () => number;
}

const xlmCoreKeys: Record<string, keyof MLMPredictorOptions | null> = {
  max_steps: 'maxSteps',
  max_new_tokens: 'maxNewTokens',
  top_k: 'topK',
  top_p: 'topP',
  confidence: 'confidence',
  threshold: 'threshold',
  confidence_temperature: 'confidenceTemperature',
  temperature: 'temperature',
  logits_hook: 'logitsHook',
  skip_special_tokens: 'skipSpecialTokens',
  // Filled by the host (the trainer), not part of a predictor config.
  _target_: null,
  tokenizer: null,
  model: null,
  noise_schedule: null,
};

/**
 * Translates an xlm-core `MLMPredictor` config (snake_case, as in its Hydra YAML) into options here.
 * `confidence_temperature` is dropped when a threshold is set: xlm-core ignores it in threshold mode,
 * while here it would perturb the ranking. A `logits_hook` given as `{_target_: "...LogitsShiftBy1"}`
 * becomes the hook's registered name.
 */
export function predictorOptionsFromXlmCore(config: Record<string, unknown>): Partial<MLMPredictorOptions> {
  const options: Record<string, unknown> = {};
  const unknown = Object.keys(config).filter((key) => !(key in xlmCoreKeys));
  if (unknown.length > 0) {
    throw new Error(`xlm-core predictor config: unknown key(s) ${unknown.join(', ')}; expected some of ${Object.keys(xlmCoreKeys).join(', ')}`);
  }
  for (const [key, value] of Object.entries(config)) {
    const target = xlmCoreKeys[key];
    if (target === null || target === undefined || value === undefined) continue;
    if (target === 'logitsHook' && value !== null && typeof value === 'object' && '_target_' in value) {
      options.logitsHook = String((value as { _target_: unknown })._target_).split('.').pop();
    } else {
      options[target] = value;
    }
  }
  if (options.threshold !== null && options.threshold !== undefined && options.confidence !== null && options.confidence !== undefined) {
    delete options.confidenceTemperature;
  }
  return options as Partial<MLMPredictorOptions>;
}
