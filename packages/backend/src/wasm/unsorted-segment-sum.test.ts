import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '../index.js';
import { maxRelativeError, onBothBackends, seededValues } from './kernel-test-support.js';

beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
  await initializeBackend({ backend: 'wasm', log: () => {} });
});

describe('UnsortedSegmentSum on wasm (missing from tfjs-backend-wasm)', () => {
  it('matches the cpu backend, and makes the gradient of tf.gather (an embedding) work', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer(),
        async (rows, segments, width, seed) => {
          const values = seededValues(rows * width, seed);
          const ids = Int32Array.from(seededValues(rows, seed + 1), (v) => Math.floor(((v + 1) / 2) * segments));
          const { cpu, wasm } = await onBothBackends(() => {
            const x = tf.tensor2d(values, [rows, width]);
            const segmentIds = tf.tensor1d(ids, 'int32');
            const table = tf.tensor2d(seededValues(segments * width, seed + 2), [segments, width]);
            const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.gather(t, segmentIds))))(table);
            return [tf.unsortedSegmentSum(x, segmentIds, segments), grad];
          });
          expect(maxRelativeError(wasm, cpu)).toBeLessThan(1e-6);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('drops rows whose segment id is out of range and sums int32 exactly', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32');
    const result = tf.unsortedSegmentSum(x, tf.tensor1d([1, -1, 1], 'int32'), 2);
    expect(Array.from(result.dataSync())).toEqual([0, 0, 6, 8]);
    tf.dispose([x, result]);
  });
});
