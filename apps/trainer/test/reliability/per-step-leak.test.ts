// A per-step leak in our own code fails this test within a few hundred steps: the trainer's loop (model,
// loss, collator, AdamW, EMA, clipping, metrics logging, checkpoints, validation) and the predictor's
// generation loop on a tiny model, measured after a full garbage collection every 20 steps. It asserts
// retained memory, never time, so a loaded machine only makes it slower:
// - the JavaScript heap's least-squares slope over steps 200–500 stays under 4 KB per step. What it still
//   grows by after step 200 is V8's compiled code (a heap-snapshot diff of steps 200 and 1,000: +426 KB,
//   all of it code, deopt data, feedback vectors; no application object), which levels off;
// - the wasm memory does not grow after warm-up (a C++ tensor or XNNPACK operator left registered on
//   every call grows it within these steps), and tf.memory() counts the same tensors and bytes.
// The RSS of long runs is the soak check's job (`pnpm bench --soak`), not a test's: RSS also counts the
// wasm memory's pages as they are first touched, which is bounded but takes thousands of steps to settle.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainCommand } from '../../src/commands/train.js';
import { temporaryFolder } from './support/cli-process.js';
import { TINY_TEXT, quietIO, sampleMemory, useWasmBackend, withTinyPredictor, type MemorySample } from './support/memory-sampling.js';

const OVERRIDES = [...TINY_TEXT, 'training.logEvery=10', 'training.checkpointEvery=100', 'validation.every=100'];
const WARM_UP = 200;
const STEPS = 500;
const SAMPLE_EVERY = 20;
/** Bytes per step the JS heap (after a full GC) may grow by, as a least-squares slope. */
const HEAP_SLOPE_LIMIT = 4 * 1024;
/** Quiet, training takes ~10 s; a machine loaded 20× over takes minutes (nothing here is timed). */
const TIMEOUT = 900_000;

type Sample = MemorySample & { step: number };

function sample(step: number): Sample {
  return { step, ...sampleMemory() };
}

function slope(samples: readonly Sample[]): number {
  const meanX = samples.reduce((sum, s) => sum + s.step, 0) / samples.length;
  const meanY = samples.reduce((sum, s) => sum + s.heapUsed, 0) / samples.length;
  let covariance = 0;
  let variance = 0;
  for (const s of samples) {
    covariance += (s.step - meanX) * (s.heapUsed - meanY);
    variance += (s.step - meanX) ** 2;
  }
  return covariance / variance;
}

function expectNoPerStepGrowth(samples: readonly Sample[], what: string): void {
  const first = samples[0]!;
  const perStep = slope(samples);
  const heapLine = samples.map((s) => `${s.step}: ${(s.heapUsed / 2 ** 20).toFixed(2)} MiB`).join(', ');
  expect(perStep, `${what}: the JS heap after GC grows by ${(perStep / 1024).toFixed(2)} KB per step (${heapLine})`).toBeLessThan(HEAP_SLOPE_LIMIT);
  for (const s of samples) {
    expect(s.wasmHeap, `${what}: the wasm memory grew from ${first.wasmHeap} to ${s.wasmHeap} bytes by step ${s.step}`).toBe(first.wasmHeap);
    expect(s.numTensors, `${what}: tensors at step ${s.step}`).toBe(first.numTensors);
    expect(s.numBytes, `${what}: tensor bytes at step ${s.step}`).toBe(first.numBytes);
  }
}

useWasmBackend();

describe('no per-step leak', () => {
  it(`training: the JS heap, the wasm memory and the tensors do not grow over steps ${WARM_UP}–${STEPS}`, async () => {
    const runDir = path.join(temporaryFolder('per-step-leak'), 'run');
    const samples: Sample[] = [];
    const result = await trainCommand({
      preset: 'text-char',
      overrides: [...OVERRIDES, `training.maxSteps=${STEPS}`],
      runDir,
      io: quietIO,
      handleSignals: false,
      onStep: (step) => {
        if (step >= WARM_UP && step % SAMPLE_EVERY === 0) samples.push(sample(step));
      },
    });
    expect(result.status).toBe('completed');
    expect(samples.length).toBe((STEPS - WARM_UP) / SAMPLE_EVERY + 1);
    expectNoPerStepGrowth(samples, 'training');
  }, TIMEOUT);

  it(`generation: the same over predictor steps ${WARM_UP}–${STEPS}`, async () => {
    await withTinyPredictor(OVERRIDES, async (predictor, batch) => {
      let steps = 0;
      const samples: Sample[] = [];
      while (steps < STEPS) {
        const prediction = await predictor.predict(batch());
        steps += Math.max(...prediction.stepsTaken);
        if (steps >= WARM_UP && steps % SAMPLE_EVERY === 0) samples.push(sample(steps));
      }
      expect(samples.length).toBeGreaterThanOrEqual(8);
      expectNoPerStepGrowth(samples, 'generation');
    });
  }, TIMEOUT);
});
