import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '../index.js';
import { onBothBackends, seededValues } from './kernel-test-support.js';
import { copyWindow } from './slice.js';

beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
  await initializeBackend({ backend: 'wasm', log: () => {} });
});

const shapeArbitrary = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 5 });

describe('Slice, SplitV, Unpack on wasm (heap views)', () => {
  it('slice equals the cpu backend for random windows, forward and gradient (bit-identical)', async () => {
    await fc.assert(
      fc.asyncProperty(
        shapeArbitrary.chain((shape) =>
          fc.tuple(
            fc.constant(shape),
            fc.tuple(...shape.map((dim) => fc.integer({ min: 0, max: dim - 1 }))),
            fc.tuple(...shape.map((dim) => fc.integer({ min: 1, max: dim }))),
            fc.integer(),
          ),
        ),
        async ([shape, begins, sizes, seed]) => {
          const begin = begins as number[];
          const size = (sizes as number[]).map((s, axis) => Math.min(s, shape[axis]! - begin[axis]!));
          const values = seededValues(shape.reduce((p, d) => p * d, 1), seed);
          const { cpu, wasm } = await onBothBackends(() => {
            const x = tf.tensor(values, shape);
            const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.slice(v, begin, size), tf.slice(v, begin, size))))(x);
            return [tf.slice(x, begin, size), grad];
          });
          expect(wasm).toEqual(cpu);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('split, unstack and int32/bool slices equal the cpu backend', async () => {
    const values = seededValues(4 * 6 * 3, 7);
    const { cpu, wasm } = await onBothBackends(() => {
      const x = tf.tensor(values, [4, 6, 3]);
      return [
        ...tf.split(x, [1, 3, 2], 1),
        ...tf.split(x, 3, 2),
        ...tf.unstack(x, 1),
        ...tf.unstack(x, -1),
        tf.cast(tf.slice(tf.cast(tf.mul(x, 10), 'int32'), [1, 2, 0], [2, 3, 2]), 'float32'),
        tf.cast(tf.slice(tf.greater(x, 0), [0, 1, 1], [3, 2, 2]), 'float32'),
      ];
    });
    expect(wasm).toEqual(cpu);
  });

  it('copyWindow copies a strided window and a whole tensor', () => {
    const source = Float32Array.from({ length: 24 }, (_, i) => i);
    const target = new Float32Array(4);
    copyWindow(source, [2, 3, 4], [1, 1, 2], [1, 2, 2], target);
    expect(Array.from(target)).toEqual([18, 19, 22, 23]);
    const whole = new Float32Array(24);
    copyWindow(source, [2, 3, 4], [0, 0, 0], [2, 3, 4], whole);
    expect(whole).toEqual(source);
  });
});
