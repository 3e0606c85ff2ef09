/**
 * Worked examples of xlm-core's collators (`mlm_single_segment_collate_fn`, the collator classes and
 * `prepare_prefix_ids`/`prepare_prefix_suffix_ids`), replayed with scripted draws; expected arrays are what
 * xlm-core's code returns for the same draws (or, where this port deliberately differs, the documented difference).
 */
import { createScriptedRandom } from '@mlm/random/testing';
import type { BoolMatrix, IntMatrix } from '@mlm/types';
import { describe, expect, it } from 'vitest';
import { F, T, WORKED_U, workedDraws, workedExampleTokenizer } from '../test-support/worked-example-tokenizer.js';
import { createDefaultInfillMLMCollator } from './default-infill-mlm-collator.js';
import { createDefaultMLMCollator, type DefaultMLMCollatorOptions } from './default-mlm-collator.js';
import { matrixToArrays } from './matrices.js';
import { createMLMInfillWithExactTargetPredCollator } from './mlm-infill-with-exact-target-pred-collator.js';
import { createMLMSeq2SeqCollator, createMLMSeq2SeqPredCollator } from './mlm-seq2seq-collator.js';
import { createMLMSeq2SeqTrainCollator } from './mlm-seq2seq-train-collator.js';
import { createPackedMLMCollator } from './packed-mlm-collator.js';
import { padTruncate, padTruncateWithCount } from './pad-truncate.js';
import { preparePrefixIds } from './prepare-prefix-ids.js';
import { preparePrefixSuffixIds } from './prepare-prefix-suffix-ids.js';

const tokenizer = workedExampleTokenizer();
const examples = [{ inputIds: [5, 6, 7] }, { inputIds: [8, 9] }];
const arrays = (matrix: IntMatrix | BoolMatrix | null | undefined) => (matrix ? matrixToArrays(matrix) : matrix);

/** Expects each named matrix of `batch`, as rows, to equal the given rows (other fields are not checked). */
function expectRows(batch: object, expected: Record<string, number[][]>): void {
  for (const [field, rows] of Object.entries(expected)) {
    expect(arrays((batch as Record<string, IntMatrix | BoolMatrix | null | undefined>)[field]), field).toEqual(rows);
  }
}

function defaultCollator(width: number, options: Partial<DefaultMLMCollatorOptions> = {}) {
  const random = createScriptedRandom(workedDraws(width));
  return { random, collator: createDefaultMLMCollator({ tokenizer, random, blockSize: 6, ...options }) };
}

describe('padTruncate (pad_truncate_list)', () => {
  it('pads and truncates right and left, cyclic pads, counts', () => {
    expect(padTruncate([1, 2, 3], 5, 0)).toEqual([1, 2, 3, 0, 0]);
    expect(padTruncate([1, 2, 3], 2, 0)).toEqual([1, 2]);
    expect(padTruncate([1, 2, 3], 2, 0, { padLeft: true })).toEqual([2, 3]);
    expect(padTruncate([1], 3, 0, { padLeft: true })).toEqual([0, 0, 1]);
    expect(padTruncate([1, 2, 3], 5, [7, 8])).toEqual([1, 2, 3, 7, 8]);
    expect(padTruncateWithCount([1, 2, 3], 2, 0)).toEqual({ ids: [1, 2], numPadded: -1 });
    // Fixed quirk: the reference returns the whole list here (Python's ids[-0:]).
    expect(padTruncate([1, 2, 3], 0, 0, { padLeft: true })).toEqual([]);
    expect(() => padTruncate([1], -1, 0)).toThrow('maxLength = -1');
  });
});

