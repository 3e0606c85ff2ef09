import path from 'node:path';
import { AdamW } from '../optim/adamw.js';
import { ExponentialMovingAverage } from '../optim/ema.js';
import { createLearningRateSchedule } from '../optim/lr-schedule.js';
import type { RunConfig } from '../config/config-schema.js';
import { EMA_FILE, OPTIMIZER_FILE, readTensors, readTrainerState, type TrainerState } from './checkpoint.js';
import type { EvaluationResult } from './evaluate.js';
import type { MetricsLogger } from './metrics-loggers.js';
import { loadModelWeights } from './model-weights.js';
import type { ProgressReporter } from './progress-reporter.js';
import type { RunComponents } from './run-components.js';
import type { RunFolder } from './run-folder.js';
import type { TrainingCallback } from './training-callback.js';
import { runTrainingLoop } from './training-loop.js';
import type { RestorePoint, StopSignal, TrainDataLoader, TrainingRandoms, TrainingRun } from './training-run.js';
import { createBestCheckpointCallback } from './callbacks/best-checkpoint-callback.js';
import { createCheckpointCallback } from './callbacks/checkpoint-callback.js';
import { createEmaCallback } from './callbacks/ema-callback.js';
import { createExceptionCheckpointCallback } from './callbacks/exception-checkpoint-callback.js';
import { createExportCallback } from './callbacks/export-callback.js';
import { createLoggingCallback } from './callbacks/logging-callback.js';
import { createNonFiniteGuardCallback } from './callbacks/non-finite-guard-callback.js';
import { createSignalCallback, type SignalSource } from './callbacks/signal-callback.js';
import { createValidationCallback } from './callbacks/validation-callback.js';

export type { StopSignal, TrainDataLoader, TrainingRandoms } from './training-run.js';
export { NonFiniteLossError } from './non-finite-loss-error.js';
export { MAX_CONSECUTIVE_NON_FINITE_BATCHES } from './callbacks/non-finite-guard-callback.js';

export interface TrainRunOptions {
  config: RunConfig;
  components: RunComponents;
  loader: TrainDataLoader;
  randoms: TrainingRandoms;
  runFolder: RunFolder;
  /** A complete checkpoint folder to resume from. */
  resumeFrom?: string | undefined;
  progress: ProgressReporter;
  loggers: MetricsLogger[];
  log(line: string): void;
  /**
   * Stop cleanly on SIGINT/SIGTERM (finish the step, checkpoint). A second signal calls
   * `onSecondSignal` (the command layer exits there); without it the second signal is ignored.
   */
  handleSignals?: boolean;
  onSecondSignal?(signal: StopSignal): void;
  /** Where signal handlers go (default: the process). */
  signals?: SignalSource;
  /** Called after every optimiser step (before validation/checkpointing of that step). */
  onStep?(step: number): void | Promise<void>;
  /** More callbacks (a plugin's `callback` components): after logging, before validation and checkpoints. */
  callbacks?: TrainingCallback[];
}

export interface TrainRunResult {
  status: 'completed' | 'interrupted';
  signal?: StopSignal | undefined;
  step: number;
  /** The last checkpoint written. */
  checkpoint: string;
  /** The exported model (EMA weights when EMA is on); only when completed. */
  finalModel?: string | undefined;
  /** The last evaluation's values. */
  values: Record<string, number>;
  samples: EvaluationResult['samples'];
  elapsedSeconds: number;
  skippedBatches: number;
}

/** The shared state of a run, at step 0. */
function createRun(options: TrainRunOptions): TrainingRun {
  const { config, components } = options;
  const parameters = components.model.namedParameters();
  const decayNames = new Set(components.model.getNamedParamsForWeightDecay());
  const optimizer = new AdamW(
    [...parameters].map(([name, variable]) => ({ name, variable, decay: decayNames.has(name) })),
    { betas: config.optimizer.betas, eps: config.optimizer.eps, weightDecay: config.optimizer.weightDecay },
  );
  const run: TrainingRun = {
    config,
    components,
    parameters,
    optimizer,
    schedule: createLearningRateSchedule(config.scheduler, { maxSteps: config.training.maxSteps, baseLr: config.optimizer.lr }),
    ema: config.training.ema.enabled ? new ExponentialMovingAverage(parameters, config.training.ema.decay) : null,
    loader: options.loader,
    randoms: options.randoms,
    runFolder: options.runFolder,
    progress: options.progress,
    loggers: options.loggers,
    log: options.log,
    step: 0,
    epoch: 0,
    examplesSeen: 0,
    tokensSeen: 0,
    skippedBatches: 0,
    previousSeconds: 0,
    sessionStart: performance.now(),
    elapsed: () => run.previousSeconds + (performance.now() - run.sessionStart) / 1000,
    lastCheckpoint: undefined,
    checkpointed: undefined,
    lastEvaluation: { values: {}, samples: [], numExamples: 0 },
    lastEvaluatedStep: -1,
    logWindow: { loss: 0, steps: 0 },
    stopSignal: undefined,
    restorePoint: undefined,
    consistent: true,
    checkpointWriteFailed: false,
    status: 'running',
    finalModel: undefined,
    trainerState: (restorePoint?: RestorePoint): TrainerState => ({
      format: 'mlm-trainer-state',
      version: 1,
      step: restorePoint?.step ?? run.step,
      epoch: restorePoint?.epoch ?? run.epoch,
      examplesSeen: restorePoint?.examplesSeen ?? run.examplesSeen,
      tokensSeen: run.tokensSeen,
      elapsedSeconds: run.elapsed(),
      dataLoader: restorePoint?.dataLoader ?? run.loader.getState(),
      random: restorePoint?.random ?? { mask: run.randoms.mask.getState(), dropout: run.randoms.dropout.getState() },
      optimizer: { stepCount: run.optimizer.stepCount },
      ema: run.ema ? { numUpdates: run.ema.numUpdates, decay: run.ema.decay } : null,
      skippedBatches: run.skippedBatches,
      validation: run.lastEvaluatedStep >= 0 ? { step: run.lastEvaluatedStep, values: run.lastEvaluation.values } : null,
      logWindow: { ...run.logWindow },
    }),
  };
  return run;
}

