import type { TrainingCallback } from '../training-callback.js';
import type { StopSignal } from '../training-run.js';

/** Where signal handlers are installed (the process by default; tests pass their own). */
export interface SignalSource {
  on(signal: StopSignal, handler: () => void): unknown;
  off(signal: StopSignal, handler: () => void): unknown;
}

/**
 * SIGINT/SIGTERM: the step under way finishes (with the validation and checkpoint due at it), a
 * checkpoint is written, and the run reports `interrupted`. A second signal calls `onSecondSignal`
 * (the command layer exits at once, without a checkpoint; the last complete one is kept). The
 * handlers stay until the final checkpoint is written.
 */
export function createSignalCallback(options: { signals: SignalSource; onSecondSignal(signal: StopSignal): void }): TrainingCallback {
  let handlers: Record<StopSignal, () => void> | undefined;
  return {
    name: 'signals',
    onTrainStart(run) {
      const onSignal = (signal: StopSignal) => {
        if (run.stopSignal) {
          run.progress.stop();
          options.onSecondSignal(signal);
          return;
        }
        run.stopSignal = signal;
        run.progress.message(
          `${signal} received: finishing step in progress (and a validation due at it), then writing a checkpoint; ${signal} again exits at once without one`,
        );
      };
      handlers = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };
      options.signals.on('SIGINT', handlers.SIGINT);
      options.signals.on('SIGTERM', handlers.SIGTERM);
    },
    onTrainEnd(run) {
      if (run.status === 'interrupted') run.log(`${run.stopSignal}: stopped after step ${run.step}; checkpoint written to ${run.lastCheckpoint}`);
    },
    onClose() {
      if (!handlers) return;
      options.signals.off('SIGINT', handlers.SIGINT);
      options.signals.off('SIGTERM', handlers.SIGTERM);
      handlers = undefined;
    },
  };
}
