import type {
  Collator,
  CollatorInput,
  HistoryPlugin,
  LossFunction,
  MLMBatch,
  MLMPredictionBatch,
  MLMPredictionDict,
  Model,
  NoiseSchedule,
  Predictor,
  RandomSource,
  Tokenizer,
} from '@mlm/types';

/**
 * What `registry.create(kind, …)` returns, by kind. The kinds whose interfaces live in @mlm/types are
 * declared here; a library or a plugin adds its own kinds by module augmentation:
 * ```ts
 * declare module '@mlm/components' {
 *   interface ComponentKinds { 'position-strategy': PositionStrategy }
 * }
 * ```
 * (@mlm/predictor adds `position-strategy`, `sampler`, `unmask-schedule`, `logits-hook`; @mlm/metrics
 * adds `metric`; the trainer adds `task`, `logger`, `callback`.)
 */
export interface ComponentKinds {
  model: Model;
  loss: LossFunction<MLMBatch>;
  /** Train and prediction collators alike (a prediction batch is an `MLMBatch` without targets' masking). */
  collator: Collator<CollatorInput, MLMBatch>;
  predictor: Predictor<MLMPredictionBatch, MLMPredictionDict>;
  tokenizer: Tokenizer;
  'noise-schedule': NoiseSchedule;
  /** A predictor's step-by-step record (@mlm/history ships `mlm/in-memory-history` and `mlm/history-top-k`). */
  history: HistoryPlugin;
}

/** A kind registered in `ComponentKinds`. */
export type ComponentKind = keyof ComponentKinds & string;

/** What a task tells components about its data (saved as task.json beside checkpoints). */
export interface TaskInfo {
  name: string;
  kind: 'seq2seq' | 'infill' | 'unconditional';
  /** Suffix block (seq2seq) or sequence block. */
  blockSize: number;
  /** Prompt block (seq2seq). */
  inputBlockSize?: number | undefined;
}

/**
 * What a host (the trainer, a program) can hand a component. A component lists the ones it needs in
 * `needs` and its factory receives exactly those, present and typed. Hosts and plugins add resources
 * by module augmentation, as for `ComponentKinds`.
 */
export interface ComponentResources {
  /** A random stream of the component's own (the host seeds it from the run's seed and the component's role). */
  random: RandomSource;
  tokenizer: Tokenizer;
  model: Model;
  taskInfo: TaskInfo;
}

export type ComponentNeed = keyof ComponentResources & string;
