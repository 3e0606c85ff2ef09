/**
 * Board shapes of the sudoku tasks: an n×n grid of n boxes of `boxRows` × `boxColumns` cells
 * (n = boxRows · boxColumns), digits 1..n. 4×4 has 2×2 boxes, 6×6 has 2×3 boxes (2 rows, 3 columns),
 * 9×9 has 3×3 boxes.
 */
export interface SudokuBoard {
  /** `4x4`, `6x6` or `9x9`. */
  name: SudokuBoardName;
  boxRows: number;
  boxColumns: number;
  /** Digits per unit and side length (n). */
  size: number;
  /** n². */
  numCells: number;
}

export type SudokuBoardName = '4x4' | '6x6' | '9x9';

export const SUDOKU_BOARDS: Readonly<Record<SudokuBoardName, SudokuBoard>> = {
  '4x4': { name: '4x4', boxRows: 2, boxColumns: 2, size: 4, numCells: 16 },
  '6x6': { name: '6x6', boxRows: 2, boxColumns: 3, size: 6, numCells: 36 },
  '9x9': { name: '9x9', boxRows: 3, boxColumns: 3, size: 9, numCells: 81 },
};

export const SUDOKU_BOARD_NAMES = Object.keys(SUDOKU_BOARDS) as SudokuBoardName[];

/** The board called `name` (`4x4`, `6x6`, `9x9`); an unknown name is an error listing the valid ones. */
export function sudokuBoard(name: string = '9x9'): SudokuBoard {
  const board = (SUDOKU_BOARDS as Record<string, SudokuBoard>)[name];
  if (board === undefined) throw new Error(`sudoku board = ${JSON.stringify(name)}, expected one of ${SUDOKU_BOARD_NAMES.join(', ')}`);
  return board;
}

/** The board whose grids have `numCells` cells (16, 36 or 81), or undefined. */
export function sudokuBoardForCells(numCells: number): SudokuBoard | undefined {
  return Object.values(SUDOKU_BOARDS).find((board) => board.numCells === numCells);
}