describe('DefaultMLMCollator worked examples (t = [0.5, 0.2], scripted u)', () => {
  it('a) block 6, BOS+EOS, lossOnPadding (class defaults)', () => {
    const { collator, random } = defaultCollator(6);
    const batch = collator.collate(examples);
    expectRows(batch, {
      inputIds: [
        [1, 5, 1, 7, 3, 1],
        [1, 8, 1, 3, 0, 0],
      ],
      attentionMask: [
        [T, T, T, T, T, T],
        [T, T, T, T, T, T],
      ],
      targetIds: [
        [2, 5, 6, 7, 3, 0],
        [2, 8, 9, 3, 0, 0],
      ],
    });
    expect(batch.fixedPositionsMask).toBeNull();
    expect(random.used).toBe(2 + 12);
  });

  it('b) lossOnPadding false: pads hidden, -100 targets, never masked', () => {
    const { collator } = defaultCollator(6, { lossOnPadding: false });
    const batch = collator.collate(examples);
    expectRows(batch, {
      inputIds: [
        [1, 5, 1, 7, 3, 0],
        [1, 8, 1, 3, 0, 0],
      ],
      attentionMask: [
        [T, T, T, T, T, F],
        [T, T, T, T, F, F],
      ],
      targetIds: [
        [2, 5, 6, 7, 3, -100],
        [2, 8, 9, 3, -100, -100],
      ],
    });
  });

  it('c) truncate none, reference-compatible sizing: width 3 from raw lengths (token 7 and EOS lost)', () => {
    const { collator } = defaultCollator(3, { truncate: null, referenceCompatibleTruncation: true });
    const batch = collator.collate(examples);
    expectRows(batch, {
      inputIds: [
        [1, 5, 1],
        [1, 8, 1],
      ],
      targetIds: [
        [2, 5, 6],
        [2, 8, 9],
      ],
    });
  });

  it('c) truncate none, fixed sizing (default): width 5 counts BOS/EOS, nothing lost', () => {
    const { collator } = defaultCollator(5, { truncate: 'none' });
    const batch = collator.collate(examples);
    expectRows(batch, {
      inputIds: [
        [1, 5, 1, 7, 3],
        [1, 8, 1, 3, 0],
      ],
      targetIds: [
        [2, 5, 6, 7, 3],
        [2, 8, 9, 3, 0],
      ],
    });
  });

  it('d) truncate max, block 4, reference-compatible: width max(3, 4) = 4 (row 0 loses its EOS)', () => {
    const { collator } = defaultCollator(4, { truncate: 'max', blockSize: 4, referenceCompatibleTruncation: true });
    const batch = collator.collate(examples);
    expectRows(batch, {
      inputIds: [
        [1, 5, 1, 7],
        [1, 8, 1, 3],
      ],
      targetIds: [
        [2, 5, 6, 7],
        [2, 8, 9, 3],
      ],
    });
  });

  it('d) truncate max, block 4, fixed sizing: width max(5, 4) = 5', () => {
    const { collator } = defaultCollator(5, { truncate: 'max', blockSize: 4 });
    const batch = collator.collate(examples);
    expect(batch.inputIds.shape).toEqual([2, 5]);
    expectRows(batch, {
      targetIds: [
        [2, 5, 6, 7, 3],
        [2, 8, 9, 3, 0],
      ],
    });
  });

  it('e) Hydra default_mlm: no BOS, EOS, lossOnPadding, block 6', () => {
    const { collator } = defaultCollator(6, { addBos: false });
    const batch = collator.collate(examples);
    expectRows(batch, {
      inputIds: [
        [1, 6, 1, 3, 0, 1],
        [1, 9, 1, 0, 0, 0],
      ],
      targetIds: [
        [5, 6, 7, 3, 0, 0],
        [8, 9, 3, 0, 0, 0],
      ],
    });
    expect(Array.from(batch.attentionMask?.data ?? [])).toEqual(new Array(12).fill(1));
  });
});

