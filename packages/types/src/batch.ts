import type { BoolCube, BoolMatrix, IntMatrix } from './tensor-data.js';

/**
 * A training or evaluation batch of the MLM model (xlm-core `MLMBatch`, keys in camelCase).
 * - `inputIds`: possibly masked input, [B, L].
 * - `attentionMask`: 1 = real token, [B, L]; or a [B, L, L] mask (query, key) for packed batches.
 *   Absent for packed batches that carry `segmentIds` instead (the loss then builds the 3-D mask).
 * - `targetIds`: original tokens, `IGNORE_INDEX` (-100) where a collator wants no loss.
 * - `positions`: RoPE positions (packed batches; otherwise derived from the attention mask).
 * - `segmentIds`: document index per position (packed batches).
 * - `fixedPositionsMask`: infill collators only; 1 = given position, never eligible for masking.
 * Extra pass-through fields (for example `answer`) are kept as plain values in `extra`.
 */
export interface MLMBatch {
  inputIds: IntMatrix;
  attentionMask?: BoolMatrix | BoolCube;
  targetIds?: IntMatrix;
  positions?: IntMatrix;
  segmentIds?: IntMatrix;
  fixedPositionsMask?: BoolMatrix | null;
  extra?: Record<string, unknown[]>;
}

/** A packed batch (xlm-core `PackedFlexMLMBatch`): documents separated by EOS inside each row. */
export interface PackedMLMBatch {
  inputIds: IntMatrix;
  targetIds: IntMatrix;
  positions: IntMatrix;
  segmentIds: IntMatrix;
  /** Dense (batch, query, key) document mask: 1 where query and key are in the same segment. */
  attentionMask: BoolCube;
}

/** Prompt → suffix generation input (xlm-core `MLMSeq2SeqPredictionBatch`): left-padded prompts. */
export interface MLMSeq2SeqPredictionBatch {
  inputIds: IntMatrix;
  attentionMask: BoolMatrix;
  /** The expected suffix, [B, suffixLength], when known (for metrics). */
  targetIds?: IntMatrix;
  extra?: Record<string, unknown[]>;
}

/** Unconditional generation input: rows of [MASK] (xlm-core `MLMUncondtionalPredictionBatch`). */
export interface MLMUnconditionalPredictionBatch {
  inputIds: IntMatrix;
  attentionMask: BoolMatrix;
}

/** Any batch the predictor accepts. */
export type MLMPredictionBatch = MLMBatch | MLMSeq2SeqPredictionBatch | MLMUnconditionalPredictionBatch;
