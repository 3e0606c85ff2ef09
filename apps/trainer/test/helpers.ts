import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CommandIO } from '../src/commands/command-io.js';

/** Tiny star-easy settings: a few seconds per run on the cpu backend. */
export const TINY = [
  'backend=cpu',
  'task.numTrain=48',
  'task.numValidation=8',
  'task.numTest=8',
  'model.dModel=16',
  'model.nhead=2',
  'model.numLayers=1',
  'model.dropout=0.1',
  'training.batchSize=8',
  'training.maxSteps=6',
  'training.logEvery=2',
  'training.checkpointEvery=3',
  'training.keepCheckpoints=5',
  'training.ema.decay=0.9',
  'validation.every=3',
  'validation.maxExamples=8',
  'validation.batchSize=8',
  'logging.progress=none',
  'scheduler.name=constant-with-warmup',
  'scheduler.warmupSteps=2',
];

export function temporaryDirectory(prefix = 'mlm-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A CommandIO that records what commands print. */
export function recordingIO(): CommandIO & { stdout: string[]; stderr: string[]; text(): string } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    progressStream: process.stderr,
    text: () => [...stdout, ...stderr].join('\n'),
  };
}
