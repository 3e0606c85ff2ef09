import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '@mlm/random';
import type { IntMatrix, MLMBatch } from '@mlm/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMLMLoss } from './mlm-loss.js';
import { BACKENDS, FixedLogitsModel, useBackend } from './test-support.js';

// A worked example computed with xlm-core's MLMLoss.loss_fn: mask id 1, V = 6.
const logitValues = new Float32Array(2 * 4 * 6);
logitValues[(0 * 4 + 0) * 6 + 2] = 2;
logitValues[(0 * 4 + 2) * 6 + 5] = 1;
logitValues[(1 * 4 + 1) * 6 + 3] = 3;
const matrix = (rows: number[][]): IntMatrix => ({ data: Int32Array.from(rows.flat()), shape: [rows.length, rows[0]?.length ?? 0] });
const workedBatch = (): MLMBatch => ({
  inputIds: matrix([
    [1, 5, 1, 3],
    [2, 1, 0, 0],
  ]),
  attentionMask: { data: Uint8Array.from([1, 1, 1, 1, 1, 1, 0, 0]), shape: [2, 4] },
  targetIds: matrix([
    [2, 5, 4, 3],
    [2, 3, -100, -100],
  ]),
});
const CE = { a: 0.51681358, b: 2.04359174, c: 0.22229137 };

function lossValue(model: FixedLogitsModel, batch: MLMBatch, options: Partial<Parameters<typeof createMLMLoss>[0]> = {}): number {
  const loss = createMLMLoss({ model, maskTokenId: 1, ...options });
  return tf.tidy(() => loss.call(batch).loss.dataSync()[0] as number);
}