/** Restores everything a checkpoint holds: weights, optimiser and EMA state, data order, random streams, counters. */
async function resumeRun(run: TrainingRun, checkpoint: string): Promise<void> {
  const state = readTrainerState(checkpoint);
  await loadModelWeights(run.components.model, checkpoint);
  const optimizerTensors = await readTensors(path.join(checkpoint, OPTIMIZER_FILE));
  try {
    run.optimizer.loadState(optimizerTensors, state.optimizer.stepCount);
  } finally {
    for (const tensor of optimizerTensors.values()) tensor.dispose();
  }
  if (run.ema) {
    if (!state.ema) throw new Error(`${checkpoint} has no EMA state but training.ema.enabled is true`);
    const emaTensors = await readTensors(path.join(checkpoint, EMA_FILE));
    try {
      run.ema.loadState(emaTensors, state.ema.numUpdates);
    } finally {
      for (const tensor of emaTensors.values()) tensor.dispose();
    }
  }
  run.loader.setState(state.dataLoader);
  if (state.random.mask) run.randoms.mask.setState(state.random.mask);
  if (state.random.dropout) run.randoms.dropout.setState(state.random.dropout);
  run.step = state.step;
  run.epoch = state.epoch;
  run.examplesSeen = state.examplesSeen;
  run.tokensSeen = state.tokensSeen;
  run.skippedBatches = state.skippedBatches;
  run.previousSeconds = state.elapsedSeconds;
  run.lastCheckpoint = checkpoint;
  // A checkpoint written right after a validation carries its values: that validation is not run (nor logged) again.
  if (state.validation) {
    run.lastEvaluatedStep = state.validation.step;
    run.lastEvaluation = { values: state.validation.values, samples: [], numExamples: 0 };
  }
  if (state.logWindow) run.logWindow = { ...state.logWindow };
  run.checkpointed = { step: run.step, evaluatedStep: run.lastEvaluatedStep };
  run.log(`resumed from ${checkpoint} at step ${run.step} (epoch ${run.epoch})`);
}

/** The callbacks a run is made of, in the order their hooks run. */
export function trainingCallbacks(options: TrainRunOptions): TrainingCallback[] {
  const { training } = options.config;
  const processSignals: SignalSource = {
    on: (signal, handler) => process.on(signal, handler),
    off: (signal, handler) => process.off(signal, handler),
  };
  return [
    createEmaCallback(),
    createNonFiniteGuardCallback({ skip: training.skipNonFiniteBatches }),
    createLoggingCallback({ resumed: options.resumeFrom !== undefined }),
    ...(options.onStep ? [{ name: 'on-step', onStepEnd: (run: TrainingRun) => options.onStep!(run.step) }] : []),
    ...(options.callbacks ?? []),
    createValidationCallback(),
    ...(training.bestCheckpoint.monitor !== null
      ? [createBestCheckpointCallback({ monitor: training.bestCheckpoint.monitor, mode: training.bestCheckpoint.mode, keep: training.bestCheckpoint.keep })]
      : []),
    createCheckpointCallback(),
    ...(training.checkpointOnException ? [createExceptionCheckpointCallback()] : []),
    ...(options.handleSignals ? [createSignalCallback({ signals: options.signals ?? processSignals, onSecondSignal: options.onSecondSignal ?? (() => {}) })] : []),
    createExportCallback(),
  ];
}

/**
 * The training loop of xlm-core's harness, on TensorFlow.js: a short loop (training-loop.ts) and
 * callbacks for the rest — EMA, the non-finite guard, logging, validation, best-by-metric and periodic
 * checkpoints, a checkpoint on any error, signals, and the final export. Resumes bit-identically from a
 * checkpoint.
 */
export async function runTraining(options: TrainRunOptions): Promise<TrainRunResult> {
  const run = createRun(options);
  try {
    if (options.resumeFrom) await resumeRun(run, options.resumeFrom);
    await runTrainingLoop(run, trainingCallbacks(options));
    return {
      status: run.status === 'interrupted' ? 'interrupted' : 'completed',
      ...(run.status === 'interrupted' ? { signal: run.stopSignal } : {}),
      step: run.step,
      checkpoint: run.lastCheckpoint!,
      ...(run.finalModel ? { finalModel: run.finalModel } : {}),
      values: run.lastEvaluation.values,
      samples: run.lastEvaluation.samples,
      elapsedSeconds: run.elapsed(),
      skippedBatches: run.skippedBatches,
    };
  } finally {
    run.optimizer.dispose();
    run.ema?.dispose();
  }
}
