import { SimpleSpaceTokenizer } from '@mlm/collators';
import type { CollatorInput, Tokenizer } from '@mlm/types';
import { createArraySource } from './example-source.js';
import { generateSplits, generatedDataDirectory, loadOrGenerateSplits, type GeneratedSplits } from './generated-splits.js';
import { readSudokuCsv, writeSudokuCsv } from './sudoku-csv.js';
import { sudokuBoard, type SudokuBoard, type SudokuBoardName } from './sudoku-board.js';
import { MIN_SUDOKU_CLUES, defaultTargetClues, generateSudoku, type SudokuPuzzle } from './sudoku-generator.js';
import type { Task, TaskFactoryOptions } from './task.js';
import { parseTaskOptions, splitCounts } from './task-options.js';

/** Default split sizes on 9×9 (the reference reads the 1M-puzzle Kaggle CSV; we generate locally). */
export const SUDOKU_SPLIT_SIZES = { train: 10_000, validation: 100, test: 1_000 } as const;
/** Default split sizes on 4×4 and 6×6 (puzzles are cheap to generate; more training puzzles help). */
export const SMALL_SUDOKU_SPLIT_SIZES = { train: 20_000, validation: 100, test: 1_000 } as const;

/** Block of the reference's `sudoku_mlm` experiment: 81 cells + EOS + 1 PAD. */
export const SUDOKU_BLOCK_SIZE = 83;

/** Task name per board: `sudoku` (9×9, the reference's task), `sudoku-4x4`, `sudoku-6x6`. */
export function sudokuTaskName(board: SudokuBoard): string {
  return board.name === '9x9' ? 'sudoku' : `sudoku-${board.name}`;
}

/**
 * Default block per board: 9×9 keeps the reference's 83 (81 cells + EOS + 1 PAD); the small boards use
 * cells + EOS (17, 37) — no padding column, since every row has the same length.
 */
export function defaultSudokuBlockSize(board: SudokuBoard): number {
  return board.name === '9x9' ? SUDOKU_BLOCK_SIZE : board.numCells + 1;
}

/** An infilling example: the quiz with `[MASK]` at blanks, and the solution. */
export interface SudokuExample extends CollatorInput {
  promptIds: number[];
  inputIds: number[];
}

/**
 * xlm-core's `sudoku_preprocess_fn`: `promptIds` = the quiz with `[MASK]` at blanks (`0`), digits as
 * the ids of their tokens (7 + d with `forNumbers(10)`); `inputIds` = the solution, same mapping.
 */
