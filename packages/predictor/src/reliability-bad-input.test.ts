// Bad input to the predictor on the tiny real model: token ids outside the vocabulary, words the
// tokenizer does not know, prompts longer than the model's positions, malformed batches. Each is a
// clear error naming the input and what was expected, raised before any tensor is created, and a
// failing call leaks nothing; fuzzed batches either generate or fail that way.
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { createRandom } from '@mlm/random';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import type { IntMatrix } from '@mlm/types';
import { createMLMPredictor } from './mlm-predictor.js';
import { createTinyModel, useWasm } from './test-support.js';

const tokenizer = SimpleSpaceTokenizer.forNumbers(50); // V = 57, as the tiny model
let model: ReturnType<typeof createTinyModel>;

beforeAll(async () => {
  await useWasm();
  model = createTinyModel();
});
afterAll(() => model.dispose());

function predictor(maxNewTokens: number | null = 4) {
  return createMLMPredictor({ model, tokenizer, random: createRandom(3), maxSteps: 4, maxNewTokens, topK: 2 });
}

/** Runs `call`, expects it to reject with a message matching `message`, and no tensor to be left over. */
async function rejectsCleanly(call: () => Promise<unknown>, message: RegExp): Promise<void> {
  const before = tf.memory().numTensors;
  await expect(call()).rejects.toThrow(message);
  expect(tf.memory().numTensors).toBe(before);
}

const matrix = (rows: number[][]): IntMatrix => ({ data: Int32Array.from(rows.flat()), shape: [rows.length, rows[0]?.length ?? 0] });

describe('predictor bad input', () => {
  it('token ids outside the vocabulary name the row, the column and the range', async () => {
    await rejectsCleanly(() => predictor().predict({ inputIds: matrix([[7, 8], [9, 57]]) }), /inputIds\[1, 1\] = 57, expected a token id in \[0, 57\)/);
    await rejectsCleanly(() => predictor().predict({ inputIds: matrix([[-1, 8]]) }), /inputIds\[0, 0\] = -1/);
    const fractional = { inputIds: { data: Float32Array.from([7, 8.5]), shape: [1, 2] } } as unknown as { inputIds: IntMatrix };
    await rejectsCleanly(() => predictor().predict(fractional), /inputIds\[0, 1\] = 8\.5/);
  });

  it('a word the tokenizer does not know is an error naming the word', async () => {
    await rejectsCleanly(() => predictor().generate(['7 8 banana']), /banana/);
  });

  it('a prompt longer than the model positions is an error naming maxLength (the tiny model has 64)', async () => {
    const long = Array.from({ length: 70 }, (_, i) => String(i % 50)).join(' ');
    await rejectsCleanly(() => predictor().generate([long]), /positions up to maxLength = 64/);
    // Prompt + new tokens: 61 + BOS + 4 new = 66 positions, more than 0..64.
    const almost = Array.from({ length: 61 }, (_, i) => String(i % 50)).join(' ');
    await rejectsCleanly(() => predictor().generate([almost]), /needs position 65 .*positions up to maxLength = 64/);
    // 58 + BOS + 4 = 63 positions fit.
    const fits = Array.from({ length: 58 }, (_, i) => String(i % 50)).join(' ');
    expect(await predictor().generate([fits])).toHaveLength(1);
  });

  it('malformed batches: not a matrix, wrong data length, mismatched attention mask', async () => {
    await rejectsCleanly(() => predictor().predict(null as never), /expected an object with inputIds/);
    await rejectsCleanly(() => predictor().predict({ inputIds: { data: new Int32Array(3), shape: [2, 2] } }), /inputIds has 3 entries, expected 4/);
    await rejectsCleanly(() => predictor().predict({ inputIds: { data: new Int32Array(4), shape: [4] } as never }), /inputIds has shape \[4\], expected \[B, L\]/);
    await rejectsCleanly(
      () => predictor().predict({ inputIds: matrix([[7, 8]]), attentionMask: { data: new Uint8Array(3).fill(1), shape: [1, 3] } }),
      /attentionMask has shape \[1, 3\], expected \[1, 2\]/,
    );
    await rejectsCleanly(() => predictor().generate('7 8' as never), /prompts must be an array of strings/);
  });

  it('fuzzed batches: generate, or a clear error with nothing leaked', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 70 }),
        fc.array(fc.oneof(fc.integer({ min: 0, max: 56 }), fc.constantFrom(-1, 57, 1000, 2 ** 31 - 1)), { minLength: 1, maxLength: 210 }),
        fc.constantFrom(null, 1, 4),
        async (rows, width, pool, maxNewTokens) => {
          const data = Int32Array.from({ length: rows * width }, (_, i) => pool[i % pool.length] as number);
          const before = tf.memory().numTensors;
          try {
            const result = await predictor(maxNewTokens).predict({ inputIds: { data, shape: [rows, width] } });
            expect(result.ids.shape).toEqual([rows, width + (maxNewTokens ?? 0)]);
          } catch (error) {
            expect((error as Error).message).toMatch(/inputIds\[\d+, \d+\] = -?\d+, expected a token id|maxLength|max_length/);
          }
          expect(tf.memory().numTensors).toBe(before);
        },
      ),
      { numRuns: 40 },
    );
  });
});
