import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_IN_TASKS } from './built-in-tasks.js';
import { collectExamples } from './example-source.js';
import { starGraphKey } from './star-graph-generator.js';
import { STAR_SPLIT_SIZES, createStarTask, preprocessStarGraph } from './star-task.js';

const temporaryFolders: string[] = [];
async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'mlm-star-'));
  temporaryFolders.push(folder);
  return folder;
}
afterAll(async () => {
  for (const folder of temporaryFolders) await rm(folder, { recursive: true, force: true });
});

const small = { seed: 42, numTrain: 300, numValidation: 40, numTest: 60 };

describe('preprocessStarGraph', () => {
  it('maps flattened edges + source + goal, and consecutive path pairs, to 7 + node', () => {
    const tokenizer = SimpleSpaceTokenizer.forNumbers(20);
    const example = preprocessStarGraph({ edgeList: [[3, 0], [0, 12], [3, 5]], source: 3, goal: 12, path: [3, 0, 12] }, tokenizer);
    expect(example.promptIds).toEqual([10, 7, 7, 19, 10, 12, 10, 19]);
    expect(example.inputIds).toEqual([10, 7, 7, 19]);
  });
});

describe('createStarTask', () => {
  it('builds star-easy as the reference experiment (tokenizer, blocks, collator options, sizes)', async () => {
    const task = await createStarTask('easy', small);
    expect(task.name).toBe('star-easy');
    expect(task.kind).toBe('seq2seq');
    expect(task.tokenizer.vocabSize).toBe(27);
    expect(task.blockSize).toBe(14);
    expect(task.inputBlockSize).toBe(28);
    expect(task.collatorDefaults.train).toMatchObject({ name: 'mlm/seq2seq-train-collator', addBos: true, addEos: true, lossOnPadding: true, blockSize: 14, inputBlockSize: 28 });
    expect(task.collatorDefaults.prediction).toMatchObject({ name: 'mlm/seq2seq-pred-collator', addBos: true, addEos: true, lossOnPadding: true });
    expect(task.splits.train.size).toBe(300);
    expect(task.splits.validation.size).toBe(40);
    expect(task.splits.test.size).toBe(60);
    const train = await collectExamples(task.splits.train);
    expect(train).toHaveLength(300);
    expect(train[0]).toEqual(preprocessStarGraph(task.graphs.train[0]!, task.tokenizer));
    for (const example of train) {
      expect(example.promptIds).toHaveLength(26);
      expect(example.inputIds).toHaveLength(8);
    }
    // Re-iterable in the same order.
    expect(await collectExamples(task.splits.train)).toEqual(train);
  });

  it('uses the reference split sizes by default', async () => {
    expect(STAR_SPLIT_SIZES).toEqual({ train: 50_000, validation: 100, test: 5_000 });
  });

  it('sets blocks and tokenizers for medium and hard', async () => {
    const medium = await createStarTask('medium', { seed: 1, numTrain: 50, numValidation: 5, numTest: 5 });
    expect([medium.blockSize, medium.inputBlockSize, medium.tokenizer.vocabSize]).toEqual([16, 36, 27]);
    const hard = await createStarTask('hard', { seed: 1, numTrain: 50, numValidation: 5, numTest: 5 });
    expect([hard.blockSize, hard.inputBlockSize, hard.tokenizer.vocabSize]).toEqual([28, 116, 63]);
    for (const example of await collectExamples(hard.splits.train)) {
      // Prompt + BOS fits the prompt block; path + BOS + EOS fits the suffix block.
      expect(example.promptIds!.length + 1).toBeLessThanOrEqual(116);
      expect(example.inputIds!.length + 2).toBeLessThanOrEqual(28);
    }
  });

  it('is reproducible per seed; validation and test come from other streams and never repeat train', async () => {
    const a = await createStarTask('easy', small);
    const b = await createStarTask('easy', small);
    expect(b.graphs).toEqual(a.graphs);
    const other = await createStarTask('easy', { ...small, seed: 43 });
    expect(other.graphs.train).not.toEqual(a.graphs.train);
    expect(a.graphs.validation).not.toEqual(a.graphs.train.slice(0, 40));
    const trainKeys = new Set(a.graphs.train.map(starGraphKey));
    const validationKeys = new Set(a.graphs.validation.map(starGraphKey));
    for (const graph of a.graphs.validation) expect(trainKeys.has(starGraphKey(graph))).toBe(false);
    for (const graph of a.graphs.test) {
      expect(trainKeys.has(starGraphKey(graph))).toBe(false);
      expect(validationKeys.has(starGraphKey(graph))).toBe(false);
    }
  });

  it('keeps validation distinct from a one-graph training set', async () => {
    const task = await createStarTask('easy', { seed: 3, numTrain: 1, numValidation: 3, numTest: 3 });
    expect(task.graphs.validation.map(starGraphKey)).not.toContain(starGraphKey(task.graphs.train[0]!));
  });

  it('caches the graphs as JSON lines in dataDir and reads them back', async () => {
    const dataDir = await temporaryFolder();
    const first = await createStarTask('medium', { ...small, dataDir });
    expect(first.dataDirectory).toBe(path.join(dataDir, 'star-medium', 'seed-42-train-300-validation-40-test-60'));
    expect((await readdir(first.dataDirectory!)).sort()).toEqual(['test.jsonl', 'train.jsonl', 'validation.jsonl']);
    const lines = (await readFile(path.join(first.dataDirectory!, 'train.jsonl'), 'utf8')).trim().split('\n');
    expect(lines).toHaveLength(300);
    expect(JSON.parse(lines[0]!)).toEqual(first.graphs.train[0]);
    const second = await createStarTask('medium', { ...small, dataDir });
    expect(second.graphs).toEqual(first.graphs);
    // A cached file with the wrong count is reported, naming the file.
    await writeFile(path.join(first.dataDirectory!, 'validation.jsonl'), `${lines[0]}\n`);
    await expect(createStarTask('medium', { ...small, dataDir })).rejects.toThrow(/validation\.jsonl holds 1 examples, expected 40/);
  });

  it('rejects bad options with the field, the value and what was expected', async () => {
    await expect(createStarTask('easy', { seed: 1, numTrain: -1 })).rejects.toThrow(/star-easy: invalid options: numTrain = -1/);
    await expect(createStarTask('easy', { seed: 1.5 })).rejects.toThrow(/seed = 1.5/);
    await expect(createStarTask('easy', { seed: 1, blockSize: 20 })).rejects.toThrow(/blockSize = 20/);
    await expect(createStarTask('giant' as 'easy', { seed: 1 })).rejects.toThrow(/difficulty = "giant"/);
  });
});

describe('BUILT_IN_TASKS', () => {
  it('names the eight built-in tasks', async () => {
    expect(Object.keys(BUILT_IN_TASKS).sort()).toEqual(['jsonl-pairs', 'star-easy', 'star-hard', 'star-medium', 'sudoku', 'sudoku-4x4', 'sudoku-6x6', 'text-char']);
    const task = await BUILT_IN_TASKS['star-hard']!({ seed: 2, numTrain: 10, numValidation: 2, numTest: 2 });
    expect(task.name).toBe('star-hard');
  });
});
