import { z } from 'zod';
import { defineComponent } from '../../registry/define-plugin.js';
import path from 'node:path';
import { createCsvMetricsLogger, createJsonlMetricsLogger, createTensorboardMetricsLogger } from '../../training/metrics-loggers.js';

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
  defineComponent({
    kind: 'logger',
    name: 'mlm/tensorboard',
    description: 'TensorBoard event files (scalars) in <run folder>/tensorboard, or options.dir',
    schema: z.strictObject({
      /** Folder for the event files, relative to the run folder (default "tensorboard"). */
      dir: z.string().min(1).default('tensorboard'),
    }),
    create(options, context) {
      if (!context.runFolder) throw new Error('mlm/tensorboard needs a run folder');
      return createTensorboardMetricsLogger(path.resolve(context.runFolder.root, options.dir));
    },
  }),
];
