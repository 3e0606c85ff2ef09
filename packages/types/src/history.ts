import type { Tensor3D } from '@tensorflow/tfjs-core';
import type { BoolMatrix, IntMatrix } from './tensor-data.js';

/** What the predictor hands a history plugin after every step. */
export interface HistoryStepState {
  step: number;
  /** Tokens after the step, [B, L]. */
  ids: IntMatrix;
  unmasked: BoolMatrix;
  /** The step's logits [B, L, V]; only valid during the call (the predictor disposes them). */
  logits: Tensor3D | null;
  /** First column of the generated window (the input width; see `MLMPredictionDict.outputStartIdx`). */
  outputStartIdx: number;
  /**
   * First column a history should record: `outputStartIdx` for prefix → suffix generation, 0 for
   * infilling and unconditional generation (where the whole row is generated).
   */
  windowStart: number;
  /** True for the final fill-everything step. */
  final: boolean;
}

/** Records generation step by step (xlm-core `HistoryPluginBase`). */
export interface HistoryPlugin {
  updateHistory(state: HistoryStepState): void | Promise<void>;
  reset(): void;
  /** One record per example, naming where its history lives. */
  toDict(): Record<string, unknown>[];
}
