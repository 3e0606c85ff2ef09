import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '@mlm/random';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import { createLeftPaddedBatch, createMLMPredictor, createUnconditionalBatch, logitsShiftBy1 } from './index.js';
import { FixedDistributionModel, peakedDistribution } from './testing.js';
import { MASK, createTinyModel, rowsOf, useWasm } from './test-support.js';

const tokenizer = new SimpleSpaceTokenizer(['0', '1', '2', '3', '4']); // "k" → 7 + k; EOS 3, BOS 4

/** Puts probability 0.9 on token `next(ids, position)`. */
function modelPredicting(next: (ids: Int32Array, position: number) => number): FixedDistributionModel {
  return new FixedDistributionModel({ vocabSize: 12, probabilities: ({ ids, position }) => peakedDistribution(12, next(ids, position), 0.9) });
}

beforeAll(useWasm);

describe('generate: text in, text out', () => {
  it('prefix → suffix: prompt + BOS left-padded, masks appended, the window decoded and cut at EOS', async () => {
    // Each generated position predicts "4 3 2 1" then EOS, counting from the first generated column.
    const model = modelPredicting((ids, position) => {
      const start = ids.lastIndexOf(4) + 1; // column after BOS
      const k = position - start;
      return k >= 0 && k < 4 ? 7 + (4 - k) : 3;
    });
    const predictor = createMLMPredictor({ model, tokenizer, random: createRandom(0), maxSteps: 6, maxNewTokens: 6, temperature: 0 });
    const numTensors = tf.memory().numTensors;
    expect(await predictor.generate(['0 1', '2'])).toEqual(['4 3 2 1', '4 3 2 1']);
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(await predictor.generate([])).toEqual([]);
  });

  it('infilling without maxNewTokens: [MASK] tokens in the prompt are replaced, the rest kept', async () => {
    const model = modelPredicting(() => 7 + 2);
    const predictor = createMLMPredictor({ model, tokenizer, random: createRandom(0), maxSteps: 2, temperature: 0 });
    expect(await predictor.generate(['0 [MASK] 1 [MASK]', '[MASK]'])).toEqual(['0 2 1 2', '2']);
  });

  it('rejects non-string prompts', async () => {
    const predictor = createMLMPredictor({ model: modelPredicting(() => 7), tokenizer, random: createRandom(0), maxSteps: 1 });
    await expect(predictor.generate([1 as unknown as string])).rejects.toThrow(/prompts must be an array of strings/);
  });
});

describe('batch helpers', () => {
  it('createLeftPaddedBatch pads and truncates on the left', () => {
    const { inputIds, attentionMask } = createLeftPaddedBatch([[5, 6, 7], [8]], 0, 2);
    expect(rowsOf(inputIds)).toEqual([[6, 7], [0, 8]]);
    expect(rowsOf(attentionMask)).toEqual([[1, 1], [0, 1]]);
  });

  it('unconditional generation from all-[MASK] rows fills every position (xlm-core crashes with maxSteps 1)', async () => {
    const predictor = createMLMPredictor({ model: createTinyModel(), tokenizer: SimpleSpaceTokenizer.forNumbers(50), random: createRandom(0), maxSteps: 1, topK: 3 });
    const prediction = await predictor.predict(createUnconditionalBatch({ batchSize: 2, length: 6, maskTokenId: MASK }));
    expect(prediction.ids.data.includes(MASK)).toBe(false);
    expect(prediction.stepsTaken).toEqual([1, 1]);
    expect(() => createUnconditionalBatch({ batchSize: 0, length: 3, maskTokenId: MASK })).toThrow(/batchSize = 0/);
  });
});

describe('LogitsShiftBy1', () => {
  it('position i takes the logits of position i − 1; position 0 keeps its own ([0, 1, 2, 3] → [0, 0, 1, 2])', () => {
    const logits = tf.tensor3d([0, 1, 2, 3], [1, 4, 1]);
    const shifted = logitsShiftBy1(logits);
    expect(Array.from(shifted.dataSync())).toEqual([0, 0, 1, 2]);
    tf.dispose([logits, shifted]);
  });

  it('as the predictor\'s logits hook, shifts what is sampled', async () => {
    // Position i predicts token 7 + i; shifted, position i gets 7 + (i − 1).
    const model = modelPredicting((_ids, position) => 7 + position);
    const options = { model, tokenizer, random: createRandom(0), maxSteps: 1, temperature: 0 } as const;
    const batch = { inputIds: { data: Int32Array.of(MASK, MASK, MASK), shape: [1, 3] as [number, number] } };
    expect(Array.from((await createMLMPredictor(options).predict(batch)).ids.data)).toEqual([7, 8, 9]);
    expect(Array.from((await createMLMPredictor({ ...options, logitsHook: 'shift-by-1' }).predict(batch)).ids.data)).toEqual([7, 7, 8]);
  });
});
