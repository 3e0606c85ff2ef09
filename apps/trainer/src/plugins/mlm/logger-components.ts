import { z } from 'zod';
import { defineComponent } from '../../registry/define-plugin.js';
import { createCsvMetricsLogger, createJsonlMetricsLogger } from '../../training/metrics-loggers.js';

const noOptions = z.strictObject({});

export const loggerComponents = [
  defineComponent({
    kind: 'logger',
    name: 'mlm/jsonl',
    description: 'metrics.jsonl in the run folder: one JSON object per logged step',
    schema: noOptions,
    create(_options, context) {
      if (!context.runFolder) throw new Error('mlm/jsonl needs a run folder');
      return createJsonlMetricsLogger(context.runFolder.metricsJsonl);
    },
  }),
  defineComponent({
    kind: 'logger',
    name: 'mlm/csv',
    description: 'metrics.csv in the run folder (long form: step, epoch, time, metric, value)',
    schema: noOptions,
    create(_options, context) {
      if (!context.runFolder) throw new Error('mlm/csv needs a run folder');
      return createCsvMetricsLogger(context.runFolder.metricsCsv);
    },
  }),
];
