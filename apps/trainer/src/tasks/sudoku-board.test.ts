import { createRandom } from '@mlm/random';
import { describe, expect, it } from 'vitest';
import { SUDOKU_BOARD_NAMES, sudokuBoard, sudokuBoardForCells } from './sudoku-board.js';
import { countSudokuClues, generateSudoku, MIN_SUDOKU_CLUES } from './sudoku-generator.js';
import { countSudokuSolutions, formatSudokuGrid, isSolvedSudokuGrid, parseSudokuGrid, solveSudoku } from './sudoku-solver.js';
import { createSudokuTask } from './sudoku-task.js';

/** Rows, columns and boxes of a full grid checked directly (independently of the solver's tables). */
function unitsValid(grid: string, boxRows: number, boxColumns: number): boolean {
  const size = boxRows * boxColumns;
  const digit = (row: number, column: number) => Number(grid[row * size + column]);
  const full = (cells: number[]) => cells.length === size && new Set(cells).size === size && cells.every((d) => d >= 1 && d <= size);
  for (let i = 0; i < size; i++) {
    if (!full(Array.from({ length: size }, (_, k) => digit(i, k)))) return false;
    if (!full(Array.from({ length: size }, (_, k) => digit(k, i)))) return false;
  }
  for (let top = 0; top < size; top += boxRows) {
    for (let left = 0; left < size; left += boxColumns) {
      const cells: number[] = [];
      for (let r = 0; r < boxRows; r++) for (let c = 0; c < boxColumns; c++) cells.push(digit(top + r, left + c));
      if (!full(cells)) return false;
    }
  }
  return true;
}

describe.each(SUDOKU_BOARD_NAMES)('sudoku on a %s board', (name) => {
  const board = sudokuBoard(name);
  const count = name === '9x9' ? 10 : 200;

  it('generates puzzles with exactly one solution (solver-checked), valid rows, columns and boxes', () => {
    const random = createRandom(5);
    for (let i = 0; i < count; i++) {
      const puzzle = generateSudoku(random, { board });
      expect(puzzle.quiz).toMatch(new RegExp(`^[0-${board.size}]{${board.numCells}}$`));
      expect(puzzle.solution).toMatch(new RegExp(`^[1-${board.size}]{${board.numCells}}$`));
      expect(unitsValid(puzzle.solution, board.boxRows, board.boxColumns)).toBe(true);
      expect(isSolvedSudokuGrid(puzzle.solution, board)).toBe(true);
      for (let cell = 0; cell < board.numCells; cell++) if (puzzle.quiz[cell] !== '0') expect(puzzle.quiz[cell]).toBe(puzzle.solution[cell]);
      expect(countSudokuSolutions(puzzle.quiz, 2, board)).toBe(1);
      expect(formatSudokuGrid(solveSudoku(puzzle.quiz, undefined, board)!)).toBe(puzzle.solution);
      expect(countSudokuClues(puzzle.quiz)).toBeGreaterThanOrEqual(MIN_SUDOKU_CLUES[name]);
    }
  });

  it('makes minimal puzzles on the small boards: no clue can be removed without losing uniqueness', () => {
    if (name === '9x9') return; // 9×9 stops at 33 clues by default
    const random = createRandom(6);
    for (let i = 0; i < 30; i++) {
      const { quiz } = generateSudoku(random, { board });
      for (let cell = 0; cell < board.numCells; cell++) {
        if (quiz[cell] === '0') continue;
        const fewer = `${quiz.slice(0, cell)}0${quiz.slice(cell + 1)}`;
        expect(countSudokuSolutions(fewer, 2, board)).toBe(2);
      }
    }
  });

  it('is deterministic by seed', () => {
    const draw = (seed: number) => {
      const random = createRandom(seed);
      return Array.from({ length: 5 }, () => generateSudoku(random, { board }));
    };
    expect(draw(3)).toEqual(draw(3));
    expect(draw(4)).not.toEqual(draw(3));
  });

  it('keeps test and validation disjoint from train, deterministically per seed', async () => {
    const options = { seed: 11, board: name, numTrain: name === '9x9' ? 30 : 2000, numValidation: 20, numTest: name === '9x9' ? 10 : 300 };
    const task = await createSudokuTask(options);
    const again = await createSudokuTask(options);
    expect(again.puzzles).toEqual(task.puzzles);
    // 4×4 has only 288 solved grids, so the split key is the quiz there; the solution elsewhere.
    const key = name === '4x4' ? (p: { quiz: string }) => p.quiz : (p: { solution: string }) => p.solution;
    const train = new Set(task.puzzles.train.map(key));
    for (const puzzle of [...task.puzzles.validation, ...task.puzzles.test]) expect(train.has(key(puzzle))).toBe(false);
    const validation = new Set(task.puzzles.validation.map(key));
    for (const puzzle of task.puzzles.test) expect(validation.has(key(puzzle))).toBe(false);
    expect(task.blockSize).toBe(name === '9x9' ? 83 : board.numCells + 1);
    expect(task.tokenizer.vocabSize).toBe(17);
  });
});

describe('sudoku boards', () => {
  it('knows 4x4 (2×2 boxes), 6x6 (2×3 boxes), 9x9 (3×3 boxes) and names the valid ones on a bad name', () => {
    expect(sudokuBoard('6x6')).toMatchObject({ boxRows: 2, boxColumns: 3, size: 6, numCells: 36 });
    expect(sudokuBoardForCells(16)?.name).toBe('4x4');
    expect(() => sudokuBoard('5x5')).toThrow('sudoku board = "5x5", expected one of 4x4, 6x6, 9x9');
  });

  it('rejects digits beyond the board and grids of the wrong length, naming the cell', () => {
    const board = sudokuBoard('4x4');
    expect(() => parseSudokuGrid('1234341221434321'.replace('4', '5'), 'quiz', board)).toThrow(/quiz: cell 3 .* is "5", expected a digit 0..4/);
    expect(() => parseSudokuGrid('123', 'quiz', board)).toThrow(/expected 16 cells, got 3 \(4x4 board\)/);
    expect(() => generateSudoku(createRandom(1), { board, targetClues: 3 })).toThrow(/targetClues = 3, expected an integer in \[4, 16\]/);
  });

  it('counts solutions of under-determined small grids', () => {
    const board = sudokuBoard('4x4');
    // The empty 4×4 grid has 288 solutions.
    expect(countSudokuSolutions('0'.repeat(16), 1000, board)).toBe(288);
    expect(countSudokuSolutions('1100000000000000', 2, board)).toBe(0);
  });
});
