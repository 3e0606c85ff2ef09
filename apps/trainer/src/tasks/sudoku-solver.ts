import type { RandomSource } from '@mlm/types';
import { sudokuBoard, type SudokuBoard } from './sudoku-board.js';

/**
 * A fast sudoku solver for 4×4, 6×6 and 9×9 boards (`SudokuBoard`; 9×9 when none is given):
 * bitmask candidates, constraint propagation (naked and hidden singles) and depth-first search on the
 * cell with the fewest candidates.
 *
 * Grids are n² digits in row-major order, 0 = blank, given as an array of numbers or an n²-char
 * string (`0` or `.` for blanks).
 */
export type SudokuGridInput = string | ArrayLike<number>;

/** Cell and unit tables of one board shape, built once per shape. */
interface Geometry {
  board: SudokuBoard;
  size: number;
  numCells: number;
  allDigits: number;
  /** Layout of one search state: the cells, then 3n unit masks (n rows, n columns, n boxes). */
  stateSize: number;
  rowOffset: number;
  columnOffset: number;
  boxOffset: number;
  cellRow: Uint8Array;
  cellColumn: Uint8Array;
  cellBox: Uint8Array;
  /** Cells of the 3n units in the order of the state's masks (rows, columns, boxes), n per unit. */
  unitCells: Uint8Array;
}

const POPCOUNT = new Uint8Array(512);
/** Digit (1..9) of a single-bit mask. */
const DIGIT_OF_BIT = new Uint8Array(512);
for (let mask = 1; mask < 512; mask++) POPCOUNT[mask] = (POPCOUNT[mask >> 1] as number) + (mask & 1);
for (let digit = 1; digit <= 9; digit++) DIGIT_OF_BIT[1 << (digit - 1)] = digit;

function createGeometry(board: SudokuBoard): Geometry {
  const { size, numCells, boxRows, boxColumns } = board;
  const cellRow = new Uint8Array(numCells);
  const cellColumn = new Uint8Array(numCells);
  const cellBox = new Uint8Array(numCells);
  const unitCells = new Uint8Array(3 * size * size);
  // Boxes are numbered row-major: size / boxColumns boxes per band of boxRows rows.
  const boxesPerBand = size / boxColumns;
  for (let cell = 0; cell < numCells; cell++) {
    const row = Math.floor(cell / size);
    const column = cell % size;
    cellRow[cell] = row;
    cellColumn[cell] = column;
    cellBox[cell] = Math.floor(row / boxRows) * boxesPerBand + Math.floor(column / boxColumns);
  }
  for (let unit = 0; unit < size; unit++) {
    for (let k = 0; k < size; k++) {
      unitCells[unit * size + k] = unit * size + k; // row `unit`
      unitCells[(size + unit) * size + k] = k * size + unit; // column `unit`
      const boxRow = Math.floor(unit / boxesPerBand) * boxRows + Math.floor(k / boxColumns);
      const boxColumn = (unit % boxesPerBand) * boxColumns + (k % boxColumns);
      unitCells[(2 * size + unit) * size + k] = boxRow * size + boxColumn; // box `unit`
    }
  }
  return {
    board,
    size,
    numCells,
    allDigits: (1 << size) - 1,
    stateSize: numCells + 3 * size,
    rowOffset: numCells,
    columnOffset: numCells + size,
    boxOffset: numCells + 2 * size,
    cellRow,
    cellColumn,
    cellBox,
    unitCells,
  };
}

const SOLVED = -1;
const CONTRADICTION = -2;

const geometries = new Map<string, Geometry>();
function geometryOf(board: SudokuBoard): Geometry {
  let geometry = geometries.get(board.name);
  if (geometry === undefined) {
    geometry = createGeometry(board);
    geometries.set(board.name, geometry);
  }
  return geometry;
}

