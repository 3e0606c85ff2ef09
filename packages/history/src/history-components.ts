import { defineComponent } from '@mlm/components';
import { InMemoryHistoryPlugin, inMemoryHistoryOptionsSchema } from './in-memory-history.js';

/** `mlm/in-memory-history`: `InMemoryHistoryPlugin` (records kept in memory; browser and Node). */
export const inMemoryHistoryComponent = defineComponent({
  kind: 'history',
  name: 'mlm/in-memory-history',
  description: 'per-step tokens and top-k probabilities of generation, kept in memory (prediction.history holds the records)',
  schema: inMemoryHistoryOptionsSchema,
  create: (options) => new InMemoryHistoryPlugin(options),
});

/** The browser-safe history components; `@mlm/history/node` adds the folder writer (`historyTopKComponent`). */
export const historyComponents = [inMemoryHistoryComponent];
