import { NonFiniteLossError } from '../non-finite-loss-error.js';
import type { TrainingCallback } from '../training-callback.js';
import { checkpointUnlessCurrent } from './checkpoint-writer.js';

/**
 * On any error inside the loop (bad data, a failing component, a non-finite loss, a callback), a
 * checkpoint of the last consistent state, so `--resume auto` goes on from there: before the step's
 * update, the state at the start of that step (its batch is retried on resume); after it, the current
 * state. Nothing is written when the error came while the weights were being updated (no consistent
 * state exists), when a checkpoint write itself failed (the disk that failed would fail again; the
 * previous complete checkpoint stays the resume point), or before the first step.
 */
export function createExceptionCheckpointCallback(): TrainingCallback {
  return {
    name: 'exception-checkpoint',
    async onException(run, error) {
      if (run.checkpointWriteFailed) return;
      if (!run.restorePoint && !run.consistent) {
        run.log(`no checkpoint of the failed step: the error came while the weights were being updated${run.lastCheckpoint ? `; the last complete checkpoint is ${run.lastCheckpoint}` : ''}`);
        return;
      }
      const step = run.restorePoint?.step ?? run.step;
      if (step === 0) return;
      const directory = await checkpointUnlessCurrent(run, run.restorePoint);
      if (error instanceof NonFiniteLossError) error.setLastCheckpoint(directory);
      else run.log(`error at step ${step + (run.restorePoint ? 1 : 0)}: checkpoint of step ${step} in ${directory} (resume with --resume auto)`);
    },
  };
}
