// Every training and prediction collator on hostile examples (ids outside the vocabulary, NaN,
// fractions, strings, missing or mistyped fields, sequences longer than the block, empty batches):
// either a well-formed batch (every id in the vocabulary, the promised width) or an Error naming the
// collator and the example / field, thrown before any random draw. Nothing else: no TypeError from
// deep inside, no garbage batch.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '@mlm/random';
import type { CollatorInput, RandomSource } from '@mlm/types';
import { SimpleSpaceTokenizer } from './tokenizers/simple-space-tokenizer.js';
import { createDefaultMLMCollator } from './collators/default-mlm-collator.js';
import { createDefaultInfillMLMCollator } from './collators/default-infill-mlm-collator.js';
import { createMLMInfillWithExactTargetPredCollator } from './collators/mlm-infill-with-exact-target-pred-collator.js';
import { createMLMSeq2SeqTrainCollator } from './collators/mlm-seq2seq-train-collator.js';
import { createMLMSeq2SeqCollator, createMLMSeq2SeqPredCollator } from './collators/mlm-seq2seq-collator.js';
import { createPackedMLMCollator } from './collators/packed-mlm-collator.js';

const tokenizer = SimpleSpaceTokenizer.forNumbers(10); // vocabSize 17
const V = tokenizer.vocabSize;
const BLOCK = 6;

/** A RandomSource that counts its draws. */
function countingRandom(): RandomSource & { draws: number } {
  const inner = createRandom(5);
  const counter = {
    draws: 0,
    next: () => {
      counter.draws += 1;
      return inner.next();
    },
    fill: (out: Float32Array | Float64Array) => {
      counter.draws += out.length;
      return inner.fill(out);
    },
    nextUint32: () => {
      counter.draws += 1;
      return inner.nextUint32();
    },
    getState: () => inner.getState(),
    setState: (state: ReturnType<typeof inner.getState>) => inner.setState(state),
  };
  return counter as unknown as RandomSource & { draws: number };
}

const COLLATORS = {
  DefaultMLMCollator: (random: RandomSource) => createDefaultMLMCollator({ tokenizer, random, blockSize: BLOCK }),
  DefaultInfillMLMCollator: (random: RandomSource) => createDefaultInfillMLMCollator({ tokenizer, random, blockSize: BLOCK }),
  MLMInfillWithExactTargetPredCollator: (random: RandomSource) => createMLMInfillWithExactTargetPredCollator({ tokenizer, random, blockSize: BLOCK }),
  MLMSeq2SeqTrainCollator: (random: RandomSource) => createMLMSeq2SeqTrainCollator({ tokenizer, random, blockSize: BLOCK, inputBlockSize: BLOCK }),
  MLMSeq2SeqCollator: (random: RandomSource) => createMLMSeq2SeqCollator({ tokenizer, random, blockSize: BLOCK, inputBlockSize: BLOCK }),
  MLMSeq2SeqPredCollator: (random: RandomSource) => createMLMSeq2SeqPredCollator({ tokenizer, random, blockSize: BLOCK, inputBlockSize: BLOCK }),
  PackedMLMCollator: (random: RandomSource) => createPackedMLMCollator({ tokenizer, random, blockSize: BLOCK }),
} as const;
const NAMES = Object.keys(COLLATORS) as (keyof typeof COLLATORS)[];

