import path from 'node:path';
import { pruneCheckpoints, writeCheckpoint } from '../checkpoint.js';
import { taskInfoOf } from '../../registry/component-context.js';
import type { RestorePoint, TrainingRun } from '../training-run.js';

/**
 * Writes a checkpoint of the run (of `restorePoint` for the data and random state when given) into
 * `directory` (default: the run's checkpoints folder, pruned to training.keepCheckpoints). A failure
 * marks the run (`checkpointWriteFailed`) and is rethrown.
 */
export async function writeRunCheckpoint(run: TrainingRun, options: { restorePoint?: RestorePoint | undefined; directory?: string } = {}): Promise<string> {
  const checkpointsDirectory = options.directory ?? run.runFolder.checkpoints;
  try {
    const directory = await writeCheckpoint({
      checkpointsDirectory,
      state: run.trainerState(options.restorePoint),
      model: run.components.model,
      tokenizer: run.components.tokenizer,
      optimizerTensors: run.optimizer.stateTensors(),
      emaTensors: run.ema ? run.ema.stateTensors() : null,
      taskInfo: taskInfoOf(run.components.task),
    });
    if (options.directory === undefined) {
      await pruneCheckpoints(checkpointsDirectory, run.config.training.keepCheckpoints);
      run.lastCheckpoint = directory;
      run.checkpointed = { step: run.step, evaluatedStep: run.lastEvaluatedStep };
    }
    return directory;
  } catch (error) {
    run.checkpointWriteFailed = true;
    throw error;
  }
}

/**
 * The run's checkpoint of the current state: the one on disk when nothing changed since it was
 * written (rewriting the checkpoint a run resumed from would delete it before the new copy is in
 * place), else a new one.
 */
export async function checkpointUnlessCurrent(run: TrainingRun, restorePoint?: RestorePoint): Promise<string> {
  const current =
    run.lastCheckpoint !== undefined &&
    path.dirname(run.lastCheckpoint) === run.runFolder.checkpoints &&
    run.checkpointed?.step === run.step &&
    run.checkpointed.evaluatedStep === run.lastEvaluatedStep;
  return current ? run.lastCheckpoint! : writeRunCheckpoint(run, { restorePoint });
}