/** Parses and checks a grid: n² entries, each an integer 0..n (or `.` in strings). */
export function parseSudokuGrid(grid: SudokuGridInput, what = 'sudoku grid', board: SudokuBoard = sudokuBoard('9x9')): Uint8Array {
  const { numCells, size } = board;
  if (grid === null || grid === undefined || typeof (grid as { length?: unknown }).length !== 'number') {
    throw new Error(`${what}: expected a ${numCells}-character string or ${numCells} numbers (${board.name} board), got ${String(grid)}`);
  }
  if (grid.length !== numCells) {
    throw new Error(`${what}: expected ${numCells} cells, got ${grid.length} (${board.name} board)`);
  }
  const cells = new Uint8Array(numCells);
  for (let i = 0; i < numCells; i++) {
    let value: number;
    if (typeof grid === 'string') {
      const character = grid[i] as string;
      value = character === '.' ? 0 : character >= '0' && character <= '9' ? character.charCodeAt(0) - 48 : Number.NaN;
    } else {
      value = grid[i] as number;
    }
    if (!Number.isInteger(value) || value < 0 || value > size) {
      const shown = typeof grid === 'string' ? JSON.stringify(grid[i]) : String(grid[i]);
      throw new Error(
        `${what}: cell ${i} (row ${Math.floor(i / size) + 1}, column ${(i % size) + 1}) is ${shown}, expected a digit 0..${size} (0 or '.' = blank)`,
      );
    }
    cells[i] = value;
  }
  return cells;
}

/** An n²-char digit string (0 = blank), the CSV layout of the reference. */
export function formatSudokuGrid(grid: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < grid.length; i++) text += String(grid[i]);
  return text;
}

/** The search: a stack of states (one per depth), written in place. Not re-entrant (synchronous). */
class SudokuSearch {
  private readonly g: Geometry;
  private readonly stack: Uint16Array;
  private limit = 1;
  private random: RandomSource | undefined;
  count = 0;
  readonly solution: Uint8Array;

  constructor(geometry: Geometry) {
    this.g = geometry;
    this.stack = new Uint16Array(geometry.stateSize * (geometry.numCells + 2));
    this.solution = new Uint8Array(geometry.numCells);
  }

  /** Loads the givens; false when two givens clash (then there is no solution). */
  private load(cells: Uint8Array): boolean {
    const g = this.g;
    const state = this.stack;
    state.fill(0, 0, g.stateSize);
    for (let cell = 0; cell < g.numCells; cell++) {
      const digit = cells[cell] as number;
      if (digit === 0) continue;
      const bit = 1 << (digit - 1);
      const used = (state[g.rowOffset + (g.cellRow[cell] as number)] as number) |
        (state[g.columnOffset + (g.cellColumn[cell] as number)] as number) |
        (state[g.boxOffset + (g.cellBox[cell] as number)] as number);
      if ((used & bit) !== 0) return false;
      this.place(0, cell, bit);
    }
    return true;
  }

  run(cells: Uint8Array, limit: number, random: RandomSource | undefined): number {
    this.count = 0;
    this.limit = limit;
    this.random = random;
    if (!this.load(cells)) return 0;
    this.search(0);
    this.random = undefined;
    return this.count;
  }

  private place(base: number, cell: number, bit: number): void {
    const g = this.g;
    const state = this.stack;
    state[base + cell] = DIGIT_OF_BIT[bit] as number;
    const row = base + g.rowOffset + (g.cellRow[cell] as number);
    const column = base + g.columnOffset + (g.cellColumn[cell] as number);
    const box = base + g.boxOffset + (g.cellBox[cell] as number);
    state[row] = (state[row] as number) | bit;
    state[column] = (state[column] as number) | bit;
    state[box] = (state[box] as number) | bit;
  }

  private candidates(base: number, cell: number): number {
    const g = this.g;
    const state = this.stack;
    return g.allDigits & ~((state[base + g.rowOffset + (g.cellRow[cell] as number)] as number) |
      (state[base + g.columnOffset + (g.cellColumn[cell] as number)] as number) |
      (state[base + g.boxOffset + (g.cellBox[cell] as number)] as number));
  }

