import { SimpleSpaceTokenizer } from '@mlm/collators';
import type { CollatorInput, Tokenizer } from '@mlm/types';
import { createArraySource } from './example-source.js';
import { generateSplits, generatedDataDirectory, loadOrGenerateSplits, type GeneratedSplits } from './generated-splits.js';
import { readSudokuCsv, writeSudokuCsv } from './sudoku-csv.js';
import { DEFAULT_TARGET_CLUES, generateSudoku, type SudokuPuzzle } from './sudoku-generator.js';
import type { Task, TaskFactoryOptions } from './task.js';
import { parseTaskOptions, splitCounts } from './task-options.js';

/** Default split sizes (the reference reads the 1M-puzzle Kaggle CSV; we generate locally). */
export const SUDOKU_SPLIT_SIZES = { train: 10_000, validation: 100, test: 1_000 } as const;

/** Block of the reference's `sudoku_mlm` experiment: 81 cells + EOS + 1 PAD. */
export const SUDOKU_BLOCK_SIZE = 83;

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
  /** Clues left in each generated puzzle (see `generateSudoku`); default 33. */
  targetClues?: number;
  /** Your own puzzles: CSV files per split in the reference's `quizzes,solutions` layout (splits without a file are empty). */
  files?: { train?: string; validation?: string; test?: string };
}

/** The sudoku task, with the puzzles of every split. */
export interface SudokuTask extends Task {
  puzzles: GeneratedSplits<SudokuPuzzle>;
  /** Folder of the cached CSV files (when `dataDir` was given). */
  dataDirectory: string | undefined;
}

async function readPuzzles(file: string): Promise<SudokuPuzzle[]> {
  const puzzles: SudokuPuzzle[] = [];
  for await (const puzzle of readSudokuCsv(file)) puzzles.push(puzzle);
  return puzzles;
}

/**
 * The sudoku infilling task (`sudoku`, the reference's `sudoku_mlm`): puzzles with a unique solution
 * generated from `options.seed` (validation and test deduplicated against train by solution), cached
 * in the reference's CSV layout under `<dataDir>/sudoku/seed-<seed>-train-<n>-validation-<n>-test-<n>-clues-<c>/`
 * when `dataDir` is given. Training masks the solution (`DefaultMLMCollator`, block 83, EOS);
 * prediction fills the quiz's blanks (`MLMInfillWithExactTargetPredCollator`).
 */
export async function createSudokuTask(options: SudokuTaskOptions): Promise<SudokuTask> {
  const name = 'sudoku';
  const parsed = parseTaskOptions(name, options);
  const targetClues = options.targetClues ?? DEFAULT_TARGET_CLUES;
  if (!Number.isInteger(targetClues) || targetClues < 17 || targetClues > 81) {
    throw new Error(`${name}: targetClues = ${targetClues}, expected an integer in [17, 81]`);
  }
  const blockSize = parsed.blockSize ?? SUDOKU_BLOCK_SIZE;
  if (blockSize < 82) {
    throw new Error(`${name}: blockSize = ${blockSize}, expected ≥ 82 (81 cells and the EOS of the training collator)`);
  }
  const counts = splitCounts(parsed, SUDOKU_SPLIT_SIZES);
  const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
  const dataDirectory =
    parsed.dataDir === undefined ? undefined : generatedDataDirectory(parsed.dataDir, name, parsed.seed, counts, `-clues-${targetClues}`);
  const files = options.files;
  const puzzles = files
    ? { train: files.train ? await readPuzzles(files.train) : [], validation: files.validation ? await readPuzzles(files.validation) : [], test: files.test ? await readPuzzles(files.test) : [] }
    : await loadOrGenerateSplits<SudokuPuzzle>({
    directory: dataDirectory,
    extension: 'csv',
    counts,
    generate: () =>
      generateSplits({ name, seed: parsed.seed, counts, generate: (random) => generateSudoku(random, { targetClues }), key: (puzzle) => puzzle.solution }),
    read: readPuzzles,
    write: writeSudokuCsv,
  });
  const toSource = (items: SudokuPuzzle[]) => createArraySource(items.map((puzzle) => preprocessSudoku(puzzle, tokenizer)));
  return {
    name,
    kind: 'infill',
    tokenizer,
    blockSize,
    splits: { train: toSource(puzzles.train), validation: toSource(puzzles.validation), test: toSource(puzzles.test) },
    // Hydra `collator/default_mlm` (training on the solution) and `collator/infill_with_target_mlm`.
    collatorDefaults: {
      train: { name: 'mlm/default-collator', blockSize, addBos: false, addEos: true, lossOnPadding: true, truncate: 'block' },
      prediction: { name: 'mlm/infill-with-exact-target-pred-collator', blockSize, addBos: false, addEos: false, lossOnPadding: false, truncate: 'block' },
    },
    puzzles: { train: puzzles.train, validation: puzzles.validation, test: puzzles.test },
    dataDirectory,
  };
}
