import { NonFiniteLossError } from './non-finite-loss-error.js';
import type { TrainingCallback } from './training-callback.js';
import { trainStep } from './train-step.js';
import type { TrainingRun } from './training-run.js';

type Hook = 'onTrainStart' | 'onTrainEnd' | 'onClose';

async function each(callbacks: readonly TrainingCallback[], hook: Hook, run: TrainingRun): Promise<void> {
  for (const callback of callbacks) await callback[hook]?.(run);
}

/** The loop: steps until maxSteps or a stop signal; everything else is a callback. */
export async function runTrainingLoop(run: TrainingRun, callbacks: readonly TrainingCallback[]): Promise<void> {
  try {
    await each(callbacks, 'onTrainStart', run);
    while (run.step < run.config.training.maxSteps && !run.stopSignal) {
      run.restorePoint = {
        step: run.step,
        epoch: run.epoch,
        examplesSeen: run.examplesSeen,
        dataLoader: run.loader.getState(),
        random: { mask: run.randoms.mask.getState(), dropout: run.randoms.dropout.getState() },
      };
      const outcome = await trainStep(run);
      if (outcome.kind === 'non-finite') {
        let skip = false;
        for (const callback of callbacks) if ((await callback.onNonFiniteBatch?.(run, outcome.reason)) === 'skip') skip = true;
        if (!skip) throw new NonFiniteLossError(run.step + 1, outcome.reason, run.lastCheckpoint);
        continue;
      }
      for (const callback of callbacks) await callback.onAfterUpdate?.(run, outcome);
      run.restorePoint = undefined;
      run.consistent = true;
      for (const callback of callbacks) await callback.onStepEnd?.(run, outcome);
      // A turn of the event loop: signal handlers (and the progress bar's timer) run there.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    run.status = run.stopSignal ? 'interrupted' : 'completed';
    await each(callbacks, 'onTrainEnd', run);
  } catch (error) {
    for (const callback of callbacks) {
      try {
        await callback.onException?.(run, error);
      } catch (secondary) {
        run.log(`${callback.name}: ${(secondary as Error).message} (while handling: ${(error as Error).message})`);
      }
    }
    throw error;
  } finally {
    await each(callbacks, 'onClose', run);
  }
}
