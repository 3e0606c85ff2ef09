import { z } from 'zod';
import {
  booleanFlag,
  nonEmptyString,
  nonNegativeInteger,
  nonNegativeNumber,
  numberInRange,
  oneOf,
  positiveInteger,
  positiveNumber,
} from './schema-helpers.js';

// The whole configuration of a run. Component sections (`task`, `model`, `loss`, `predictor`,
// `collators.*`) name a registered component and carry its options next to the name; those options
// are validated by the component's own schema once the plugins are loaded (see resolve-config.ts).

/** `{ name: 'mlm/...', ...options }`: a registered component and its options. */
const componentSection = (defaultName: string | null) =>
  z
    .looseObject({
      name: defaultName === null ? nonEmptyString().nullable().default(null) : nonEmptyString().default(defaultName),
    })
    .prefault({});

export const BACKEND_CHOICES = ['auto', 'node-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export const SCHEDULER_NAMES = ['constant', 'constant-with-warmup', 'cosine-with-min-lr'] as const;
export const PROGRESS_MODES = ['auto', 'bar', 'lines', 'none'] as const;

export const optimizerSchema = z
  .strictObject({
    /** Base learning rate. */
    lr: positiveNumber().default(5e-4),
    /** Adam betas (β1, β2), each in [0, 1). */
    betas: z
      .tuple([numberInRange(0, 1, '[', ')'), numberInRange(0, 1, '[', ')')], {
        error: (issue) => `expected two numbers [β1, β2] in [0, 1), got ${JSON.stringify(issue.input)}`,
      })
      .default([0.9, 0.999]),
    eps: positiveNumber().default(1e-8),
    /** Decoupled weight decay (AdamW), applied to the model's decay group only. */
    weightDecay: nonNegativeNumber().default(0.01),
  })
  .prefault({});

export const schedulerSchema = z
  .strictObject({
    name: oneOf(SCHEDULER_NAMES).default('constant-with-warmup'),
    /** Warm-up optimiser steps; when null, `fractionWarmupSteps · training.maxSteps`. */
    warmupSteps: nonNegativeInteger().nullable().default(null),
    fractionWarmupSteps: numberInRange(0, 1).nullable().default(null),
    /** cosine-with-min-lr: the floor (absolute learning rate). */
    minLr: nonNegativeNumber().default(0),
    /** cosine-with-min-lr: number of full cosine periods over training (the reference's star configs use 4). */
    numCycles: positiveNumber().default(0.5),
  })
  .prefault({});

export const emaSchema = z
  .strictObject({
    enabled: booleanFlag().default(true),
    /** Upper bound of the decay; the decay used at update n is min(decay, (1 + n) / (10 + n)). */
    decay: numberInRange(0, 1, '[', ')').default(0.9999),
  })
  .prefault({});

export const bestCheckpointSchema = z
  .strictObject({
    /** The validation value to rank by (e.g. val/prediction/exact_match); null = no best checkpoints. */
    monitor: nonEmptyString().nullable().default(null),
    /** max: higher is better (accuracy); min: lower is better (loss). */
    mode: oneOf(['max', 'min']).default('max'),
    /** How many of the best checkpoints to keep. */
    keep: positiveInteger().default(1),
  })
  .prefault({});

export const trainingSchema = z
  .strictObject({
    /** Optimiser steps. */
    maxSteps: positiveInteger().default(1000),
    /** Examples per micro-batch. */
    batchSize: positiveInteger().default(32),
    /** Micro-batches per optimiser step (the effective batch is batchSize · gradientAccumulationSteps). */
    gradientAccumulationSteps: positiveInteger().default(1),
    /** Global L2-norm clipping threshold; null turns clipping off. */
    gradientClipNorm: positiveNumber().nullable().default(1.0),
    ema: emaSchema,
    /** Write a metrics line (and a plain progress line when not on a terminal) every N steps. */
    logEvery: positiveInteger().default(10),
    /** Write a checkpoint every N steps (and always at the end); null = only at the end. */
    checkpointEvery: positiveInteger().nullable().default(null),
    /** How many step checkpoints to keep (the newest); older ones are deleted. */
    keepCheckpoints: positiveInteger().default(2),
    /** On a NaN/Inf loss: false = stop with an error naming the step; true = skip the batch and go on. */
    skipNonFiniteBatches: booleanFlag().default(false),
    /** On any error inside a step, checkpoint the last consistent state (so `--resume auto` goes on from there). */
    checkpointOnException: booleanFlag().default(true),
    /** Keep the best checkpoints by a validation value, in <run>/best/step-N (apart from the periodic ones). */
    bestCheckpoint: bestCheckpointSchema,
  })
  .prefault({});

export const validationSchema = z
  .strictObject({
    /** Validate every N optimiser steps (and at the end); null = only at the end. */
    every: positiveInteger().nullable().default(null),
    batchSize: positiveInteger().default(64),
    /** Use at most this many validation examples (null = all). */
    maxExamples: positiveInteger().nullable().default(256),
    /** Unconditional tasks: how many samples to generate and print. */
    numSamples: nonNegativeInteger().default(4),
    /**
     * Unconditional tasks: a `dataset` component whose rows of [MASK] are generated instead of
     * `numSamples` rows of the block size (mlm/empty-dataset, mlm/empty-dataset-from-length-ref,
     * mlm/papl-unconditional-dataset); null = numSamples.
     */
    predictionSource: componentSection(null),
    /** Write every prediction to predictions/<split>/step=<N>.jsonl. */
    writePredictions: booleanFlag().default(true),
  })
  .prefault({});

export const loggingSchema = z
  .strictObject({
    /** Progress display: a bar on a terminal, plain lines otherwise (auto), or forced. */
    progress: oneOf(PROGRESS_MODES).default('auto'),
    /** Logger components; each receives every metrics record (metrics.jsonl and metrics.csv by default). */
    loggers: z.array(componentSection(null)).default([{ name: 'mlm/jsonl' }, { name: 'mlm/csv' }]),
  })
  .prefault({});

export const runConfigSchema = z.strictObject({
  /** Run name: the run folder defaults to runs/<name>. */
  name: nonEmptyString().default('run'),
  /** The run folder; defaults to runs/<name> (relative to the working directory). */
  runDir: nonEmptyString().nullable().default(null),
  /** Seed of every random stream of the run (initial weights, batches, masks, dropout, sampling). */
  seed: z.number({ error: (issue) => `expected an integer seed, got ${JSON.stringify(issue.input)}` }).int().default(1),
  /** Tensor backend (see @mlm/backend); `auto` picks the fastest that loads. */
  backend: oneOf(BACKEND_CHOICES).default('auto'),
  /** wasm threads (null = the backend's default). */
  threads: positiveInteger().nullable().default(null),
  /** Plugin packages (or paths) to load; each registers components. */
  plugins: z.array(nonEmptyString()).default([]),
  task: componentSection('mlm/star-easy'),
  model: componentSection('mlm/rotary-transformer'),
  loss: componentSection('mlm/mlm-loss'),
  predictor: componentSection('mlm/predictor'),
  collators: z
    .strictObject({
      /** null = the task kind's default (seq2seq: mlm/seq2seq-train-collator, otherwise mlm/default-collator). */
      train: componentSection(null),
      /** null = the task kind's default (seq2seq / infill / unconditional prediction collators). */
      prediction: componentSection(null),
    })
    .prefault({}),
  /** Training callbacks of plugins (`callback` components), run after logging, before validation and checkpoints. */
  callbacks: z.array(componentSection(null)).default([]),
  /** Prediction metrics (null = the task kind's defaults). Each is a registered `metric`. */
  metrics: z.array(componentSection(null)).nullable().default(null),
  optimizer: optimizerSchema,
  scheduler: schedulerSchema,
  training: trainingSchema,
  validation: validationSchema,
  logging: loggingSchema,
});

/** A component section after parsing: its name and its (not yet validated) options. */
export interface ComponentSection {
  name: string | null;
  [option: string]: unknown;
}

export type RunConfig = z.output<typeof runConfigSchema>;
export type OptimizerConfig = z.output<typeof optimizerSchema>;
export type SchedulerConfig = z.output<typeof schedulerSchema>;
export type TrainingConfig = z.output<typeof trainingSchema>;
export type ValidationConfig = z.output<typeof validationSchema>;
export type EmaConfig = z.output<typeof emaSchema>;

