import { defineComponent } from '@mlm/components';
import { inMemoryHistoryComponent } from './history-components.js';
import { HistoryTopKPlugin, historyTopKPluginOptionsSchema } from './history-top-k-plugin.js';

/** `mlm/history-top-k`: `HistoryTopKPlugin` (xlm-core's plugin: one JSON file per step and example under `outputDir`). */
export const historyTopKComponent = defineComponent({
  kind: 'history',
  name: 'mlm/history-top-k',
  description: 'per-step tokens and top-k probabilities of generation, one JSON file per step and example under outputDir (xlm-core HistoryTopKPlugin)',
  schema: historyTopKPluginOptionsSchema,
  create: (options) => new HistoryTopKPlugin(options),
});

/** Every history component, for a Node host to register (the trainer does). */
export const nodeHistoryComponents = [inMemoryHistoryComponent, historyTopKComponent];
