import type { RandomSource } from '@mlm/types';

/** A sudoku board: `size` × `size` cells in boxes of `boxRows` × `boxColumns`. */
export interface BoardShape {
  size: number;
  boxRows: number;
  boxColumns: number;
}

/** The boards the page knows: 4×4 (2×2 boxes), 6×6 (2×3 boxes), 9×9 (3×3 boxes). */
export const BOARD_SHAPES: Readonly<Record<4 | 6 | 9, BoardShape>> = {
  4: { size: 4, boxRows: 2, boxColumns: 2 },
  6: { size: 6, boxRows: 2, boxColumns: 3 },
  9: { size: 9, boxRows: 3, boxColumns: 3 },
};

/** A puzzle in the reference's CSV layout: row-major digit strings, `0` = blank. */
export interface SudokuPuzzle {
  quiz: string;
  solution: string;
}

export function boardShape(size: number): BoardShape {
  const shape = BOARD_SHAPES[size as 4 | 6 | 9];
  if (!shape) throw new Error(`board size ${JSON.stringify(size)}: expected one of 4, 6, 9`);
  return shape;
}

function allowed(grid: Uint8Array, shape: BoardShape, cell: number, digit: number): boolean {
  const { size, boxRows, boxColumns } = shape;
  const row = Math.floor(cell / size);
  const column = cell % size;
  for (let i = 0; i < size; i++) {
    if (grid[row * size + i] === digit || grid[i * size + column] === digit) return false;
  }
  const top = row - (row % boxRows);
  const left = column - (column % boxColumns);
  for (let r = top; r < top + boxRows; r++) {
    for (let c = left; c < left + boxColumns; c++) if (grid[r * size + c] === digit) return false;
  }
  return true;
}

/**
 * Counts solutions of `grid` (0 = blank) up to `limit` by backtracking on the first blank; the first
 * solution found is returned. With `random`, digits are tried in a random order (to draw full grids).
 */
export function solveSudoku(grid: Uint8Array, shape: BoardShape, limit = 2, random?: RandomSource): { count: number; solution: Uint8Array | undefined } {
  const work = grid.slice();
  let count = 0;
  let solution: Uint8Array | undefined;
  const digits = Array.from({ length: shape.size }, (_, i) => i + 1);
  const search = (): boolean => {
    const cell = work.indexOf(0);
    if (cell < 0) {
      count += 1;
      solution ??= work.slice();
      return count >= limit;
    }
    const order = digits.slice();
    if (random) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(random.next() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
    }
    for (const digit of order) {
      if (!allowed(work, shape, cell, digit)) continue;
      work[cell] = digit;
      if (search()) return true;
      work[cell] = 0;
    }
    return false;
  };
  search();
  return { count, solution };
}

/**
 * One puzzle with a unique solution: a random full grid, then clues removed in random order, each
 * removal kept only while the solution stays unique (so the puzzle is minimal, or stops at `minClues`).
 */
export function generateSudoku(shape: BoardShape, random: RandomSource, minClues = 0): SudokuPuzzle {
  const cells = shape.size * shape.size;
  const { solution } = solveSudoku(new Uint8Array(cells), shape, 1, random);
  if (!solution) throw new Error('generateSudoku: no full grid found (internal error)');
  const quiz = solution.slice();
  const order = Array.from({ length: cells }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  let clues = cells;
  for (const cell of order) {
    if (clues <= minClues) break;
    const digit = quiz[cell]!;
    quiz[cell] = 0;
    if (solveSudoku(quiz, shape, 2).count === 1) clues -= 1;
    else quiz[cell] = digit;
  }
  return { quiz: quiz.join(''), solution: solution.join('') };
}

/** `count` distinct puzzles (by solution) drawn from `random`, none of whose solutions is in `exclude`. */
export function generatePuzzles(shape: BoardShape, random: RandomSource, count: number, exclude: ReadonlySet<string> = new Set()): SudokuPuzzle[] {
  const seen = new Set(exclude);
  const puzzles: SudokuPuzzle[] = [];
  // 4×4 has only 288 full grids: cap the attempts so a large request ends with what exists.
  for (let attempt = 0; puzzles.length < count && attempt < count * 50; attempt++) {
    const puzzle = generateSudoku(shape, random);
    if (seen.has(puzzle.solution)) continue;
    seen.add(puzzle.solution);
    puzzles.push(puzzle);
  }
  return puzzles;
}

/** Whether a full board (digit string) satisfies every row, column and box constraint. */
export function isValidSolution(board: string, shape: BoardShape): boolean {
  const grid = Uint8Array.from(board, (c) => c.charCodeAt(0) - 48);
  if (grid.length !== shape.size * shape.size) return false;
  for (let cell = 0; cell < grid.length; cell++) {
    const digit = grid[cell]!;
    if (digit < 1 || digit > shape.size) return false;
    grid[cell] = 0;
    const ok = allowed(grid, shape, cell, digit);
    grid[cell] = digit;
    if (!ok) return false;
  }
  return true;
}
