import type { MLMPredictionBatch } from './batch.js';
import type { BoolMatrix, IntMatrix } from './tensor-data.js';

/** xlm-core `MLMPredictionDict`, in camelCase. */
export interface MLMPredictionDict {
  /** Always null (kept for the reference's field list). */
  loss: null;
  text: string[];
  /** [B, L_out] final tokens, prompt included. */
  ids: IntMatrix;
  /** Batch wall time in seconds, repeated per row. */
  timeTaken: number[];
  /** Index of the first generated column (the input width). */
  outputStartIdx: number;
  /** Loop iterations in which each row still had a [MASK] (the final fill step not counted). */
  stepsTaken: number[];
  /** One record per example from the predictor's history plugin (for example `{fid}`), when it has one. */
  history?: Record<string, unknown>[];
  /** Per-sample metric values added by an evaluator (`metric_<name>` in xlm-core). */
  [key: `metric${string}`]: number[] | undefined;
}

/** One event of `predictor.stream(batch)`. */
export interface PredictorStepEvent {
  /** 1-based step; the final fill step has `final: true`. */
  step: number;
  final: boolean;
  /** Tokens after this step, [B, L]. */
  ids: IntMatrix;
  /** Positions whose token was committed in this step. */
  unmasked: BoolMatrix;
  /** Confidence (probability of the committed token) at unmasked positions, NaN elsewhere; [B·L]. */
  confidence: Float32Array;
  /** Whether the forward pass was skipped because nothing changed since the last one. */
  cachedLogits: boolean;
  /** Whether this step ran the model (false when the logits were cached or nothing was left to fill). */
  modelCalled: boolean;
  outputStartIdx: number;
}

/** xlm-core `Predictor` protocol. */
export interface Predictor<TBatch = MLMPredictionBatch, TPrediction = MLMPredictionDict> {
  predict(batch: TBatch): Promise<TPrediction>;
  /** One JSON-able record per example (xlm-core `to_dict` → `unbatch`). */
  toDict(batch: TBatch, predictions: TPrediction): Record<string, unknown>[];
  /** Text in, text out. */
  generate?(prompts: string[]): Promise<string[]>;
  stream?(batch: TBatch): AsyncIterable<PredictorStepEvent>;
}
