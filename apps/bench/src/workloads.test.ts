import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';
import { createRandom } from '@mlm/random';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchConfig, parameterCount } from './bench-configs.js';
import { collateAll, createTrainingWorkload, sudokuRows, SYNTHETIC_MASK_ID, syntheticBatch } from './workloads.js';

beforeAll(async () => {
  await initializeBackend({ backend: 'wasm', log: () => {} });
});

describe('bench workloads', () => {
  it('synthetic batches mask about 15% of positions and score exactly those', () => {
    const config = benchConfig('sudoku');
    const batch = syntheticBatch(config, createRandom(1));
    const masked = batch.inputIds.data.filter((id) => id === SYNTHETIC_MASK_ID).length;
    const scored = batch.targetIds!.data.filter((id) => id !== -100).length;
    expect(batch.inputIds.shape).toEqual([64, 83]);
    expect(scored).toBe(masked);
    expect(masked / (64 * 83)).toBeGreaterThan(0.12);
    expect(masked / (64 * 83)).toBeLessThan(0.18);
  });

  it('a training step of the real model and loss lowers the loss on its batch and leaks no tensor', () => {
    const workload = createTrainingWorkload(benchConfig('tiny'));
    try {
      const first = workload.step();
      const before = tf.memory().numTensors;
      let last = first;
      for (let i = 0; i < 5; i++) last = workload.step();
      workload.forward();
      expect(Number.isFinite(first)).toBe(true);
      expect(last).toBeLessThan(first);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      workload.dispose();
    }
  });

  it('sudoku rows are 81 digit ids, and the collator batches them 64 at a time', () => {
    const rows = sudokuRows(130, createRandom(2));
    expect(rows).toHaveLength(130);
    expect(rows.every((row) => row.inputIds.length === 81 && row.inputIds.every((id) => id >= 7 && id <= 16))).toBe(true);
    expect(collateAll(rows, 64)).toBe(3);
  });

  it('counts parameters like torch_ref.py (base: 3.7M)', () => {
    expect(parameterCount(benchConfig('base'))).toBeCloseTo(3.7e6, -5);
    expect(() => benchConfig('huge')).toThrow('unknown bench config "huge"; expected one of base, sudoku, tiny');
  });
});
