// Each callback of the training loop on its own, against a stand-in run (no model, no tensors); the
// whole loop with every callback is exercised by the trainer's CLI tests and test/reliability.
import { describe, expect, it } from 'vitest';
import type { MetricsRecord } from '../metrics-loggers.js';
import { NonFiniteLossError } from '../non-finite-loss-error.js';
import type { StepResult } from '../training-callback.js';
import type { StopSignal, TrainingRun } from '../training-run.js';
import { createEmaCallback } from './ema-callback.js';
import { createExceptionCheckpointCallback } from './exception-checkpoint-callback.js';
import { createLoggingCallback } from './logging-callback.js';
import { MAX_CONSECUTIVE_NON_FINITE_BATCHES, createNonFiniteGuardCallback } from './non-finite-guard-callback.js';
import { createSignalCallback } from './signal-callback.js';
import { createValidationCallback } from './validation-callback.js';

function standInRun(overrides: Partial<TrainingRun> = {}) {
  const messages: string[] = [];
  const records: MetricsRecord[] = [];
  const events: string[] = [];
  const run = {
    config: { training: { maxSteps: 10, logEvery: 2, checkpointEvery: null }, validation: { every: null } },
    step: 0,
    epoch: 0,
    skippedBatches: 0,
    lastCheckpoint: undefined,
    lastEvaluatedStep: -1,
    logWindow: { loss: 0, steps: 0 },
    stopSignal: undefined,
    restorePoint: undefined,
    consistent: true,
    checkpointWriteFailed: false,
    status: 'running',
    ema: null,
    elapsed: () => 1.5,
    log: (line: string) => messages.push(line),
    progress: {
      start: (total: number, from: number) => events.push(`start ${total} ${from}`),
      update: ({ step }: { step: number }) => events.push(`update ${step}`),
      message: (line: string) => messages.push(line),
      stop: () => events.push('stop'),
    },
    loggers: [
      {
        open: ({ resumeStep }: { resumeStep: number | null }) => events.push(`open ${resumeStep}`),
        log: (record: MetricsRecord) => records.push(record),
        close: () => events.push('close'),
      },
    ],
    ...overrides,
  } as unknown as TrainingRun;
  return { run, messages, records, events };
}

const step = (loss: number): StepResult => ({ kind: 'updated', loss, gradientNorm: 0.5, learningRate: 0.01, tokens: 8 });

describe('non-finite guard', () => {
  it('stops with an error naming the step and the last good checkpoint', () => {
    const { run } = standInRun({ step: 4, lastCheckpoint: '/run/checkpoints/step-4' });
    const guard = createNonFiniteGuardCallback({ skip: false });
    expect(() => guard.onNonFiniteBatch!(run, 'the loss is NaN')).toThrow(
      'the loss is NaN at step 5; training stopped. The last good checkpoint is /run/checkpoints/step-4. Lower optimizer.lr',
    );
  });

  it('with skipping on, skips and counts isolated batches, and stops after too many in a row', () => {
    const { run, messages } = standInRun({ step: 2 });
    const guard = createNonFiniteGuardCallback({ skip: true, maxConsecutive: 3 });
    expect(guard.onNonFiniteBatch!(run, 'the loss is Infinity')).toBe('skip');
    expect(guard.onNonFiniteBatch!(run, 'the loss is Infinity')).toBe('skip');
    guard.onStepEnd!(run, step(1)); // a good step resets the count
    expect(guard.onNonFiniteBatch!(run, 'the loss is Infinity')).toBe('skip');
    expect(guard.onNonFiniteBatch!(run, 'the loss is Infinity')).toBe('skip');
    expect(() => guard.onNonFiniteBatch!(run, 'the loss is Infinity')).toThrow(/3 non-finite batches in a row/);
    expect(run.skippedBatches).toBe(4);
    expect(messages[0]).toBe('step 3: the loss is Infinity; batch skipped (training.skipNonFiniteBatches), 1 so far');
    expect(MAX_CONSECUTIVE_NON_FINITE_BATCHES).toBe(100);
  });

  it('NonFiniteLossError names a checkpoint written after it', () => {
    const error = new NonFiniteLossError(7, 'the gradient norm is NaN', undefined);
    expect(error.message).toContain('No checkpoint was written yet.');
    error.setLastCheckpoint('/run/checkpoints/step-6');
    expect(error.message).toContain('at step 7; training stopped. The last good checkpoint is /run/checkpoints/step-6.');
  });
});

