// Worked examples of xlm-core's predictor, with a fake model of fixed probabilities (the expected
// numbers are what xlm-core's code returns for the same model and draws).
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '@mlm/random';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import type { PredictorStepEvent } from '@mlm/types';
import { createMLMPredictor } from './index.js';
import type { MLMPredictorOptions } from './index.js';
import { MASK, createWorkedExampleModel, ints, rowsOf, useWasm } from './test-support.js';

const tokenizer = new SimpleSpaceTokenizer(['0', '1', '2', '3', '4']); // V = 12, [MASK] = 2
const batch = { inputIds: ints([[7, MASK, MASK, MASK, MASK]]) };

async function firstStep(options: Partial<MLMPredictorOptions>): Promise<number[]> {
  const predictor = createMLMPredictor({ model: createWorkedExampleModel(), tokenizer, random: createRandom(0), maxSteps: 10, topK: 1, ...options });
  for await (const event of predictor.stream(batch)) return rowsOf(event.ids)[0]!;
  throw new Error('no event');
}

beforeAll(useWasm);

describe('xlm-core predictor worked examples', () => {
  it('the tokenizer matches the example: V = 12, [MASK] = 2', () => {
    expect(tokenizer.vocabSize).toBe(12);
    expect(tokenizer.maskTokenId).toBe(MASK);
  });

  it("top_prob, threshold 0.5 → [7, 8, 2, 2, 11]", async () => {
    expect(await firstStep({ confidence: 'top_prob', threshold: 0.5 })).toEqual([7, 8, 2, 2, 11]);
  });

  it('top_prob, threshold 0.1 → [7, 8, 2, 2, 2]', async () => {
    expect(await firstStep({ confidence: 'top_prob', threshold: 0.1 })).toEqual([7, 8, 2, 2, 2]);
  });

  it('prob_diff, threshold 0.5 → [7, 8, 2, 2, 11] (xlm-core\'s cummax-over-indices bug gives [7, 8, 9, 10, 11])', async () => {
    expect(await firstStep({ confidence: 'prob_diff', threshold: 0.5 })).toEqual([7, 8, 2, 2, 11]);
  });

  it('entropy (NotImplementedError in xlm-core) ranks the same way here', async () => {
    // Uncertainty H / ln 12: 0.535 (pos 1), 0.657 (pos 4), 0.761 (pos 2), 0.84 (pos 3).
    expect(await firstStep({ confidence: 'entropy', threshold: 0.5 })).toEqual([7, 8, 2, 2, 2]);
    expect(await firstStep({ confidence: 'entropy', threshold: 0.6 })).toEqual([7, 8, 2, 2, 11]);
  });

  it('uniform, maxSteps 3: unmasks 1, 1, 2; final ids, outputStartIdx, stepsTaken, text', async () => {
    const model = createWorkedExampleModel();
    const predictor = createMLMPredictor({ model, tokenizer, random: createRandom(0), maxSteps: 3, topK: 1 });
    const events: PredictorStepEvent[] = [];
    for await (const event of predictor.stream(batch)) events.push(event);
    const counts = events.map((event) => event.unmasked.data.reduce((s, v) => s + v, 0));
    expect(counts).toEqual([1, 1, 2, 0]);
    expect(events.map((event) => event.final)).toEqual([false, false, false, true]);
    // xlm-core calls the model a 4th time for the final step, which changes nothing; here it is skipped.
    expect(events[3]!.modelCalled).toBe(false);

    const numTensors = tf.memory().numTensors;
    const prediction = await createMLMPredictor({ model, tokenizer, random: createRandom(0), maxSteps: 3, topK: 1 }).predict(batch);
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(rowsOf(prediction.ids)).toEqual([[7, 8, 9, 10, 11]]);
    expect(prediction.outputStartIdx).toBe(5);
    expect(prediction.stepsTaken).toEqual([3]);
    expect(prediction.loss).toBeNull();
    expect(prediction.text).toEqual(['0 1 2 3 4']);
    expect(prediction.timeTaken).toHaveLength(1);
    expect(prediction.timeTaken[0]).toBeGreaterThanOrEqual(0);
  });

  it('toDict gives one record per example (as xlm-core\'s to_dict)', async () => {
    const predictor = createMLMPredictor({ model: createWorkedExampleModel(), tokenizer, random: createRandom(0), maxSteps: 3, topK: 1, clock: () => 0 });
    const prediction = await predictor.predict(batch);
    expect(predictor.toDict(batch, prediction)).toEqual([
      { text: '0 1 2 3 4', ids: [7, 8, 9, 10, 11], loss: null, timeTaken: 0, outputStartIdx: 5, stepsTaken: 3 },
    ]);
  });
});
