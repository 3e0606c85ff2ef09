import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import { afterAll, describe, expect, it } from 'vitest';
import { collectExamples } from './example-source.js';
import { countSudokuSolutions } from './sudoku-solver.js';
import { SUDOKU_SPLIT_SIZES, createSudokuTask, preprocessSudoku } from './sudoku-task.js';

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

const small = { seed: 42, numTrain: 40, numValidation: 6, numTest: 8 };

describe('preprocessSudoku', () => {
  it('puts [MASK] at blanks and 7 + digit elsewhere; the solution becomes ids 8..16', () => {
    const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
    const quiz = `50${'0'.repeat(78)}9`;
    const solution = `${'123456789'.repeat(9)}`;
    const example = preprocessSudoku({ quiz, solution }, tokenizer);
    expect(example.promptIds).toHaveLength(81);
    expect(example.promptIds.slice(0, 3)).toEqual([12, 2, 2]);
    expect(example.promptIds[80]).toBe(16);
    expect(example.inputIds.slice(0, 9)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(() => preprocessSudoku({ quiz: `x${quiz.slice(1)}`, solution }, tokenizer)).toThrow(/quiz\[0\] = "x"/);
  });
});

describe('createSudokuTask', () => {
  it('builds the sudoku_mlm task: tokenizer V=17, block 83, prediction rows ending with EOS like the training rows', async () => {
    const task = await createSudokuTask(small);
    expect(task.name).toBe('sudoku');
    expect(task.kind).toBe('infill');
    expect(task.tokenizer.vocabSize).toBe(17);
    expect(task.blockSize).toBe(83);
    expect(task.inputBlockSize).toBeUndefined();
    expect(task.collatorDefaults.train).toMatchObject({ name: 'mlm/default-collator', blockSize: 83, addBos: false, addEos: true, lossOnPadding: true });
    expect(task.collatorDefaults.prediction).toMatchObject({
      name: 'mlm/infill-with-exact-target-pred-collator',
      blockSize: 83,
      addBos: false,
      // Unlike xlm-core (no EOS at prediction): the model is trained on [cells][EOS] rows only.
      addEos: true,
      lossOnPadding: false,
    });
    expect([task.splits.train.size, task.splits.validation.size, task.splits.test.size]).toEqual([40, 6, 8]);
    const validation = await collectExamples(task.splits.validation);
    validation.forEach((example, index) => {
      const puzzle = task.puzzles.validation[index]!;
      expect(example).toEqual(preprocessSudoku(puzzle, task.tokenizer));
      expect(countSudokuSolutions(puzzle.quiz)).toBe(1);
    });
    expect(SUDOKU_SPLIT_SIZES).toEqual({ train: 10_000, validation: 100, test: 1_000 });
  });

  it('is reproducible per seed; evaluation puzzles never share a solution with training', async () => {
    const a = await createSudokuTask(small);
    const b = await createSudokuTask(small);
    expect(b.puzzles).toEqual(a.puzzles);
    const train = new Set(a.puzzles.train.map((puzzle) => puzzle.solution));
    for (const puzzle of [...a.puzzles.validation, ...a.puzzles.test]) expect(train.has(puzzle.solution)).toBe(false);
    const other = await createSudokuTask({ ...small, seed: 7 });
    expect(other.puzzles.train[0]).not.toEqual(a.puzzles.train[0]);
  });

  it('caches CSV files keyed by seed, counts and clues in dataDir', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'mlm-sudoku-task-'));
    folders.push(dataDir);
    const first = await createSudokuTask({ ...small, dataDir, targetClues: 40 });
    expect(first.dataDirectory).toBe(path.join(dataDir, 'sudoku', 'seed-42-train-40-validation-6-test-8-clues-40'));
    expect((await readdir(first.dataDirectory!)).sort()).toEqual(['test.csv', 'train.csv', 'validation.csv']);
    const lines = (await readFile(path.join(first.dataDirectory!, 'test.csv'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(9);
    expect(lines[0]).toBe('quizzes,solutions');
    const second = await createSudokuTask({ ...small, dataDir, targetClues: 40 });
    expect(second.puzzles).toEqual(first.puzzles);
    for (const puzzle of first.puzzles.train) expect(puzzle.quiz.replaceAll('0', '').length).toBe(40);
  });

  it('rejects bad options', async () => {
    await expect(createSudokuTask({ seed: 1, numValidation: -2 })).rejects.toThrow(/numValidation = -2/);
    await expect(createSudokuTask({ seed: 1, targetClues: 10 })).rejects.toThrow(/targetClues = 10/);
    await expect(createSudokuTask({ seed: 1, blockSize: 81 })).rejects.toThrow(/blockSize = 81/);
  });
});
