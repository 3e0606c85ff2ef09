import type { RandomSource } from '@mlm/types';

/**
 * A fast 9×9 sudoku solver: bitmask candidates, constraint propagation (naked and hidden singles)
 * and depth-first search on the cell with the fewest candidates.
 *
 * Grids are 81 digits in row-major order, 0 = blank, given as an array of numbers or an 81-char
 * string (`0` or `.` for blanks).
 */
export type SudokuGridInput = string | ArrayLike<number>;

const ALL_DIGITS = 0x1ff;
const NUM_CELLS = 81;
/** Layout of one search state: 81 cell values, then 27 unit masks (9 rows, 9 columns, 9 boxes). */
const STATE_SIZE = NUM_CELLS + 27;
const ROW_OFFSET = NUM_CELLS;
const COLUMN_OFFSET = NUM_CELLS + 9;
const BOX_OFFSET = NUM_CELLS + 18;

const CELL_ROW = new Uint8Array(NUM_CELLS);
const CELL_COLUMN = new Uint8Array(NUM_CELLS);
const CELL_BOX = new Uint8Array(NUM_CELLS);
/** Cells of the 27 units in the order of the state's masks (rows, columns, boxes), 9 per unit. */
const UNIT_CELLS = new Uint8Array(27 * 9);
const POPCOUNT = new Uint8Array(512);
/** Digit (1..9) of a single-bit mask. */
const DIGIT_OF_BIT = new Uint8Array(512);

for (let cell = 0; cell < NUM_CELLS; cell++) {
  const row = Math.floor(cell / 9);
  const column = cell % 9;
  const box = Math.floor(row / 3) * 3 + Math.floor(column / 3);
  CELL_ROW[cell] = row;
  CELL_COLUMN[cell] = column;
  CELL_BOX[cell] = box;
}
for (let unit = 0; unit < 9; unit++) {
  for (let k = 0; k < 9; k++) {
    UNIT_CELLS[unit * 9 + k] = unit * 9 + k; // row `unit`
    UNIT_CELLS[(9 + unit) * 9 + k] = k * 9 + unit; // column `unit`
    const boxRow = Math.floor(unit / 3) * 3 + Math.floor(k / 3);
    const boxColumn = (unit % 3) * 3 + (k % 3);
    UNIT_CELLS[(18 + unit) * 9 + k] = boxRow * 9 + boxColumn; // box `unit`
  }
}
for (let mask = 1; mask < 512; mask++) POPCOUNT[mask] = (POPCOUNT[mask >> 1] as number) + (mask & 1);
for (let digit = 1; digit <= 9; digit++) DIGIT_OF_BIT[1 << (digit - 1)] = digit;

const SOLVED = -1;
const CONTRADICTION = -2;

/** Parses and checks a grid: 81 entries, each an integer 0..9 (or `.` in strings). */
export function parseSudokuGrid(grid: SudokuGridInput, what = 'sudoku grid'): Uint8Array {
  if (grid === null || grid === undefined || typeof (grid as { length?: unknown }).length !== 'number') {
    throw new Error(`${what}: expected an 81-character string or 81 numbers, got ${String(grid)}`);
  }
  if (grid.length !== NUM_CELLS) {
    throw new Error(`${what}: expected 81 cells, got ${grid.length}`);
  }
  const cells = new Uint8Array(NUM_CELLS);
  for (let i = 0; i < NUM_CELLS; i++) {
    let value: number;
    if (typeof grid === 'string') {
      const character = grid[i] as string;
      value = character === '.' ? 0 : character >= '0' && character <= '9' ? character.charCodeAt(0) - 48 : Number.NaN;
    } else {
      value = grid[i] as number;
    }
    if (!Number.isInteger(value) || value < 0 || value > 9) {
      const shown = typeof grid === 'string' ? JSON.stringify(grid[i]) : String(grid[i]);
      throw new Error(`${what}: cell ${i} (row ${Math.floor(i / 9) + 1}, column ${(i % 9) + 1}) is ${shown}, expected a digit 0..9 (0 or '.' = blank)`);
    }
    cells[i] = value;
  }
  return cells;
}

/** An 81-char digit string (0 = blank), the CSV layout of the reference. */
export function formatSudokuGrid(grid: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < grid.length; i++) text += String(grid[i]);
  return text;
}

/** The search: a stack of states (one per depth), written in place. Not re-entrant (synchronous). */
class SudokuSearch {
  private readonly stack = new Uint16Array(STATE_SIZE * (NUM_CELLS + 2));
  private limit = 1;
  private random: RandomSource | undefined;
  count = 0;
  readonly solution = new Uint8Array(NUM_CELLS);

