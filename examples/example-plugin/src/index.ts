import { definePlugin } from '@mlm/components';
import { leftToRightStrategy } from './left-to-right-strategy.js';
import { reverseDigitsCollator, reverseDigitsTask } from './reverse-digits-task.js';

export { createReverseDigitsTask, reverseDigitsOptionsSchema, type ReverseDigitsOptions } from './reverse-digits-task.js';
export { createLeftToRightStrategy, leftToRightOptionsSchema } from './left-to-right-strategy.js';

/** The plugin: list `@mlm/example-plugin` under `plugins:` in a config to use its components. */
export const plugin = definePlugin({
  name: 'example',
  version: '0.1.0',
  components: [reverseDigitsTask, reverseDigitsCollator, leftToRightStrategy],
});

export default plugin;