  /**
   * Places every forced digit (naked and hidden singles) until none is left. Returns the empty cell
   * with the fewest candidates, `SOLVED` when the grid is full, or `CONTRADICTION`.
   */
  private propagate(base: number): number {
    const g = this.g;
    const { size, numCells, unitCells } = g;
    const state = this.stack;
    for (;;) {
      let progress = false;
      let best = SOLVED;
      let bestCount = size + 1;
      for (let cell = 0; cell < numCells; cell++) {
        if (state[base + cell] !== 0) continue;
        const candidates = this.candidates(base, cell);
        if (candidates === 0) return CONTRADICTION;
        if ((candidates & (candidates - 1)) === 0) {
          this.place(base, cell, candidates);
          progress = true;
        } else if (!progress) {
          const count = POPCOUNT[candidates] as number;
          if (count < bestCount) {
            bestCount = count;
            best = cell;
          }
        }
      }
      if (progress) continue;
      // Hidden singles: a digit with exactly one possible cell in a unit.
      for (let unit = 0; unit < 3 * size; unit++) {
        let once = 0;
        let twice = 0;
        for (let k = 0; k < size; k++) {
          const cell = unitCells[unit * size + k] as number;
          if (state[base + cell] !== 0) continue;
          const candidates = this.candidates(base, cell);
          twice |= once & candidates;
          once |= candidates;
        }
        const unitMask = state[base + g.rowOffset + unit] as number;
        if ((once | unitMask) !== g.allDigits) return CONTRADICTION;
        let single = once & ~twice;
        while (single !== 0) {
          const bit = single & -single;
          single ^= bit;
          if (((state[base + g.rowOffset + unit] as number) & bit) !== 0) continue; // placed meanwhile
          let placed = false;
          for (let k = 0; k < size; k++) {
            const cell = unitCells[unit * size + k] as number;
            if (state[base + cell] === 0 && (this.candidates(base, cell) & bit) !== 0) {
              this.place(base, cell, bit);
              placed = true;
              break;
            }
          }
          if (!placed) return CONTRADICTION;
          progress = true;
        }
      }
      if (!progress) return best;
    }
  }

  /** Depth-first search; returns true when the solution limit is reached (stop). */
  private search(depth: number): boolean {
    const stateSize = this.g.stateSize;
    const base = depth * stateSize;
    const cell = this.propagate(base);
    if (cell === CONTRADICTION) return false;
    if (cell === SOLVED) {
      if (this.count === 0) this.solution.set(this.stack.subarray(base, base + this.g.numCells));
      this.count += 1;
      return this.count >= this.limit;
    }
    let candidates = this.candidates(base, cell);
    const bits: number[] = [];
    while (candidates !== 0) {
      const bit = candidates & -candidates;
      candidates ^= bit;
      bits.push(bit);
    }
    const random = this.random;
    if (random !== undefined) {
      for (let i = bits.length - 1; i > 0; i--) {
        const j = Math.floor(random.next() * (i + 1));
        const bit = bits[i] as number;
        bits[i] = bits[j] as number;
        bits[j] = bit;
      }
    }
    const next = base + stateSize;
    for (const bit of bits) {
      this.stack.copyWithin(next, base, next);
      this.place(next, cell, bit);
      if (this.search(depth + 1)) return true;
    }
    return false;
  }
}

const searches = new Map<string, SudokuSearch>();
function searchFor(board: SudokuBoard): SudokuSearch {
  let search = searches.get(board.name);
  if (search === undefined) {
    search = new SudokuSearch(geometryOf(board));
    searches.set(board.name, search);
  }
  return search;
}

/**
 * Number of solutions of `grid`, counting up to `limit` (default 2: enough to tell "none", "unique"
 * and "several"). Clashing givens give 0.
 */
export function countSudokuSolutions(grid: SudokuGridInput, limit = 2, board: SudokuBoard = sudokuBoard('9x9')): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`countSudokuSolutions: limit = ${limit}, expected an integer ≥ 1`);
  }
  return searchFor(board).run(parseSudokuGrid(grid, 'sudoku grid', board), limit, undefined);
}

/**
 * A solution of `grid` (n² digits), or `undefined` when there is none. With a `random` source the
 * search tries digits in random order, so `solveSudoku(empty, random)` draws a random full grid.
 */
export function solveSudoku(grid: SudokuGridInput, random?: RandomSource, board: SudokuBoard = sudokuBoard('9x9')): Uint8Array | undefined {
  const search = searchFor(board);
  const count = search.run(parseSudokuGrid(grid, 'sudoku grid', board), 1, random);
  return count === 0 ? undefined : search.solution.slice();
}

/** Whether `grid` is a complete, valid sudoku (every row, column and box holds 1..n once). */
export function isSolvedSudokuGrid(grid: SudokuGridInput, board: SudokuBoard = sudokuBoard('9x9')): boolean {
  const { size, unitCells, allDigits } = geometryOf(board);
  const cells = parseSudokuGrid(grid, 'sudoku grid', board);
  for (let unit = 0; unit < 3 * size; unit++) {
    let seen = 0;
    for (let k = 0; k < size; k++) {
      const digit = cells[unitCells[unit * size + k] as number] as number;
      if (digit === 0) return false;
      seen |= 1 << (digit - 1);
    }
    if (seen !== allDigits) return false;
  }
  return true;
}