  /** Loads the givens; false when two givens clash (then there is no solution). */
  private load(cells: Uint8Array): boolean {
    const state = this.stack;
    state.fill(0, 0, STATE_SIZE);
    for (let cell = 0; cell < NUM_CELLS; cell++) {
      const digit = cells[cell] as number;
      if (digit === 0) continue;
      const bit = 1 << (digit - 1);
      const used = (state[ROW_OFFSET + (CELL_ROW[cell] as number)] as number) |
        (state[COLUMN_OFFSET + (CELL_COLUMN[cell] as number)] as number) |
        (state[BOX_OFFSET + (CELL_BOX[cell] as number)] as number);
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
    const state = this.stack;
    state[base + cell] = DIGIT_OF_BIT[bit] as number;
    const row = base + ROW_OFFSET + (CELL_ROW[cell] as number);
    const column = base + COLUMN_OFFSET + (CELL_COLUMN[cell] as number);
    const box = base + BOX_OFFSET + (CELL_BOX[cell] as number);
    state[row] = (state[row] as number) | bit;
    state[column] = (state[column] as number) | bit;
    state[box] = (state[box] as number) | bit;
  }

  private candidates(base: number, cell: number): number {
    const state = this.stack;
    return ALL_DIGITS & ~((state[base + ROW_OFFSET + (CELL_ROW[cell] as number)] as number) |
      (state[base + COLUMN_OFFSET + (CELL_COLUMN[cell] as number)] as number) |
      (state[base + BOX_OFFSET + (CELL_BOX[cell] as number)] as number));
  }

  /**
   * Places every forced digit (naked and hidden singles) until none is left. Returns the empty cell
   * with the fewest candidates, `SOLVED` when the grid is full, or `CONTRADICTION`.
   */
  private propagate(base: number): number {
    const state = this.stack;
    for (;;) {
      let progress = false;
      let best = SOLVED;
      let bestCount = 10;
      for (let cell = 0; cell < NUM_CELLS; cell++) {
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
      for (let unit = 0; unit < 27; unit++) {
        let once = 0;
        let twice = 0;
        for (let k = 0; k < 9; k++) {
          const cell = UNIT_CELLS[unit * 9 + k] as number;
          if (state[base + cell] !== 0) continue;
          const candidates = this.candidates(base, cell);
          twice |= once & candidates;
          once |= candidates;
        }
        const unitMask = state[base + ROW_OFFSET + unit] as number;
        if ((once | unitMask) !== ALL_DIGITS) return CONTRADICTION;
        let single = once & ~twice;
        while (single !== 0) {
          const bit = single & -single;
          single ^= bit;
          if (((state[base + ROW_OFFSET + unit] as number) & bit) !== 0) continue; // placed meanwhile
          let placed = false;
          for (let k = 0; k < 9; k++) {
            const cell = UNIT_CELLS[unit * 9 + k] as number;
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
    const base = depth * STATE_SIZE;
    const cell = this.propagate(base);
    if (cell === CONTRADICTION) return false;
    if (cell === SOLVED) {
      if (this.count === 0) this.solution.set(this.stack.subarray(base, base + NUM_CELLS));
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
    const next = base + STATE_SIZE;
    for (const bit of bits) {
      this.stack.copyWithin(next, base, next);
      this.place(next, cell, bit);
      if (this.search(depth + 1)) return true;
    }
    return false;
  }
}

const sharedSearch = new SudokuSearch();

/**
 * Number of solutions of `grid`, counting up to `limit` (default 2: enough to tell "none", "unique"
 * and "several"). Clashing givens give 0.
 */
export function countSudokuSolutions(grid: SudokuGridInput, limit = 2): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`countSudokuSolutions: limit = ${limit}, expected an integer ≥ 1`);
  }
  return sharedSearch.run(parseSudokuGrid(grid), limit, undefined);
}

/**
 * A solution of `grid` (81 digits), or `undefined` when there is none. With a `random` source the
 * search tries digits in random order, so `solveSudoku(empty, random)` draws a random full grid.
 */
export function solveSudoku(grid: SudokuGridInput, random?: RandomSource): Uint8Array | undefined {
  const count = sharedSearch.run(parseSudokuGrid(grid), 1, random);
  return count === 0 ? undefined : sharedSearch.solution.slice();
}

/** Whether `grid` is a complete, valid sudoku (every row, column and box holds 1..9 once). */
export function isSolvedSudokuGrid(grid: SudokuGridInput): boolean {
  const cells = parseSudokuGrid(grid);
  for (let unit = 0; unit < 27; unit++) {
    let seen = 0;
    for (let k = 0; k < 9; k++) {
      const digit = cells[UNIT_CELLS[unit * 9 + k] as number] as number;
      if (digit === 0) return false;
      seen |= 1 << (digit - 1);
    }
    if (seen !== ALL_DIGITS) return false;
  }
  return true;
}
