import { definePlugin } from '@mlm/components';
import { collatorComponents } from '@mlm/collators';
import { nodeDatasetComponents } from '@mlm/collators/node';
import { nodeHistoryComponents } from '@mlm/history/node';
import { lossComponents } from '@mlm/loss';
import { metricComponents } from '@mlm/metrics';
import { modelComponents } from '@mlm/model';
import { predictorComponents } from '@mlm/predictor';
import '../../registry/component-context.js';
import { loggerComponents } from './logger-components.js';
import { taskComponents } from './task-components.js';

/**
 * The built-in plugin: the components each library ships (model, loss, collators, prediction datasets,
 * predictor and its parts, history, metrics), plus the trainer's own (tasks, metrics loggers),
 * registered through the public `definePlugin`.
 */
export const mlmPlugin = definePlugin({
  name: 'mlm',
  components: [
    ...taskComponents,
    ...modelComponents,
    ...lossComponents,
    ...collatorComponents,
    ...nodeDatasetComponents,
    ...predictorComponents,
    ...nodeHistoryComponents,
    ...metricComponents,
    ...loggerComponents,
  ],
});
