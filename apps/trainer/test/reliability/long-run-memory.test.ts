// Long runs lose nothing: 1,000 training steps (the trainer's own loop, with dropout, EMA, clipping and
// metrics) and 1,000 generation steps on a tiny character-level model keep tf.memory() flat (the same
// tensors and bytes after warm-up as at the end; everything freed afterwards), and the process's
// resident memory does not keep growing.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { trainCommand } from '../../src/commands/train.js';
import { temporaryFolder } from './support/cli-process.js';
import { TINY_TEXT, mebibytes, quietIO, sampleMemory, useWasmBackend, withTinyPredictor, type MemorySample } from './support/memory-sampling.js';

const OVERRIDES = [...TINY_TEXT, 'training.logEvery=100', 'training.checkpointEvery=null', 'validation.every=null'];
/** Generous: RSS moves by ±15 MiB with V8's heap sizing; a leak of 64 KB per step would exceed it. */
const RSS_GROWTH_LIMIT = 64 * 2 ** 20;
/** The JavaScript heap after a full collection: a leak of 16 KB per step (or per generation step) would exceed it. */
const HEAP_GROWTH_LIMIT = 16 * 2 ** 20;

useWasmBackend();

describe('long runs', () => {
  it('1,000 training steps: tensors and bytes flat after warm-up, all freed after, RSS bounded', async () => {
    const runDir = path.join(temporaryFolder('long-train'), 'run');
    const start = tf.memory();
    const samples = new Map<number, MemorySample>();
    const result = await trainCommand({
      preset: 'text-char',
      overrides: [...OVERRIDES, 'training.maxSteps=1000'],
      runDir,
      io: quietIO,
      handleSignals: false,
      onStep: (step) => {
        if (step === 100 || step === 500 || step === 1000) samples.set(step, sampleMemory());
      },
    });
    expect(result.status).toBe('completed');
    expect(result.step).toBe(1000);
    const [warm, middle, end] = [samples.get(100)!, samples.get(500)!, samples.get(1000)!];
    expect(middle.numTensors).toBe(warm.numTensors);
    expect(end.numTensors).toBe(warm.numTensors);
    expect(end.numBytes).toBe(warm.numBytes);
    expect(end.heapUsed - warm.heapUsed, `the JS heap grew by ${mebibytes(end.heapUsed - warm.heapUsed)} between steps 100 and 1000`).toBeLessThan(HEAP_GROWTH_LIMIT);
    expect(end.rss - warm.rss, `RSS grew by ${mebibytes(end.rss - warm.rss)} between steps 100 and 1000`).toBeLessThan(RSS_GROWTH_LIMIT);
    // The command disposed the model, optimizer and EMA state: back to where it started.
    const after = tf.memory();
    expect(after.numTensors).toBe(start.numTensors);
    expect(after.numBytes).toBe(start.numBytes);
  });

  it('1,000 generation steps: tensors and bytes back to the start after every call, RSS bounded', async () => {
    await withTinyPredictor(OVERRIDES, async (predictor, batch) => {
      // Warm-up (kernels, wasm heap).
      for (let i = 0; i < 10; i++) await predictor.predict(batch());
      const start = sampleMemory();
      let steps = 0;
      while (steps < 1000) {
        const prediction = await predictor.predict(batch());
        steps += Math.max(...prediction.stepsTaken);
        const memory = tf.memory();
        expect(memory.numTensors).toBe(start.numTensors);
        expect(memory.numBytes).toBe(start.numBytes);
      }
      const end = sampleMemory();
      expect(end.heapUsed - start.heapUsed, `the JS heap grew by ${mebibytes(end.heapUsed - start.heapUsed)} over ${steps} generation steps`).toBeLessThan(HEAP_GROWTH_LIMIT);
      expect(end.rss - start.rss, `RSS grew by ${mebibytes(end.rss - start.rss)} over ${steps} generation steps`).toBeLessThan(RSS_GROWTH_LIMIT);
    });
  });
});
