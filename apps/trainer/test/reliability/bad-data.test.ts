// Bad data is a clear error before any training step: an empty or too small corpus, a training split
// smaller than one batch, a corrupted cached data set. The CLI prints one line naming the file or the
// setting and exits non-zero; no checkpoint is written.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { main } from '../../src/main.js';
import { temporaryFolder } from './support/cli-process.js';

const TINY_MODEL = ['backend=wasm', 'model.dModel=16', 'model.nhead=2', 'model.numLayers=1', 'training.maxSteps=2', 'logging.progress=none'];

let folder: string;
beforeAll(async () => {
  await initializeBackend({ backend: 'wasm', log: () => {} });
  folder = temporaryFolder('bad-data');
});

async function train(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line), progressStream: process.stderr };
  const code = await main(['train', ...args], { io, handleSignals: false });
  return { code, text: lines.join('\n') };
}

function noTrainingHappened(text: string, runDir: string): void {
  expect(text).not.toMatch(/^step \d+/m);
  const checkpoints = path.join(runDir, 'checkpoints');
  expect(existsSync(checkpoints) ? readdirSync(checkpoints) : []).toEqual([]);
}

describe('bad data', () => {
  it('an empty text corpus names the corpus', async () => {
    const corpus = path.join(folder, 'empty.txt');
    writeFileSync(corpus, '');
    const runDir = path.join(folder, 'empty-run');
    const { code, text } = await train(['--preset', 'text-char', '--run-dir', runDir, `task.path=${corpus}`, ...TINY_MODEL]);
    expect(code).not.toBe(0);
    expect(text).toContain(`the corpus at ${corpus} is empty`);
    noTrainingHappened(text, runDir);
  });

  it('a corpus too small for train, validation and test chunks says what is needed', async () => {
    const corpus = path.join(folder, 'tiny.txt');
    writeFileSync(corpus, 'shall i compare thee');
    const runDir = path.join(folder, 'tiny-run');
    const { code, text } = await train(['--preset', 'text-char', '--run-dir', runDir, `task.path=${corpus}`, ...TINY_MODEL]);
    expect(code).not.toBe(0);
    expect(text).toMatch(/need at least 3 \(train, validation, test\)/);
    noTrainingHappened(text, runDir);
  });

  it('a missing corpus path names the path', async () => {
    const runDir = path.join(folder, 'missing-run');
    const { code, text } = await train(['--preset', 'text-char', '--run-dir', runDir, `task.path=${path.join(folder, 'no-such.txt')}`, ...TINY_MODEL]);
    expect(code).not.toBe(0);
    expect(text).toContain(path.join(folder, 'no-such.txt'));
    noTrainingHappened(text, runDir);
  });

  it('a training split smaller than one batch is an error before the first step', async () => {
    const runDir = path.join(folder, 'small-split');
    const { code, text } = await train(['--preset', 'star-easy', '--run-dir', runDir, 'task.numTrain=3', 'task.numValidation=2', 'task.numTest=2', 'training.batchSize=4', ...TINY_MODEL]);
    expect(code).not.toBe(0);
    expect(text).toMatch(/batchSize 4 but the source has only 3 examples/);
    noTrainingHappened(text, runDir);
  });

  it('a corrupted cached data set names the file and the line', async () => {
    const dataDir = path.join(folder, 'data');
    const args = ['--preset', 'star-easy', 'task.numTrain=8', 'task.numValidation=2', 'task.numTest=2', `task.dataDir=${dataDir}`, 'training.batchSize=4', ...TINY_MODEL];
    const first = await train(['--run-dir', path.join(folder, 'cache-run-1'), ...args]);
    expect(first.code, first.text).toBe(0);
    // Corrupt the cached training split.
    const cacheFolder = path.join(dataDir, readdirSync(dataDir)[0]!);
    const cacheSplits = path.join(cacheFolder, readdirSync(cacheFolder)[0]!);
    const trainFile = readdirSync(cacheSplits).find((name) => name.startsWith('train'))!;
    writeFileSync(path.join(cacheSplits, trainFile), '{"edgeList": [[1, 2]], "source": 1, "goal": 2, "path": [1, 2]}\n{"edgeList": [[1\n');
    const runDir = path.join(folder, 'cache-run-2');
    const second = await train(['--run-dir', runDir, ...args]);
    expect(second.code).not.toBe(0);
    expect(second.text).toContain(`${path.join(cacheSplits, trainFile)}:2: invalid JSON`);
    noTrainingHappened(second.text, runDir);
  });
});

describe('a data folder that cannot be written', () => {
  it('task.dataDir below a file is an error naming it', async () => {
    const file = path.join(folder, 'plain-file');
    writeFileSync(file, '');
    mkdirSync(path.join(folder, 'unused'), { recursive: true });
    const runDir = path.join(folder, 'data-dir-run');
    const { code, text } = await train(['--preset', 'star-easy', '--run-dir', runDir, 'task.numTrain=8', 'task.numValidation=2', 'task.numTest=2', `task.dataDir=${path.join(file, 'data')}`, ...TINY_MODEL]);
    expect(code).not.toBe(0);
    expect(text).toContain(path.join(file, 'data'));
    expect(text).toMatch(/ENOTDIR|EEXIST/);
    noTrainingHappened(text, runDir);
  });
});

describe('bad prompts to a trained model', () => {
  let runDir: string;
  beforeAll(async () => {
    runDir = path.join(folder, 'prompt-run');
    const { code, text } = await train(['--preset', 'star-easy', '--run-dir', runDir, 'task.numTrain=8', 'task.numValidation=2', 'task.numTest=2', 'training.batchSize=4', ...TINY_MODEL]);
    expect(code, text).toBe(0);
  });

  async function generate(prompt: string): Promise<{ code: number; text: string }> {
    const lines: string[] = [];
    const io = { out: (line: string) => lines.push(line), err: (line: string) => lines.push(line), progressStream: process.stderr };
    const code = await main(['generate', runDir, '--prompt', prompt, 'predictor.maxSteps=2'], { io, handleSignals: false, readStdin: async () => '' });
    return { code, text: lines.join('\n') };
  }

  it('a prompt longer than the model positions is an error naming maxLength, not a crash', async () => {
    const before = tf.memory().numTensors;
    const { code, text } = await generate(Array.from({ length: 80 }, (_, i) => String(i % 20)).join(' '));
    expect(code).toBe(1);
    expect(text).toMatch(/maxLength = \d+/);
    expect(text).not.toMatch(/\n\s+at /);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a word outside the vocabulary is an error naming it', async () => {
    const { code, text } = await generate('0 1 banana');
    expect(code).toBe(1);
    expect(text).toMatch(/banana/);
  });
});