describe.each(BACKENDS)('MLMLoss on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each([true, false])('worked example of xlm-core\'s MLMLoss (model.forwardAt: %s)', (withForwardAt) => {
    let model: FixedLogitsModel;
    beforeAll(() => {
      model = new FixedLogitsModel(logitValues, [2, 4, 6], withForwardAt);
    });
    afterAll(() => model.dispose());

    it('scores only [MASK] inputs: mean of three CEs = 0.92756556; positions from the mask', () => {
      const batch = workedBatch();
      expect(lossValue(model, batch)).toBeCloseTo((CE.a + CE.b + CE.c) / 3, 6);
      expect(lossValue(model, batch)).toBeCloseTo(0.92756556, 6);
      const call = model.calls.at(-1);
      expect(call?.positions).toEqual([
        [0, 1, 2, 3],
        [0, 1, 0, 0],
      ]);
      expect(call?.attentionMask).toEqual([
        [1, 1, 1, 1],
        [1, 1, 0, 0],
      ]);
      if (withForwardAt) expect(call?.flatPositions).toEqual([0, 2, 5]);
    });

    it('does not modify the batch (the reference writes -100 into target_ids)', () => {
      const batch = workedBatch();
      const before = JSON.stringify({ i: Array.from(batch.inputIds.data), t: Array.from(batch.targetIds?.data ?? []), m: Array.from(batch.attentionMask?.data ?? []) });
      lossValue(model, batch);
      expect(JSON.stringify({ i: Array.from(batch.inputIds.data), t: Array.from(batch.targetIds?.data ?? []), m: Array.from(batch.attentionMask?.data ?? []) })).toBe(before);
    });

    it('lossOnVisibleTokens: CE over the 6 targets ÷ all 8 positions = 1.019747', () => {
      expect(lossValue(model, workedBatch(), { lossOnVisibleTokens: true })).toBeCloseTo(1.019747, 5);
      const loss = createMLMLoss({ model, maskTokenId: 1, lossOnVisibleTokens: true });
      expect(tf.tidy(() => loss.call(workedBatch()).numScored?.dataSync()[0])).toBe(8);
    });

    it('useNumMaskedFactor, B = 1: (0.5168 + 2.0436) / 3 / 2 = 0.42673422', () => {
      const row0: MLMBatch = {
        inputIds: matrix([[1, 5, 1, 3]]),
        attentionMask: { data: Uint8Array.from([1, 1, 1, 1]), shape: [1, 4] },
        targetIds: matrix([[2, 5, 4, 3]]),
      };
      const single = new FixedLogitsModel(logitValues.slice(0, 24), [1, 4, 6], withForwardAt);
      expect(lossValue(single, row0, { useNumMaskedFactor: true })).toBeCloseTo(0.42673422, 6);
      single.dispose();
    });

    it('useNumMaskedFactor, B = 2: the factor applies per row (the reference raises a shape error)', () => {
      const expected = (CE.a / 3 + CE.b / 3 + CE.c / 2) / 3;
      expect(lossValue(model, workedBatch(), { useNumMaskedFactor: true })).toBeCloseTo(expected, 6);
    });

    it('nothing scored: exactly 0, and the gradient exists (all zeros)', () => {
      const batch: MLMBatch = { ...workedBatch(), inputIds: matrix([[4, 5, 4, 3], [2, 4, 0, 0]]) };
      const loss = createMLMLoss({ model, maskTokenId: 1 });
      const { value, grads } = tf.variableGrads(() => loss.call(batch).loss, [model.logits]);
      expect(value.dataSync()[0]).toBe(0);
      expect(Array.from(grads[model.logits.name]?.dataSync() ?? [1]).every((g) => g === 0)).toBe(true);
      tf.dispose([value, grads]);
    });

    it('gradient of the mean CE: (softmax − onehot) / count at scored rows, 0 elsewhere', () => {
      const loss = createMLMLoss({ model, maskTokenId: 1 });
      const { value, grads } = tf.variableGrads(() => loss.call(workedBatch(), { training: true }).loss, [model.logits]);
      const gradient = grads[model.logits.name]?.arraySync() as number[][][];
      const row = gradient[0]?.[0] as number[];
      const denominator = Math.exp(2) + 5;
      expect(row[2]).toBeCloseTo((Math.exp(2) / denominator - 1) / 3, 6);
      expect(row[0]).toBeCloseTo(1 / denominator / 3, 6);
      expect(gradient[0]?.[1]?.every((g) => g === 0)).toBe(true);
      expect(gradient[1]?.[2]?.every((g) => g === 0)).toBe(true);
      expect(model.calls.at(-1)?.training).toBe(true);
      tf.dispose([value, grads]);
    });

    it('leaves no tensors behind across repeated calls', () => {
      const loss = createMLMLoss({ model, maskTokenId: 1 });
      const run = () => {
        const result = tf.tidy(() => loss.call(workedBatch()).loss);
        result.dispose();
        const { value, grads } = tf.variableGrads(() => loss.call(workedBatch()).loss, [model.logits]);
        tf.dispose([value, grads]);
      };
      run();
      const before = tf.memory().numTensors;
      for (let i = 0; i < 5; i++) run();
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe('packed batches', () => {
    it('uses batch.positions and builds the document mask from segmentIds', () => {
      const model = new FixedLogitsModel(new Float32Array(1 * 4 * 6), [1, 4, 6], true);
      const loss = createMLMLoss({ model, maskTokenId: 1 });
      const batch: MLMBatch = {
        inputIds: matrix([[1, 3, 1, 5]]),
        targetIds: matrix([[4, 3, 2, 5]]),
        positions: matrix([[0, 1, 0, 1]]),
        segmentIds: matrix([[0, 0, 1, 1]]),
      };
      const value = tf.tidy(() => loss.call(batch).loss.dataSync()[0] as number);
      expect(value).toBeCloseTo(Math.log(6), 6);
      expect(model.calls[0]?.positions).toEqual([[0, 1, 0, 1]]);
      expect(model.calls[0]?.attentionMask).toEqual([
        [
          [1, 1, 0, 0],
          [1, 1, 0, 0],
          [0, 0, 1, 1],
          [0, 0, 1, 1],
        ],
      ]);
      model.dispose();
    });
  });

  describe('errors', () => {
    let model: FixedLogitsModel;
    beforeAll(() => {
      model = new FixedLogitsModel(logitValues, [2, 4, 6], true);
    });
    afterAll(() => model.dispose());

    it('rejects bad options', () => {
      expect(() => createMLMLoss({ model, maskTokenId: 6 })).toThrow('option maskTokenId = 6: expected an id in [0, 6)');
      expect(() => createMLMLoss({ model })).toThrow('give maskTokenId (or a tokenizer)');
      expect(() => createMLMLoss({ model: {} as never, maskTokenId: 1 })).toThrow('option model = an object: expected a Model');
      expect(() => createMLMLoss({ model, maskTokenId: 1, mask_token_id: 1 } as never)).toThrow('unknown option(s) "mask_token_id"');
    });

    it('rejects bad batches', () => {
      const loss = createMLMLoss({ model, maskTokenId: 1 });
      const { targetIds: _t, ...noTargets } = workedBatch();
      expect(() => loss.call(noTargets)).toThrow('batch.targetIds is required');
      const { attentionMask: _m, ...noMask } = workedBatch();
      expect(() => loss.call(noMask)).toThrow('batch.attentionMask is required unless the batch carries positions');
      expect(() => loss.call({ ...workedBatch(), targetIds: matrix([[2, 5, 4]]) })).toThrow('batch.targetIds has shape [1, 3]');
      expect(() => loss.call({ ...workedBatch(), targetIds: matrix([[2, 5, 9, 3], [2, 3, -100, -100]]) })).toThrow(
        'batch.targetIds[0][2] = 9 at a scored position; expected -100 or an id in [0, 6)',
      );
    });
  });

  it('the same RandomSource seed gives the same dropout loss (random is passed to the model)', () => {
    const model = new FixedLogitsModel(logitValues, [2, 4, 6], true);
    const loss = createMLMLoss({ model, maskTokenId: 1 });
    const value = tf.tidy(() => loss.call(workedBatch(), { training: true, random: createRandom(3) }).loss.dataSync()[0]);
    expect(value).toBeCloseTo(0.92756556, 6);
    model.dispose();
  });
});