describe('infill collators', () => {
  const infillExamples = [
    { inputIds: [5, 6, 7], promptIds: [5, 1, 1] },
    { inputIds: [8, 9], promptIds: [1, 9] },
  ];

  it('DefaultInfillMLMCollator, block 6, BOS+EOS', () => {
    const collator = createDefaultInfillMLMCollator({ tokenizer, random: createScriptedRandom(workedDraws(6)), blockSize: 6 });
    const batch = collator.collate(infillExamples);
    expectRows(batch, {
      inputIds: [
        [1, 5, 1, 7, 3, 1],
        [1, 8, 9, 3, 0, 0],
      ],
      targetIds: [
        [2, 5, 6, 7, 3, 0],
        [2, 8, 9, 3, 0, 0],
      ],
      fixedPositionsMask: [
        [F, T, F, F, F, F],
        [F, F, T, F, F, F],
      ],
    });
    expect(Array.from(batch.attentionMask?.data ?? [])).toEqual(new Array(12).fill(1));
  });

  it('DefaultInfillMLMCollator, sudoku-extreme setting (no BOS/EOS, block 3)', () => {
    const collator = createDefaultInfillMLMCollator({ tokenizer, random: createScriptedRandom(workedDraws(3)), blockSize: 3, addBos: false, addEos: false });
    const batch = collator.collate(infillExamples);
    expectRows(batch, {
      inputIds: [
        [5, 6, 1],
        [1, 9, 1],
      ],
      targetIds: [
        [5, 6, 7],
        [8, 9, 0],
      ],
      fixedPositionsMask: [
        [T, F, F],
        [F, T, F],
      ],
    });
  });

  it('MLMInfillWithExactTargetPredCollator: no new masks (t still drawn), PAD-padded targets', () => {
    const random = createScriptedRandom([0.5, 0.2]);
    const collator = createMLMInfillWithExactTargetPredCollator({ tokenizer, random, blockSize: 4, addBos: false, addEos: false, lossOnPadding: false });
    const batch = collator.collate(infillExamples);
    expectRows(batch, {
      inputIds: [
        [5, 1, 1, 0],
        [1, 9, 0, 0],
      ],
      attentionMask: [
        [T, T, T, F],
        [T, T, F, F],
      ],
      targetIds: [
        [5, 6, 7, 0],
        [8, 9, 0, 0],
      ],
    });
    expect(random.used).toBe(2);
  });
});

describe('seq2seq collators', () => {
  const seq2seqExamples = [
    { promptIds: [5, 6, 7], targetIds: [10, 11] },
    { promptIds: [8], targetIds: [12, 13, 14] },
  ];

  it('MLMSeq2SeqCollator: left-padded prompt + masked suffix block', () => {
    const random = createScriptedRandom(workedDraws(5));
    const collator = createMLMSeq2SeqCollator({ tokenizer, random, inputBlockSize: 4, blockSize: 5 });
    const batch = collator.collate(seq2seqExamples);
    expectRows(batch, {
      inputIds: [
        [0, 5, 6, 7, 1, 10, 1, 3, 0],
        [0, 0, 0, 8, 1, 12, 1, 14, 3],
      ],
      attentionMask: [
        [F, T, T, T, T, T, T, T, T],
        [F, F, F, T, T, T, T, T, T],
      ],
      targetIds: [
        [0, 5, 6, 7, 2, 10, 11, 3, 0],
        [0, 0, 0, 8, 2, 12, 13, 14, 3],
      ],
    });
    expect(batch.extra).toBeUndefined();
  });

  it('MLMSeq2SeqCollator with maskAllSuffix (the reference _MLMSeq2SeqPredCollator): u drawn, t not', () => {
    const random = createScriptedRandom(WORKED_U.flatMap((row) => row.slice(0, 5)));
    const collator = createMLMSeq2SeqCollator({ tokenizer, random, inputBlockSize: 4, blockSize: 5, maskAllSuffix: true });
    const batch = collator.collate(seq2seqExamples);
    expectRows(batch, {
      inputIds: [
        [0, 5, 6, 7, 1, 1, 1, 1, 1],
        [0, 0, 0, 8, 1, 1, 1, 1, 1],
      ],
      targetIds: [
        [0, 5, 6, 7, 2, 10, 11, 3, 0],
        [0, 0, 0, 8, 2, 12, 13, 14, 3],
      ],
    });
    expect(random.used).toBe(10);
  });

  it('MLMSeq2SeqPredCollator: BOS appended before left padding, PAD-padded targets, no randomness', () => {
    const collator = createMLMSeq2SeqPredCollator({ tokenizer, inputBlockSize: 5, blockSize: 5 });
    const batch = collator.collate(seq2seqExamples);
    expectRows(batch, {
      inputIds: [
        [0, 5, 6, 7, 2],
        [0, 0, 0, 8, 2],
      ],
      attentionMask: [
        [F, T, T, T, T],
        [F, F, F, T, T],
      ],
      targetIds: [
        [10, 11, 3, 0, 0],
        [12, 13, 14, 3, 0],
      ],
    });
  });
});

