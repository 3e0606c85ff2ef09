import { z } from 'zod';
import { ConfigError, defineComponent, nonEmptyString, nonNegativeInteger, positiveInteger, type ComponentRegistry } from '@mlm/components';
import type { TaskInfo } from '@mlm/components';
import { ConfidencePositionStrategy, confidenceDescriptions, thresholdSchema } from './confidence-strategy.js';
import { logitsShiftBy1, type LogitsHook } from './logits-hooks.js';
import { createMLMPredictor } from './mlm-predictor.js';
import type { PositionStrategy } from './position-strategy.js';
import { addPredictorSettingsIssues, predictorSettingsShape, whenEveryOptionIsValid } from './predictor-options.js';
import {
  CategoricalSampler,
  GreedySampler,
  TopKSampler,
  TopPSampler,
  categoricalSamplerOptionsSchema,
  topKSamplerOptionsSchema,
  topPSamplerOptionsSchema,
  type TokenSampler,
} from './token-sampler.js';
import { UniformPositionStrategy } from './uniform-strategy.js';
import { cosineSchedule, linearSchedule, type UnmaskSchedule } from './unmask-schedule.js';

// The predictor's parts as components: what a config (or a plugin) names. Each kind's interface is
// added to the registry's kind map below, so `registry.create('sampler', …)` returns a TokenSampler.
declare module '@mlm/components' {
  interface ComponentKinds {
    'position-strategy': PositionStrategy;
    sampler: TokenSampler;
    'unmask-schedule': UnmaskSchedule;
    'logits-hook': LogitsHook;
  }
}

/**
 * A component name as a config writes it: `my/schedule`, or a bare built-in name (`cosine`) for
 * `mlm/cosine`.
 */
export function qualifiedName(name: string): string {
  return name.includes('/') ? name : `mlm/${name}`;
}

/** A schedule named in options (`linear`, `mlm/cosine`, `my/schedule`), built through the registry. */
async function scheduleByName(registry: ComponentRegistry, name: string, path: string): Promise<UnmaskSchedule> {
  return registry.create('unmask-schedule', qualifiedName(name), {}, {}, path);
}

const noOptions = z.strictObject({});

export const unmaskScheduleComponents = [
  defineComponent({
    kind: 'unmask-schedule',
    name: 'mlm/linear',
    description: "trunc(masked / stepsLeft) per step (xlm-core's schedule)",
    schema: noOptions,
    create: () => linearSchedule,
  }),
  defineComponent({
    kind: 'unmask-schedule',
    name: 'mlm/cosine',
    description: "MaskGIT's cosine schedule: few positions early, many late",
    schema: noOptions,
    create: () => cosineSchedule,
  }),
];

export const logitsHookComponents = [
  defineComponent({
    kind: 'logits-hook',
    name: 'mlm/shift-by-1',
    description: 'position i takes the logits computed at i − 1 (xlm-core LogitsShiftBy1)',
    schema: noOptions,
    create: () => logitsShiftBy1,
  }),
];

/** A schedule option of a strategy: a built-in or an `unmask-schedule` component name. */
const scheduleName = () => z.string().min(1);

export const positionStrategyComponents = [
  defineComponent({
    kind: 'position-strategy',
    name: 'mlm/uniform',
    description: 'random masked positions, a scheduled number per step (xlm-core default)',
    schema: z.strictObject({ schedule: scheduleName().default('linear') }),
    create: async (options, { registry }) => new UniformPositionStrategy({ schedule: await scheduleByName(registry, options.schedule, 'schedule') }),
  }),
  ...(['top-probability', 'margin', 'entropy'] as const).map((kind) =>
    defineComponent({
      kind: 'position-strategy',
      name: `mlm/${kind}`,
      description: confidenceDescriptions[kind],
      schema: z
        .strictObject({ threshold: thresholdSchema.optional(), schedule: scheduleName().optional(), confidenceTemperature: predictorSettingsShape.confidenceTemperature })
        .refine((options) => (options.threshold === undefined) !== (options.schedule === undefined), {
          error: 'give exactly one of threshold and schedule',
          path: ['threshold'],
        }),
      create: async (options, { registry }) =>
        new ConfidencePositionStrategy(kind, {
          confidenceTemperature: options.confidenceTemperature,
          ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
          ...(options.schedule !== undefined ? { schedule: await scheduleByName(registry, options.schedule, 'schedule') } : {}),
        }),
    }),
  ),
];

export const samplerComponents = [
  defineComponent({ kind: 'sampler', name: 'mlm/greedy', description: 'the most likely token', schema: noOptions, create: () => new GreedySampler() }),
  defineComponent({
    kind: 'sampler',
    name: 'mlm/categorical',
    description: 'sample from softmax(logits / temperature)',
    schema: categoricalSamplerOptionsSchema,
    create: (options) => new CategoricalSampler(options),
  }),
  defineComponent({
    kind: 'sampler',
    name: 'mlm/top-k',
    description: 'sample among the k most likely tokens',
    schema: topKSamplerOptionsSchema,
    create: (options) => new TopKSampler(options),
  }),
  defineComponent({
    kind: 'sampler',
    name: 'mlm/top-p',
    description: 'nucleus sampling: the smallest set of tokens with probability ≤ p (top-1 always kept)',
    schema: topPSamplerOptionsSchema,
    create: (options) => new TopPSampler(options),
  }),
];

