// A loss that becomes NaN or infinite stops the run with a message naming the step and the last good
// checkpoint, which stays in place and loads with finite weights; with training.skipNonFiniteBatches
// such batches are skipped instead (and a run where every batch is non-finite does not spin forever).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { fromPretrained } from '@mlm/model/node';
import { runCli, temporaryFolder, writeTinyConfig } from './support/cli-process.js';
import { loadEveryCompleteCheckpoint } from './support/run-artifacts.js';
import { findLastCheckpoint, readTrainerState } from '../../src/training/checkpoint.js';

const POISON_PLUGIN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'poisoned-loss-plugin.ts');

let folder: string;

beforeAll(async () => {
  await initializeBackend({ backend: 'wasm', log: () => {} });
  folder = temporaryFolder('non-finite');
});

async function expectFiniteWeights(checkpoint: string): Promise<void> {
  const model = await fromPretrained(checkpoint);
  try {
    for (const [name, variable] of model.namedParameters()) {
      const finite = tf.tidy(() => tf.all(tf.isFinite(variable)).dataSync()[0]);
      expect(finite, `${checkpoint}: ${name} has non-finite values`).toBe(1);
    }
  } finally {
    model.dispose();
  }
}

const NON_FINITE = /the (loss|gradient norm) is (NaN|Infinity|-Infinity) at step (\d+); training stopped\. (The last good checkpoint is (\S+)\.|No checkpoint was written yet\.)/;

describe('non-finite loss', () => {
  it('a diverging run (lr 1e30) stops with an error naming the step; the last good checkpoint loads with finite weights', async () => {
    const run = path.join(folder, 'diverging');
    const config = writeTinyConfig(folder, { file: 'diverging.yaml', checkpointEvery: 1, validationEvery: null });
    const result = await runCli(['train', '-c', config, '--run-dir', run, 'optimizer.lr=1e30', 'scheduler.name=constant']);
    expect(result.code, result.stderr).toBe(1);
    const match = NON_FINITE.exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    const failedStep = Number(match![3]);
    expect(failedStep).toBeGreaterThan(1);
    expect(result.stderr).toContain('skipNonFiniteBatches');
    const lastGood = match![5]!;
    expect(lastGood).toBe(path.join(run, 'checkpoints', `step-${failedStep - 1}`));
    // It is what --resume auto takes, it loads, and its weights are finite.
    expect(findLastCheckpoint(path.join(run, 'checkpoints'))).toBe(lastGood);
    expect((await loadEveryCompleteCheckpoint(run)).resumeStep).toBe(failedStep - 1);
    await expectFiniteWeights(lastGood);
  });

  it('a NaN loss at a known step (test plugin): stops there, no checkpoint of the bad step is written', async () => {
    const run = path.join(folder, 'poisoned');
    const config = writeTinyConfig(folder, {
      file: 'poisoned.yaml',
      checkpointEvery: 2,
      extra: `plugins: [${JSON.stringify(POISON_PLUGIN)}]\nloss:\n  name: test/poisoned-loss\n  poisonCalls: [5]\n`,
    });
    const result = await runCli(['train', '-c', config, '--run-dir', run]);
    expect(result.code, result.stderr).toBe(1);
    const match = NON_FINITE.exec(result.stderr);
    expect(match, result.stderr).not.toBeNull();
    expect(match![2]).toBe('NaN');
    expect(Number(match![3])).toBe(5);
    expect(match![5]).toBe(path.join(run, 'checkpoints', 'step-4'));
    const { resumeStep, steps } = await loadEveryCompleteCheckpoint(run);
    expect(resumeStep).toBe(4);
    expect(steps).toEqual([2, 4]);
    await expectFiniteWeights(match![5]!);
  });

  it('training.skipNonFiniteBatches=true skips the bad batch, says so, and finishes with finite weights', async () => {
    const run = path.join(folder, 'skipped');
    const config = writeTinyConfig(folder, {
      file: 'skipped.yaml',
      extra: `plugins: [${JSON.stringify(POISON_PLUGIN)}]\nloss:\n  name: test/poisoned-loss\n  poisonCalls: [3, 6]\n  value: Infinity\n`,
    });
    const result = await runCli(['train', '-c', config, '--run-dir', run, 'training.skipNonFiniteBatches=true']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/the loss is Infinity; batch skipped/);
    const last = findLastCheckpoint(path.join(run, 'checkpoints'))!;
    const state = readTrainerState(last);
    expect(state.step).toBe(8);
    expect(state.skippedBatches).toBe(2);
    await expectFiniteWeights(path.join(run, 'model'));
  });

  it('with skipping on, a run whose every batch is non-finite stops with an error instead of spinning forever', async () => {
    const run = path.join(folder, 'skip-forever');
    const config = writeTinyConfig(folder, { file: 'skip-forever.yaml', checkpointEvery: 1, validationEvery: null });
    const result = await runCli(['train', '-c', config, '--run-dir', run, 'optimizer.lr=1e30', 'scheduler.name=constant', 'training.skipNonFiniteBatches=true'], {
      timeoutMs: 60_000,
    });
    expect(result.signal, `the run did not stop by itself within 60 s\n${result.stderr.slice(-2000)}`).toBeNull();
    expect(result.code, result.stderr.slice(-2000)).toBe(1);
    expect(result.stderr).toMatch(/non-finite/i);
    expect((await loadEveryCompleteCheckpoint(run)).resumeStep).toBeGreaterThanOrEqual(1);
  });
});
