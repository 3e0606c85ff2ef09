// The step loop beyond xlm-core: streaming events, semi-autoregressive blocks, cached logits, and
// tensor hygiene over long runs.
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '@mlm/random';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import type { MLMPredictionBatch, PredictorStepEvent } from '@mlm/types';
import { createMLMPredictor, createUnconditionalBatch } from './index.js';
import type { MLMPredictorOptions } from './index.js';
import { MASK, createMlmBatch, createTinyModel, createWorkedExampleModel, ints, rowsOf, useWasm } from './test-support.js';

const small = new SimpleSpaceTokenizer(['0', '1', '2', '3', '4']); // V = 12
const numbers = SimpleSpaceTokenizer.forNumbers(50); // V = 57

beforeAll(useWasm);

async function collect(options: MLMPredictorOptions, batch: MLMPredictionBatch): Promise<PredictorStepEvent[]> {
  const events: PredictorStepEvent[] = [];
  for await (const event of createMLMPredictor(options).stream(batch)) events.push(event);
  return events;
}

const columnsOf = (flags: Uint8Array, length: number, row = 0): number[] =>
  Array.from(flags.subarray(row * length, (row + 1) * length)).flatMap((flag, i) => (flag ? [i] : []));

describe('stream', () => {
  it('reports every step: tokens now, what was unmasked and with which confidence', async () => {
    const batch = createMlmBatch(3);
    const initialMasks = batch.inputIds.data.filter((id) => id === MASK).length;
    const events = await collect({ model: createTinyModel(), tokenizer: numbers, random: createRandom(5), maxSteps: 4, topK: 5 }, batch);
    expect(events.map((event) => event.step)).toEqual(events.map((_, i) => i + 1));
    expect(events.at(-1)!.final).toBe(true);
    expect(events.slice(0, -1).every((event) => !event.final)).toBe(true);
    let previous = batch.inputIds.data;
    let unmaskedTotal = 0;
    for (const event of events) {
      expect(event.outputStartIdx).toBe(32);
      event.ids.data.forEach((id, i) => {
        if (event.unmasked.data[i]) {
          expect(previous[i]).toBe(MASK);
          expect(id).not.toBe(MASK);
          expect(event.confidence[i]).toBeGreaterThan(0);
          expect(event.confidence[i]).toBeLessThanOrEqual(1);
        } else {
          expect(id).toBe(previous[i]);
          expect(event.confidence[i]).toBeNaN();
        }
      });
      unmaskedTotal += event.unmasked.data.reduce((s, v) => s + v, 0);
      previous = event.ids.data;
    }
    expect(unmaskedTotal + previous.filter((id) => id === MASK).length).toBe(initialMasks);
  });

  it('predict is the same loop: the same seed gives the same ids as the last stream event', async () => {
    const options = { model: createTinyModel(), tokenizer: numbers, random: createRandom(9), maxSteps: 3, confidence: 'top_prob' as const, threshold: 0.9 };
    const events = await collect(options, createMlmBatch(4));
    const prediction = await createMLMPredictor({ ...options, random: createRandom(9) }).predict(createMlmBatch(4));
    expect(Array.from(prediction.ids.data)).toEqual(Array.from(events.at(-1)!.ids.data));
  });

  it('breaking out early frees every tensor', async () => {
    const numTensors = tf.memory().numTensors;
    const predictor = createMLMPredictor({ model: createWorkedExampleModel(), tokenizer: small, random: createRandom(0), maxSteps: 10, topK: 1 });
    for await (const event of predictor.stream({ inputIds: ints([[7, MASK, MASK, MASK, MASK]]) })) {
      expect(event.step).toBe(1);
      break;
    }
    expect(tf.memory().numTensors).toBe(numTensors);
  });
});

describe('cached logits', () => {
  const batch = { inputIds: ints([[7, MASK, MASK, MASK, MASK]]) };

  it('skip the forward pass while no token changed (maxSteps 10, 4 masks: 4 model calls instead of 11)', async () => {
    const model = createWorkedExampleModel();
    const events = await collect({ model, tokenizer: small, random: createRandom(0), maxSteps: 10, topK: 1 }, batch);
    // trunc(4 / stepsLeft) is 0 for stepsLeft 10..5: steps 1-6 change nothing; steps 7-10 unmask one each.
    expect(events.map((event) => event.unmasked.data.reduce((s, v) => s + v, 0))).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0]);
    expect(events.map((event) => event.cachedLogits)).toEqual([false, true, true, true, true, true, true, false, false, false, false]);
    expect(events.map((event) => event.modelCalled)).toEqual([true, false, false, false, false, false, false, true, true, true, false]);
    expect(model.callCount).toBe(4);

    const uncached = createWorkedExampleModel();
    const again = await collect({ model: uncached, tokenizer: small, random: createRandom(0), maxSteps: 10, topK: 1, cacheLogits: false }, batch);
    expect(uncached.callCount).toBe(10);
    expect(Array.from(again.at(-1)!.ids.data)).toEqual(Array.from(events.at(-1)!.ids.data));
  });

  it('the final step reuses the logits when the last step changed nothing', async () => {
    // A sampler that writes [MASK] back: nothing changes, the final step reuses the cached logits.
    const model = createWorkedExampleModel();
    const stubborn = { name: 'mask', sample: (_l: Float32Array, n: number) => new Int32Array(n).fill(MASK) };
    const events = await collect({ model, tokenizer: small, random: createRandom(0), maxSteps: 2, sampler: stubborn }, batch);
    expect(events.map((event) => event.cachedLogits)).toEqual([false, true, true]);
    expect(model.callCount).toBe(1);
    expect(rowsOf(events.at(-1)!.ids)).toEqual([[7, MASK, MASK, MASK, MASK]]); // a sampled [MASK] stays masked
  });
});