/** `{ name, ...options }` of a component a predictor config names. */
const partSection = () => z.looseObject({ name: z.string().min(1) }).nullable().default(null);

/**
 * Options of the `mlm/predictor` component: the library's settings (one declaration, shared with
 * `createMLMPredictor`) plus what a config names instead of passing objects, and task-derived defaults.
 */
export const predictorComponentOptionsSchema = z
  .strictObject({
    /** Unmasking steps; null = the task's block size (the reference's max_steps = block_size). */
    maxSteps: nonNegativeInteger().nullable().default(null),
    /** Masks appended after the prompt; null = the block size for seq2seq tasks, none otherwise. */
    maxNewTokens: positiveInteger().nullable().default(null),
    ...predictorSettingsShape,
    /** Count schedule: `linear` (xlm-core), `cosine`, or an `unmask-schedule` component name; null = linear, or the threshold with `confidence`. */
    unmaskSchedule: nonEmptyString().nullable().default(null),
    /** A `logits-hook` component name (`shift-by-1` = xlm-core LogitsShiftBy1). */
    logitsHook: nonEmptyString().nullable().default(null),
    /** A `position-strategy` component instead of confidence/threshold/unmaskSchedule. */
    positionStrategy: partSection(),
    /** A `sampler` component instead of temperature/topK/topP. */
    sampler: partSection(),
    /** A `history` component recording every step (`{ name: 'history-top-k', outputDir, k }` from @mlm/history). */
    history: partSection(),
  })
  // The library's own rules between settings; a sampler or positionStrategy section replaces the settings it stands for.
  .superRefine(addPredictorSettingsIssues, whenEveryOptionIsValid);

export type PredictorComponentOptions = z.output<typeof predictorComponentOptionsSchema>;

function maxStepsFor(options: PredictorComponentOptions, taskInfo: TaskInfo | undefined): number {
  const maxSteps = options.maxSteps ?? taskInfo?.blockSize;
  if (maxSteps === undefined) throw new ConfigError([{ path: 'predictor.maxSteps', message: 'must be given when there is no task to derive it from' }]);
  return maxSteps;
}

/** `mlm/predictor`: iterative unmasking (xlm-core MLMPredictor); its parts are built through the registry by name. */
export const mlmPredictorComponent = defineComponent({
  kind: 'predictor',
  name: 'mlm/predictor',
  description: 'iterative unmasking: uniform or confidence positions, top-k / top-p sampling (xlm-core MLMPredictor)',
  schema: predictorComponentOptionsSchema,
  needs: ['model', 'tokenizer', 'random'],
  uses: ['taskInfo'],
  async create(options, { model, tokenizer, random, taskInfo, registry }) {
    const part = async <TKind extends 'position-strategy' | 'sampler' | 'history'>(kind: TKind, section: { name: string; [key: string]: unknown } | null, path: string) => {
      if (!section) return null;
      const { name, ...rest } = section;
      return registry.create(kind, qualifiedName(name), rest, {}, path);
    };
    const positionStrategy = await part('position-strategy', options.positionStrategy, 'predictor.positionStrategy');
    const sampler = await part('sampler', options.sampler, 'predictor.sampler');
    const history = await part('history', options.history, 'predictor.history');
    const { maxSteps: _maxSteps, maxNewTokens: _maxNewTokens, positionStrategy: _strategy, sampler: _sampler, history: _history, unmaskSchedule, logitsHook, ...settings } = options;
    return createMLMPredictor({
      ...settings,
      model,
      tokenizer,
      random,
      maxSteps: maxStepsFor(options, taskInfo),
      maxNewTokens: options.maxNewTokens ?? (taskInfo?.kind === 'seq2seq' ? taskInfo.blockSize : null),
      sampler,
      positionStrategy,
      history,
      temperature: sampler ? 1 : settings.temperature,
      topK: sampler ? null : settings.topK,
      topP: sampler ? null : settings.topP,
      confidence: positionStrategy ? null : settings.confidence,
      threshold: positionStrategy ? null : settings.threshold,
      unmaskSchedule: positionStrategy || unmaskSchedule === null ? null : await scheduleByName(registry, unmaskSchedule, 'predictor.unmaskSchedule'),
      logitsHook: logitsHook === null ? null : await registry.create('logits-hook', qualifiedName(logitsHook), {}, {}, 'predictor.logitsHook'),
    });
  },
});

/** Every component of @mlm/predictor, for a host to register (`definePlugin({ name, components: predictorComponents })`). */
export const predictorComponents = [mlmPredictorComponent, ...positionStrategyComponents, ...samplerComponents, ...unmaskScheduleComponents, ...logitsHookComponents];
