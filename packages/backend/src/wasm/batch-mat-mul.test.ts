import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '../index.js';
import { maxRelativeError, onBothBackends, seededValues } from './kernel-test-support.js';

// XNNPACK sums in another order than the cpu backend: float32 rounding differences only.
const TOLERANCE = 2e-5;

// These tests cover the XNNPACK path (the fallback when the native addon is absent or turned off);
// native-products.test.ts runs the same properties through the native BLAS.
beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
  await initializeBackend({ backend: 'wasm', nativeKernels: false, log: () => {} });
});

const dims = fc.integer({ min: 1, max: 9 });
const batchShape = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 });

describe('BatchMatMul on wasm (XNNPACK for every product)', () => {
  it('matches the cpu backend forward and backward, for transposes and broadcast batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        dims, dims, dims, batchShape, fc.boolean(), fc.boolean(), fc.boolean(), fc.integer(),
        async (m, k, n, batch, transposeA, transposeB, shareB, seed) => {
          const aShape = [...batch, ...(transposeA ? [k, m] : [m, k])];
          const bShape = [...(shareB ? [] : batch), ...(transposeB ? [n, k] : [k, n])];
          const aValues = seededValues(aShape.reduce((p, d) => p * d, 1), seed);
          const bValues = seededValues(bShape.reduce((p, d) => p * d, 1), seed + 1);
          const { cpu, wasm } = await onBothBackends(() => {
            const a = tf.tensor(aValues, aShape);
            const b = tf.tensor(bValues, bShape);
            const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, transposeA, transposeB);
            // tfjs-core's BatchMatMul gradient does not reduce broadcast batch dimensions (on any
            // backend), so a shared b gets the gradient for a only.
            const loss = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(f(x, y)));
            const gradients = shareB && batch.length > 0 ? [tf.grad((x: tf.Tensor) => loss(x, b))(a)] : tf.grads(loss)([a, b]);
            return [f(a, b), ...gradients];
          });
          expect(maxRelativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('broadcasts batch dimensions like tf.broadcastTo (the cpu backend only handles a batch of one)', async () => {
    const a = seededValues(2 * 1 * 3 * 4, 1);
    const b = seededValues(1 * 3 * 4 * 5, 2);
    await tf.setBackend('cpu');
    const expected = tf.tidy(() =>
      tf.matMul(tf.broadcastTo(tf.tensor(a, [2, 1, 3, 4]), [2, 3, 3, 4]), tf.broadcastTo(tf.tensor(b, [1, 3, 4, 5]), [2, 3, 4, 5])).dataSync(),
    );
    await tf.setBackend('wasm');
    const product = tf.tidy(() => tf.matMul(tf.tensor(a, [2, 1, 3, 4]), tf.tensor(b, [1, 3, 4, 5])));
    expect(product.shape).toEqual([2, 3, 3, 5]);
    expect(maxRelativeError([Float32Array.from(product.dataSync())], [Float32Array.from(expected)])).toBeLessThan(TOLERANCE);
    product.dispose();
  });

  it('folds a shared lower-rank right-hand side and loops when the left-hand side is shared', async () => {
    const a = seededValues(2 * 3 * 3 * 4, 1);
    const b = seededValues(4 * 5, 2);
    const { cpu, wasm } = await onBothBackends(() => [
      tf.matMul(tf.tensor(a, [2, 3, 3, 4]), tf.tensor(b, [4, 5])),
      tf.matMul(tf.tensor(b, [1, 5, 4]), tf.tensor(a, [2, 3, 4, 3]).reshape([6, 4, 3])),
    ]);
    expect(maxRelativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
  });

  it('returns zeros for an empty inner dimension and an empty result for an empty outer one', async () => {
    await tf.setBackend('wasm');
    const product = tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 2]));
    expect(Array.from(product.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    const empty = tf.matMul(tf.zeros([0, 4]), tf.zeros([4, 2]));
    expect(empty.shape).toEqual([0, 2]);
    tf.dispose([product, empty]);
  });

  it('names both shapes when the inner dimensions differ', async () => {
    await tf.setBackend('wasm');
    const a = tf.zeros([2, 3]);
    const b = tf.zeros([4, 5]);
    expect(() => tf.matMul(a, b)).toThrow(/inner shapes \(3\) and \(4\)/);
    tf.dispose([a, b]);
  });

  it('is exact for small integers (every product goes through XNNPACK, not the naive loop)', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor3d([1, 2, 3, 4, 5, 6, 7, 8], [2, 2, 2]);
    const b = tf.tensor3d([1, 0, 0, 1, 2, 0, 0, 2], [2, 2, 2]);
    const product = tf.matMul(a, b, true, true);
    expect(Array.from(product.dataSync())).toEqual([1, 3, 2, 4, 10, 14, 12, 16]);
    tf.dispose([a, b, product]);
  });

  it('fused matMul with bias and activation matches the cpu backend', async () => {
    for (const activation of ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu'] as const) {
      for (const [transposeA, transposeB, batched] of [[false, false, false], [true, false, false], [false, true, true], [true, true, true]] as const) {
        const aShape = batched ? [2, 4, 3] : [4, 3];
        const a = seededValues(aShape.reduce((p, d) => p * d, 1), 3);
        const b = seededValues(3 * 5, 4);
        const bias = seededValues(5, 5);
        const { cpu, wasm } = await onBothBackends(() =>
          tf.fused.matMul({
            a: transposeA ? tf.tensor(a, aShape).transpose(batched ? [0, 2, 1] : [1, 0]) : tf.tensor(a, aShape),
            b: transposeB ? tf.tensor(b, [3, 5]).transpose() : tf.tensor(b, [3, 5]),
            transposeA,
            transposeB,
            bias: tf.tensor1d(bias),
            activation,
          }),
        );
        expect(maxRelativeError(wasm, cpu), `${activation} ${transposeA} ${transposeB}`).toBeLessThan(TOLERANCE);
      }
    }
  });
});

describe('BatchMatMul with and without the SIMD kernel', () => {
  it('gives the same products through XNNPACK (simdKernels: false) as through the SIMD kernel', async () => {
    const a = seededValues(6 * 5 * 7, 11);
    const b = seededValues(6 * 7 * 9, 12);
    const run = async (simdKernels: boolean) => {
      await initializeBackend({ backend: 'wasm', simdKernels, nativeKernels: false, log: () => {} });
      return tf.tidy(() => Float32Array.from(tf.matMul(tf.tensor(a, [6, 5, 7]), tf.tensor(b, [6, 7, 9])).dataSync()));
    };
    const withKernel = await run(true);
    const withXnnpack = await run(false);
    await initializeBackend({ backend: 'wasm', nativeKernels: false, log: () => {} });
    expect(maxRelativeError([withKernel], [withXnnpack])).toBeLessThan(TOLERANCE);
  });
});