describe('PackedMLMCollator', () => {
  it('segments end after EOS, positions restart, every position maskable', () => {
    const random = createScriptedRandom([0.5, 0.1, 0.7, 0.3, 0.9, 0.6, 0.2, 0.4, 0.45]);
    const collator = createPackedMLMCollator({ tokenizer, random, blockSize: 8 });
    const batch = collator.collate([{ inputIds: [5, 6, 3, 7, 8, 3, 9, 10] }]);
    expectRows(batch, {
      inputIds: [[1, 6, 1, 7, 8, 1, 1, 1]],
      targetIds: [[5, 6, 3, 7, 8, 3, 9, 10]],
      positions: [[0, 1, 2, 0, 1, 2, 0, 1]],
      segmentIds: [[0, 0, 0, 1, 1, 1, 2, 2]],
    });
    expect(batch.attentionMask.shape).toEqual([1, 8, 8]);
    const cube = Array.from({ length: 8 }, (_, q) => Array.from(batch.attentionMask.data.subarray(q * 8, q * 8 + 8)));
    expect(cube).toEqual([
      [T, T, T, F, F, F, F, F],
      [T, T, T, F, F, F, F, F],
      [T, T, T, F, F, F, F, F],
      [F, F, F, T, T, T, F, F],
      [F, F, F, T, T, T, F, F],
      [F, F, F, T, T, T, F, F],
      [F, F, F, F, F, F, T, T],
      [F, F, F, F, F, F, T, T],
    ]);
  });
});

describe('preparePrefixIds', () => {
  const prefixes = [[5, 6, 7], [8]];
  it('width 4: left padded', () => {
    const batch = preparePrefixIds(prefixes, 0, { maxSeqLen: 4 });
    expectRows(batch, {
      inputIds: [
        [0, 5, 6, 7],
        [0, 0, 0, 8],
      ],
      attentionMask: [
        [F, T, T, T],
        [F, F, F, T],
      ],
    });
  });
  it('width 2: left truncated (keeps the tail)', () => {
    const batch = preparePrefixIds(prefixes, 0, { maxSeqLen: 2 });
    expectRows(batch, {
      inputIds: [
        [6, 7],
        [0, 8],
      ],
      attentionMask: [
        [T, T],
        [F, T],
      ],
    });
  });
  it("truncate 'none': the longest prompt", () => {
    expect(arrays(preparePrefixIds(prefixes, 0, { truncate: 'none' }).inputIds)).toEqual([
      [5, 6, 7],
      [0, 0, 8],
    ]);
  });
  it("truncate 'block' without maxSeqLen is an error", () => {
    expect(() => preparePrefixIds(prefixes, 0)).toThrow("truncate 'block' needs maxSeqLen");
  });
});

