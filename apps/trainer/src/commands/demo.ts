import path from 'node:path';
import type { SudokuTask } from '../tasks/sudoku-task.js';
import type { CommandIO } from './command-io.js';
import { evaluateCommand } from './evaluate.js';
import { generateCommand } from './generate.js';
import { trainCommand } from './train.js';

export interface DemoCommandOptions {
  /** Default runs/demo (replaced on every demo run). */
  runDir?: string | undefined;
  backend?: string | undefined;
  /** `key.path=value` overrides of the demo preset. */
  overrides?: string[];
  /** Test puzzles to evaluate (default: all of the preset's test split). */
  maxExamples?: number | undefined;
  /** Held-out puzzles shown being solved step by step (default 3). */
  showPuzzles?: number | undefined;
  io: CommandIO;
  handleSignals?: boolean;
  /** Whether stdout is a terminal: boards redrawn in place with colours, else plain successive frames. */
  interactive?: boolean;
  /** Raw terminal writes for the in-place redraw (default process.stdout.write). */
  write?: (text: string) => void;
  /** Pause between frames on a terminal (ms; default 80). */
  frameDelayMs?: number;
}

export interface DemoResult {
  status: 'completed' | 'interrupted';
  /** The signal that stopped the training, when interrupted. */
  signal?: 'SIGINT' | 'SIGTERM' | undefined;
  exactMatch: number | undefined;
  tokenAccuracy: number | undefined;
  numExamples: number | undefined;
  trainSeconds: number;
  totalSeconds: number;
  runDir: string;
  /** The trained model folder (`<runDir>/model`) that `mlm generate` and `mlm eval` take. */
  modelDir: string | undefined;
}

function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

const percent = (value: number | undefined) => `${((value ?? 0) * 100).toFixed(1)}%`;

function shellQuote(text: string): string {
  return /^[\w./:=@-]+$/.test(text) ? text : `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * `mlm demo`: sudoku on a small board (preset `demo`: 4×4, 2×2 boxes). Generates puzzles with unique
 * solutions locally, trains a masked diffusion model from scratch, evaluates it on held-out puzzles
 * (exact match = the whole board equals the unique solution), then shows a few held-out puzzles being
 * solved step by step, most confident cell first. Nothing is downloaded.
 */
export async function demoCommand(options: DemoCommandOptions): Promise<DemoResult> {
  const { io } = options;
  const started = performance.now();
  const runDir = path.resolve(options.runDir ?? path.join('runs', 'demo'));
  io.out('mlm demo: sudoku solved by a masked diffusion model trained from scratch on this machine.');
  io.out('Puzzles with a unique solution are generated locally; the model learns to fill a masked board');
  io.out('(training masks a random fraction of each solved board) and solves a quiz by filling its blanks');
  io.out('one at a time, the cell it is most confident about first.\n');
  const trained = await trainCommand({
    preset: 'demo',
    overrides: options.overrides,
    runDir,
    overwrite: true,
    backend: options.backend,
    io,
    handleSignals: options.handleSignals,
  });
  const trainSeconds = trained.elapsedSeconds;
  if (trained.status === 'interrupted' || trained.finalModel === undefined) {
    return {
      status: 'interrupted',
      signal: trained.signal,
      exactMatch: undefined,
      tokenAccuracy: undefined,
      numExamples: undefined,
      trainSeconds,
      totalSeconds: (performance.now() - started) / 1000,
      runDir,
      modelDir: undefined,
    };
  }
  const modelDir = trained.finalModel;
  const task = trained.prepared.task as Partial<SudokuTask>;
  const boardName = task.board?.name ?? 'sudoku';
  io.out('');
  const evaluation = await evaluateCommand({ modelPath: modelDir, split: 'test', maxExamples: options.maxExamples, io });
  // `test/prediction/...` (the reference's names, for infill and seq2seq tasks alike).
  const metric = (name: string) => Object.entries(evaluation.values).find(([key]) => key.startsWith('test/') && key.endsWith(`/${name}`))?.[1];
  const exactMatch = metric('exact_match');
  const tokenAccuracy = metric('token_accuracy');

  const shown = (task.puzzles?.test ?? []).slice(0, options.showPuzzles ?? 3);
  if (shown.length > 0) {
    io.out(`\n${shown.length} held-out ${boardName} puzzles solved step by step (clues bold, the cells filled at each step highlighted, wrong cells marked at the end):\n`);
    await generateCommand({
      modelPath: modelDir,
      prompts: shown.map((puzzle) => puzzle.quiz),
      solutions: shown.map((puzzle) => puzzle.solution),
      stream: true,
      backend: options.backend,
      io: { ...io, out: (line) => io.out(line) },
      interactive: options.interactive ?? false,
      ...(options.write ? { write: options.write } : {}),
      ...(options.frameDelayMs !== undefined ? { frameDelayMs: options.frameDelayMs } : {}),
    });
  }
  const totalSeconds = (performance.now() - started) / 1000;
  io.out(
    `\nexact match on ${evaluation.numExamples} held-out ${boardName} puzzles: ${percent(exactMatch)} ` +
      `(token accuracy on the blanks ${percent(tokenAccuracy)}); trained ${trained.step} steps in ${formatDuration(trainSeconds)}, ` +
      `${formatDuration(totalSeconds)} in all (seed ${trained.config.seed}, data seed ${String((trained.config.task as { seed?: unknown }).seed ?? '')}).`,
  );
  const quiz = shown[0]?.quiz ?? '';
  io.out(`solve your own puzzles:  pnpm mlm generate ${shellQuote(modelDir)} --stream --prompt ${quiz}   (row-major digits, 0 = blank)`);
  io.out(`evaluate it again:       pnpm mlm eval ${shellQuote(modelDir)}`);
  return { status: 'completed', exactMatch, tokenAccuracy, numExamples: evaluation.numExamples, trainSeconds, totalSeconds, runDir, modelDir };
}
