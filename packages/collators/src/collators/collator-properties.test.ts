/** Property tests (fast-check): masks only where allowed, shapes, pad placement, determinism per seed. */
import { createRandom } from '@mlm/random';
import type { BoolMatrix, MLMBatch } from '@mlm/types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimpleSpaceTokenizer } from '../tokenizers/simple-space-tokenizer.js';
import { createDefaultInfillMLMCollator } from './default-infill-mlm-collator.js';
import { createDefaultMLMCollator } from './default-mlm-collator.js';
import { matrixToArrays } from './matrices.js';
import { createMLMSeq2SeqCollator } from './mlm-seq2seq-collator.js';
import { createMLMSeq2SeqTrainCollator } from './mlm-seq2seq-train-collator.js';
import { createPackedMLMCollator } from './packed-mlm-collator.js';

const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
const { padTokenId: PAD, maskTokenId: MASK, bosTokenId: BOS, eosTokenId: EOS } = tokenizer;
const content = fc.integer({ min: 7, max: 16 });
const ids = (maxLength: number) => fc.array(content, { minLength: 0, maxLength });
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

function sameBatch(a: MLMBatch, b: MLMBatch): void {
  expect(Array.from(a.inputIds.data)).toEqual(Array.from(b.inputIds.data));
  expect(Array.from(a.targetIds?.data ?? [])).toEqual(Array.from(b.targetIds?.data ?? []));
  expect(Array.from(a.attentionMask?.data ?? [])).toEqual(Array.from(b.attentionMask?.data ?? []));
}

describe('DefaultMLMCollator properties', () => {
  it('shape, right padding, masks only over targets, pads masked only with lossOnPadding, deterministic per seed', () => {
    fc.assert(
      fc.property(fc.array(ids(10), { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean(), fc.boolean(), seed, (rows, lossOnPadding, addBos, addEos, s) => {
        const make = () => createDefaultMLMCollator({ tokenizer, random: createRandom(s), blockSize: 12, lossOnPadding, addBos, addEos });
        const examples = rows.map((inputIds) => ({ inputIds }));
        const batch = make().collate(examples);
        sameBatch(batch, make().collate(examples));
        expect(batch.inputIds.shape).toEqual([rows.length, 12]);
        const inputs = matrixToArrays(batch.inputIds);
        const targets = matrixToArrays(batch.targetIds as MLMBatch['inputIds']);
        const attention = matrixToArrays(batch.attentionMask as BoolMatrix);
        rows.forEach((row, b) => {
          const expected = [...(addBos ? [BOS] : []), ...row, ...(addEos ? [EOS] : [])];
          for (let j = 0; j < 12; j++) {
            const real = j < expected.length;
            const target = targets[b]?.[j];
            const input = inputs[b]?.[j];
            if (real) expect(target).toBe(expected[j]);
            else expect(target).toBe(lossOnPadding ? PAD : -100);
            expect(attention[b]?.[j]).toBe(real || lossOnPadding ? 1 : 0);
            // Every input is either the target or [MASK]; padding is masked only with lossOnPadding.
            if (input !== MASK) expect(input).toBe(real ? expected[j] : PAD);
            if (!real && !lossOnPadding) expect(input).toBe(PAD);
          }
        });
      }),
      { numRuns: 150 },
    );
  });
});

describe('DefaultInfillMLMCollator properties', () => {
  it('fixed (given) positions are never masked and are reported in fixedPositionsMask', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.tuple(content, fc.boolean()), { maxLength: 8 }), { minLength: 1, maxLength: 5 }), seed, (rows, s) => {
        const examples = rows.map((row) => ({ inputIds: row.map(([id]) => id), promptIds: row.map(([id, blank]) => (blank ? MASK : id)) }));
        const batch = createDefaultInfillMLMCollator({ tokenizer, random: createRandom(s), blockSize: 10, addBos: true, addEos: true }).collate(examples);
        const inputs = matrixToArrays(batch.inputIds);
        const fixed = matrixToArrays(batch.fixedPositionsMask as BoolMatrix);
        rows.forEach((row, b) => {
          row.forEach(([id, blank], k) => {
            expect(fixed[b]?.[k + 1]).toBe(blank ? 0 : 1);
            if (!blank) expect(inputs[b]?.[k + 1]).toBe(id);
          });
          expect(fixed[b]?.[0]).toBe(0);
        });
      }),
      { numRuns: 150 },
    );
  });
});

