import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { MLMBatch, RandomSource } from '@mlm/types';
import type { RunConfig } from '../config/config-schema.js';
import { AdamW } from '../optim/adamw.js';
import { clipGradientsByGlobalNorm } from '../optim/clip-gradients.js';
import { ExponentialMovingAverage } from '../optim/ema.js';
import { createLearningRateSchedule } from '../optim/lr-schedule.js';
import {
  EMA_FILE,
  OPTIMIZER_FILE,
  TASK_INFO_FILE,
  pruneCheckpoints,
  readTensors,
  removeStaleTemporaries,
  readTrainerState,
  writeCheckpoint,
  type TrainerState,
  saveModelFolder,
} from './checkpoint.js';
import { evaluateSplit, type EvaluationResult } from './evaluate.js';
import type { MetricsLogger } from './metrics-loggers.js';
import { loadModelWeights } from './model-weights.js';
import type { ProgressReporter } from './progress-reporter.js';
import type { RunFolder } from './run-folder.js';
import type { RunComponents } from './run-components.js';
import { saveTokenizerFile } from '@mlm/collators/node';
import { rename, rm, writeFile } from 'node:fs/promises';
import { taskInfoOf } from '../registry/component-context.js';

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
  /** Install SIGINT/SIGTERM handlers that stop after the current step and checkpoint (the CLI does). */
  handleSignals?: boolean;
  /** Called after every optimiser step (before validation/checkpointing of that step). */
  onStep?(step: number): void | Promise<void>;
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

/** A NaN or infinite loss (or gradient norm) with `training.skipNonFiniteBatches` off. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly step: number,
    readonly what: string,
    readonly lastCheckpoint: string | undefined,
    advice = 'Lower optimizer.lr, check the data, or set training.skipNonFiniteBatches=true to skip such batches.',
  ) {
    super(
      `${what} at step ${step}; training stopped. ` +
        (lastCheckpoint ? `The last good checkpoint is ${lastCheckpoint}. ` : 'No checkpoint was written yet. ') +
        advice,
    );
    this.name = 'NonFiniteLossError';
  }
}

/**
 * With `training.skipNonFiniteBatches`, this many non-finite batches in a row stop the run: isolated
 * bad batches are skipped, but weights that produce nothing finite any more cannot recover, and
 * skipping would go on forever (no optimiser step is taken, so maxSteps is never reached).
 */
export const MAX_CONSECUTIVE_NON_FINITE_BATCHES = 100;

function tokensOf(batch: MLMBatch): number {
  return batch.inputIds.shape[0] * batch.inputIds.shape[1];
}

/**
 * One forward/backward pass: the loss value and gradients by parameter name (caller disposes them).
 */
function lossAndGradients(
  components: RunComponents,
  parameters: Map<string, tf.Variable>,
  batch: MLMBatch,
  dropout: RandomSource,
): { loss: number; gradients: Map<string, tf.Tensor> } {
  const variables = [...parameters.values()];
  const nameOf = new Map<string, string>();
  for (const [name, variable] of parameters) nameOf.set(variable.name, name);
  const { value, grads } = tf.variableGrads(
    () => components.loss.call(batch, { training: true, random: dropout }).loss,
    variables,
  );
  const loss = value.dataSync()[0]!;
  value.dispose();
  const gradients = new Map<string, tf.Tensor>();
  for (const [variableName, gradient] of Object.entries(grads)) gradients.set(nameOf.get(variableName)!, gradient);
  return { loss, gradients };
}

function accumulate(total: Map<string, tf.Tensor> | null, next: Map<string, tf.Tensor>): Map<string, tf.Tensor> {
  if (!total) return next;
  for (const [name, gradient] of next) {
    const previous = total.get(name);
    if (previous) {
      total.set(name, tf.add(previous, gradient));
      previous.dispose();
      gradient.dispose();
    } else total.set(name, gradient);
  }
  return total;
}

function disposeAll(gradients: Map<string, tf.Tensor> | null): void {
  if (gradients) for (const gradient of gradients.values()) gradient.dispose();
}

function formatValues(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([key, value]) => `${key} ${Number.isInteger(value) ? value : value.toFixed(4)}`)
    .join(' | ');
}

/**
 * The training loop of xlm-core's harness, on TensorFlow.js: AdamW with decoupled weight decay on the
 * model's decay / no-decay split, LambdaLR-style schedule, global-norm clipping, gradient
 * accumulation, EMA of weights (used for validation and the exported model), validation every N
 * steps, atomic checkpoints with everything needed to resume bit-identically, and a clean stop on
 * SIGINT/SIGTERM.
 */
