import type {
  Collator,
  CollatorInput,
  LossFunction,
  MLMBatch,
  MLMPredictionBatch,
  MLMPredictionDict,
  Model,
  Predictor,
  RandomSource,
  Tokenizer,
} from '@mlm/types';
import type { MetricWrapper } from '@mlm/metrics';
import type { Task } from '../tasks/task.js';

/** A model the trainer can train, checkpoint and export. */
export interface TrainableModel extends Model {
  /** The checkpoint in memory: the `config.json` object and the safetensors bytes (written by the trainer). */
  toBytes(): { config: object; weights: Uint8Array };
}

/** The model a `model` component built, checked to be one the trainer can save. */
export function asTrainableModel(model: Model): TrainableModel {
  if (typeof (model as Partial<TrainableModel>).toBytes !== 'function') {
    throw new Error('the model component built a model without toBytes() (its config.json object and safetensors bytes); the trainer needs it to write checkpoints');
  }
  return model as TrainableModel;
}

export type PredictionCollator = Collator<CollatorInput, MLMPredictionBatch>;
export type TrainCollator = Collator<CollatorInput, MLMBatch>;
export type MLMPredictor = Predictor<MLMPredictionBatch, MLMPredictionDict>;

/**
 * The prefix of the prediction metrics of a split, as xlm-core's experiment configs log them:
 * `val/prediction/...` for every task. (Its sudoku configs compute the metrics on the
 * `infill_prediction` dataloader but log them with `prefix: val/prediction`.)
 */
export function predictionMetricPrefix(split: string): string {
  return `${split}/prediction`;
}

/** The instantiated pieces of a run (after the backend is up). */
export interface RunComponents {
  task: Task;
  tokenizer: Tokenizer;
  model: TrainableModel;
  loss: LossFunction<MLMBatch>;
  /** Collators and predictors draw from the random they are built with; evaluation builds fresh ones. */
  createTrainCollator(random: RandomSource): Promise<TrainCollator>;
  createPredictionCollator(random: RandomSource): Promise<PredictionCollator>;
  createPredictor(random: RandomSource): Promise<MLMPredictor>;
  /** Unconditional tasks: the rows of [MASK] to generate from (validation.predictionSource), when configured. */
  createPredictionDataset: ((random: RandomSource) => Promise<Iterable<CollatorInput> & { readonly length: number }>) | undefined;
  /** Fresh prediction metrics (reset state). */
  createMetrics(): Promise<MetricWrapper<unknown, unknown, unknown>[]>;
}
