import type { TrainingCallback } from '../training-callback.js';

/**
 * Updates the exponential moving average of the weights after every optimiser update (the average
 * itself is `run.ema`: validation evaluates with it, checkpoints keep it, the export writes it).
 */
export function createEmaCallback(): TrainingCallback {
  return {
    name: 'ema',
    onAfterUpdate(run) {
      run.ema?.update();
    },
  };
}
