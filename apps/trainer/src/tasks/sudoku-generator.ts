import type { RandomSource } from '@mlm/types';
import { shuffleInPlace } from './random-draws.js';
import { countSudokuSolutions, formatSudokuGrid, solveSudoku } from './sudoku-solver.js';

/** A puzzle in the reference's CSV layout: 81-char row-major digit strings, `0` = blank. */
export interface SudokuPuzzle {
  quiz: string;
  solution: string;
}

export interface GenerateSudokuOptions {
  /**
   * Stop removing clues once this many remain (17..81). Removal also stops earlier when no remaining
   * clue can be removed without losing uniqueness, so a puzzle may keep more clues. Default 33.
   */
  targetClues?: number;
}

export const DEFAULT_TARGET_CLUES = 33;
const EMPTY_GRID = new Uint8Array(81);

/**
 * One puzzle with a unique solution: a random full grid (randomized backtracking search on the empty
 * grid), then clues removed one by one in random order, each removal kept only while the solver
 * confirms the solution is still unique.
 */
export function generateSudoku(random: RandomSource, options: GenerateSudokuOptions = {}): SudokuPuzzle {
  const targetClues = options.targetClues ?? DEFAULT_TARGET_CLUES;
  if (!Number.isInteger(targetClues) || targetClues < 17 || targetClues > 81) {
    throw new Error(`generateSudoku: targetClues = ${targetClues}, expected an integer in [17, 81] (no 9×9 sudoku with fewer than 17 clues is unique)`);
  }
  const solution = solveSudoku(EMPTY_GRID, random);
  if (solution === undefined) throw new Error('generateSudoku: the solver found no full grid (internal error)');
  const quiz = solution.slice();
  const order = shuffleInPlace(Array.from({ length: 81 }, (_, i) => i), random);
  let clues = 81;
  for (const cell of order) {
    if (clues <= targetClues) break;
    const digit = quiz[cell] as number;
    quiz[cell] = 0;
    if (countSudokuSolutions(quiz, 2) === 1) clues -= 1;
    else quiz[cell] = digit;
  }
  return { quiz: formatSudokuGrid(quiz), solution: formatSudokuGrid(solution) };
}

/** Number of clues (non-zero cells) of an 81-char quiz string. */
export function countSudokuClues(quiz: string): number {
  let clues = 0;
  for (let i = 0; i < quiz.length; i++) if (quiz[i] !== '0' && quiz[i] !== '.') clues += 1;
  return clues;
}
