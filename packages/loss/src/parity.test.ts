/**
 * The loss on xlm-core's parity fixture (the repository's `fixtures/xlm-parity/basic`): the reference's
 * logits (expected.safetensors) through a fixed-logits model, and the real model loaded with
 * `fromPretrained` (`@mlm/model/node`); both must give expected.json's loss (mask id 1).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { RotaryTransformerMLMModel, parseSafetensors, tensorToFloat32 } from '@mlm/model';
import { fromPretrained } from '@mlm/model/node';
import type { MLMBatch } from '@mlm/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMLMLoss } from './mlm-loss.js';
import { positionsFromAttentionMask } from './positions.js';
import { BACKENDS, FixedLogitsModel, PARITY_FIXTURE, useBackend } from './test-support.js';

interface ParityInputs {
  input_ids: number[][];
  attention_mask: number[][];
  positions: number[][];
  target_ids: number[][];
}
const inputs = JSON.parse(readFileSync(path.join(PARITY_FIXTURE, 'inputs.json'), 'utf8')) as ParityInputs;
const expected = JSON.parse(readFileSync(path.join(PARITY_FIXTURE, 'expected.json'), 'utf8')) as { loss: number; logits_shape: [number, number, number] };
const expectedLogits = parseSafetensors(new Uint8Array(readFileSync(path.join(PARITY_FIXTURE, 'expected.safetensors')))).get('logits');
const MASK_ID = 1;
const RELATIVE_TOLERANCE = 1e-5;

function parityBatch(): MLMBatch {
  const [batch, length] = [inputs.input_ids.length, inputs.input_ids[0]?.length ?? 0];
  return {
    inputIds: { data: Int32Array.from(inputs.input_ids.flat()), shape: [batch, length] },
    attentionMask: { data: Uint8Array.from(inputs.attention_mask.flat()), shape: [batch, length] },
    targetIds: { data: Int32Array.from(inputs.target_ids.flat()), shape: [batch, length] },
  };
}

function relativeError(value: number): number {
  return Math.abs(value - expected.loss) / Math.abs(expected.loss);
}

it('the fixture positions are the loss positions (clamp(cumsum(mask) − 1, 0) · mask)', () => {
  const mask = parityBatch().attentionMask as NonNullable<MLMBatch['attentionMask']> & { shape: [number, number] };
  expect(Array.from(positionsFromAttentionMask(mask).data)).toEqual(inputs.positions.flat());
});

describe.each(BACKENDS)('parity fixture loss on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it.each([true, false])('reference logits (forwardAt: %s) give expected.json loss within 1e-5 relative', (withForwardAt) => {
    if (!expectedLogits) throw new Error('expected.safetensors has no "logits" tensor');
    const model = new FixedLogitsModel(tensorToFloat32(expectedLogits, 'logits'), expected.logits_shape, withForwardAt);
    const loss = createMLMLoss({ model, maskTokenId: MASK_ID });
    const value = tf.tidy(() => loss.call(parityBatch()).loss.dataSync()[0] as number);
    console.log(`[parity] ${backend} reference logits (forwardAt ${withForwardAt}): loss ${value}, expected ${expected.loss}, relative error ${relativeError(value).toExponential(2)}`);
    expect(relativeError(value)).toBeLessThan(RELATIVE_TOLERANCE);
    model.dispose();
  });

  describe('end to end with fromPretrained', () => {
    let model: RotaryTransformerMLMModel;
    beforeAll(async () => {
      model = await fromPretrained(PARITY_FIXTURE);
    });
    afterAll(() => model.dispose());

    it('gives expected.json loss within 1e-5 relative, and does not modify the batch', () => {
      const batch = parityBatch();
      const targetsBefore = Array.from(batch.targetIds?.data ?? []);
      const loss = createMLMLoss({ model, maskTokenId: MASK_ID });
      const result = tf.tidy(() => {
        const { loss: value, numScored } = loss.call(batch);
        return [value.dataSync()[0] as number, numScored?.dataSync()[0] as number];
      });
      const [value, numScored] = result as [number, number];
      console.log(`[parity] ${backend} fromPretrained: loss ${value}, expected ${expected.loss}, relative error ${relativeError(value).toExponential(2)}`);
      expect(relativeError(value)).toBeLessThan(RELATIVE_TOLERANCE);
      expect(numScored).toBe(inputs.input_ids.flat().filter((id) => id === MASK_ID).length);
      expect(Array.from(batch.targetIds?.data ?? [])).toEqual(targetsBefore);
    });

    it('is differentiable (BaseLossTests: scalar, finite, gradients reach the parameters) and leaks no tensors', () => {
      const loss = createMLMLoss({ model, maskTokenId: MASK_ID });
      const step = () => {
        const { value, grads } = tf.variableGrads(() => loss.call(parityBatch(), { training: false }).loss);
        const gradientValues = Object.values(grads);
        const result = {
          rank: value.rank,
          finite: Number.isFinite(value.dataSync()[0]),
          someNonZero: gradientValues.some((gradient) => gradient.dataSync().some((g) => g !== 0)),
          count: gradientValues.length,
        };
        tf.dispose([value, grads]);
        return result;
      };
      const first = step();
      expect(first.rank).toBe(0);
      expect(first.finite).toBe(true);
      expect(first.someNonZero).toBe(true);
      expect(first.count).toBe(model.namedParameters().size);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 3; i++) step();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
