/** Ports of xlm-core tests/models/mlm/test_collator_mlm.py and the BaseCollatorTests mixin (tests/models/_base.py). */
import { createRandom } from '@mlm/random';
import { createScriptedRandom } from '@mlm/random/testing';
import type { BoolMatrix, Collator, CollatorInput, MLMBatch } from '@mlm/types';
import { describe, expect, it } from 'vitest';
import { SimpleSpaceTokenizer } from '../tokenizers/simple-space-tokenizer.js';
import { createDefaultMLMCollator } from './default-mlm-collator.js';
import { matrixRow } from './matrices.js';
import { createMLMSeq2SeqPredCollator } from './mlm-seq2seq-collator.js';
import { preparePrefixIds } from './prepare-prefix-ids.js';
import { preparePrefixSuffixIds } from './prepare-prefix-suffix-ids.js';

const tokenizer = new SimpleSpaceTokenizer(Array.from({ length: 50 }, (_, i) => String(i)));

function baseCollatorTests(name: string, makeCollator: () => Collator<CollatorInput, MLMBatch>, makeExamples: () => CollatorInput[]): void {
  describe(`${name} (BaseCollatorTests)`, () => {
    it('returns targetIds, one row per example, matching shapes, width ≤ blockSize', () => {
      const collator = makeCollator();
      const examples = makeExamples();
      const batch = collator.collate(examples);
      expect(batch.targetIds).toBeDefined();
      expect(batch.inputIds.shape[0]).toBe(examples.length);
      expect((batch.attentionMask as BoolMatrix).shape).toEqual(batch.inputIds.shape);
      if (collator.blockSize !== undefined) expect(batch.inputIds.shape[1]).toBeLessThanOrEqual(collator.blockSize);
    });
  });
}

const idRandom = createRandom(7);
baseCollatorTests(
  'DefaultMLMCollator',
  () => createDefaultMLMCollator({ tokenizer, blockSize: 32, random: createRandom(0) }),
  () =>
    Array.from({ length: 4 }, () => ({
      inputIds: Array.from({ length: 20 }, () => 7 + Math.floor(idRandom.next() * 50)),
      attentionMask: new Array(20).fill(1),
      tokenTypeIds: new Array(20).fill(0),
    })),
);

describe('TestMLMSeq2SeqPredCollator', () => {
  const collator = createMLMSeq2SeqPredCollator({ tokenizer, blockSize: 16, inputBlockSize: 16, addBos: true, addEos: true });
  const examples = [
    { promptIds: [10, 11, 12], inputIds: [20, 21] },
    { promptIds: [13, 14], inputIds: [22, 23, 24] },
  ];

  it('test_output_shape_and_left_padded_prompt', () => {
    const batch = collator.collate(examples);
    expect(batch.inputIds.shape).toEqual([2, 16]);
    expect(batch.targetIds?.shape).toEqual([2, 16]);
    expect((batch.attentionMask as BoolMatrix).shape).toEqual([2, 16]);
    for (const b of [0, 1]) {
      const row = matrixRow(batch.inputIds, b);
      expect(row[15]).toBe(tokenizer.bosTokenId);
      expect(row[0]).toBe(tokenizer.padTokenId);
    }
  });

  it('test_target_ids_pad_right', () => {
    const targets = matrixRow(collator.collate(examples).targetIds as MLMBatch['inputIds'], 0);
    expect(targets.slice(0, 3)).toEqual([20, 21, 3]);
    expect(targets[15]).toBe(0);
  });
});

describe('TestPreparePrefixIds', () => {
  it('test_left_pads_to_max_seq_len', () => {
    const batch = preparePrefixIds(
      [
        [10, 11, 12],
        [13, 14],
      ],
      0,
      { maxSeqLen: 8, truncate: 'block' },
    );
    expect(batch.inputIds.shape).toEqual([2, 8]);
    expect([matrixRow(batch.inputIds, 0)[7], matrixRow(batch.inputIds, 1)[7]]).toEqual([12, 14]);
    expect([matrixRow(batch.inputIds, 0)[0], matrixRow(batch.inputIds, 1)[0]]).toEqual([0, 0]);
    const sums = [0, 1].map((b) => matrixRow(batch.attentionMask, b).reduce((a, c) => a + c, 0));
    expect(sums).toEqual([3, 2]);
  });
});

describe('TestPreparePrefixSuffixIds', () => {
  function starBatch(random: ReturnType<typeof createRandom> | ReturnType<typeof createScriptedRandom>) {
    return preparePrefixSuffixIds(
      [
        [10, 11, 12],
        [13, 14],
      ],
      [
        [20, 21],
        [22, 23, 24],
      ],
      { padTokenId: 0, maskTokenId: 2, eosTokenId: 3, bosTokenId: 4, maxSeqLen: 24, truncate: 'block', suffixBlockSize: 8, random },
    );
  }

  function checkLayout(batch: ReturnType<typeof starBatch>): void {
    expect(batch.inputIds.shape).toEqual([2, 24]);
    const visible = 3 + 1 + 8;
    const attention = matrixRow(batch.attentionMask, 0);
    expect(attention.slice(0, visible).every((v) => v === 1)).toBe(true);
    expect(attention.slice(visible).every((v) => v === 0)).toBe(true);
    const targets = matrixRow(batch.targetIds, 0);
    expect(targets.slice(visible).every((v) => v === -100)).toBe(true);
    const input = matrixRow(batch.inputIds, 0);
    expect(input[0]).toBe(10);
    expect(input[3]).toBe(4);
    expect(input.slice(0, 4)).not.toContain(2);
    expect(targets.slice(4, 8)).toEqual([20, 21, 3, 0]);
  }

  it('test_star_hidden_tail_and_suffix_slot (scripted draws: t_0 = 0.496 as torch seed 0, one slot draw below it)', () => {
    // t = [0.496, 0.3]; row 0's slot (cols 4..11) draws 0.9 except col 6 (0.1) → exactly one [MASK] there.
    const row0 = Array.from({ length: 24 }, (_, j) => (j === 6 ? 0.1 : 0.9));
    const row1 = new Array(24).fill(0.5);
    const batch = starBatch(createScriptedRandom([0.496, 0.3, ...row0, ...row1]));
    checkLayout(batch);
    const slot = matrixRow(batch.inputIds, 0).slice(4, 12);
    expect(slot.filter((id) => id === 2)).toHaveLength(1);
    expect(slot[2]).toBe(2);
  });

  it('the same layout holds for seeded draws (any seed)', () => {
    for (const seed of [0, 1, 2, 3]) checkLayout(starBatch(createRandom(seed)));
  });
});