describe('semi-autoregressive blocks', () => {
  const prompt = { inputIds: ints([[7]]) };

  it('fill the generated window block by block, left to right (steps split evenly)', async () => {
    const events = await collect(
      { model: createWorkedExampleModel(), tokenizer: small, random: createRandom(1), maxSteps: 6, maxNewTokens: 6, blockLength: 2, topK: 1 },
      prompt,
    );
    const perStep = events.slice(0, -1).map((event) => columnsOf(event.unmasked.data, 7));
    // Blocks [1, 3), [3, 5), [5, 7) with 2 steps each: one position per step, never a later block first.
    expect(perStep.map((columns) => columns.length)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(perStep.map((columns) => Math.floor((columns[0]! - 1) / 2))).toEqual([0, 0, 1, 1, 2, 2]);
    expect(rowsOf(events.at(-1)!.ids)[0]!.includes(MASK)).toBe(false);
  });

  it('one step per block fills each block at once; threshold strategies are forced on a block\'s last step', async () => {
    const once = await collect(
      { model: createWorkedExampleModel(), tokenizer: small, random: createRandom(1), maxSteps: 3, maxNewTokens: 6, blockLength: 2, topK: 1 },
      prompt,
    );
    expect(once.slice(0, -1).map((event) => columnsOf(event.unmasked.data, 7))).toEqual([[1, 2], [3, 4], [5, 6]]);
    const threshold = await collect(
      {
        model: createWorkedExampleModel(),
        tokenizer: small,
        random: createRandom(1),
        maxSteps: 3,
        maxNewTokens: 6,
        blockLength: 2,
        topK: 1,
        confidence: 'top_prob',
        threshold: 0.01,
      },
      prompt,
    );
    expect(threshold.slice(0, -1).map((event) => columnsOf(event.unmasked.data, 7))).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  it('rows move past blocks that are already complete', async () => {
    // Infilling (no maxNewTokens): the window is the whole row. Row 1's first block has no [MASK].
    const events = await collect(
      { model: createWorkedExampleModel(), tokenizer: small, random: createRandom(1), maxSteps: 4, blockLength: 2, topK: 1 },
      { inputIds: ints([[MASK, MASK, MASK, MASK], [7, 8, MASK, MASK]]) },
    );
    const first = events[0]!;
    expect(columnsOf(first.unmasked.data, 4, 0)).toHaveLength(1);
    expect(columnsOf(first.unmasked.data, 4, 0)[0]).toBeLessThan(2);
    expect(columnsOf(first.unmasked.data, 4, 1)).toHaveLength(1);
    expect(columnsOf(first.unmasked.data, 4, 1)[0]).toBeGreaterThanOrEqual(2);
  });

  it('need at least one step per block', () => {
    const predictor = createMLMPredictor({ model: createWorkedExampleModel(), tokenizer: small, random: createRandom(1), maxSteps: 2, maxNewTokens: 6, blockLength: 2 });
    return expect(predictor.predict(prompt)).rejects.toThrow(/into 3 blocks, but maxSteps = 2/);
  });
});

describe('tensor hygiene', () => {
  for (const [label, extra] of [
    ['uniform', {}],
    ['top-probability threshold', { confidence: 'top_prob' as const, threshold: 1e-6 }],
  ] as const) {
    it(`1,000 steps (${label}) leave tf.memory().numTensors where it started`, async () => {
      const model = createWorkedExampleModel();
      const predictor = createMLMPredictor({ model, tokenizer: small, random: createRandom(2), maxSteps: 1000, topK: 1, ...extra });
      const batch = createUnconditionalBatch({ batchSize: 1, length: 1000, maskTokenId: MASK });
      const numTensors = tf.memory().numTensors;
      const prediction = await predictor.predict(batch);
      expect(tf.memory().numTensors).toBe(numTensors);
      expect(prediction.stepsTaken).toEqual([1000]);
      expect(model.callCount).toBe(1000);
      expect(prediction.ids.data.includes(MASK)).toBe(false);
    }, 60_000);
  }

  it('a real model over many steps (margin + cosine, blocks, Gumbel-perturbed ranking) leaks nothing', async () => {
    const model = createTinyModel();
    const predictor = createMLMPredictor({
      model,
      tokenizer: numbers,
      random: createRandom(3),
      maxSteps: 24,
      maxNewTokens: 24,
      blockLength: 8,
      confidence: 'prob_diff',
      unmaskSchedule: 'cosine',
      confidenceTemperature: 0.5,
      topP: 0.9,
    });
    const numTensors = tf.memory().numTensors;
    const prediction = await predictor.predict({ inputIds: ints([[10, 11, 4], [12, 13, 4]]) });
    expect(tf.memory().numTensors).toBe(numTensors);
    expect(prediction.ids.shape).toEqual([2, 27]);
    model.dispose();
  });
});
