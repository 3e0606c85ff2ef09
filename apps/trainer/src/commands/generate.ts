import { readFileSync, mkdirSync } from 'node:fs';
import { writeFileDurablySync } from '@mlm/durable-write';
import path from 'node:path';
import { initializeBackend } from '@mlm/backend';
import { createNamedRandom } from '@mlm/random';
import { createLeftPaddedBatch, createUnconditionalBatch } from '@mlm/predictor';
import type { MLMPredictionBatch, PredictorStepEvent, Tokenizer } from '@mlm/types';
import { loadConfig, type ConfigSources } from '../config/load-config.js';
import { chunkByLength } from '../training/evaluate.js';
import { instantiateRun } from '../training/prepare-run.js';
import { createRegistryWithPlugins } from '../registry/create-registry.js';
import type { TaskInfo } from '../registry/component-context.js';
import { applyTaskOptions, loadModelFromFolder, loadTokenizerFromFolder, locateModelFolder } from '../training/model-folder.js';
import type { MLMPredictor } from '../training/run-components.js';
import { renderSudokuStream, sudokuDigitsFromIds } from '../rendering/sudoku-frames.js';
import { sudokuBoardForCells, type SudokuBoard } from '../tasks/sudoku-board.js';
import type { CommandIO } from './command-io.js';
import { loadRun } from './train.js';

export interface GenerateCommandOptions extends ConfigSources {
  modelPath: string;
  /** Prompts (seq2seq: the prefix; infill: text with [MASK] tokens). */
  prompts?: string[];
  /** A file with one prompt per line. */
  promptsFile?: string | undefined;
  /** Read prompts from this text (stdin) when no other prompts are given. */
  stdinText?: string | undefined;
  /**
   * Unconditional tasks (or no prompts): how many samples. Default 4 rows of the task's block length;
   * where the run's config sets `validation.predictionSource`, the first N of that source's rows (default all).
   */
  numSamples?: number | undefined;
  /** Write JSON lines {prompt, output} here instead of printing. */
  output?: string | undefined;
  /** Render the unmasking step by step. */
  stream?: boolean;
  useEma?: boolean;
  backend?: string | undefined;
  /** A built-in task whose shape and tokenizer to use (for folders without task.json / tokenizer.json). */
  task?: string | undefined;
  /** A tokenizer.json to use instead of the folder's. */
  tokenizerFile?: string | undefined;
  io: CommandIO;
  /** Whether `io.out` is a terminal (live redraw when streaming). */
  interactive?: boolean;
  /** Sudoku models: known solutions of the prompts, one per prompt, to mark wrong cells when streaming. */
  solutions?: (string | undefined)[];
  /** Sudoku frames on a terminal: pause between frames (ms). Default 80 when interactive, else 0. */
  frameDelayMs?: number;
  /** Raw terminal writes for in-place redraws (default process.stdout.write). */
  write?: (text: string) => void;
}

export interface GeneratedText {
  prompt: string | null;
  output: string;
}

function readPrompts(options: GenerateCommandOptions): string[] {
  const prompts = [...(options.prompts ?? [])];
  if (options.promptsFile) prompts.push(...readFileSync(options.promptsFile, 'utf8').split('\n').map((line) => line.trim()).filter(Boolean));
  if (prompts.length === 0 && options.stdinText) prompts.push(...options.stdinText.split('\n').map((line) => line.trim()).filter(Boolean));
  return prompts;
}

function windowText(tokenizer: Tokenizer, ids: Int32Array, start: number, end: number, cutAtEos: boolean): string {
  let window = Array.from(ids.subarray(start, end));
  const eos = tokenizer.eosTokenId;
  if (cutAtEos && eos !== undefined && window.includes(eos)) window = window.slice(0, window.indexOf(eos));
  return tokenizer.decode(window, { skipSpecialTokens: false }).replaceAll(tokenizer.maskToken, '_');
}

/** Streams a batch, printing the generated windows after every step (redrawn in place on a terminal). */
async function streamBatch(predictor: MLMPredictor, batch: MLMPredictionBatch, tokenizer: Tokenizer, io: CommandIO, interactive: boolean): Promise<string[]> {
  if (!predictor.stream) throw new Error('this predictor cannot stream');
  let last: PredictorStepEvent | undefined;
  let drawn = 0;
  for await (const event of predictor.stream(batch)) {
    last = event;
    const [rows, width] = event.ids.shape;
    const lines = Array.from({ length: rows }, (_, b) => windowText(tokenizer, event.ids.data, b * width + event.outputStartIdx, (b + 1) * width, false));
    if (interactive && drawn > 0) process.stdout.write(`\x1b[${drawn}A`);
    if (interactive) {
      for (const line of lines) process.stdout.write(`\x1b[K${line}\n`);
      drawn = lines.length;
    } else {
      io.out(`step ${event.step}${event.final ? ' (final)' : ''}:`);
      for (const line of lines) io.out(`  ${line}`);
    }
  }
  if (!last) return [];
  const [rows, width] = last.ids.shape;
  return Array.from({ length: rows }, (_, b) => windowText(tokenizer, last!.ids.data, b * width + last!.outputStartIdx, (b + 1) * width, true).replaceAll('_', tokenizer.maskToken));
}