describe('preparePrefixSuffixIds / MLMSeq2SeqTrainCollator', () => {
  const prompts = [[5, 6, 7], [8]];
  const suffixes = [
    [10, 11],
    [12, 13, 14],
  ];
  const rowDraws = [0.5, 0.2, 0.1, 0.7, 0.3, 0.9, 0.6, 0.2, 0.4, 0.45, 0.1, 0.5, 0.05, 0.8, 0.3, 0.9, 0.1, 0.1];
  const trainExamples = prompts.map((promptIds, b) => ({ promptIds, targetIds: suffixes[b] as number[] }));
  // preparePrefixSuffixIds without a suffix window: the worked example's ids, width 8, the row draws.
  const withoutSuffixWindow = (options: { lossOnPadding?: boolean } = {}) =>
    preparePrefixSuffixIds(prompts, suffixes, { padTokenId: 0, maskTokenId: 1, bosTokenId: 2, eosTokenId: 3, maxSeqLen: 8, ...options, random: createScriptedRandom(rowDraws) });

  it('suffix window (train collator), lossOnPadding true', () => {
    const random = createScriptedRandom(rowDraws);
    const collator = createMLMSeq2SeqTrainCollator({ tokenizer, random, inputBlockSize: 4, blockSize: 4 });
    const batch = collator.collate(trainExamples);
    expectRows(batch, {
      inputIds: [
        [5, 6, 7, 2, 10, 1, 1, 1],
        [8, 2, 1, 13, 14, 3, 0, 0],
      ],
      attentionMask: [
        [T, T, T, T, T, T, T, T],
        [T, T, T, T, T, T, F, F],
      ],
      targetIds: [
        [5, 6, 7, 2, 10, 11, 3, 0],
        [8, 2, 12, 13, 14, 3, -100, -100],
      ],
    });
    expect(random.used).toBe(rowDraws.length);
  });

  it('suffix window, lossOnPadding false: target -100 at the slot pad; the pad stays PAD (fixed; the reference masks it)', () => {
    const random = createScriptedRandom(rowDraws);
    const collator = createMLMSeq2SeqTrainCollator({ tokenizer, random, inputBlockSize: 4, blockSize: 4, lossOnPadding: false });
    const batch = collator.collate(trainExamples);
    // Reference: input_ids[0][7] is [MASK] (1) with target -100; this port leaves the pad visible.
    expectRows(batch, {
      inputIds: [
        [5, 6, 7, 2, 10, 1, 1, 0],
        [8, 2, 1, 13, 14, 3, 0, 0],
      ],
      attentionMask: [
        [T, T, T, T, T, T, T, T],
        [T, T, T, T, T, T, F, F],
      ],
      targetIds: [
        [5, 6, 7, 2, 10, 11, 3, -100],
        [8, 2, 12, 13, 14, 3, -100, -100],
      ],
    });
  });

  it('without a suffix window, lossOnPadding true: pads masked too', () => {
    const batch = withoutSuffixWindow();
    expectRows(batch, {
      inputIds: [
        [5, 6, 7, 2, 10, 1, 1, 1],
        [8, 2, 1, 13, 14, 3, 1, 1],
      ],
      targetIds: [
        [5, 6, 7, 2, 10, 11, 3, 0],
        [8, 2, 12, 13, 14, 3, 0, 0],
      ],
    });
    expect(Array.from(batch.attentionMask.data)).toEqual(new Array(16).fill(1));
  });

  it('without a suffix window, lossOnPadding false', () => {
    const batch = withoutSuffixWindow({ lossOnPadding: false });
    expectRows(batch, {
      inputIds: [
        [5, 6, 7, 2, 10, 1, 1, 0],
        [8, 2, 1, 13, 14, 3, 0, 0],
      ],
      attentionMask: [
        [T, T, T, T, T, T, T, F],
        [T, T, T, T, T, T, F, F],
      ],
      targetIds: [
        [5, 6, 7, 2, 10, 11, 3, -100],
        [8, 2, 12, 13, 14, 3, -100, -100],
      ],
    });
  });
});
