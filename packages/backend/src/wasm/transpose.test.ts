import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '../index.js';
import { maxRelativeError, onBothBackends, seededValues } from './kernel-test-support.js';
import { simplifyTranspose, transposeInto } from './transpose.js';

beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
  await initializeBackend({ backend: 'wasm', log: () => {} });
});

const permutation = (rank: number) =>
  fc.array(fc.nat(), { minLength: rank, maxLength: rank }).map((keys) => [...keys.keys()].sort((a, b) => keys[a]! - keys[b]! || a - b));

describe('Transpose and GatherV2 on wasm', () => {
  it('transpose equals the cpu backend (bit-identical) for random shapes and permutations up to rank 6, with gradient', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 6 }).chain((shape) => fc.tuple(fc.constant(shape), permutation(shape.length), fc.integer())),
        async ([shape, perm, seed]) => {
          const values = seededValues(shape.reduce((p, d) => p * d, 1), seed);
          const weights = seededValues(shape.reduce((p, d) => p * d, 1), seed + 1);
          const { cpu, wasm } = await onBothBackends(() => {
            const x = tf.tensor(values, shape);
            const w = tf.transpose(tf.tensor(weights, shape), perm);
            const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.transpose(v, perm), w)))(x);
            return [tf.transpose(x, perm), grad, tf.cast(tf.transpose(tf.cast(tf.mul(x, 100), 'int32'), perm), 'float32')];
          });
          expect(wasm).toEqual(cpu);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('the JavaScript loop (used without the native addon) equals the cpu backend above rank 4', async () => {
    await tf.setBackend('cpu');
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 5, maxLength: 6 }).chain((shape) => fc.tuple(fc.constant(shape), permutation(shape.length), fc.integer())),
        ([shape, perm, seed]) => {
          const values = seededValues(shape.reduce((p, d) => p * d, 1), seed);
          const expected = tf.tidy(() => Float32Array.from(tf.transpose(tf.tensor(values, shape), perm).dataSync()));
          const actual = new Float32Array(values.length);
          transposeInto(values, shape, perm, actual);
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('simplifies transpositions by dropping unit axes and merging adjacent ones', () => {
    expect(simplifyTranspose([2, 3, 4], [0, 1, 2])).toEqual({ shape: [24], perm: [0] });
    expect(simplifyTranspose([2, 1, 3, 4], [2, 3, 0, 1])).toEqual({ shape: [2, 12], perm: [1, 0] });
    expect(simplifyTranspose([5, 6, 3, 4, 2], [2, 0, 3, 1, 4])).toEqual({ shape: [5, 6, 3, 4, 2], perm: [2, 0, 3, 1, 4] });
  });

  it('gather equals the cpu backend along any axis, with batch dims, and its gradient', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
        fc.nat(),
        fc.integer({ min: 1, max: 7 }),
        fc.integer(),
        async (shape, axisSeed, count, seed) => {
          const axis = axisSeed % shape.length;
          const values = seededValues(shape.reduce((p, d) => p * d, 1), seed);
          const indices = Int32Array.from(seededValues(count, seed + 1), (v) => Math.floor(((v + 1) / 2) * shape[axis]!));
          const { cpu, wasm } = await onBothBackends(() => {
            const x = tf.tensor(values, shape);
            const index = tf.tensor1d(indices, 'int32');
            const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.square(tf.gather(v, index, axis))))(x);
            return [tf.gather(x, index, axis), grad];
          });
          expect(wasm[0]).toEqual(cpu[0]);
          // The gradient sums repeated rows (UnsortedSegmentSum) in another order than the cpu backend.
          expect(maxRelativeError(wasm, cpu)).toBeLessThan(1e-6);
        },
      ),
      { numRuns: 60 },
    );
    const x = seededValues(2 * 3 * 4, 3);
    const { cpu, wasm } = await onBothBackends(() =>
      tf.gather(tf.tensor(x, [2, 3, 4]), tf.tensor2d([[0, 2], [1, 1]], [2, 2], 'int32'), 1, 1),
    );
    expect(wasm).toEqual(cpu);
  });

  it('gather rejects an out-of-range index with the index and the range, and leaks nothing', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const x = tf.zeros([3, 2]);
    const index = tf.tensor1d([0, 3], 'int32');
    expect(() => tf.gather(x, index)).toThrow('GatherV2: the index value 3 is not in [0, 2]');
    tf.dispose([x, index]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