describe('logging', () => {
  it('opens the loggers at the resumed step, averages train/loss over logEvery steps, closes everything', async () => {
    const { run, records, events } = standInRun({ step: 4 });
    const logging = createLoggingCallback({ resumed: true });
    await logging.onTrainStart!(run);
    for (const loss of [1, 3, 5]) {
      run.step += 1;
      await logging.onStepEnd!(run, step(loss));
    }
    await logging.onClose!(run);
    expect(events).toEqual(['open 4', 'start 10 4', 'update 5', 'update 6', 'update 7', 'stop', 'close']);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ step: 6, time: 1.5, values: { 'train/loss': 2, 'train/lr': 0.01, 'train/grad_norm': 0.5 } });
    // The average under way is the run's (a checkpoint keeps it).
    expect(run.logWindow).toEqual({ loss: 5, steps: 1 });
  });
});

describe('signals', () => {
  it('a first signal asks the loop to stop; a second calls onSecondSignal; handlers go at the end', () => {
    const installed = new Map<StopSignal, () => void>();
    const signals = { on: (signal: StopSignal, handler: () => void) => installed.set(signal, handler), off: (signal: StopSignal) => installed.delete(signal) };
    const second: StopSignal[] = [];
    const { run, messages, events } = standInRun({ step: 3, lastCheckpoint: '/run/checkpoints/step-3' });
    const callback = createSignalCallback({ signals, onSecondSignal: (signal) => second.push(signal) });
    callback.onTrainStart!(run);
    expect([...installed.keys()]).toEqual(['SIGINT', 'SIGTERM']);
    installed.get('SIGTERM')!();
    expect(run.stopSignal).toBe('SIGTERM');
    expect(messages[0]).toMatch(/^SIGTERM received: finishing step in progress/);
    installed.get('SIGINT')!();
    expect(second).toEqual(['SIGINT']);
    expect(events).toContain('stop');
    run.status = 'interrupted';
    callback.onTrainEnd!(run);
    expect(messages.at(-1)).toBe('SIGTERM: stopped after step 3; checkpoint written to /run/checkpoints/step-3');
    callback.onClose!(run);
    expect(installed.size).toBe(0);
  });
});

describe('ema', () => {
  it('updates the average after every optimiser update', () => {
    let updates = 0;
    const { run } = standInRun({ ema: { update: () => (updates += 1) } as unknown as TrainingRun['ema'] });
    const callback = createEmaCallback();
    callback.onAfterUpdate!(run, step(1));
    callback.onAfterUpdate!(run, step(1));
    expect(updates).toBe(2);
  });
});

describe('validation', () => {
  it('validates every N steps but not at the last step, then at the end unless that step was validated', async () => {
    const { run } = standInRun({ config: { training: { maxSteps: 4 }, validation: { every: 2 } } as TrainingRun['config'] });
    const validated: number[] = [];
    const callback = createValidationCallback();
    // evaluateSplit fails on the stand-in run: a failure means the callback decided to validate.
    const decide = async (at: number, hook: 'onStepEnd' | 'onTrainEnd') => {
      run.step = at;
      await Promise.resolve(hook === 'onStepEnd' ? callback.onStepEnd!(run, step(1)) : callback.onTrainEnd!(run)).catch(() => validated.push(at));
    };
    await decide(1, 'onStepEnd');
    await decide(2, 'onStepEnd');
    await decide(4, 'onStepEnd');
    run.status = 'completed';
    await decide(4, 'onTrainEnd');
    run.lastEvaluatedStep = 4;
    await decide(4, 'onTrainEnd');
    expect(validated).toEqual([2, 4]);
  });
});

describe('exception checkpoint', () => {
  it('writes nothing while the weights are being updated, after a failed checkpoint write, or before the first step', async () => {
    const callback = createExceptionCheckpointCallback();
    const updating = standInRun({ step: 3, consistent: false, lastCheckpoint: '/run/checkpoints/step-2' });
    await callback.onException!(updating.run, new Error('boom'));
    expect(updating.messages).toEqual(['no checkpoint of the failed step: the error came while the weights were being updated; the last complete checkpoint is /run/checkpoints/step-2']);
    const failedWrite = standInRun({ step: 3, checkpointWriteFailed: true });
    await callback.onException!(failedWrite.run, new Error('ENOSPC'));
    expect(failedWrite.messages).toEqual([]);
    const first = standInRun({ step: 0, restorePoint: { step: 0, epoch: 0, examplesSeen: 0, dataLoader: {}, random: {} as never } });
    await callback.onException!(first.run, new Error('bad data'));
    expect(first.messages).toEqual([]);
  });
});
