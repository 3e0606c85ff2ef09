import * as tf from '@tensorflow/tfjs-core';
import { SimpleSpaceTokenizer, createDefaultMLMCollator } from '@mlm/collators';
import { createMLMLoss } from '@mlm/loss';
import { RotaryTransformerMLMModel } from '@mlm/model';
import { createNamedRandom } from '@mlm/random';
import type { Tokenizer } from '@mlm/types';
import { decodeAll, idsToBoard, sudokuPromptIds, type DecodeSettings } from './decode.js';
import type { TaskInfo } from './model-files.js';
import { boardShape, generatePuzzles, type BoardShape, type SudokuPuzzle } from './sudoku.js';

export interface TrainSettings {
  boardSize: 4 | 6 | 9;
  batchSize: number;
  learningRate: number;
  dModel: number;
  numLayers: number;
  nhead: number;
  dropout: number;
  trainPuzzles: number;
  testPuzzles: number;
  seed: number;
}

/** The demo task's small model, sized for a page: trains on 4×4 boards in a few hundred steps. */
export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  boardSize: 4,
  batchSize: 32,
  learningRate: 3e-3,
  dModel: 64,
  numLayers: 2,
  nhead: 4,
  dropout: 0,
  trainPuzzles: 200,
  testPuzzles: 40,
  seed: 1,
};

export interface StepResult {
  step: number;
  loss: number;
  milliseconds: number;
  /** tf.memory().numTensors after the step. */
  numTensors: number;
}

export interface SolveResult {
  puzzle: SudokuPuzzle;
  output: string;
  correct: boolean;
}

/**
 * The sudoku task as `mlm` trains it (masked diffusion on the solution: each board + EOS, padded to the
 * block, masked at a rate t ~ U(0,1) per board; cross-entropy on the masked positions), with a fresh
 * model, in the page or in Node. Train and test puzzles are disjoint (by solution).
 */
export class SudokuTrainer {
  readonly settings: TrainSettings;
  readonly shape: BoardShape;
  readonly tokenizer: Tokenizer;
  readonly model: RotaryTransformerMLMModel;
  readonly task: TaskInfo;
  readonly trainPuzzles: SudokuPuzzle[];
  readonly testPuzzles: SudokuPuzzle[];
  step = 0;
  private readonly optimizer: tf.Optimizer;
  private readonly collate: (puzzles: SudokuPuzzle[]) => ReturnType<ReturnType<typeof createDefaultMLMCollator>['collate']>;
  private readonly lossFunction: ReturnType<typeof createMLMLoss>;
  private readonly dataRandom;
  private readonly dropoutRandom;
  private order: number[] = [];

  constructor(settings: Partial<TrainSettings> = {}) {
    this.settings = { ...DEFAULT_TRAIN_SETTINGS, ...settings };
    const s = this.settings;
    for (const key of ['batchSize', 'dModel', 'numLayers', 'nhead', 'trainPuzzles', 'testPuzzles'] as const) {
      if (!Number.isInteger(s[key]) || s[key] < 1) throw new Error(`train setting ${key} = ${JSON.stringify(s[key])}, expected a positive integer`);
    }
    if (!(s.learningRate > 0)) throw new Error(`train setting learningRate = ${s.learningRate}, expected a positive number`);
    this.shape = boardShape(s.boardSize);
    const cells = s.boardSize * s.boardSize;
    const blockSize = cells + 2; // the cells, EOS and one PAD, as the trainer's sudoku task
    this.task = { name: 'sudoku', kind: 'infill', blockSize, boardSize: s.boardSize };
    this.tokenizer = SimpleSpaceTokenizer.forNumbers(10);
    this.trainPuzzles = generatePuzzles(this.shape, createNamedRandom(s.seed, 'train-puzzles'), s.trainPuzzles);
    this.testPuzzles = generatePuzzles(this.shape, createNamedRandom(s.seed, 'test-puzzles'), s.testPuzzles, new Set(this.trainPuzzles.map((p) => p.solution)));
    this.model = RotaryTransformerMLMModel.create(
      { numEmbeddings: this.tokenizer.vocabSize, dModel: s.dModel, numLayers: s.numLayers, nhead: s.nhead, dropout: s.dropout, maxLength: blockSize, rotaryEmbDim: s.dModel / s.nhead },
      { random: createNamedRandom(s.seed, 'model') },
    );
    const collator = createDefaultMLMCollator({
      tokenizer: this.tokenizer,
      random: createNamedRandom(s.seed, 'masks'),
      blockSize,
      addBos: false,
      addEos: true,
      lossOnPadding: true,
      truncate: 'block',
    });
    const digits = this.tokenizer.convertTokensToIds(Array.from({ length: 10 }, (_, d) => String(d)));
    this.collate = (puzzles) => collator.collate(puzzles.map((p) => ({ inputIds: Array.from(p.solution, (c) => digits[c.charCodeAt(0) - 48] as number) })));
    this.lossFunction = createMLMLoss({ model: this.model, tokenizer: this.tokenizer });
    this.optimizer = tf.train.adam(s.learningRate);
    this.dataRandom = createNamedRandom(s.seed, 'batches');
    this.dropoutRandom = createNamedRandom(s.seed, 'dropout');
  }

