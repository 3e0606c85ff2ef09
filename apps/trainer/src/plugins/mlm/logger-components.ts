import { z } from 'zod';
import path from 'node:path';
import { defineComponent } from '@mlm/components';
import '../../registry/component-context.js';
import { createCsvMetricsLogger, createJsonlMetricsLogger, createTensorboardMetricsLogger } from '../../training/metrics-loggers.js';

const noOptions = z.strictObject({});

export const loggerComponents = [
  defineComponent({
    kind: 'logger',
    name: 'mlm/jsonl',
    description: 'metrics.jsonl in the run folder: one JSON object per logged step',
    schema: noOptions,
    needs: ['runFolder'],
    create: (_options, { runFolder }) => createJsonlMetricsLogger(runFolder.metricsJsonl),
  }),
  defineComponent({
    kind: 'logger',
    name: 'mlm/csv',
    description: 'metrics.csv in the run folder (long form: step, epoch, time, metric, value)',
    schema: noOptions,
    needs: ['runFolder'],
    create: (_options, { runFolder }) => createCsvMetricsLogger(runFolder.metricsCsv),
  }),
  defineComponent({
    kind: 'logger',
    name: 'mlm/tensorboard',
    description: 'TensorBoard event files (scalars) in <run folder>/tensorboard, or options.dir',
    schema: z.strictObject({
      /** Folder for the event files, relative to the run folder (default "tensorboard"). */
      dir: z.string().min(1).default('tensorboard'),
    }),
    needs: ['runFolder'],
    create: (options, { runFolder }) => createTensorboardMetricsLogger(path.resolve(runFolder.root, options.dir)),
  }),
];
