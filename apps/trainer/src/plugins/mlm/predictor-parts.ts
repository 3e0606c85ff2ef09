import { z } from 'zod';
import { createPositionStrategy, createSampler, unmaskScheduleNames } from '@mlm/predictor';
import { defineComponent } from '../../registry/define-plugin.js';
import { nonNegativeNumber, oneOf, positiveInteger, positiveNumber, numberInRange } from '../../config/schema-helpers.js';

const scheduleName = () =>
  z.string().refine((value) => unmaskScheduleNames().includes(value), {
    error: (issue) => `expected one of ${unmaskScheduleNames().map((name) => JSON.stringify(name)).join(', ')}, got ${JSON.stringify(issue.input)}`,
  });

const samplingMethod = () => oneOf(['gumbel-max', 'inverse-cdf']);

/** Position strategies of @mlm/predictor as `position-strategy` components. */
export const positionStrategyComponents = [
  defineComponent({
    kind: 'position-strategy',
    name: 'mlm/uniform',
    description: 'random masked positions, a scheduled number per step (xlm-core default)',
    schema: z.strictObject({ schedule: scheduleName().default('linear') }),
    create: (options) => createPositionStrategy('uniform', options),
  }),
  ...(['top-probability', 'margin', 'entropy'] as const).map((kind) =>
    defineComponent({
      kind: 'position-strategy',
      name: `mlm/${kind}`,
      description: `most confident positions first by ${kind}; a threshold or a schedule sets how many`,
      schema: z
        .strictObject({
          threshold: positiveNumber().optional(),
          schedule: scheduleName().optional(),
          confidenceTemperature: nonNegativeNumber().optional(),
        })
        .refine((options) => (options.threshold === undefined) !== (options.schedule === undefined), {
          error: 'give exactly one of threshold and schedule',
          path: ['threshold'],
        }),
      create: (options) => createPositionStrategy(kind, options),
    }),
  ),
];

const temperature = () => nonNegativeNumber().optional();

/** Token samplers of @mlm/predictor as `sampler` components. */
export const samplerComponents = [
  defineComponent({
    kind: 'sampler',
    name: 'mlm/greedy',
    description: 'the most likely token',
    schema: z.strictObject({}),
    create: (options) => createSampler('greedy', options),
  }),
  defineComponent({
    kind: 'sampler',
    name: 'mlm/categorical',
    description: 'sample from softmax(logits / temperature)',
    schema: z.strictObject({ temperature: temperature(), method: samplingMethod().optional() }),
    create: (options) => createSampler('categorical', options),
  }),
  defineComponent({
    kind: 'sampler',
    name: 'mlm/top-k',
    description: 'sample among the k most likely tokens',
    schema: z.strictObject({ k: positiveInteger(), temperature: temperature(), method: samplingMethod().optional() }),
    create: (options) => createSampler('top-k', options),
  }),
  defineComponent({
    kind: 'sampler',
    name: 'mlm/top-p',
    description: 'nucleus sampling: the smallest set of tokens with probability ≤ p (top-1 always kept)',
    schema: z.strictObject({ p: numberInRange(0, 1, '(', ']'), temperature: temperature(), method: samplingMethod().optional() }),
    create: (options) => createSampler('top-p', options),
  }),
];