export async function runTraining(options: TrainRunOptions): Promise<TrainRunResult> {
  const { config, components, loader, randoms, runFolder, progress, log } = options;
  const { model, tokenizer } = components;
  const training = config.training;
  const parameters = model.namedParameters();
  const decayNames = new Set(model.getNamedParamsForWeightDecay());
  const optimizer = new AdamW(
    [...parameters].map(([name, variable]) => ({ name, variable, decay: decayNames.has(name) })),
    { betas: config.optimizer.betas, eps: config.optimizer.eps, weightDecay: config.optimizer.weightDecay },
  );
  const schedule = createLearningRateSchedule(config.scheduler, { maxSteps: training.maxSteps, baseLr: config.optimizer.lr });
  const ema = training.ema.enabled ? new ExponentialMovingAverage(parameters, training.ema.decay) : null;

  let step = 0;
  let examplesSeen = 0;
  let tokensSeen = 0;
  let skippedBatches = 0;
  let previousSeconds = 0;
  let lastCheckpoint: string | undefined;
  let epoch = 0;
  let lastEvaluation: EvaluationResult = { values: {}, samples: [], numExamples: 0 };
  let lastEvaluatedStep = -1;
  // The steps averaged into the next train/loss line (kept in checkpoints so that a resumed run logs
  // the same averages as an uninterrupted one when logEvery does not divide checkpointEvery).
  let windowLoss = 0;
  let windowSteps = 0;
  let consecutiveNonFinite = 0;
  // What the last checkpoint on disk holds: a stop or the end of training at that same state writes nothing.
  let checkpointed: { step: number; evaluatedStep: number } | undefined;

  try {
    // What a killed earlier run left half-written (never mistaken for a checkpoint, but it takes space).
    for (const directory of [runFolder.checkpoints, runFolder.root, runFolder.finalModel]) await removeStaleTemporaries(directory);
    if (options.resumeFrom) {
      const state = readTrainerState(options.resumeFrom);
      await loadModelWeights(model, options.resumeFrom);
      const optimizerTensors = await readTensors(path.join(options.resumeFrom, OPTIMIZER_FILE));
      try {
        optimizer.loadState(optimizerTensors, state.optimizer.stepCount);
      } finally {
        for (const tensor of optimizerTensors.values()) tensor.dispose();
      }
      if (ema) {
        if (!state.ema) throw new Error(`${options.resumeFrom} has no EMA state but training.ema.enabled is true`);
        const emaTensors = await readTensors(path.join(options.resumeFrom, EMA_FILE));
        try {
          ema.loadState(emaTensors, state.ema.numUpdates);
        } finally {
          for (const tensor of emaTensors.values()) tensor.dispose();
        }
      }
      loader.setState(state.dataLoader);
      if (state.random.mask) randoms.mask.setState(state.random.mask);
      if (state.random.dropout) randoms.dropout.setState(state.random.dropout);
      step = state.step;
      epoch = state.epoch;
      examplesSeen = state.examplesSeen;
      tokensSeen = state.tokensSeen;
      skippedBatches = state.skippedBatches;
      previousSeconds = state.elapsedSeconds;
      lastCheckpoint = options.resumeFrom;
      // A checkpoint written right after a validation (the final one, or a periodic one) carries its
      // values: that validation is not run (nor logged) a second time.
      if (state.validation) {
        lastEvaluatedStep = state.validation.step;
        lastEvaluation = { values: state.validation.values, samples: [], numExamples: 0 };
      }
      if (state.logWindow) ({ loss: windowLoss, steps: windowSteps } = state.logWindow);
      checkpointed = { step, evaluatedStep: lastEvaluatedStep };
      log(`resumed from ${options.resumeFrom} at step ${step} (epoch ${epoch})`);
    }
    for (const logger of options.loggers) await logger.open({ resumeStep: options.resumeFrom ? step : null });

    const sessionStart = performance.now();
    const elapsed = () => previousSeconds + (performance.now() - sessionStart) / 1000;

    const makeState = (): TrainerState => ({
      format: 'mlm-trainer-state',
      version: 1,
      step,
      epoch,
      examplesSeen,
      tokensSeen,
      elapsedSeconds: elapsed(),
      dataLoader: loader.getState(),
      random: { mask: randoms.mask.getState(), dropout: randoms.dropout.getState() },
      optimizer: { stepCount: optimizer.stepCount },
      ema: ema ? { numUpdates: ema.numUpdates, decay: ema.decay } : null,
      skippedBatches,
      validation: lastEvaluatedStep >= 0 ? { step: lastEvaluatedStep, values: lastEvaluation.values } : null,
      logWindow: { loss: windowLoss, steps: windowSteps },
    });

    const checkpoint = async (): Promise<string> => {
      const directory = await writeCheckpoint({
        checkpointsDirectory: runFolder.checkpoints,
        state: makeState(),
        model,
        tokenizer,
        optimizerTensors: optimizer.stateTensors(),
        emaTensors: ema ? ema.stateTensors() : null,
        taskInfo: taskInfoOf(components.task),
      });
      await pruneCheckpoints(runFolder.checkpoints, training.keepCheckpoints);
      lastCheckpoint = directory;
      checkpointed = { step, evaluatedStep: lastEvaluatedStep };
      return directory;
    };
    // Rewriting the checkpoint a run resumed from (or just wrote) would delete it before the new copy
    // is in place; when nothing changed since, the one on disk is the answer.
    const checkpointUnlessCurrent = async (): Promise<string> =>
      lastCheckpoint !== undefined &&
      path.dirname(lastCheckpoint) === runFolder.checkpoints &&
      checkpointed?.step === step &&
      checkpointed.evaluatedStep === lastEvaluatedStep
        ? lastCheckpoint
        : checkpoint();

    const validate = async (): Promise<void> => {
      const run = () =>
        evaluateSplit({
          components,
          split: 'validation',
          seed: config.seed,
          step,
          maxExamples: config.validation.maxExamples,
          batchSize: config.validation.batchSize,
          numSamples: config.validation.numSamples,
          predictionsFile: config.validation.writePredictions ? path.join(runFolder.predictions, 'validation', `step=${step}.jsonl`) : undefined,
        });
      lastEvaluation = ema ? await ema.withAveragedWeights(run) : await run();
      lastEvaluatedStep = step;
      progress.message(`validation at step ${step}: ${formatValues(lastEvaluation.values)}`);
      for (const logger of options.loggers) await logger.log({ step, epoch, time: elapsed(), values: lastEvaluation.values });
    };

    // Signals: finish the current step, checkpoint, report. A second signal exits at once.
    let stopSignal: StopSignal | undefined;
    const onSignal = (signal: StopSignal) => {
      if (stopSignal) {
        progress.stop();
        process.stderr.write(`\nsecond ${signal}: exiting without a checkpoint (the last complete one is kept)\n`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stopSignal = signal;
      progress.message(`${signal} received: finishing step in progress (and a validation due at it), then writing a checkpoint; ${signal} again exits at once without one`);
    };
    const handlers = { SIGINT: () => onSignal('SIGINT'), SIGTERM: () => onSignal('SIGTERM') };
    if (options.handleSignals) {
      process.on('SIGINT', handlers.SIGINT);
      process.on('SIGTERM', handlers.SIGTERM);
    }
    const removeHandlers = () => {
      if (!options.handleSignals) return;
      process.off('SIGINT', handlers.SIGINT);
      process.off('SIGTERM', handlers.SIGTERM);
    };

    try {
      progress.start(training.maxSteps, step);
      let windowTokens = 0;
      let windowStart = performance.now();
      while (step < training.maxSteps && !stopSignal) {
        let gradients: Map<string, tf.Tensor> | null = null;
        let lossSum = 0;
        let stepTokens = 0;
        let nonFinite: string | undefined;
        for (let micro = 0; micro < training.gradientAccumulationSteps; micro++) {
          const next = await loader.next();
          epoch = next.epoch;
          examplesSeen += next.batch.inputIds.shape[0];
          stepTokens += tokensOf(next.batch);
          const result = lossAndGradients(components, parameters, next.batch, randoms.dropout);
          gradients = accumulate(gradients, result.gradients);
          if (!Number.isFinite(result.loss)) nonFinite = `the loss is ${result.loss}`;
          lossSum += result.loss;
        }
        if (training.gradientAccumulationSteps > 1 && gradients) {
          const scaled = new Map<string, tf.Tensor>();
          for (const [name, gradient] of gradients) {
            scaled.set(name, tf.div(gradient, training.gradientAccumulationSteps));
            gradient.dispose();
          }
          gradients = scaled;
        }
        let gradientNorm = NaN;
        if (!nonFinite && gradients) {
          if (training.gradientClipNorm !== null) {
            const clipped = clipGradientsByGlobalNorm(gradients, training.gradientClipNorm);
            gradients = clipped.gradients;
            gradientNorm = clipped.norm;
          } else {
            const norm = tf.tidy(() => tf.sqrt(tf.addN([...gradients!.values()].map((g) => tf.sum(tf.square(g))))));
            gradientNorm = norm.dataSync()[0]!;
            norm.dispose();
          }
          if (!Number.isFinite(gradientNorm)) nonFinite = `the gradient norm is ${gradientNorm}`;
        }
        if (nonFinite) {
          disposeAll(gradients);
          if (!training.skipNonFiniteBatches) throw new NonFiniteLossError(step + 1, nonFinite, lastCheckpoint);
          consecutiveNonFinite += 1;
          if (consecutiveNonFinite >= MAX_CONSECUTIVE_NON_FINITE_BATCHES) {
            throw new NonFiniteLossError(
              step + 1,
              `${nonFinite} (${consecutiveNonFinite} non-finite batches in a row; training.skipNonFiniteBatches skips isolated ones)`,
              lastCheckpoint,
              'The weights no longer give finite values: lower optimizer.lr and resume from the last good checkpoint.',
            );
          }
          skippedBatches += 1;
          progress.message(`step ${step + 1}: ${nonFinite}; batch skipped (training.skipNonFiniteBatches), ${skippedBatches} so far`);
          continue;
        }
        consecutiveNonFinite = 0;
        const lr = config.optimizer.lr * schedule.multiplier(optimizer.stepCount);
        optimizer.step(gradients!, lr);
        disposeAll(gradients);
        model.afterUpdate?.();
        ema?.update();
        step += 1;
        tokensSeen += stepTokens;
        const lastLoss = lossSum / training.gradientAccumulationSteps;
        windowLoss += lastLoss;
        windowSteps += 1;
        windowTokens += stepTokens;
        const seconds = (performance.now() - windowStart) / 1000;
        const tokensPerSecond = windowTokens / Math.max(seconds, 1e-9);
        progress.update({ step, loss: lastLoss, tokensPerSecond, lr });
        if (step % training.logEvery === 0 || step === training.maxSteps) {
          const values = {
            'train/loss': windowLoss / windowSteps,
            'train/lr': lr,
            'train/grad_norm': gradientNorm,
            'train/tokens_per_second': tokensPerSecond,
          };
          for (const logger of options.loggers) await logger.log({ step, epoch, time: elapsed(), values });
          windowLoss = 0;
          windowSteps = 0;
          windowTokens = 0;
          windowStart = performance.now();
        }
        await options.onStep?.(step);
        // Give the event loop a turn: signal handlers (and the progress bar's timer) run there; a loop
        // of already-resolved promises would otherwise starve them.
        await new Promise<void>((resolve) => setImmediate(resolve));
        // On a stop signal, the validation and checkpoint due at this step still run (the loop ends
        // after them): skipping them would lose that validation for good, since a resumed run goes on
        // from the next step.
        if (config.validation.every !== null && step % config.validation.every === 0 && step < training.maxSteps) await validate();
        if (training.checkpointEvery !== null && step % training.checkpointEvery === 0 && step < training.maxSteps) await checkpoint();
      }
    } catch (error) {
      removeHandlers();
      throw error;
    } finally {
      progress.stop();
    }

    if (stopSignal) {
      // The handlers stay until this checkpoint is written: a second signal then exits at once.
      const directory = await checkpointUnlessCurrent().finally(removeHandlers);
      log(`${stopSignal}: stopped after step ${step}; checkpoint written to ${directory}`);
      for (const logger of options.loggers) await logger.close();
      return {
        status: 'interrupted',
        signal: stopSignal,
        step,
        checkpoint: directory,
        values: lastEvaluation.values,
        samples: lastEvaluation.samples,
        elapsedSeconds: elapsed(),
        skippedBatches,
      };
    }

    removeHandlers();
    if (lastEvaluatedStep !== step) await validate();
    const directory = await checkpointUnlessCurrent();
    // As the reference's EMA callback: the trained model ends up holding the EMA weights.
    ema?.copyToModel();
    // Exported into a temporary folder renamed into place when complete: a run killed mid-export
    // never leaves a model folder without its tokenizer (eval/generate would pick it up).
    const exportDirectory = path.join(runFolder.root, `.model.partial-${process.pid}`);
    await rm(exportDirectory, { recursive: true, force: true });
    await saveModelFolder(model, exportDirectory);
    await saveTokenizerFile(tokenizer, exportDirectory);
    await writeFile(path.join(exportDirectory, TASK_INFO_FILE), `${JSON.stringify(taskInfoOf(components.task), null, 2)}\n`);
    await rm(runFolder.finalModel, { recursive: true, force: true });
    await rename(exportDirectory, runFolder.finalModel);
    for (const logger of options.loggers) await logger.close();
    return {
      status: 'completed',
      step,
      checkpoint: directory,
      finalModel: runFolder.finalModel,
      values: lastEvaluation.values,
      samples: lastEvaluation.samples,
      elapsedSeconds: elapsed(),
      skippedBatches,
    };
  } finally {
    optimizer.dispose();
    ema?.dispose();
  }
}