const hostileId = fc.oneof(
  { weight: 60, arbitrary: fc.integer({ min: 0, max: V - 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(-1, -100, V, 1000, 2 ** 31, 0.5, Number.NaN, Infinity) },
  { weight: 1, arbitrary: fc.constantFrom('7', null, undefined, true) },
);
const idList = fc.oneof(
  { weight: 30, arbitrary: fc.array(hostileId, { maxLength: BLOCK + 4 }) },
  { weight: 1, arbitrary: fc.constantFrom('7 8', 42, null, { length: 2 }) },
);
const example = fc.oneof(
  fc.record({ inputIds: idList, promptIds: idList, targetIds: idList }),
  fc.record({ inputIds: idList, promptIds: idList, targetIds: idList }, { requiredKeys: [] }),
) as fc.Arbitrary<Record<string, unknown>>;

function everyIdInVocabulary(batch: Record<string, unknown>): void {
  for (const field of ['inputIds', 'targetIds'] as const) {
    const matrix = batch[field] as { data: ArrayLike<number>; shape: number[] } | undefined;
    if (!matrix) continue;
    expect(matrix.shape.length).toBe(2);
    expect(matrix.data.length).toBe(matrix.shape[0]! * matrix.shape[1]!);
    for (let i = 0; i < matrix.data.length; i++) {
      const id = matrix.data[i]!;
      const ok = Number.isInteger(id) && id >= 0 && id < V;
      expect(ok || (field === 'targetIds' && id === -100), `${field}[${i}] = ${id}`).toBe(true);
    }
  }
}

describe('collators on hostile examples', () => {
  it('fuzzed examples: a valid batch, or an Error naming the collator before any random draw', () => {
    const outcomes = { batches: 0, errors: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), fc.array(example, { maxLength: 4 }), (name, examples) => {
        const random = countingRandom();
        const collator = COLLATORS[name](random);
        let batch: Record<string, unknown>;
        try {
          batch = collator.collate(examples as unknown as CollatorInput[]) as unknown as Record<string, unknown>;
        } catch (error) {
          expect(error).toBeInstanceOf(Error);
          expect(error).not.toBeInstanceOf(TypeError);
          expect((error as Error).message, String(error)).toMatch(new RegExp(`${name}|Max length of target|Mixed empty`));
          expect(random.draws, `${name} drew ${random.draws} numbers before failing: ${(error as Error).message}`).toBe(0);
          outcomes.errors += 1;
          return;
        }
        everyIdInVocabulary(batch);
        outcomes.batches += 1;
      }),
      { numRuns: 1500 },
    );
    // Both branches were exercised (the generators are not all-valid or all-invalid).
    expect(outcomes.batches).toBeGreaterThan(50);
    expect(outcomes.errors).toBeGreaterThan(50);
  });

  it('an id outside the vocabulary is reported with the example, field, index and value by every collator', () => {
    const examples: Record<(typeof NAMES)[number], CollatorInput[]> = {
      DefaultMLMCollator: [{ inputIds: [7, 8] }, { inputIds: [7, 17] }],
      DefaultInfillMLMCollator: [{ inputIds: [7, 8], promptIds: [7, 2] }, { inputIds: [7, 17], promptIds: [7, 2] }],
      MLMInfillWithExactTargetPredCollator: [{ inputIds: [7, 8], promptIds: [7, 2] }, { inputIds: [7, 17], promptIds: [7, 2] }],
      MLMSeq2SeqTrainCollator: [{ promptIds: [7], targetIds: [8] }, { promptIds: [7], targetIds: [17] }],
      MLMSeq2SeqCollator: [{ promptIds: [7], targetIds: [8] }, { promptIds: [7], targetIds: [17] }],
      MLMSeq2SeqPredCollator: [{ promptIds: [7], targetIds: [8] }, { promptIds: [7], targetIds: [17] }],
      PackedMLMCollator: [{ inputIds: [7, 8, 3, 9, 10, 11] }, { inputIds: [7, 8, 3, 9, 10, 17] }],
    };
    for (const name of NAMES) {
      const random = countingRandom();
      expect(() => COLLATORS[name](random).collate(examples[name]), name).toThrow(/example 1 field "(inputIds|targetIds)"\[\d\] = 17 is not a token id of the vocabulary/);
      expect(random.draws).toBe(0);
    }
  });

  it('an empty batch is an error for every collator', () => {
    for (const name of NAMES) expect(() => COLLATORS[name](countingRandom()).collate([]), name).toThrow(/at least one example/);
  });
});
