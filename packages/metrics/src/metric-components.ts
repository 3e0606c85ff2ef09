import { z } from 'zod';
import { defineComponent, nonEmptyString, type ComponentContext } from '@mlm/components';
import type { Metric } from '@mlm/types';
import { createExactMatch } from './exact-match.js';
import { createMetricWrapper, type MetricWrapper } from './metric-wrapper.js';
import { createTokenAccuracy } from './token-accuracy.js';

// `registry.create('metric', …)` returns a MetricWrapper (what the trainer updates and logs).
declare module '@mlm/components' {
  interface ComponentKinds {
    metric: MetricWrapper<unknown, unknown, unknown>;
  }
}

const metricOptionsSchema = z.strictObject({
  /** Logged name (`val/prediction/<name>`); default: the metric's own. */
  logName: nonEmptyString().optional(),
  /** An @mlm/metrics update function (camelCase or xlm-core dotted name); default: by task kind. */
  updateFn: nonEmptyString().optional(),
});

type MetricOptions = z.output<typeof metricOptionsSchema>;

function metricComponent(
  name: string,
  logName: string,
  description: string,
  createMetric: () => Metric<never>,
  defaultUpdateFn: (kind: string) => string,
) {
  return defineComponent({
    kind: 'metric',
    name,
    description,
    schema: metricOptionsSchema,
    uses: ['taskInfo'],
    create(options: MetricOptions, context: ComponentContext<never, 'taskInfo'>): MetricWrapper<unknown, unknown, unknown> {
      const kind = context.taskInfo?.kind ?? 'seq2seq';
      return createMetricWrapper<unknown, unknown, Record<string, unknown>>({
        name: options.logName ?? logName,
        metric: createMetric() as Metric<Record<string, unknown>>,
        updateFn: options.updateFn ?? defaultUpdateFn(kind),
      });
    },
  });
}

export const metricComponents = [
  metricComponent(
    'mlm/exact-match',
    'exact_match',
    'fraction of examples generated exactly (seq2seq: the generated window; infill: the whole sequence)',
    createExactMatch as () => Metric<never>,
    (kind) => (kind === 'seq2seq' ? 'seq2seqExactMatchUpdateFn' : 'exactMatchUpdateFn'),
  ),
  metricComponent(
    'mlm/token-accuracy',
    'token_accuracy',
    'per-example token accuracy, averaged over examples (infill: the blanks only)',
    createTokenAccuracy as () => Metric<never>,
    (kind) => (kind === 'seq2seq' ? 'seq2seqTokenAccuracyUpdateFn' : 'infillTokenAccuracyUpdateFn'),
  ),
];

/** The metrics the reference reports for each task kind. */
export function defaultMetricNames(kind: string): string[] {
  return kind === 'unconditional' ? [] : ['mlm/exact-match', 'mlm/token-accuracy'];
}
