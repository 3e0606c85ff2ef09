import { createJsonlPairsTask, type JsonlPairsTaskOptions } from './jsonl-pairs-task.js';
import { createStarTask } from './star-task.js';
import { createSudokuTask } from './sudoku-task.js';
import type { TaskFactory } from './task.js';
import { createTextTask } from './text-task.js';

/** The tasks the CLI knows by name. */
export const BUILT_IN_TASKS: Record<string, TaskFactory> = {
  'star-easy': (options) => createStarTask('easy', options),
  'star-medium': (options) => createStarTask('medium', options),
  'star-hard': (options) => createStarTask('hard', options),
  sudoku: (options) => createSudokuTask({ ...options, board: '9x9' }),
  'sudoku-4x4': (options) => createSudokuTask({ ...options, board: '4x4' }),
  'sudoku-6x6': (options) => createSudokuTask({ ...options, board: '6x6' }),
  'text-char': (options) => createTextTask(options),
  'jsonl-pairs': (options) => createJsonlPairsTask(options as JsonlPairsTaskOptions),
};
