import { removeStaleTemporaries } from '../checkpoint.js';
import type { TrainingCallback } from '../training-callback.js';
import { checkpointUnlessCurrent, writeRunCheckpoint } from './checkpoint-writer.js';

/**
 * Checkpoints every `training.checkpointEvery` steps (keeping the newest `training.keepCheckpoints`)
 * and at the end of the run, completed or stopped (unless the one on disk already holds that state).
 * Clears what a killed earlier run left half-written first.
 */
export function createCheckpointCallback(): TrainingCallback {
  return {
    name: 'checkpoint',
    async onTrainStart(run) {
      // Never mistaken for a checkpoint, but it takes space.
      for (const directory of [run.runFolder.checkpoints, run.runFolder.root, run.runFolder.finalModel]) await removeStaleTemporaries(directory);
    },
    async onStepEnd(run) {
      const every = run.config.training.checkpointEvery;
      if (every !== null && run.step % every === 0 && run.step < run.config.training.maxSteps) await writeRunCheckpoint(run);
    },
    async onTrainEnd(run) {
      await checkpointUnlessCurrent(run);
    },
  };
}
