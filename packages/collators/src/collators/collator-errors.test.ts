/** Bad input gets a clear error (naming the example, the field and the value) before any work. */
import { createRandom } from '@mlm/random';
import { createScriptedRandom } from '@mlm/random/testing';
import { describe, expect, it } from 'vitest';
import { SimpleSpaceTokenizer } from '../tokenizers/simple-space-tokenizer.js';
import { workedExampleTokenizer } from '../test-support/worked-example-tokenizer.js';
import { createDefaultInfillMLMCollator } from './default-infill-mlm-collator.js';
import { createDefaultMLMCollator, type DefaultMLMCollatorOptions } from './default-mlm-collator.js';
import { createMLMInfillWithExactTargetPredCollator } from './mlm-infill-with-exact-target-pred-collator.js';
import { createMLMSeq2SeqCollator, createMLMSeq2SeqPredCollator } from './mlm-seq2seq-collator.js';
import { createMLMSeq2SeqTrainCollator } from './mlm-seq2seq-train-collator.js';
import { createPackedMLMCollator } from './packed-mlm-collator.js';
import { mlmSingleSegmentCollate } from './mlm-single-segment-collate.js';

const tokenizer = SimpleSpaceTokenizer.forNumbers(10); // vocabSize 17

describe('collator option errors', () => {
  it('names the class, the option, the value and the rule', () => {
    expect(() => createDefaultMLMCollator({ tokenizer, random: createRandom(0), blockSize: -3 })).toThrow(/DefaultMLMCollator: option blockSize = -3: /);
    expect(() => createDefaultMLMCollator({ tokenizer, random: createRandom(0), blockSize: 4, truncate: 'longest' as never })).toThrow(
      /option truncate = "longest": Invalid option: expected one of "block"\|"max"\|"none"/,
    );
    expect(() => createDefaultMLMCollator({ tokenizer, blockSize: 4 } as unknown as DefaultMLMCollatorOptions)).toThrow('option random = undefined: expected a RandomSource');
    expect(() => createDefaultMLMCollator({ tokenizer: {} as never, random: createRandom(0), blockSize: 4 })).toThrow('option tokenizer = an object: expected a Tokenizer');
  });

  it('suggests camelCase for reference (snake_case) option names', () => {
    expect(() => createDefaultMLMCollator({ tokenizer, random: createRandom(0), block_size: 4 } as never)).toThrow('unknown option "block_size" (options are camelCase: did you mean "blockSize"?)');
  });

  it("requires blockSize with truncate 'block'", () => {
    expect(() => createDefaultMLMCollator({ tokenizer, random: createRandom(0) })).toThrow("option blockSize = undefined: truncate 'block' needs a block size");
    expect(() => createMLMSeq2SeqTrainCollator({ tokenizer, random: createRandom(0), blockSize: 4 })).toThrow('option inputBlockSize = undefined');
    expect(() => createMLMSeq2SeqCollator({ tokenizer, random: createRandom(0), blockSize: 4 })).toThrow('option inputBlockSize = undefined');
    expect(() => createMLMSeq2SeqCollator({ tokenizer, inputBlockSize: 4, blockSize: 4 })).toThrow('option random = undefined: a RandomSource is required');
    expect(() => createMLMSeq2SeqPredCollator({ tokenizer, inputBlockSize: 4 })).toThrow('option blockSize = undefined');
  });

  it('rejects addBos/addEos when the tokenizer lacks the token', () => {
    const noBos = { ...workedExampleTokenizer(), bosTokenId: undefined };
    expect(() => createDefaultMLMCollator({ tokenizer: noBos, random: createRandom(0), blockSize: 4 })).toThrow('addBos is true but the tokenizer has no BOS token');
    expect(() => createDefaultMLMCollator({ tokenizer: noBos, random: createRandom(0), blockSize: 4, addBos: false })).not.toThrow();
  });
});

