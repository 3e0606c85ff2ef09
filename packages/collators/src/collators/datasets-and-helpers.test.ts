import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRandom } from '@mlm/random';
import { createScriptedRandom } from '@mlm/random/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { SimpleSpaceTokenizer } from '../tokenizers/simple-space-tokenizer.js';
import { createDefaultMLMCollator } from './default-mlm-collator.js';
import { matrixToArrays } from './matrices.js';
import { createMLMEmptyDataset, MLMEmptyDatasetFromLengthRef, parseLengthReference } from './mlm-empty-dataset.js';
import { createMLMEmptyDatasetFromLengthRef, loadLengthReference } from './length-reference-file.js';
import { createMLMSeq2SeqCollator, createMLMSeq2SeqPredCollator } from './mlm-seq2seq-collator.js';
import { createPackedMLMCollator } from './packed-mlm-collator.js';
import { createPaplUnconditionalCollator, createPaplUnconditionalDataset, PAPL_DEFAULT_LENGTHS } from './papl-unconditional.js';
import { printBatch } from './print-batch.js';

const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
const directories: string[] = [];
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('PAPL (test_papl_unconditional.py)', () => {
  it('dataset yields examplesPerNode all-mask examples per length, in order', () => {
    const dataset = createPaplUnconditionalDataset({ tokenizer, examplesPerNode: 2, lengths: [3, 5] });
    const items = [...dataset];
    expect(items.map((item) => item.inputIds.length)).toEqual([3, 3, 5, 5]);
    expect(items.every((item) => item.inputIds.every((id) => id === tokenizer.maskTokenId))).toBe(true);
    expect(dataset.length).toBe(4);
    expect(createPaplUnconditionalDataset({ tokenizer, examplesPerNode: 1 }).lengths).toEqual(PAPL_DEFAULT_LENGTHS);
  });

  it('collator stacks equal-length examples; attention all ones; targets an independent copy', () => {
    const collator = createPaplUnconditionalCollator();
    const batch = collator.collate([{ inputIds: [2, 2, 2] }, { inputIds: [2, 2, 2] }]);
    expect(batch.inputIds.shape).toEqual([2, 3]);
    expect(Array.from(batch.attentionMask?.data ?? [])).toEqual([1, 1, 1, 1, 1, 1]);
    expect(matrixToArrays(batch.targetIds as typeof batch.inputIds)).toEqual(matrixToArrays(batch.inputIds));
    (batch.targetIds as typeof batch.inputIds).data[0] = 9;
    expect(batch.inputIds.data[0]).toBe(2);
    expect(() => collator.collate([{ inputIds: [2, 2, 2] }, { inputIds: [2, 2] }])).toThrow(/fixed length/);
  });
});

describe('MLMEmptyDataset / MLMEmptyDatasetFromLengthRef', () => {
  it('MLMEmptyDataset yields numExamples all-mask rows; a collator leaves them all-mask', () => {
    const dataset = createMLMEmptyDataset({ tokenizer, numExamples: 3, maxLength: 4 });
    const examples = [...dataset];
    expect(examples).toHaveLength(3);
    expect(examples[0]?.inputIds).toEqual([2, 2, 2, 2]);
    const batch = createDefaultMLMCollator({ tokenizer, random: createRandom(1), blockSize: 4, addBos: false, addEos: false }).collate(examples);
    expect(Array.from(batch.inputIds.data).every((id) => id === tokenizer.maskTokenId)).toBe(true);
  });

  it('draws lengths uniformly from the reference lengths, at least minLength', () => {
    const dataset = new MLMEmptyDatasetFromLengthRef({ tokenizer, numExamples: 3, lengths: [1, 5, 9], minLength: 2, random: createScriptedRandom([0.1, 0.5, 0.99]) });
    expect([...dataset].map((example) => example.inputIds.length)).toEqual([2, 5, 9]);
    expect(() => new MLMEmptyDatasetFromLengthRef({ tokenizer, numExamples: 1, lengths: [], random: createRandom(0) })).toThrow('option lengths is empty');
  });

  it('reads .txt length files; .pkl and other formats get clear errors', async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), 'mlm-lengths-'));
    directories.push(directory);
    const file = path.join(directory, 'lengths.txt');
    await writeFile(file, '3\n\n7\n 4 \n', 'utf8');
    expect(await loadLengthReference(file)).toEqual([3, 7, 4]);
    const dataset = await createMLMEmptyDatasetFromLengthRef({ tokenizer, numExamples: 2, lengthRefFile: file, random: createRandom(3) });
    expect([...dataset].every((example) => [3, 7, 4].includes(example.inputIds.length))).toBe(true);
    await expect(loadLengthReference(path.join(directory, 'zinc.pkl'))).rejects.toThrow('pickle (.pkl) length files are not supported in JavaScript');
    await expect(loadLengthReference(path.join(directory, 'zinc.csv'))).rejects.toThrow('unsupported length reference format');
    await writeFile(file, '3\nx\n', 'utf8');
    await expect(loadLengthReference(file)).rejects.toThrow(':2: "x" is not a non-negative integer');
    expect(parseLengthReference('5\n\n6\r\n')).toEqual([5, 6]);
    expect(() => parseLengthReference('5\n-1', 'lengths.txt')).toThrow('parseLengthReference: lengths.txt:2: "-1" is not a non-negative integer');
    expect(() => parseLengthReference('\n', 'lengths.txt')).toThrow('parseLengthReference: lengths.txt holds no lengths');
  });
});

