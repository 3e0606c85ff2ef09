import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRandom } from '@mlm/random';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readSudokuCsv, writeSudokuCsv } from './sudoku-csv.js';
import { countSudokuClues, generateSudoku, type SudokuPuzzle } from './sudoku-generator.js';
import { countSudokuSolutions, formatSudokuGrid, isSolvedSudokuGrid, solveSudoku } from './sudoku-solver.js';

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});
async function temporaryFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'mlm-sudoku-'));
  folders.push(folder);
  return folder;
}

function checkPuzzle(puzzle: SudokuPuzzle, targetClues: number): void {
  expect(puzzle.quiz).toMatch(/^[0-9]{81}$/);
  expect(puzzle.solution).toMatch(/^[1-9]{81}$/);
  expect(isSolvedSudokuGrid(puzzle.solution)).toBe(true);
  for (let i = 0; i < 81; i++) if (puzzle.quiz[i] !== '0') expect(puzzle.quiz[i]).toBe(puzzle.solution[i]);
  expect(countSudokuSolutions(puzzle.quiz)).toBe(1);
  expect(formatSudokuGrid(solveSudoku(puzzle.quiz)!)).toBe(puzzle.solution);
  expect(countSudokuClues(puzzle.quiz)).toBeGreaterThanOrEqual(targetClues);
}

describe('generateSudoku', () => {
  it('generates puzzles with exactly one solution, equal to the stored one', () => {
    const random = createRandom(42);
    const clueCounts: number[] = [];
    for (let i = 0; i < 40; i++) {
      const puzzle = generateSudoku(random);
      checkPuzzle(puzzle, 33);
      clueCounts.push(countSudokuClues(puzzle.quiz));
    }
    // Removal reaches the default target of 33 clues (a unique 33-clue puzzle is easy to reach).
    expect(clueCounts.every((count) => count === 33)).toBe(true);
  });

  it('honours targetClues down to minimal puzzles (property over seeds)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 17, max: 60 }), (seed, targetClues) => {
        checkPuzzle(generateSudoku(createRandom(seed), { targetClues }), targetClues);
      }),
      { numRuns: 25 },
    );
  });

  it('is reproducible per seed', () => {
    const first = createRandom(9);
    const second = createRandom(9);
    const puzzlesA = Array.from({ length: 5 }, () => generateSudoku(first));
    const puzzlesB = Array.from({ length: 5 }, () => generateSudoku(second));
    expect(puzzlesB).toEqual(puzzlesA);
    expect(generateSudoku(createRandom(10))).not.toEqual(puzzlesA[0]);
  });

  it('rejects impossible clue targets', () => {
    expect(() => generateSudoku(createRandom(1), { targetClues: 16 })).toThrow(/targetClues = 16/);
    expect(() => generateSudoku(createRandom(1), { targetClues: 82 })).toThrow(/targetClues = 82/);
  });
});

describe('sudoku CSV', () => {
  it('round-trips puzzles in the reference layout', async () => {
    const random = createRandom(3);
    const puzzles = Array.from({ length: 12 }, () => generateSudoku(random));
    const file = path.join(await temporaryFolder(), 'nested', 'train.csv');
    expect(await writeSudokuCsv(file, puzzles)).toBe(12);
    const text = await readFile(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('quizzes,solutions');
    expect(lines[1]).toBe(`${puzzles[0]!.quiz},${puzzles[0]!.solution}`);
    const read: SudokuPuzzle[] = [];
    for await (const puzzle of readSudokuCsv(file)) read.push(puzzle);
    expect(read).toEqual(puzzles);
  });

  it('reads "." blanks, CRLF line ends and reordered columns', async () => {
    const puzzle = generateSudoku(createRandom(4));
    const file = path.join(await temporaryFolder(), 'other.csv');
    await writeFile(file, `solutions,quizzes\r\n${puzzle.solution},${puzzle.quiz.replaceAll('0', '.')}\r\n`);
    const read: SudokuPuzzle[] = [];
    for await (const item of readSudokuCsv(file)) read.push(item);
    expect(read).toEqual([puzzle]);
  });

  it('names the file and line of a malformed row, and a missing header', async () => {
    const folder = await temporaryFolder();
    const bad = path.join(folder, 'bad.csv');
    await writeFile(bad, `quizzes,solutions\n${'1'.repeat(81)},${'1'.repeat(80)}\n`);
    const readAll = async (file: string) => {
      for await (const item of readSudokuCsv(file)) void item;
    };
    await expect(readAll(bad)).rejects.toThrow(/bad\.csv:2: expected two 81-digit strings/);
    const headerless = path.join(folder, 'headerless.csv');
    await writeFile(headerless, `${'1'.repeat(81)},${'1'.repeat(81)}\n`);
    await expect(readAll(headerless)).rejects.toThrow(/headerless\.csv:1: expected a header/);
    await expect(readAll(path.join(folder, 'missing.csv'))).rejects.toThrow(/missing\.csv/);
    await expect(writeSudokuCsv(path.join(folder, 'w.csv'), [{ quiz: '1', solution: '2' }])).rejects.toThrow(/puzzle 0/);
  });
});
