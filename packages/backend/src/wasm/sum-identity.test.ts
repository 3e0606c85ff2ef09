import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '../index.js';
import { maxRelativeError, onBothBackends, seededValues } from './kernel-test-support.js';

beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
  await initializeBackend({ backend: 'wasm', log: () => {} });
});

describe('Sum and Identity on wasm', () => {
  it('sum over any axes (leading ones in float64) matches the cpu backend, with keepDims and gradients', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 }).chain((shape) =>
          fc.tuple(fc.constant(shape), fc.subarray([...shape.keys()], { minLength: 1 }), fc.boolean(), fc.integer()),
        ),
        async ([shape, axes, keepDims, seed]) => {
          const values = seededValues(shape.reduce((p, d) => p * d, 1), seed);
          const { cpu, wasm } = await onBothBackends(() => {
            const x = tf.tensor(values, shape);
            const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.sum(v, axes, keepDims))))(x);
            return [tf.sum(x, axes, keepDims), grad];
          });
          // Float64 accumulation versus the cpu backend's float32 sums.
          expect(maxRelativeError(wasm, cpu)).toBeLessThan(1e-5);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('sums leading axes in float64, with the SIMD kernel and without it', async () => {
    for (const simdKernels of [true, false]) {
      await initializeBackend({ backend: 'wasm', simdKernels, log: () => {} });
      const x = tf.fill([100_000, 13], 0.1);
      const total = tf.sum(x, 0);
      // float32 accumulation would be off by ~1 here; float64 rounds once at the end.
      for (const value of total.dataSync()) expect(Math.abs(value - 10_000)).toBeLessThan(1e-3);
      tf.dispose([x, total]);
    }
    await initializeBackend({ backend: 'wasm', log: () => {} });
  });

  it('identity shares memory, and disposing either side leaves the other intact', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, 2, 3]);
    const copy = tf.clone(x);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1, 2, 3]);
    const again = tf.clone(copy);
    copy.dispose();
    expect(Array.from(again.dataSync())).toEqual([1, 2, 3]);
    again.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