describe('field names, pass-through, printBatch', () => {
  it('reads the reference snake_case field names too', () => {
    const collator = createMLMSeq2SeqPredCollator({ tokenizer, inputBlockSize: 3, blockSize: 3 });
    const camel = collator.collate([{ promptIds: [7], targetIds: [8] }]);
    const snake = collator.collate([{ prompt_ids: [7], target_ids: [8] }]);
    expect(matrixToArrays(snake.inputIds)).toEqual(matrixToArrays(camel.inputIds));
    expect(matrixToArrays(snake.targetIds as typeof snake.inputIds)).toEqual([[8, 3, 0]]);
  });

  it('falls back to the legacy inputIds suffix and copies pass-through fields into extra', () => {
    const collator = createMLMSeq2SeqCollator({ tokenizer, random: createRandom(0), inputBlockSize: 2, blockSize: 4, passThroughFields: ['answer', 'id'] });
    const batch = collator.collate([
      { promptIds: [7], inputIds: [8], answer: '1' },
      { promptIds: [9], inputIds: [10], answer: '3' },
    ]);
    expect(batch.extra).toEqual({ answer: ['1', '3'] });
    expect(matrixToArrays(batch.targetIds as typeof batch.inputIds)).toEqual([
      [0, 7, 4, 8, 3, 0],
      [0, 9, 4, 10, 3, 0],
    ]);
  });

  it('printBatch prints row 0 like print_batch_mlm', () => {
    const batch = createDefaultMLMCollator({ tokenizer, random: createScriptedRandom([0.5, 0.1, 0.9, 0.9, 0.9]), blockSize: 4, addBos: false, lossOnPadding: false }).collate([
      { inputIds: [7, 8] },
    ]);
    const lines: string[] = [];
    const text = printBatch(batch, 'train', tokenizer, { dataloaderName: 'lm', log: (line) => lines.push(line) });
    expect(text).toBe(
      [
        'Printing first entries of the tensors in batch for train/lm...',
        'input tokens:',
        '[MASK] 1 [EOS] [PAD]',
        'input_ids:',
        '[2, 8, 3, 0]',
        'attention_mask (int):',
        '[1, 1, 1, 0]',
        'target_ids:',
        '[7, 8, 3, -100]',
        'target tokens:',
        '0 1 [EOS] [PAD]',
      ].join('\n'),
    );
    expect(lines).toEqual([text]);
    const packed = createPackedMLMCollator({ tokenizer, random: createRandom(0), blockSize: 3 }).collate([{ inputIds: [7, 3, 8] }]);
    expect(printBatch(packed, 'val', tokenizer, { log: () => {} })).toContain('(3-D document mask [3, 3]; segmentIds: [0, 0, 1])');
  });
});
