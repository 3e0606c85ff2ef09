/** Port of xlm-core's TestMLMLoss(BaseLossTests) (tests/models/_base.py, tests/models/mlm/) with the tiny model and mlm_batch. */
import * as tf from '@tensorflow/tfjs-core';
import { createRotaryTransformerMLMModel, type RotaryTransformerMLMModel } from '@mlm/model';
import { createRandom } from '@mlm/random';
import type { MLMBatch } from '@mlm/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMLMLoss, type MLMLoss } from './mlm-loss.js';
import { BACKENDS, useBackend } from './test-support.js';

/** tests/models/mlm/conftest.py `mlm_batch`: B = 4, L = 32, targets in [7, 57), 15% [MASK] (id 2). */
function mlmBatch(seed: number): MLMBatch {
  const random = createRandom(seed);
  const size = 4 * 32;
  const targets = Int32Array.from({ length: size }, () => 7 + Math.floor(random.next() * 50));
  const inputs = Int32Array.from(targets, (target) => (random.next() < 0.15 ? 2 : target));
  return {
    inputIds: { data: inputs, shape: [4, 32] },
    attentionMask: { data: new Uint8Array(size).fill(1), shape: [4, 32] },
    targetIds: { data: targets, shape: [4, 32] },
  };
}

describe.each(BACKENDS)('TestMLMLoss (BaseLossTests) on %s', (backend) => {
  let model: RotaryTransformerMLMModel;
  let loss: MLMLoss;
  beforeAll(async () => {
    await useBackend(backend);
    model = createRotaryTransformerMLMModel(
      { numEmbeddings: 57, dModel: 32, numLayers: 1, nhead: 2, dropout: 0, rotaryEmbDim: 16, maxLength: 64 },
      { random: createRandom(0) },
    );
    loss = createMLMLoss({ model, maskTokenId: 2, lossOnPadding: false, lossOnVisibleTokens: false });
  });
  afterAll(() => model.dispose());

  it('returns a finite scalar loss', () => {
    const value = tf.tidy(() => {
      const result = loss.call(mlmBatch(1));
      expect(result.loss.rank).toBe(0);
      return result.loss.dataSync()[0] as number;
    });
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(0);
  });

  it('backpropagates into some model parameter (non-zero gradient)', () => {
    const { value, grads } = tf.variableGrads(() => loss.call(mlmBatch(2), { training: true, random: createRandom(5) }).loss);
    const names = [...model.namedParameters().values()].map((variable) => variable.name);
    expect(names.some((name) => grads[name] !== undefined && grads[name].dataSync().some((g) => g !== 0))).toBe(true);
    tf.dispose([value, grads]);
  });
});
