import type * as tf from '@tensorflow/tfjs-core';
import type { MLMBatch, RandomSource } from '@mlm/types';
import type { RunConfig } from '../config/config-schema.js';
import type { AdamW } from '../optim/adamw.js';
import type { ExponentialMovingAverage } from '../optim/ema.js';
import type { LearningRateSchedule } from '../optim/lr-schedule.js';
import type { TrainerState } from './checkpoint.js';
import type { EvaluationResult } from './evaluate.js';
import type { MetricsLogger } from './metrics-loggers.js';
import type { ProgressReporter } from './progress-reporter.js';
import type { RunComponents } from './run-components.js';
import type { RunFolder } from './run-folder.js';

/** The training data stream (see src/data): batches in a resumable order. */
export interface TrainDataLoader {
  next(): Promise<{ batch: MLMBatch; epoch: number; indexInEpoch: number }>;
  getState(): unknown;
  setState(state: unknown): void;
}

/** The random streams whose state a checkpoint keeps (besides the data loader's). */
export interface TrainingRandoms {
  /** Masks drawn by the training collator. */
  mask: RandomSource;
  /** Dropout. */
  dropout: RandomSource;
}

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** What one optimiser step did (see train-step.ts). */
export type StepOutcome =
  | { kind: 'updated'; loss: number; gradientNorm: number; learningRate: number; tokens: number }
  | { kind: 'non-finite'; reason: string };

/** Where the data loader and the random streams stood before the step under way (what a retry needs). */
export interface RestorePoint {
  step: number;
  epoch: number;
  examplesSeen: number;
  dataLoader: unknown;
  random: { mask: ReturnType<RandomSource['getState']>; dropout: ReturnType<RandomSource['getState']> };
}

/**
 * The state of a training run that the loop and its callbacks share: the pieces (model, optimiser,
 * EMA, data) and the counters. Callbacks read it and change what they own (the checkpoint callback
 * `lastCheckpoint`, the validation callback `lastEvaluation`, …).
 */
export interface TrainingRun {
  readonly config: RunConfig;
  readonly components: RunComponents;
  readonly parameters: Map<string, tf.Variable>;
  readonly optimizer: AdamW;
  readonly schedule: LearningRateSchedule;
  /** The averaged weights when training.ema.enabled (validation and the export use them). */
  readonly ema: ExponentialMovingAverage | null;
  readonly loader: TrainDataLoader;
  readonly randoms: TrainingRandoms;
  readonly runFolder: RunFolder;
  readonly progress: ProgressReporter;
  readonly loggers: MetricsLogger[];
  log(line: string): void;
  /** Optimiser steps taken. */
  step: number;
  epoch: number;
  examplesSeen: number;
  tokensSeen: number;
  skippedBatches: number;
  /** Seconds of earlier sessions of this run (from the checkpoint resumed). */
  previousSeconds: number;
  readonly sessionStart: number;
  /** Seconds trained, earlier sessions included. */
  elapsed(): number;
  /** The last checkpoint written (or resumed from). */
  lastCheckpoint: string | undefined;
  /** What the last checkpoint on disk holds: a stop or the end of training at that same state writes nothing. */
  checkpointed: { step: number; evaluatedStep: number } | undefined;
  lastEvaluation: EvaluationResult;
  /** -1 before any validation. */
  lastEvaluatedStep: number;
  /** The train/loss average under way (kept in checkpoints so that resumed runs log the same averages). */
  logWindow: { loss: number; steps: number };
  /** Set by the signal callback: the loop ends after the step under way. */
  stopSignal: StopSignal | undefined;
  /**
   * The state before the step under way, while the model's weights still are those of `step` (from the
   * start of a step to its optimiser update); undefined once the update began. An error inside a step
   * is checkpointed from here (the batch is then retried on resume).
   */
  restorePoint: RestorePoint | undefined;
  /** False while the weights are being updated (optimiser step to EMA update): no checkpoint then. */
  consistent: boolean;
  /** Set when writing a checkpoint failed: the on-exception checkpoint does not try again on that disk. */
  checkpointWriteFailed: boolean;
  /** Where training ended; set before `onTrainEnd`. */
  status: 'running' | 'completed' | 'interrupted';
  /** The exported model folder (set by the export callback). */
  finalModel: string | undefined;
  /** The trainer state a checkpoint of the current state holds (`restorePoint` overrides the data and random state). */
  trainerState(restorePoint?: RestorePoint): TrainerState;
}
