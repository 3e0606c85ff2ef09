import { NonFiniteLossError } from '../non-finite-loss-error.js';
import type { TrainingCallback } from '../training-callback.js';

/**
 * With `training.skipNonFiniteBatches`, this many non-finite batches in a row stop the run: isolated
 * bad batches are skipped, but weights that produce nothing finite any more cannot recover, and
 * skipping would go on forever (no optimiser step is taken, so maxSteps is never reached).
 */
export const MAX_CONSECUTIVE_NON_FINITE_BATCHES = 100;

/**
 * A NaN or infinite loss or gradient norm: stop with an error naming the step and the last good
 * checkpoint, or (`skip`) skip the batch, count it, and stop after `maxConsecutive` in a row.
 */
export function createNonFiniteGuardCallback(options: { skip: boolean; maxConsecutive?: number }): TrainingCallback {
  const maxConsecutive = options.maxConsecutive ?? MAX_CONSECUTIVE_NON_FINITE_BATCHES;
  let consecutive = 0;
  return {
    name: 'non-finite-guard',
    onStepEnd() {
      consecutive = 0;
    },
    onNonFiniteBatch(run, reason) {
      if (!options.skip) throw new NonFiniteLossError(run.step + 1, reason, run.lastCheckpoint);
      consecutive += 1;
      if (consecutive >= maxConsecutive) {
        throw new NonFiniteLossError(
          run.step + 1,
          `${reason} (${consecutive} non-finite batches in a row; training.skipNonFiniteBatches skips isolated ones)`,
          run.lastCheckpoint,
          'The weights no longer give finite values: lower optimizer.lr and resume from the last good checkpoint.',
        );
      }
      run.skippedBatches += 1;
      run.progress.message(`step ${run.step + 1}: ${reason}; batch skipped (training.skipNonFiniteBatches), ${run.skippedBatches} so far`);
      return 'skip';
    },
  };
}
