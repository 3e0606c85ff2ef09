import { definePlugin } from '../../registry/define-plugin.js';
import { collatorComponents } from './collator-components.js';
import { loggerComponents } from './logger-components.js';
import { mlmLossComponent } from './loss-component.js';
import { metricComponents } from './metric-components.js';
import { rotaryTransformerComponent } from './model-component.js';
import { mlmPredictorComponent } from './predictor-component.js';
import { positionStrategyComponents, samplerComponents } from './predictor-parts.js';
import { taskComponents } from './task-components.js';

export { COLLATOR_CLASSES } from './collator-components.js';
export { defaultMetricNames } from './metric-components.js';
export { defaultMaxLength } from './model-component.js';

/** The built-in plugin: every MLM component, registered through the public `definePlugin`. */
export const mlmPlugin = definePlugin({
  name: 'mlm',
  components: [
    ...taskComponents,
    rotaryTransformerComponent,
    mlmLossComponent,
    ...collatorComponents,
    mlmPredictorComponent,
    ...positionStrategyComponents,
    ...samplerComponents,
    ...metricComponents,
    ...loggerComponents,
  ],
});
