// Hostile training batches through the loss and the real model (training mode, gradients):
// token ids outside the vocabulary, targets outside it, sequences longer than the model's positions,
// mismatched shapes. Each is a clear error naming the field, the value and what was expected, raised
// before the forward pass computes anything, with no tensor left behind; fuzzed batches either give a
// finite loss or fail that way.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRotaryTransformerMLMModel } from '@mlm/model';
import { createRandom } from '@mlm/random';
import { IGNORE_INDEX, type MLMBatch } from '@mlm/types';
import { createMLMLoss } from './mlm-loss.js';
import { useBackend } from './test-support.js';

const V = 11;
const MAX_LENGTH = 16;
const MASK = 2;
let model: ReturnType<typeof createRotaryTransformerMLMModel>;

beforeAll(async () => {
  await useBackend('wasm');
  model = createRotaryTransformerMLMModel(
    { numEmbeddings: V, dModel: 8, numLayers: 1, nhead: 2, dimFeedforward: 16, rotaryEmbDim: 4, maxLength: MAX_LENGTH, dropout: 0.1 },
    { random: createRandom(0) },
  );
});
afterAll(() => model.dispose());

function batchOf(inputs: number[][], targets: number[][]): MLMBatch {
  const rows = inputs.length;
  const width = inputs[0]!.length;
  return {
    inputIds: { data: Int32Array.from(inputs.flat()), shape: [rows, width] },
    targetIds: { data: Int32Array.from(targets.flat()), shape: [rows, width] },
    attentionMask: { data: new Uint8Array(rows * width).fill(1), shape: [rows, width] },
  };
}

/** The loss and its gradients, as the trainer computes them; returns the loss value. */
function trainingStep(batch: MLMBatch): number {
  const loss = createMLMLoss({ model, maskTokenId: MASK });
  const variables = [...model.namedParameters().values()];
  const { value, grads } = tf.variableGrads(() => loss.call(batch, { training: true, random: createRandom(1) }).loss, variables);
  const result = value.dataSync()[0]!;
  value.dispose();
  for (const gradient of Object.values(grads)) gradient.dispose();
  return result;
}

function failsCleanly(batch: MLMBatch, message: RegExp): void {
  const before = tf.memory().numTensors;
  expect(() => trainingStep(batch)).toThrow(message);
  expect(tf.memory().numTensors).toBe(before);
}

describe('loss and model on bad training batches', () => {
  it('an input id outside the vocabulary names its position', () => {
    failsCleanly(batchOf([[5, MASK, 11]], [[IGNORE_INDEX, 6, IGNORE_INDEX]]), /inputIds\[0, 2\] = 11: expected a token id in \[0, 10\]/);
    failsCleanly(batchOf([[5, MASK, -3]], [[IGNORE_INDEX, 6, IGNORE_INDEX]]), /inputIds\[0, 2\] = -3/);
  });

  it('a target outside the vocabulary at a scored position is named', () => {
    failsCleanly(batchOf([[5, MASK, 7]], [[IGNORE_INDEX, 40, IGNORE_INDEX]]), /targetIds\[0\]\[1\] = 40 at a scored position; expected -100 or an id in \[0, 11\)/);
  });

  it('a sequence longer than the model positions names maxLength', () => {
    const long = Array.from({ length: MAX_LENGTH + 2 }, (_, i) => (i % 2 ? MASK : 5));
    failsCleanly(batchOf([long], [long.map((id) => (id === MASK ? 6 : IGNORE_INDEX))]), /positions\[0, 17\] = 17: expected a position in \[0, 16\] \(maxLength = 16\)/);
    // maxLength + 1 tokens (positions 0..16) fit.
    const fits = long.slice(0, MAX_LENGTH + 1);
    expect(Number.isFinite(trainingStep(batchOf([fits], [fits.map((id) => (id === MASK ? 6 : IGNORE_INDEX))])))).toBe(true);
  });

  it('targets of another shape than the inputs are named', () => {
    const batch = batchOf([[5, MASK, 7]], [[IGNORE_INDEX, 6, IGNORE_INDEX]]);
    failsCleanly({ ...batch, targetIds: { data: Int32Array.from([6, 6]), shape: [1, 2] } }, /targetIds has shape \[1, 2\]/);
  });

  it('fuzzed batches: a finite loss, or a clear error with nothing leaked', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: MAX_LENGTH + 4 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: V - 1 }), fc.constantFrom(MASK, MASK, -1, V, 1000)), { minLength: 1, maxLength: 60 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: V - 1 }), fc.constantFrom(IGNORE_INDEX, -5, V)), { minLength: 1, maxLength: 60 }),
        (rows, width, inputPool, targetPool) => {
          const inputs = Array.from({ length: rows }, (_, b) => Array.from({ length: width }, (_, i) => inputPool[(b * width + i) % inputPool.length]!));
          const targets = Array.from({ length: rows }, (_, b) => Array.from({ length: width }, (_, i) => targetPool[(b * width + i) % targetPool.length]!));
          const before = tf.memory().numTensors;
          try {
            const value = trainingStep(batchOf(inputs, targets));
            expect(Number.isFinite(value), `loss ${value}`).toBe(true);
          } catch (error) {
            expect((error as Error).message).toMatch(/inputIds\[\d+, \d+\] = -?\d+: expected a token id|targetIds\[\d+\]\[\d+\] = -?\d+ at a scored position|positions\[\d+, \d+\] = \d+: expected a position/);
          }
          expect(tf.memory().numTensors).toBe(before);
        },
      ),
      { numRuns: 60 },
    );
  });
});
