import { createRandom } from '@mlm/random';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countSudokuSolutions, formatSudokuGrid, isSolvedSudokuGrid, parseSudokuGrid, solveSudoku } from './sudoku-solver.js';

// Arto Inkala's "world's hardest sudoku" (2012) and its unique solution.
const INKALA = '800000000003600000070090200050007000000045700000100030001000068008500010090000400';
const INKALA_SOLUTION = '812753649943682175675491283154237896369845721287169534521974368438526917796318452';
// The first of Peter Norvig's "hardest" puzzles (his sudoku essay), with "." blanks.
const NORVIG_HARDEST = '4.....8.5.3..........7......2.....6.....8.4......1.......6.3.7.5..2.....1.4......';

/** Blanks a "deadly rectangle" (a b / b a in two rows, two columns, two boxes): exactly two solutions. */
function withDeadlyRectangle(solution: string): string | undefined {
  const digit = (row: number, column: number) => solution[row * 9 + column];
  const box = (row: number, column: number) => Math.floor(row / 3) * 3 + Math.floor(column / 3);
  for (let r1 = 0; r1 < 9; r1++) {
    for (let r2 = r1 + 1; r2 < 9; r2++) {
      for (let c1 = 0; c1 < 9; c1++) {
        for (let c2 = c1 + 1; c2 < 9; c2++) {
          const boxes = new Set([box(r1, c1), box(r1, c2), box(r2, c1), box(r2, c2)]);
          if (boxes.size !== 2) continue;
          if (digit(r1, c1) === digit(r2, c2) && digit(r1, c2) === digit(r2, c1)) {
            const cells = solution.split('');
            for (const [row, column] of [[r1, c1], [r1, c2], [r2, c1], [r2, c2]] as const) cells[row * 9 + column] = '0';
            return cells.join('');
          }
        }
      }
    }
  }
  return undefined;
}

describe('sudoku solver', () => {
  it('solves a known hard puzzle, and finds it unique', () => {
    const solution = solveSudoku(INKALA);
    expect(solution).toBeDefined();
    expect(formatSudokuGrid(solution!)).toBe(INKALA_SOLUTION);
    expect(countSudokuSolutions(INKALA)).toBe(1);
    expect(countSudokuSolutions(INKALA, 10)).toBe(1);
  });

  it('solves another hard puzzle ("." blanks) to a valid grid consistent with the givens', () => {
    const solution = formatSudokuGrid(solveSudoku(NORVIG_HARDEST)!);
    expect(isSolvedSudokuGrid(solution)).toBe(true);
    for (let i = 0; i < 81; i++) if (NORVIG_HARDEST[i] !== '.') expect(solution[i]).toBe(NORVIG_HARDEST[i]);
    expect(countSudokuSolutions(NORVIG_HARDEST)).toBe(1);
  });

  it('counts up to the limit on under-determined grids', () => {
    const empty = '0'.repeat(81);
    expect(countSudokuSolutions(empty)).toBe(2);
    expect(countSudokuSolutions(empty, 7)).toBe(7);
    const twoWays = withDeadlyRectangle(INKALA_SOLUTION);
    expect(twoWays).toBeDefined();
    expect(countSudokuSolutions(twoWays!)).toBe(2);
    expect(countSudokuSolutions(twoWays!, 5)).toBe(2);
    expect(countSudokuSolutions(INKALA_SOLUTION)).toBe(1);
  });

  it('reports no solution for clashing givens or a dead end', () => {
    const clash = `11${'0'.repeat(79)}`;
    expect(countSudokuSolutions(clash)).toBe(0);
    expect(solveSudoku(clash)).toBeUndefined();
    // Row 1 misses only a 9 at its last cell, but column 9 already has a 9.
    const deadEnd = `123456780${'0'.repeat(8)}9${'0'.repeat(63)}`;
    expect(countSudokuSolutions(deadEnd)).toBe(0);
  });

  it('rejects malformed grids with the cell and the value', () => {
    expect(() => countSudokuSolutions('123')).toThrow(/expected 81 cells, got 3/);
    expect(() => countSudokuSolutions(`x${'0'.repeat(80)}`)).toThrow(/cell 0 \(row 1, column 1\) is "x"/);
    expect(() => parseSudokuGrid([...new Array(80).fill(0), 10])).toThrow(/cell 80 .* is 10/);
    expect(() => countSudokuSolutions(INKALA, 0)).toThrow(/limit = 0/);
  });

  it('checks solved grids', () => {
    expect(isSolvedSudokuGrid(INKALA_SOLUTION)).toBe(true);
    expect(isSolvedSudokuGrid(INKALA)).toBe(false);
    const swapped = `${INKALA_SOLUTION[1]}${INKALA_SOLUTION[0]}${INKALA_SOLUTION.slice(2)}`;
    expect(isSolvedSudokuGrid(swapped)).toBe(false);
  });

  it('draws valid random full grids from any seed (property)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const grid = solveSudoku(new Uint8Array(81), createRandom(seed));
        expect(grid).toBeDefined();
        expect(isSolvedSudokuGrid(grid!)).toBe(true);
      }),
      { numRuns: 50 },
    );
    const a = formatSudokuGrid(solveSudoku(new Uint8Array(81), createRandom(1))!);
    const b = formatSudokuGrid(solveSudoku(new Uint8Array(81), createRandom(2))!);
    expect(a).not.toBe(b);
  });
});
