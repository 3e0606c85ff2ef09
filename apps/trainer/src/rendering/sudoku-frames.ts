import type { PredictorStepEvent, Tokenizer } from '@mlm/types';
import type { SudokuBoard } from '../tasks/sudoku-board.js';

/**
 * Frames of a sudoku being solved by iterative unmasking: one board per puzzle, side by side, redrawn
 * after every predictor step. Cells filled at that step are highlighted; at the end, cells that differ
 * from the known solution are marked wrong.
 *
 * Two styles: `ansi` (colours, for a terminal: clues bold, new cells black on green, wrong cells white on
 * red) and `plain` (no escape codes: new cells `[d]`, wrong cells `!d!`, blanks `.`), so a log or a pipe
 * gets readable successive frames.
 */
export type FrameStyle = 'ansi' | 'plain';

/** What one board shows in one frame. */
export interface SudokuBoardState {
  /** n² digits, 0 = still blank. */
  digits: ArrayLike<number>;
  /** Cells given by the quiz. */
  clues: ArrayLike<boolean>;
  /** Cells filled at this step. */
  filled?: ReadonlySet<number>;
  /** Cells known to be wrong (shown at the end). */
  wrong?: ReadonlySet<number>;
  /** A caption above the board. */
  title?: string;
}

const RESET = '\x1b[0m';
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const NEW = '\x1b[30;42m';
const WRONG = '\x1b[97;41m';

function cellText(state: SudokuBoardState, cell: number, style: FrameStyle): string {
  const digit = state.digits[cell] as number;
  const shown = digit === 0 ? '.' : String(digit);
  const wrong = state.wrong?.has(cell) ?? false;
  const isNew = state.filled?.has(cell) ?? false;
  if (style === 'plain') {
    if (wrong) return `!${shown}!`;
    if (isNew) return `[${shown}]`;
    return ` ${shown} `;
  }
  if (wrong) return `${WRONG} ${shown} ${RESET}`;
  if (isNew) return `${NEW} ${shown} ${RESET}`;
  if (digit === 0) return `${DIM} . ${RESET}`;
  if (state.clues[cell]) return `${BOLD} ${shown} ${RESET}`;
  return ` ${shown} `;
}

/** Visible width of a board line: n cells of 3 characters plus a bar before each box and one at the end. */
export function sudokuBoardWidth(board: SudokuBoard): number {
  return board.size * 3 + board.size / board.boxColumns + 1;
}

/** The lines of one board (a separator line between bands of boxes). */
export function renderSudokuBoard(board: SudokuBoard, state: SudokuBoardState, style: FrameStyle): string[] {
  const { size, boxRows, boxColumns } = board;
  const rule = `+${Array.from({ length: size / boxColumns }, () => '-'.repeat(boxColumns * 3)).join('+')}+`;
  const lines = [rule];
  for (let row = 0; row < size; row++) {
    let line = '';
    for (let column = 0; column < size; column++) {
      if (column % boxColumns === 0) line += '|';
      line += cellText(state, row * size + column, style);
    }
    lines.push(`${line}|`);
    if ((row + 1) % boxRows === 0) lines.push(rule);
  }
  return lines;
}

/** Boards side by side (3 spaces apart), each under its title; returns the frame's lines. */
export function renderSudokuFrame(board: SudokuBoard, states: SudokuBoardState[], style: FrameStyle): string[] {
  // Columns as wide as the board or the longest title; board lines carry escape codes, so pad them by count.
  const boardWidth = sudokuBoardWidth(board);
  const width = Math.max(boardWidth, ...states.map((state) => [...(state.title ?? '')].length));
  const padding = ' '.repeat(width - boardWidth);
  const blocks = states.map((state) => [
    (state.title ?? '').padEnd(width),
    ...renderSudokuBoard(board, state, style).map((line) => `${line}${padding}`),
  ]);
  const height = Math.max(0, ...blocks.map((block) => block.length));
  const lines: string[] = [];
  for (let i = 0; i < height; i++) lines.push(blocks.map((block) => block[i] ?? ' '.repeat(width)).join('   ').trimEnd());
  return lines;
}

/** Parses a quiz or solution string (`0` or `.` = blank) into digits. */
export function sudokuDigits(text: string): number[] {
  return Array.from(text, (character) => (character === '.' ? 0 : character.charCodeAt(0) - 48));
}