describe('collate input errors (before any random draw)', () => {
  const collator = (random = createScriptedRandom([])) => ({ random, collator: createDefaultMLMCollator({ tokenizer, random, blockSize: 8 }) });

  it('ids outside the vocabulary name the example, field, index and value', () => {
    const { collator: c, random } = collator();
    expect(() => c.collate([{ inputIds: [7, 8] }, { inputIds: [7, 17] }])).toThrow(
      'DefaultMLMCollator: example 1 field "inputIds"[1] = 17 is not a token id of the vocabulary (expected an integer in [0, 17))',
    );
    expect(() => c.collate([{ inputIds: [7, -100] }])).toThrow('"inputIds"[1] = -100');
    expect(() => c.collate([{ inputIds: [7, 1.5] }])).toThrow('"inputIds"[1] = 1.5');
    expect(random.used).toBe(0);
  });

  it('missing fields and non-arrays', () => {
    const { collator: c } = collator();
    expect(() => c.collate([{ inputIds: [7] }, { promptIds: [7] }])).toThrow('example 1 field "inputIds" is missing, expected an array of token ids');
    expect(() => c.collate([{ inputIds: '7 8' as never }])).toThrow('example 0 field "inputIds" is string');
    expect(() => c.collate([])).toThrow('expected at least one example');
    expect(() => c.collate([null as never])).toThrow('example 0 is null');
  });

  it('infill: prompt/input length mismatch and examples that do not fit', () => {
    const random = createScriptedRandom([]);
    const infill = createDefaultInfillMLMCollator({ tokenizer, random, blockSize: 4 });
    expect(() => infill.collate([{ inputIds: [7, 8], promptIds: [2] }])).toThrow(
      'DefaultInfillMLMCollator: example 0: "promptIds" has length 1 but "inputIds" has length 2',
    );
    expect(() => infill.collate([{ inputIds: [7, 8, 9], promptIds: [2, 8, 9] }])).toThrow(
      'example 0 has 5 tokens (BOS/EOS included), more than the batch width 4; examples with fixed positions cannot be truncated',
    );
    const exact = createMLMInfillWithExactTargetPredCollator({ tokenizer, random, blockSize: 4 });
    expect(() => exact.collate([{ inputIds: [7], promptIds: [2, 8] }])).toThrow('"promptIds" has length 2 but "inputIds" has length 1');
    expect(random.used).toBe(0);
  });

  it('seq2seq prediction: mixed empty/non-empty suffixes, too-long targets', () => {
    const pred = createMLMSeq2SeqPredCollator({ tokenizer, inputBlockSize: 4, blockSize: 3 });
    expect(() => pred.collate([{ promptIds: [7], targetIds: [8] }, { promptIds: [7], targetIds: [] }])).toThrow(
      'Mixed empty and non-empty suffix ("targetIds") in one batch: examples 1 are empty',
    );
    expect(() => pred.collate([{ promptIds: [7], targetIds: [8, 9, 10] }])).toThrow(
      'Max length of target is greater than block size: example 0 has 4 target tokens (EOS included), blockSize is 3',
    );
    const noTargets = pred.collate([{ promptIds: [7] }, { promptIds: [8] }]);
    expect(noTargets.targetIds).toBeUndefined();
  });

  it("seq2seq training with truncate 'none' does not cut a suffix longer than the slot", () => {
    const train = createMLMSeq2SeqTrainCollator({ tokenizer, random: createScriptedRandom([]), blockSize: 2, truncate: 'none' });
    expect(() => train.collate([{ promptIds: [7], targetIds: [8, 9] }])).toThrow('example 0: the suffix has 3 tokens (EOS included), more than the suffix block 2');
  });

  it('packed: every example must be exactly blockSize', () => {
    const packed = createPackedMLMCollator({ tokenizer, random: createScriptedRandom([]), blockSize: 4 });
    expect(() => packed.collate([{ inputIds: [7, 8, 3, 9] }, { inputIds: [7, 8] }])).toThrow('example 1 field "inputIds" has 2 ids, expected exactly blockSize = 4');
  });

  it('maskAll and maskNone are exclusive', () => {
    expect(() => mlmSingleSegmentCollate([[7]], { padTokenId: 0, maskTokenId: 2, maxSeqLen: 2, maskAll: true, maskNone: true, random: createRandom(0) })).toThrow(
      'maskAll and maskNone cannot both be true',
    );
  });
});
