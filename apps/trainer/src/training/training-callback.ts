import type { StepOutcome, TrainingRun } from './training-run.js';

/** What a step that took an optimiser update hands `onStepEnd`. */
export type StepResult = Extract<StepOutcome, { kind: 'updated' }>;

/**
 * A piece of the training loop (Lightning's callbacks, which xlm-core's harness uses): the loop only
 * takes steps; checkpoints, validation, EMA, logging, signals, the non-finite guard and the export
 * are callbacks. Hooks run in the order the callbacks are listed; each may be async.
 */
export interface TrainingCallback {
  readonly name: string;
  /** Before the first step (after a resume restored the state). */
  onTrainStart?(run: TrainingRun): unknown;
  /** Right after the optimiser update, before anything reads the weights (EMA). */
  onAfterUpdate?(run: TrainingRun, result: StepResult): unknown;
  /** After every step that took an update. */
  onStepEnd?(run: TrainingRun, result: StepResult): unknown;
  /**
   * A step whose loss or gradient norm is NaN or infinite (no update was taken). Return `'skip'` to go
   * on with the next batch, or throw to stop; when no callback returns `'skip'` the loop stops.
   */
  onNonFiniteBatch?(run: TrainingRun, reason: string): 'skip' | void | Promise<'skip' | void>;
  /** When training ends, completed (`run.status`) or stopped by a signal. */
  onTrainEnd?(run: TrainingRun): unknown;
  /** An error inside the loop or a callback (the error is rethrown after every callback saw it). */
  onException?(run: TrainingRun, error: unknown): unknown;
  /** Always last, after success or failure: release what the callback holds. */
  onClose?(run: TrainingRun): unknown;
}