  private nextBatch(): SudokuPuzzle[] {
    const batch: SudokuPuzzle[] = [];
    while (batch.length < this.settings.batchSize) {
      if (this.order.length === 0) {
        this.order = this.trainPuzzles.map((_, i) => i);
        for (let i = this.order.length - 1; i > 0; i--) {
          const j = Math.floor(this.dataRandom.next() * (i + 1));
          [this.order[i], this.order[j]] = [this.order[j]!, this.order[i]!];
        }
      }
      batch.push(this.trainPuzzles[this.order.pop()!]!);
    }
    return batch;
  }

  /** One optimiser step; every tensor it makes is disposed. */
  trainStep(): StepResult {
    const started = performance.now();
    const batch = this.collate(this.nextBatch());
    const variables = [...this.model.namedParameters().values()].filter((v) => v.trainable);
    const lossTensor = this.optimizer.minimize(
      () => this.lossFunction.call(batch, { training: true, random: this.dropoutRandom }).loss,
      true,
      variables,
    );
    const loss = lossTensor!.dataSync()[0]!;
    lossTensor!.dispose();
    this.model.afterUpdate();
    this.step += 1;
    return { step: this.step, loss, milliseconds: performance.now() - started, numTensors: tf.memory().numTensors };
  }

  /** Solves puzzles (default: the held-out test puzzles) with the model, greedy confidence-ordered infilling. */
  async solve(puzzles: SudokuPuzzle[] = this.testPuzzles, settings: Partial<DecodeSettings> = {}): Promise<SolveResult[]> {
    const results: SolveResult[] = [];
    const cells = this.settings.boardSize * this.settings.boardSize;
    for (const puzzle of puzzles) {
      const frames = await decodeAll(this.model, this.tokenizer, sudokuPromptIds(puzzle.quiz, this.tokenizer), {
        strategy: 'top-probability',
        steps: cells,
        threshold: null,
        temperature: 1,
        topK: 1,
        topP: null,
        blockLength: null,
        seed: 0,
        ...settings,
      });
      const output = idsToBoard(frames[frames.length - 1]!.ids, this.tokenizer);
      results.push({ puzzle, output, correct: output === puzzle.solution });
    }
    return results;
  }

  /** The model folder's files (config.json, model.safetensors, tokenizer.json, task.json), as `mlm export` writes them. */
  exportFiles(): Record<string, Uint8Array> {
    const { config, weights } = this.model.toBytes();
    const text = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
    return {
      'config.json': text(config),
      'model.safetensors': weights,
      'tokenizer.json': text(this.tokenizer.toJSON()),
      'task.json': text(this.task),
    };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.model.dispose();
  }
}