/** The board of a sudoku model (task `sudoku`, `sudoku-4x4`, `sudoku-6x6`), from its task.json. */
export function sudokuBoardOfTask(taskInfo: TaskInfo | undefined): SudokuBoard | undefined {
  if (taskInfo === undefined || taskInfo.kind !== 'infill' || !/^sudoku(-\d+x\d+)?$/.test(taskInfo.name)) return undefined;
  const match = /^sudoku-(\d+)x\d+$/.exec(taskInfo.name);
  const side = match ? Number(match[1]) : 9;
  return sudokuBoardForCells(side * side);
}

/**
 * Sudoku prompts may be given in the reference's CSV layout (`1000004...`, `0` or `.` = blank); they
 * become the model's text (`1 [MASK] [MASK] ...`). Other prompts pass unchanged.
 */
export function sudokuPromptText(prompt: string, board: SudokuBoard, maskToken: string): string {
  const pattern = new RegExp(`^[0-${board.size}.]{${board.numCells}}$`);
  if (!pattern.test(prompt)) return prompt;
  return Array.from(prompt, (character) => (character === '0' || character === '.' ? maskToken : character)).join(' ');
}

/** A quiz string (0 = blank) from a sudoku prompt in either layout. */
function sudokuQuizOf(prompt: string, board: SudokuBoard, maskToken: string): string {
  const pattern = new RegExp(`^[0-${board.size}.]{${board.numCells}}$`);
  if (pattern.test(prompt)) return prompt.replaceAll('.', '0');
  return prompt
    .split(/\s+/)
    .filter((token) => token === maskToken || /^[0-9]$/.test(token))
    .map((token) => (token === maskToken ? '0' : token))
    .join('')
    .slice(0, board.numCells);
}

/**
 * `mlm generate <model>`: generation with the run's predictor settings (from its config.yaml, plus
 * `predictor.*=value` overrides). Seq2seq models complete prompts; infill models fill their [MASK]s;
 * without prompts, unconditional samples.
 */