/** Digits of the n² cells in a row of token ids: digit tokens map to 1..n, [MASK] to 0; special tokens are skipped. */
export function sudokuDigitsFromIds(tokenizer: Tokenizer, ids: ArrayLike<number>, board: SudokuBoard): { digits: number[]; positions: number[] } {
  const digitOfId = new Map<number, number>();
  tokenizer.convertTokensToIds(Array.from({ length: 10 }, (_, digit) => String(digit))).forEach((id, digit) => digitOfId.set(id, digit));
  const digits: number[] = [];
  const positions: number[] = [];
  for (let position = 0; position < ids.length && digits.length < board.numCells; position++) {
    const id = ids[position] as number;
    if (id === tokenizer.maskTokenId) {
      digits.push(0);
      positions.push(position);
    } else if (digitOfId.has(id)) {
      digits.push(digitOfId.get(id)!);
      positions.push(position);
    }
  }
  return { digits, positions };
}

export interface SudokuStreamOptions {
  board: SudokuBoard;
  tokenizer: Tokenizer;
  /** Quizzes being solved (clues), one per batch row. */
  quizzes: string[];
  /** Known solutions: wrong cells are marked on the last frame. */
  solutions?: (string | undefined)[];
  /** Titles above the boards (default `puzzle 1`, ...). */
  titles?: string[];
  style: FrameStyle;
  /** Writes text as is (newlines included). */
  write: (text: string) => void;
  /** Redraw in place (cursor up) instead of printing successive frames. */
  inPlace: boolean;
  /** Pause between frames in milliseconds (a terminal viewer needs time to see each step). Default 0. */
  frameDelayMs?: number;
}

export interface SudokuStreamResult {
  /** Final grids as digit strings (0 = left blank). */
  grids: string[];
  /** Per row: whether the final grid equals the known solution (undefined without one). */
  solved: (boolean | undefined)[];
  steps: number;
}

/**
 * Renders a predictor stream as sudoku frames: a frame per step, the cells committed at that step
 * highlighted, then a last frame with the wrong cells marked.
 */
export async function renderSudokuStream(events: AsyncIterable<PredictorStepEvent>, options: SudokuStreamOptions): Promise<SudokuStreamResult> {
  const { board, tokenizer, quizzes, style, write } = options;
  const clues = quizzes.map((quiz) => sudokuDigits(quiz).map((digit) => digit !== 0));
  const titles = quizzes.map((_, index) => options.titles?.[index] ?? `puzzle ${index + 1}`);
  let drawnLines = 0;
  const draw = (header: string, lines: string[]) => {
    const frame = [header, ...lines];
    if (options.inPlace) {
      const up = drawnLines > 0 ? `\x1b[${drawnLines}A` : '';
      write(`${up}${frame.map((line) => `\x1b[2K${line}`).join('\n')}\n`);
      drawnLines = frame.length;
    } else {
      write(`${frame.join('\n')}\n\n`);
    }
  };
  let digits: number[][] = quizzes.map((quiz) => sudokuDigits(quiz));
  draw('step 0 (the quizzes)', renderSudokuFrame(board, digits.map((row, index) => ({ digits: row, clues: clues[index]!, title: titles[index]! })), style));
  let steps = 0;
  for await (const event of events) {
    const [rows, width] = event.ids.shape;
    const states: SudokuBoardState[] = [];
    const next: number[][] = [];
    let changed = 0;
    for (let row = 0; row < Math.min(rows, quizzes.length); row++) {
      const ids = event.ids.data.subarray(row * width, (row + 1) * width);
      const { digits: cells, positions } = sudokuDigitsFromIds(tokenizer, ids, board);
      const filled = new Set<number>();
      positions.forEach((position, cell) => {
        if (event.unmasked.data[row * width + position]) filled.add(cell);
      });
      changed += filled.size;
      next.push(cells);
      states.push({ digits: cells, clues: clues[row]!, filled, title: titles[row]! });
    }
    digits = next;
    if (changed === 0 && !event.final) continue;
    steps += 1;
    draw(`step ${event.step}${event.final ? ' (final fill)' : ''}`, renderSudokuFrame(board, states, style));
    if (options.frameDelayMs) await new Promise((resolve) => setTimeout(resolve, options.frameDelayMs));
  }
  const solved: (boolean | undefined)[] = [];
  const finalStates = digits.map((row, index) => {
    const solution = options.solutions?.[index];
    const wrong = new Set<number>();
    if (solution !== undefined) {
      const truth = sudokuDigits(solution);
      row.forEach((digit, cell) => {
        if (digit !== truth[cell]) wrong.add(cell);
      });
      solved.push(wrong.size === 0);
    } else {
      solved.push(undefined);
    }
    const verdict = solution === undefined ? '' : wrong.size === 0 ? ' ✓ solved' : ` ✗ ${wrong.size} wrong`;
    return { digits: row, clues: clues[index]!, wrong, title: `${titles[index]!}${verdict}` };
  });
  draw('result', renderSudokuFrame(board, finalStates, style));
  return { grids: digits.map((row) => row.join('')), solved, steps };
}
