export type { ExampleSource, Task, TaskFactory, TaskFactoryOptions, TaskKind } from './task.js';
export { BUILT_IN_TASKS } from './built-in-tasks.js';
export { createArraySource, collectExamples } from './example-source.js';
export { parseTaskOptions, splitCounts, type SplitCounts } from './task-options.js';
export {
  generateSplits,
  generatedDataDirectory,
  loadOrGenerateSplits,
  SPLIT_NAMES,
  type GeneratedSplits,
  type GenerateSplitsOptions,
  type SplitName,
} from './generated-splits.js';
export { randomInteger, sampleWithoutReplacement, shuffleInPlace } from './random-draws.js';
export { readJsonLines, writeJsonLines } from './jsonl-file.js';
export {
  STAR_GRAPH_SETTINGS,
  generateAsymmetricStarGraph,
  generateSimpleStarGraph,
  generateStarGraph,
  starGraphKey,
  type AsymmetricStarGraphOptions,
  type SimpleStarGraphOptions,
  type StarDifficulty,
  type StarGraph,
  type StarGraphOptions,
} from './star-graph-generator.js';
export { STAR_SPLIT_SIZES, STAR_TASK_BLOCKS, createStarTask, preprocessStarGraph, type StarExample, type StarTask } from './star-task.js';
export { countSudokuSolutions, formatSudokuGrid, isSolvedSudokuGrid, parseSudokuGrid, solveSudoku, type SudokuGridInput } from './sudoku-solver.js';
export {
  DEFAULT_TARGET_CLUES,
  MIN_SUDOKU_CLUES,
  countSudokuClues,
  defaultTargetClues,
  generateSudoku,
  type GenerateSudokuOptions,
  type SudokuPuzzle,
} from './sudoku-generator.js';
export { SUDOKU_BOARDS, SUDOKU_BOARD_NAMES, sudokuBoard, sudokuBoardForCells, type SudokuBoard, type SudokuBoardName } from './sudoku-board.js';
export { readSudokuCsv, writeSudokuCsv } from './sudoku-csv.js';
export {
  SMALL_SUDOKU_SPLIT_SIZES,
  SUDOKU_BLOCK_SIZE,
  SUDOKU_SPLIT_SIZES,
  createSudokuTask,
  defaultSudokuBlockSize,
  sudokuSplitKey,
  sudokuTaskName,
  preprocessSudoku,
  type SudokuExample,
  type SudokuTask,
  type SudokuTaskOptions,
} from './sudoku-task.js';
export { listCorpusFiles, readCorpusPieces } from './text-corpus.js';
export { DEFAULT_TEXT_BLOCK_SIZE, chunkHash, createChunkSplitter, createTextTask, type TextTask, type TextTaskOptions } from './text-task.js';