export function preprocessSudoku(puzzle: SudokuPuzzle, tokenizer: Tokenizer): SudokuExample {
  const digitIds = tokenizer.convertTokensToIds(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const idOf = (character: string, blankId: number | undefined, what: string, index: number): number => {
    const digit = character.charCodeAt(0) - 48;
    if (!(digit >= 0 && digit <= 9)) throw new Error(`preprocessSudoku: ${what}[${index}] = ${JSON.stringify(character)}, expected a digit`);
    if (digit === 0 && blankId !== undefined) return blankId;
    return digitIds[digit] as number;
  };
  const promptIds = Array.from(puzzle.quiz, (character, index) => idOf(character, tokenizer.maskTokenId, 'quiz', index));
  const inputIds = Array.from(puzzle.solution, (character, index) => idOf(character, undefined, 'solution', index));
  return { promptIds, inputIds };
}

export interface SudokuTaskOptions extends TaskFactoryOptions {
  /** Board shape: `4x4` (2×2 boxes), `6x6` (2×3 boxes) or `9x9` (default). */
  board?: SudokuBoardName;
  /** Clues left in each generated puzzle (see `generateSudoku`); default 33 on 9×9, minimal puzzles on 4×4 and 6×6. */
  targetClues?: number;
  /** Your own puzzles: CSV files per split in the reference's `quizzes,solutions` layout (splits without a file are empty). */
  files?: { train?: string; validation?: string; test?: string };
}

/** The sudoku task, with the puzzles of every split. */
export interface SudokuTask extends Task {
  puzzles: GeneratedSplits<SudokuPuzzle>;
  board: SudokuBoard;
  /** Folder of the cached CSV files (when `dataDir` was given). */
  dataDirectory: string | undefined;
}

async function readPuzzles(file: string, board: SudokuBoard): Promise<SudokuPuzzle[]> {
  const puzzles: SudokuPuzzle[] = [];
  for await (const puzzle of readSudokuCsv(file, board)) puzzles.push(puzzle);
  return puzzles;
}

/**
 * What makes an evaluation puzzle "unseen". On 6×6 and 9×9 the solution: no validation or test puzzle
 * shares even its solved grid with a training puzzle, so the model cannot have memorised the answer.
 * 4×4 has only 288 solved grids, so every grid occurs in any sizeable training set; there the quiz is
 * the key — a test quiz (its clue set) never occurs in training, but its solved grid has been seen.
 */
export function sudokuSplitKey(board: SudokuBoard): (puzzle: SudokuPuzzle) => string {
  return board.name === '4x4' ? (puzzle) => puzzle.quiz : (puzzle) => puzzle.solution;
}

/**
 * The sudoku infilling task (`sudoku`, the reference's `sudoku_mlm`, and `sudoku-4x4`, `sudoku-6x6`):
 * puzzles with a unique solution generated from `options.seed` (validation and test deduplicated
 * against train, see `sudokuSplitKey`), cached in the reference's CSV layout under
 * `<dataDir>/<task>/seed-<seed>-train-<n>-validation-<n>-test-<n>-clues-<c>/` when `dataDir` is given.
 * Training masks the solution (`DefaultMLMCollator`, EOS); prediction fills the quiz's blanks
 * (`MLMInfillWithExactTargetPredCollator`, EOS too, so both see the same row layout).
 */
export async function createSudokuTask(options: SudokuTaskOptions): Promise<SudokuTask> {
  const board = sudokuBoard(options.board ?? '9x9');
  const name = sudokuTaskName(board);
  const parsed = parseTaskOptions(name, options);
  const targetClues = options.targetClues ?? defaultTargetClues(board);
  const minimum = MIN_SUDOKU_CLUES[board.name];
  if (!Number.isInteger(targetClues) || targetClues < minimum || targetClues > board.numCells) {
    throw new Error(`${name}: targetClues = ${targetClues}, expected an integer in [${minimum}, ${board.numCells}]`);
  }
  const blockSize = parsed.blockSize ?? defaultSudokuBlockSize(board);
  if (blockSize < board.numCells + 1) {
    throw new Error(`${name}: blockSize = ${blockSize}, expected ≥ ${board.numCells + 1} (${board.numCells} cells and the EOS of the training collator)`);
  }
  const counts = splitCounts(parsed, board.name === '9x9' ? SUDOKU_SPLIT_SIZES : SMALL_SUDOKU_SPLIT_SIZES);
  const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
  const dataDirectory =
    parsed.dataDir === undefined ? undefined : generatedDataDirectory(parsed.dataDir, name, parsed.seed, counts, `-clues-${targetClues}`);
  const files = options.files;
  const puzzles = files
    ? {
        train: files.train ? await readPuzzles(files.train, board) : [],
        validation: files.validation ? await readPuzzles(files.validation, board) : [],
        test: files.test ? await readPuzzles(files.test, board) : [],
      }
    : await loadOrGenerateSplits<SudokuPuzzle>({
    directory: dataDirectory,
    extension: 'csv',
    counts,
    generate: () =>
      generateSplits({ name, seed: parsed.seed, counts, generate: (random) => generateSudoku(random, { board, targetClues }), key: sudokuSplitKey(board) }),
    read: (file) => readPuzzles(file, board),
    write: (file, items) => writeSudokuCsv(file, items, board),
  });
  const toSource = (items: SudokuPuzzle[]) => createArraySource(items.map((puzzle) => preprocessSudoku(puzzle, tokenizer)));
  return {
    name,
    kind: 'infill',
    tokenizer,
    blockSize,
    splits: { train: toSource(puzzles.train), validation: toSource(puzzles.validation), test: toSource(puzzles.test) },
    // Training on the solution (xlm-core's `default_mlm`) and exact-target infilling for prediction.
    // The prediction rows end with EOS like the training rows: xlm-core's sudoku_mlm predicts on
    // `[cells][PAD]…` although the model only ever saw `[cells][EOS]…`, and that shift costs almost
    // everything (a 4×4 model at step 745: exact match 0% without the EOS, 94% with it).
    collatorDefaults: {
      train: { name: 'mlm/default-collator', blockSize, addBos: false, addEos: true, lossOnPadding: true, truncate: 'block' },
      prediction: { name: 'mlm/infill-with-exact-target-pred-collator', blockSize, addBos: false, addEos: true, lossOnPadding: false, truncate: 'block' },
    },
    puzzles: { train: puzzles.train, validation: puzzles.validation, test: puzzles.test },
    board,
    dataDirectory,
  };
}
