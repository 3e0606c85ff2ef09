import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROTARY_APPLY_KERNEL } from '@mlm/types';
import { RotaryEmbedding, fusedRotaryAvailable, rotaryInverseFrequencies } from './rotary-embedding.js';
import { BACKENDS, maxAbsDifference, useBackend } from './test-support.js';

/** The reference formula, written out directly (half split on the first r features). */
function referenceRope(vector: number[], position: number, rotaryDim: number): number[] {
  const half = rotaryDim / 2;
  const inverse = rotaryInverseFrequencies(rotaryDim);
  const out = [...vector];
  for (let j = 0; j < half; j++) {
    const angle = Math.fround(position * inverse[j]!);
    const [c, s] = [Math.fround(Math.cos(angle)), Math.fround(Math.sin(angle))];
    out[j] = vector[j]! * c - vector[j + half]! * s;
    out[j + half] = vector[j + half]! * c + vector[j]! * s;
  }
  return out;
}

describe('rotary inverse frequencies', () => {
  it('match xlm-core\'s RotaryEmbedding tables (float32, base 10000)', () => {
    expect(Array.from(rotaryInverseFrequencies(4))).toEqual([1, Math.fround(0.01)]);
    const six = rotaryInverseFrequencies(6);
    expect(maxAbsDifference(six, [1.0, 0.04641588, 0.00215443])).toBeLessThan(1e-8);
  });
});

describe.each(BACKENDS)('RotaryEmbedding on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  /** Applies the embedding to one head vector at the given positions; returns [q, k, v] outputs. */
  function apply(rope: RotaryEmbedding, vector: number[], positions: number[]): number[][][] {
    const headDim = vector.length;
    const before = tf.memory().numTensors;
    const result = tf.tidy(() => {
      const length = positions.length;
      const x = tf.tile(tf.tensor(vector, [1, 1, 1, 1, headDim]), [3, 1, 1, length, 1]); // [3, H=1, B=1, L, dh]
      const tables = rope.gather(tf.tensor2d([positions], [1, length], 'int32'));
      return rope.apply(x, tables);
    });
    const values = result.arraySync() as number[][][][][];
    result.dispose();
    expect(tf.memory().numTensors).toBe(before);
    return values.map((block) => block[0]![0]!);
  }

  it('reproduces xlm-core\'s rotation of [1,2,3,4] at position 1 with r = 4 (numbers from its PyTorch code)', () => {
    const rope = new RotaryEmbedding({ rotaryDim: 4, headDim: 4, maxLength: 16 });
    const [q, k, v] = apply(rope, [1, 2, 3, 4], [0, 1]);
    expect(maxAbsDifference(k![0]!, [1, 2, 3, 4])).toBe(0);
    expect(maxAbsDifference(k![1]!, [-1.98411059, 1.95990062, 2.46237803, 4.01979971])).toBeLessThan(1e-6);
    expect(q).toEqual(k); // queryScale 1
    expect(v![1]).toEqual([1, 2, 3, 4]); // v is never rotated
    rope.dispose();
  });

  it('rotates only the first r features (partial rotary), scales q, leaves v', () => {
    const rope = new RotaryEmbedding({ rotaryDim: 4, headDim: 8, maxLength: 40, queryScale: 0.5 });
    const vector = [0.3, -1.2, 2.5, 0.7, 5, 6, 7, 8];
    const positions = [0, 3, 17, 40];
    const [q, k, v] = apply(rope, vector, positions);
    positions.forEach((position, i) => {
      const expected = referenceRope(vector, position, 4);
      expect(maxAbsDifference(k![i]!, expected)).toBeLessThan(1e-6);
      expect(maxAbsDifference(q![i]!, expected.map((value) => value * 0.5))).toBeLessThan(1e-6);
      expect(k![i]!.slice(4)).toEqual([5, 6, 7, 8]);
      expect(v![i]).toEqual(vector.map(Math.fround));
    });
    rope.dispose();
  });

  it('runs the fused kernel registered by @mlm/backend, with the composed ops\' results and gradient bit for bit', async () => {
    expect(fusedRotaryAvailable()).toBe(true);
    const [heads, batch, length, headDim, rotaryDim] = [3, 2, 7, 12, 8];
    const rope = new RotaryEmbedding({ rotaryDim, headDim, maxLength: 20, queryScale: 1 / Math.sqrt(headDim) });
    const profileInput = tf.ones([3, heads, batch, length, headDim]);
    const profileTables = rope.gather(tf.zeros([batch, length], 'int32') as tf.Tensor2D);
    const profile = await tf.profile(() => rope.apply(profileInput, profileTables));
    expect(profile.kernels.map((kernel) => kernel.name)).toEqual([ROTARY_APPLY_KERNEL]);
    tf.dispose([profileInput, profileTables.cos, profileTables.sin, profile.result as tf.Tensor]);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.randomNormal([3, heads, batch, length, headDim], 0, 1, 'float32', 5);
      const weights = tf.randomNormal(x.shape, 0, 1, 'float32', 6);
      const tables = rope.gather(tf.tensor2d([[0, 1, 2, 3, 4, 5, 6], [20, 13, 2, 9, 0, 1, 17]], [batch, length], 'int32'));
      const loss = (apply: (t: tf.Tensor) => tf.Tensor) => (t: tf.Tensor) => tf.sum(tf.mul(apply(t), weights));
      const fused = (t: tf.Tensor) => rope.apply(t, tables);
      const composed = (t: tf.Tensor) => rope.applyComposed(t, tables);
      expect(Array.from(fused(x).dataSync())).toEqual(Array.from(composed(x).dataSync()));
      expect(Array.from(tf.grad(loss(fused))(x).dataSync())).toEqual(Array.from(tf.grad(loss(composed))(x).dataSync()));
    });
    expect(tf.memory().numTensors).toBe(before);
    rope.dispose();
  });

  it('keeps the composed ops where the fused kernel is not registered for the backend (webgl, webgpu)', () => {
    const config = tf.getKernel(ROTARY_APPLY_KERNEL, backend)!;
    tf.unregisterKernel(ROTARY_APPLY_KERNEL, backend);
    try {
      expect(fusedRotaryAvailable()).toBe(false);
      const rope = new RotaryEmbedding({ rotaryDim: 4, headDim: 4, maxLength: 16 });
      const [, k] = apply(rope, [1, 2, 3, 4], [0, 1]);
      expect(maxAbsDifference(k![1]!, [-1.98411059, 1.95990062, 2.46237803, 4.01979971])).toBeLessThan(1e-6);
      rope.dispose();
    } finally {
      tf.registerKernel(config);
    }
    expect(fusedRotaryAvailable()).toBe(true);
  });

  it('rejects an odd or too large rotary dimension', () => {
    expect(() => new RotaryEmbedding({ rotaryDim: 3, headDim: 8, maxLength: 4 })).toThrow(/rotaryDim = 3: expected an even integer in \[2, headDim = 8\]/);
    expect(() => new RotaryEmbedding({ rotaryDim: 10, headDim: 8, maxLength: 4 })).toThrow(/rotaryDim = 10/);
  });
});
