import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import { findLastCheckpoint, listCheckpoints, pruneCheckpoints, readTensors, readTrainerState, writeCheckpoint, type TrainerState } from './checkpoint.js';
import { prepareRunFolder } from './run-folder.js';

beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
});

function state(step: number): TrainerState {
  return {
    format: 'mlm-trainer-state',
    version: 1,
    step,
    epoch: 0,
    examplesSeen: step * 4,
    tokensSeen: step * 40,
    elapsedSeconds: step,
    dataLoader: { position: step },
    random: { mask: { kind: 'alea', state: { step } } },
    optimizer: { stepCount: step },
    ema: null,
    skippedBatches: 0,
  };
}

const fakeModel = {
  toBytes() {
    return { config: {}, weights: new TextEncoder().encode('weights') };
  },
};

async function write(directory: string, step: number) {
  const moment = tf.tensor2d([[1, 2], [3, 4]]);
  try {
    return await writeCheckpoint({
      checkpointsDirectory: directory,
      state: state(step),
      model: fakeModel,
      tokenizer: SimpleSpaceTokenizer.forNumbers(3),
      optimizerTensors: new Map([['exp_avg.w', moment]]),
      emaTensors: null,
      taskInfo: { name: 'toy', kind: 'seq2seq', blockSize: 4 },
    });
  } finally {
    moment.dispose();
  }
}

describe('checkpoints', () => {
  it('writes a complete folder, then points `last` at it', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'mlm-ckpt-'));
    const written = await write(directory, 5);
    expect(written).toBe(path.join(directory, 'step-5'));
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'task.json', 'optimizer.safetensors', 'trainer-state.json']) {
      expect(existsSync(path.join(written, file))).toBe(true);
    }
    expect(readFileSync(path.join(directory, 'last'), 'utf8').trim()).toBe('step-5');
    expect(readTrainerState(written).dataLoader).toEqual({ position: 5 });
    const tensors = await readTensors(path.join(written, 'optimizer.safetensors'));
    expect(Array.from(tensors.get('exp_avg.w')!.dataSync())).toEqual([1, 2, 3, 4]);
    for (const tensor of tensors.values()) tensor.dispose();
  });

  it('never takes a half-written folder for a checkpoint', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'mlm-ckpt-'));
    await write(directory, 2);
    // A crash while writing step 4: its temporary folder and a folder without trainer-state.json.
    mkdirSync(path.join(directory, '.step-4.partial-123'));
    mkdirSync(path.join(directory, 'step-4'));
    writeFileSync(path.join(directory, 'step-4', 'model.safetensors'), 'half');
    expect(findLastCheckpoint(directory)).toBe(path.join(directory, 'step-2'));
    // A stale pointer (to a folder that was pruned) falls back to the newest complete checkpoint.
    writeFileSync(path.join(directory, 'last'), 'step-9\n');
    expect(findLastCheckpoint(directory)).toBe(path.join(directory, 'step-2'));
  });

  it('prunes old checkpoints but keeps the newest ones', async () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), 'mlm-ckpt-'));
    for (const step of [1, 2, 3, 4]) await write(directory, step);
    await pruneCheckpoints(directory, 2);
    expect(listCheckpoints(directory).map((entry) => entry.step)).toEqual([3, 4]);
    expect(findLastCheckpoint(directory)).toBe(path.join(directory, 'step-4'));
  });

  it('fails early and clearly for an unwritable run folder', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mlm-run-')), 'a-file');
    writeFileSync(file, '');
    expect(() => prepareRunFolder(path.join(file, 'run'))).toThrow(/the run folder .*a-file\/run is not writable \(ENOTDIR\); choose another with --run-dir/);
  });
});
