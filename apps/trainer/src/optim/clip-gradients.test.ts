import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { clipGradientsByGlobalNorm } from './clip-gradients.js';

beforeAll(async () => {
  await initializeBackend({ backend: 'cpu', log: () => {} });
});

describe('clipGradientsByGlobalNorm', () => {
  it('scales all gradients by maxNorm / (norm + 1e-6) when the global norm is larger', () => {
    const before = tf.memory().numTensors;
    const gradients = new Map([
      ['a', tf.tensor1d([3, 0])],
      ['b', tf.tensor1d([0, 4])],
    ]);
    const { norm, gradients: clipped } = clipGradientsByGlobalNorm(gradients, 1);
    expect(norm).toBeCloseTo(5, 5);
    const scale = 1 / (5 + 1e-6);
    expect(Array.from(clipped.get('a')!.dataSync())[0]).toBeCloseTo(3 * scale, 6);
    expect(Array.from(clipped.get('b')!.dataSync())[1]).toBeCloseTo(4 * scale, 6);
    for (const g of clipped.values()) g.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('leaves gradients under the threshold untouched', () => {
    const gradients = new Map([['a', tf.tensor1d([0.3, 0.4])]]);
    const { norm, gradients: result } = clipGradientsByGlobalNorm(gradients, 1);
    expect(norm).toBeCloseTo(0.5, 6);
    expect(result.get('a')).toBe(gradients.get('a'));
    result.get('a')!.dispose();
  });
});