describe('seq2seq properties', () => {
  it('MLMSeq2SeqTrainCollator never masks the prompt or BOS; hidden tail has -100 targets', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(ids(5), ids(5)), { minLength: 1, maxLength: 5 }), fc.boolean(), seed, (pairs, lossOnPadding, s) => {
        const make = () => createMLMSeq2SeqTrainCollator({ tokenizer, random: createRandom(s), inputBlockSize: 6, blockSize: 6, lossOnPadding });
        const examples = pairs.map(([promptIds, targetIds]) => ({ promptIds, targetIds }));
        const batch = make().collate(examples);
        sameBatch(batch, make().collate(examples));
        expect(batch.inputIds.shape).toEqual([pairs.length, 12]);
        const inputs = matrixToArrays(batch.inputIds);
        const targets = matrixToArrays(batch.targetIds as MLMBatch['inputIds']);
        const attention = matrixToArrays(batch.attentionMask as BoolMatrix);
        pairs.forEach(([prompt, suffix], b) => {
          expect(inputs[b]?.slice(0, prompt.length + 1)).toEqual([...prompt, BOS]);
          const visible = prompt.length + 1 + 6;
          for (let j = 0; j < 12; j++) {
            expect(attention[b]?.[j]).toBe(j < visible ? 1 : 0);
            if (j >= visible) expect(targets[b]?.[j]).toBe(-100);
            // With lossOnPadding false no unscored position is masked.
            if (!lossOnPadding && targets[b]?.[j] === -100) expect(inputs[b]?.[j]).not.toBe(MASK);
          }
          const slot = [...suffix, EOS, ...new Array(6).fill(PAD)].slice(0, 6);
          slot.forEach((id, k) => {
            const target = targets[b]?.[prompt.length + 1 + k];
            expect(target).toBe(!lossOnPadding && k > suffix.length ? -100 : id);
          });
        });
      }),
      { numRuns: 150 },
    );
  });

  it('MLMSeq2SeqCollator never masks the left-padded prompt', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(ids(4), ids(4)), { minLength: 1, maxLength: 4 }), seed, (pairs, s) => {
        const examples = pairs.map(([promptIds, targetIds]) => ({ promptIds, targetIds }));
        const batch = createMLMSeq2SeqCollator({ tokenizer, random: createRandom(s), inputBlockSize: 4, blockSize: 6 }).collate(examples);
        const inputs = matrixToArrays(batch.inputIds);
        pairs.forEach(([prompt], b) => {
          expect(inputs[b]?.slice(0, 4)).toEqual([...new Array(4 - prompt.length).fill(PAD), ...prompt]);
        });
      }),
      { numRuns: 100 },
    );
  });
});

describe('PackedMLMCollator properties', () => {
  it('positions restart after EOS; the document mask is segment equality; inputs are targets or [MASK]', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 3, max: 16 }), { minLength: 8, maxLength: 8 }), { minLength: 1, maxLength: 3 }), seed, (rows, s) => {
        const batch = createPackedMLMCollator({ tokenizer, random: createRandom(s), blockSize: 8 }).collate(rows.map((inputIds) => ({ inputIds })));
        rows.forEach((row, b) => {
          let position = 0;
          let segment = 0;
          for (let i = 0; i < 8; i++) {
            if (i > 0 && row[i - 1] === EOS) {
              position = 0;
              segment++;
            }
            expect(batch.positions.data[b * 8 + i]).toBe(position++);
            expect(batch.segmentIds.data[b * 8 + i]).toBe(segment);
            const input = batch.inputIds.data[b * 8 + i];
            if (input !== MASK) expect(input).toBe(row[i]);
            for (let k = 0; k < 8; k++) {
              const same = batch.segmentIds.data[b * 8 + i] === batch.segmentIds.data[b * 8 + k];
              expect(batch.attentionMask.data[b * 64 + i * 8 + k]).toBe(same ? 1 : 0);
            }
          }
        });
      }),
      { numRuns: 100 },
    );
  });
});
