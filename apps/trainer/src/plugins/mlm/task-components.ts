import { z } from 'zod';
import { BUILT_IN_TASKS } from '../../tasks/index.js';
import type { Task, TaskFactoryOptions } from '../../tasks/task.js';
import { defineComponent, nonEmptyString, nonNegativeInteger, numberInRange, positiveInteger } from '@mlm/components';
import '../../registry/component-context.js';

const seed = () => z.number({ error: (issue) => `expected an integer seed, got ${JSON.stringify(issue.input)}` }).int().default(42);

const generatedTaskSchema = z.strictObject({
  /** Generation seed (the reference generates with 42). */
  seed: seed(),
  numTrain: positiveInteger().optional(),
  numValidation: nonNegativeInteger().optional(),
  numTest: nonNegativeInteger().optional(),
  /** Cache the generated splits under this folder (reused when the same seed and sizes ask again). */
  dataDir: nonEmptyString().optional(),
});

const splitFiles = () =>
  z.strictObject({ train: nonEmptyString().optional(), validation: nonEmptyString().optional(), test: nonEmptyString().optional() });

const starTaskSchema = generatedTaskSchema.extend({
  /** Your own graphs: JSON-lines files per split in the reference's layout (splits without a file are empty). */
  files: splitFiles().optional(),
});

const jsonlPairsTaskSchema = z.strictObject({
  seed: seed(),
  /** JSON-lines files of {"prompt", "completion"} records per split (train required to train). */
  files: splitFiles(),
  /** seq2seq: complete the prompt; infill: the prompt is the completion with [MASK]s. */
  mode: z.enum(['seq2seq', 'infill']).optional(),
  /** A tokenizer.json; otherwise a SimpleSpaceTokenizer of the files' whitespace-separated tokens. */
  tokenizerPath: nonEmptyString().optional(),
  /** Completion block (default: longest completion + BOS/EOS) and prompt block (default: longest prompt). */
  blockSize: positiveInteger().optional(),
  inputBlockSize: positiveInteger().optional(),
});

const sudokuTaskSchema = generatedTaskSchema.extend({
  /** Your own puzzles: CSV files per split, `quizzes,solutions` (splits without a file are empty). */
  files: splitFiles().optional(),
  /** Clues left in each generated puzzle (9×9: default 33, at least 17; 4×4 / 6×6: default minimal puzzles, at least 4 / 8). */
  targetClues: z.number().int().min(4).max(81).optional(),
});

const textTaskSchema = z.strictObject({
  seed: seed(),
  /** A .txt or .jsonl ({"text": ...} per line) file, or a folder of them (required). */
  path: nonEmptyString(),
  /** A tokenizer.json; otherwise a character-level tokenizer is built from the corpus. */
  tokenizerPath: nonEmptyString().optional(),
  /** Tokens per chunk (default 128). */
  blockSize: positiveInteger().optional(),
  /** Percent of chunks held out for validation / test (default 1 each). */
  validationPercent: numberInRange(0, 100).optional(),
  testPercent: numberInRange(0, 100).optional(),
});

const DESCRIPTIONS: Record<string, string> = {
  'star-easy': 'star-graph path finding, easy (seq2seq; graphs generated locally)',
  'star-medium': 'star-graph path finding, medium (seq2seq; graphs generated locally)',
  'star-hard': 'star-graph path finding, hard (seq2seq; graphs generated locally)',
  sudoku: 'sudoku infilling, 9×9 (puzzles generated and checked locally)',
  'sudoku-4x4': 'sudoku infilling, 4×4 with 2×2 boxes (minimal puzzles generated and checked locally)',
  'sudoku-6x6': 'sudoku infilling, 6×6 with 2×3 boxes (minimal puzzles generated and checked locally)',
  'text-char': 'a local text corpus, character-level (unconditional generation)',
  'jsonl-pairs': 'your own prompt/completion pairs from JSON-lines files (seq2seq or infill)',
};

/** The built-in tasks as `task` components (`mlm/star-easy`, `mlm/sudoku`, `mlm/text-char`, ...). */
export const taskComponents = Object.entries(BUILT_IN_TASKS).map(([name, factory]) => {
  const schema =
    name.startsWith('sudoku') ? sudokuTaskSchema : name.startsWith('text') ? textTaskSchema : name === 'jsonl-pairs' ? jsonlPairsTaskSchema : name.startsWith('star') ? starTaskSchema : generatedTaskSchema;
  return defineComponent({
    kind: 'task',
    name: `mlm/${name}`,
    description: DESCRIPTIONS[name] ?? name,
    schema,
    create: (options) => factory(options),
  });
});
