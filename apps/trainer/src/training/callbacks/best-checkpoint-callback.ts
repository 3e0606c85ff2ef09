import path from 'node:path';
import { rm } from 'node:fs/promises';
import { ConfigError } from '../../util/config-error.js';
import { listCheckpoints, readTrainerState } from '../checkpoint.js';
import type { TrainingCallback } from '../training-callback.js';
import type { TrainingRun } from '../training-run.js';
import { writeRunCheckpoint } from './checkpoint-writer.js';

export interface BestCheckpointOptions {
  /** The validation value to rank by, e.g. `val/prediction/exact_match`. */
  monitor: string;
  /** `max`: higher is better (accuracies); `min`: lower is better (losses). */
  mode: 'min' | 'max';
  /** How many of the best checkpoints to keep. */
  keep: number;
}

/** The folder the best checkpoints go to (apart from the step checkpoints, which are pruned by age). */
export function bestCheckpointsFolder(runRoot: string): string {
  return path.join(runRoot, 'best');
}

/** The best checkpoints of a run, best first, with their monitored value. */
export function listBestCheckpoints(runRoot: string, monitor: string, mode: 'min' | 'max'): { step: number; directory: string; value: number }[] {
  const entries = listCheckpoints(bestCheckpointsFolder(runRoot)).map(({ step, directory }) => ({
    step,
    directory,
    value: readTrainerState(directory).validation?.values[monitor] ?? Number.NaN,
  }));
  // Better first; on equal values the earlier step first (it reached the value first).
  return entries.sort((a, b) => (mode === 'max' ? b.value - a.value : a.value - b.value) || a.step - b.step);
}

function better(mode: 'min' | 'max', value: number, than: number): boolean {
  return mode === 'max' ? value > than : value < than;
}

/**
 * Keeps the `keep` best checkpoints by a monitored validation value in `<run>/best/step-N`: after each
 * validation, when the value beats the worst kept one (or fewer are kept), the current state is
 * checkpointed there and the worst beyond `keep` deleted. A monitor that the validation does not
 * report is an error listing the values it does report.
 */
export function createBestCheckpointCallback(options: BestCheckpointOptions): TrainingCallback {
  let handledStep = -1;
  const consider = async (run: TrainingRun): Promise<void> => {
    if (run.lastEvaluatedStep !== run.step || handledStep === run.step || run.lastEvaluation.numExamples === 0) return;
    handledStep = run.step;
    const values = run.lastEvaluation.values;
    const value = values[options.monitor];
    if (value === undefined) {
      throw new ConfigError([
        {
          path: 'training.bestCheckpoint.monitor',
          message: `${JSON.stringify(options.monitor)} is not a validation value; the validation reports ${Object.keys(values).map((key) => JSON.stringify(key)).join(', ') || 'nothing'}`,
        },
      ]);
    }
    if (!Number.isFinite(value)) return;
    const kept = listBestCheckpoints(run.runFolder.root, options.monitor, options.mode);
    const worst = kept[options.keep - 1];
    if (kept.some((entry) => entry.step === run.step) || (worst && !better(options.mode, value, worst.value))) return;
    const directory = await writeRunCheckpoint(run, { directory: bestCheckpointsFolder(run.runFolder.root) });
    for (const entry of listBestCheckpoints(run.runFolder.root, options.monitor, options.mode).slice(options.keep)) {
      await rm(entry.directory, { recursive: true, force: true });
    }
    run.progress.message(`best ${options.monitor} so far (${value}): checkpoint ${directory}`);
  };
  return { name: 'best-checkpoint', onStepEnd: consider, onTrainEnd: consider };
}