export async function generateCommand(options: GenerateCommandOptions): Promise<GeneratedText[]> {
  const { io } = options;
  const folder = await applyTaskOptions(locateModelFolder(options.modelPath), { task: options.task, tokenizerFile: options.tokenizerFile });
  const configFiles = [...(folder.runConfigFile ? [folder.runConfigFile] : []), ...(options.configFiles ?? [])];
  const { config, baseDirectories } = loadConfig({ preset: options.preset, configFiles, overrides: options.overrides, values: options.values });
  const registry = await createRegistryWithPlugins(config.plugins, baseDirectories);
  const { name: predictorName, ...predictorOptions } = config.predictor;
  await initializeBackend({ backend: options.backend ?? config.backend, log: io.err });
  const tokenizer = await loadTokenizerFromFolder(folder);
  const model = await loadModelFromFolder(folder, { useEma: options.useEma ?? true });
  try {
    const taskInfo: TaskInfo | undefined = folder.taskInfo;
    const predictor = await registry.create(
      'predictor',
      predictorName,
      predictorOptions,
      { random: createNamedRandom(config.seed, 'generate'), tokenizer, model, ...(taskInfo ? { taskInfo } : {}), log: io.err },
      'predictor',
    );
    const prompts = readPrompts(options);
    const seq2seq = taskInfo?.kind === 'seq2seq';
    const board = sudokuBoardOfTask(taskInfo);
    let results: GeneratedText[];
    if (prompts.length > 0 && board !== undefined) {
      // Sudoku: quizzes in, solved grids out (digit strings), drawn as boards when streaming.
      const quizzes = prompts.map((prompt) => sudokuQuizOf(prompt, board, tokenizer.maskToken));
      quizzes.forEach((quiz, index) => {
        if (quiz.length !== board.numCells) {
          throw new Error(`prompt ${index + 1} = ${JSON.stringify(prompts[index])}: expected a ${board.name} quiz of ${board.numCells} digits 0..${board.size} (0 or . = blank)`);
        }
      });
      const texts = quizzes.map((quiz) => sudokuPromptText(quiz, board, tokenizer.maskToken));
      // Each row ends with EOS, as the boards the model was trained on (and the task's prediction
      // collator) do; without it the model sees a row it never saw in training.
      const eos = tokenizer.eosTokenId === undefined ? [] : [tokenizer.eosTokenId];
      const rows = texts.map((text) => [...tokenizer.encode(text, { addSpecialTokens: false }), ...eos]);
      if (!predictor.stream) throw new Error(`predictor ${predictorName} cannot stream`);
      const batch = createLeftPaddedBatch(rows, tokenizer.padTokenId);
      let grids: string[];
      if (options.stream) {
        const interactive = options.interactive ?? false;
        const streamed = await renderSudokuStream(predictor.stream(batch), {
          board,
          tokenizer,
          quizzes,
          solutions: options.solutions,
          style: interactive ? 'ansi' : 'plain',
          inPlace: interactive,
          frameDelayMs: options.frameDelayMs ?? (interactive ? 80 : 0),
          write: options.write ?? (interactive ? (text) => process.stdout.write(text) : (text) => io.out(text.replace(/\n$/, ''))),
        });
        grids = streamed.grids;
      } else {
        grids = [];
        for await (const event of predictor.stream(batch)) {
          if (!event.final) continue;
          const [numRows, width] = event.ids.shape;
          for (let row = 0; row < numRows; row++) {
            grids.push(sudokuDigitsFromIds(tokenizer, event.ids.data.subarray(row * width, (row + 1) * width), board).digits.join(''));
          }
        }
      }
      results = quizzes.map((quiz, index) => ({ prompt: quiz, output: grids[index] ?? '' }));
    } else if (prompts.length > 0) {
      if (options.stream) {
        const addBos = seq2seq && tokenizer.bosTokenId !== undefined;
        const rows = prompts.map((prompt) => [...tokenizer.encode(prompt, { addSpecialTokens: false }), ...(addBos ? [tokenizer.bosTokenId!] : [])]);
        const outputs = await streamBatch(predictor, createLeftPaddedBatch(rows, tokenizer.padTokenId), tokenizer, io, options.interactive ?? false);
        results = prompts.map((prompt, index) => ({ prompt, output: outputs[index] ?? '' }));
      } else {
        if (!predictor.generate) throw new Error(`predictor ${predictorName} cannot generate from text prompts`);
        const outputs = await predictor.generate(prompts);
        results = prompts.map((prompt, index) => ({ prompt, output: outputs[index] ?? '' }));
      }
    } else if (seq2seq) {
      throw new Error('this model completes prompts: give --prompt, --prompts-file, or prompts on stdin');
    } else if (config.validation.predictionSource.name !== null) {
      // The run's prediction source (as validation and `mlm eval` use it): its rows and lengths, through
      // the run's prediction collator, so samples look like the run's validation samples.
      const { registry: runRegistry, prepared } = await loadRun({ preset: options.preset, configFiles, overrides: options.overrides, values: options.values, backend: options.backend });
      const components = await instantiateRun(prepared, runRegistry, { model });
      const source = await components.createPredictionDataset!(createNamedRandom(config.seed, 'generate/prediction-source'));
      const collator = await components.createPredictionCollator(createNamedRandom(config.seed, 'generate/prediction-collator'));
      const examples = [...source].slice(0, options.numSamples ?? source.length);
      const outputs: string[] = [];
      for (const group of chunkByLength(examples, config.validation.batchSize)) {
        const batch = collator.collate(group) as MLMPredictionBatch;
        outputs.push(...(options.stream ? await streamBatch(predictor, batch, tokenizer, io, options.interactive ?? false) : (await predictor.predict(batch)).text));
      }
      results = outputs.map((output) => ({ prompt: null, output }));
    } else {
      const length = taskInfo?.blockSize;
      if (length === undefined) throw new Error(`${folder.directory} has no task.json; cannot tell the sample length (give prompts with [MASK] tokens instead)`);
      const batch = createUnconditionalBatch({ batchSize: options.numSamples ?? 4, length, maskTokenId: tokenizer.maskTokenId });
      const outputs = options.stream
        ? await streamBatch(predictor, batch, tokenizer, io, options.interactive ?? false)
        : (await predictor.predict(batch)).text;
      results = outputs.map((output) => ({ prompt: null, output }));
    }
    if (options.output) {
      mkdirSync(path.dirname(path.resolve(options.output)), { recursive: true });
      writeFileDurablySync(options.output, results.map((result) => JSON.stringify(result)).join('\n') + '\n');
      io.err(`${results.length} generation(s) written to ${options.output}`);
    } else {
      for (const result of results) io.out(result.prompt === null ? result.output : `${result.prompt} => ${result.output}`);
    }
    return results;
  } finally {
    model.dispose();
  }
}
