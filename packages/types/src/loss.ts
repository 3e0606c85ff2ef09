import type { Scalar } from '@tensorflow/tfjs-core';
import type { MLMBatch } from './batch.js';
import type { Model } from './model.js';
import type { RandomSource } from './random.js';

/** xlm-core `MLMLossDict`: the scalar loss, plus how many positions were scored. */
export interface MLMLossDict {
  loss: Scalar;
  /**
   * Number of positions in the loss's denominator (a scalar tensor; read it after the step if needed):
   * the `[MASK]` inputs, or every position of the batch with `lossOnVisibleTokens` (xlm-core's definition).
   */
  numScored?: Scalar;
}

export interface LossCallOptions {
  training?: boolean;
  random?: RandomSource;
}

/** xlm-core `LossFunction` protocol. Call inside `tf.tidy` or an optimiser's `minimize`. */
export interface LossFunction<TBatch = MLMBatch, TLossDict = MLMLossDict> {
  readonly model: Model;
  call(batch: TBatch, options?: LossCallOptions): TLossDict;
}
