import type { RandomSource } from '@mlm/types';
import { shuffleInPlace } from './random-draws.js';
import { sudokuBoard, type SudokuBoard, type SudokuBoardName } from './sudoku-board.js';
import { countSudokuSolutions, formatSudokuGrid, solveSudoku } from './sudoku-solver.js';

/** A puzzle in the reference's CSV layout: n²-char row-major digit strings, `0` = blank. */
export interface SudokuPuzzle {
  quiz: string;
  solution: string;
}

export interface GenerateSudokuOptions {
  /** Board shape (default 9×9). */
  board?: SudokuBoard;
  /**
   * Stop removing clues once this many remain. Removal also stops earlier when no remaining clue can
   * be removed without losing uniqueness (a minimal puzzle), so a puzzle may keep more clues.
   * Default: 33 on 9×9; on 4×4 and 6×6 the board's fewest possible clues, that is minimal puzzles.
   */
  targetClues?: number;
}

/** Default clue target on 9×9. */
export const DEFAULT_TARGET_CLUES = 33;

/** Fewest clues a unique puzzle can have per board (4×4: 4, 6×6: 8, 9×9: 17). */
export const MIN_SUDOKU_CLUES: Readonly<Record<SudokuBoardName, number>> = { '4x4': 4, '6x6': 8, '9x9': 17 };

/** The default clue target of a board: 33 on 9×9, minimal puzzles on the smaller boards. */
export function defaultTargetClues(board: SudokuBoard): number {
  return board.name === '9x9' ? DEFAULT_TARGET_CLUES : MIN_SUDOKU_CLUES[board.name];
}

/**
 * One puzzle with a unique solution: a random full grid (randomized backtracking search on the empty
 * grid), then clues removed one by one in random order, each removal kept only while the solver
 * confirms the solution is still unique.
 */
export function generateSudoku(random: RandomSource, options: GenerateSudokuOptions = {}): SudokuPuzzle {
  const board = options.board ?? sudokuBoard('9x9');
  const targetClues = options.targetClues ?? defaultTargetClues(board);
  const minimum = MIN_SUDOKU_CLUES[board.name];
  if (!Number.isInteger(targetClues) || targetClues < minimum || targetClues > board.numCells) {
    throw new Error(
      `generateSudoku: targetClues = ${targetClues}, expected an integer in [${minimum}, ${board.numCells}] (no ${board.name} sudoku with fewer than ${minimum} clues is unique)`,
    );
  }
  const solution = solveSudoku(new Uint8Array(board.numCells), random, board);
  if (solution === undefined) throw new Error('generateSudoku: the solver found no full grid (internal error)');
  const quiz = solution.slice();
  const order = shuffleInPlace(Array.from({ length: board.numCells }, (_, i) => i), random);
  let clues = board.numCells;
  for (const cell of order) {
    if (clues <= targetClues) break;
    const digit = quiz[cell] as number;
    quiz[cell] = 0;
    if (countSudokuSolutions(quiz, 2, board) === 1) clues -= 1;
    else quiz[cell] = digit;
  }
  return { quiz: formatSudokuGrid(quiz), solution: formatSudokuGrid(solution) };
}

/** Number of clues (non-zero cells) of a quiz string. */
export function countSudokuClues(quiz: string): number {
  let clues = 0;
  for (let i = 0; i < quiz.length; i++) if (quiz[i] !== '0' && quiz[i] !== '.') clues += 1;
  return clues;
}
