import type { BoolMatrix, IntMatrix, MLMPredictionBatch } from '@mlm/types';

/** The predictor's working copy of a batch: plain arrays, masks appended. */
export interface PreparedInput {
  batchSize: number;
  length: number;
  /** Tokens [B·L] (the predictor writes into it). */
  ids: Int32Array;
  /** 1 = real token, [B·L]. */
  attention: Uint8Array;
  /** RoPE positions [B·L]: clamp(cumsum(mask) − 1, 0), not multiplied by the mask. */
  positions: Int32Array;
  /** Input width: the first column of the appended masks. */
  outputStartIdx: number;
  /** First column that is generated: outputStartIdx with maxNewTokens, else 0. */
  windowStart: number;
}

/**
 * The predictor's positions rule (xlm-core `predict`): clamp(cumsum(mask) − 1, 0) *without*
 * multiplying by the mask, so left pads get 0 and right pads repeat the last real position.
 */
export function predictorPositions(attention: Uint8Array, batchSize: number, length: number): Int32Array {
  const positions = new Int32Array(batchSize * length);
  for (let b = 0; b < batchSize; b++) {
    let cumulative = 0;
    for (let i = 0; i < length; i++) {
      cumulative += attention[b * length + i] ? 1 : 0;
      positions[b * length + i] = Math.max(cumulative - 1, 0);
    }
  }
  return positions;
}

function assertMatrixField(value: unknown, field: string): asserts value is IntMatrix | BoolMatrix {
  const matrix = value as Partial<IntMatrix> | undefined;
  if (matrix === null || typeof matrix !== 'object' || !Array.isArray(matrix.shape) || matrix.data === undefined) {
    throw new Error(`prediction batch: ${field} must be a [B, L] matrix {data, shape}, got ${matrix === null ? 'null' : typeof matrix}`);
  }
  if (matrix.shape.length !== 2) {
    throw new Error(`prediction batch: ${field} has shape [${matrix.shape.join(', ')}], expected [B, L]${field === 'attentionMask' ? ' (a 3-D packed mask cannot be used for generation)' : ''}`);
  }
  const [rows, columns] = matrix.shape as [number, number];
  if (matrix.data.length !== rows * columns) {
    throw new Error(`prediction batch: ${field} has ${matrix.data.length} entries, expected ${rows * columns} for shape [${rows}, ${columns}]`);
  }
}

/** Copies a batch, checks ids against the vocabulary and appends `maxNewTokens` masks (seq2seq). */
export function prepareInput(
  batch: MLMPredictionBatch,
  {
    maskTokenId,
    vocabSize,
    maxNewTokens,
    maxPosition,
  }: { maskTokenId: number; vocabSize: number; maxNewTokens: number | null; maxPosition?: number | undefined },
): PreparedInput {
  if (batch === null || typeof batch !== 'object') throw new Error(`prediction batch: expected an object with inputIds, got ${batch === null ? 'null' : typeof batch}`);
  assertMatrixField(batch.inputIds, 'inputIds');
  const [batchSize, inputWidth] = batch.inputIds.shape;
  if (batch.attentionMask !== undefined) {
    assertMatrixField(batch.attentionMask, 'attentionMask');
    if (batch.attentionMask.shape[0] !== batchSize || batch.attentionMask.shape[1] !== inputWidth) {
      throw new Error(`prediction batch: attentionMask has shape [${batch.attentionMask.shape.join(', ')}], expected [${batchSize}, ${inputWidth}] like inputIds`);
    }
  }
  batch.inputIds.data.forEach((id, index) => {
    if (!(Number.isInteger(id) && id >= 0 && id < vocabSize)) {
      const b = Math.floor(index / Math.max(inputWidth, 1));
      throw new Error(`prediction batch: inputIds[${b}, ${index - b * inputWidth}] = ${id}, expected a token id in [0, ${vocabSize})`);
    }
  });
  const appended = maxNewTokens ?? 0;
  const length = inputWidth + appended;
  const ids = new Int32Array(batchSize * length);
  const attention = new Uint8Array(batchSize * length);
  for (let b = 0; b < batchSize; b++) {
    for (let i = 0; i < inputWidth; i++) {
      ids[b * length + i] = batch.inputIds.data[b * inputWidth + i] as number;
      attention[b * length + i] = batch.attentionMask === undefined ? 1 : (batch.attentionMask.data[b * inputWidth + i] ? 1 : 0);
    }
    for (let i = inputWidth; i < length; i++) {
      ids[b * length + i] = maskTokenId;
      attention[b * length + i] = 1;
    }
  }
  const positions = predictorPositions(attention, batchSize, length);
  if (maxPosition !== undefined) {
    // Checked here, before any tensor exists, rather than left to the model's forward pass.
    positions.forEach((position, index) => {
      if (position > maxPosition) {
        const b = Math.floor(index / length);
        throw new Error(
          `prediction batch: row ${b} needs position ${position} (prompt + ${appended} new tokens), but the model accepts positions up to maxLength = ${maxPosition}`,
        );
      }
    });
  }
  return {
    batchSize,
    length,
    ids,
    attention,
    positions,
    outputStartIdx: inputWidth,
    windowStart: maxNewTokens === null ? 0 : inputWidth,
  };
}

/** `batchSize` rows of `length` [MASK]s, all attended: the input of unconditional generation. */
export function createUnconditionalBatch({ batchSize, length, maskTokenId }: { batchSize: number; length: number; maskTokenId: number }): {
  inputIds: IntMatrix;
  attentionMask: BoolMatrix;
} {
  for (const [name, value] of [['batchSize', batchSize], ['length', length]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`createUnconditionalBatch: ${name} = ${value}, expected an integer ≥ 1`);
  }
  return {
    inputIds: { data: new Int32Array(batchSize * length).fill(maskTokenId), shape: [batchSize, length] },
    attentionMask: { data: new Uint8Array(batchSize * length).fill(1), shape: [batchSize, length] },
  };
}

/**
 * Left-pads id lists into a prediction batch (as xlm-core's `prepare_prefix_ids`): pads on the left,
 * attention 0 there. Width = the longest row unless given (longer rows are left-truncated).
 */
export function createLeftPaddedBatch(rows: number[][], padTokenId: number, width?: number): { inputIds: IntMatrix; attentionMask: BoolMatrix } {
  const batchWidth = width ?? Math.max(0, ...rows.map((row) => row.length));
  const data = new Int32Array(rows.length * batchWidth).fill(padTokenId);
  const mask = new Uint8Array(rows.length * batchWidth);
  rows.forEach((row, b) => {
    const kept = row.slice(Math.max(0, row.length - batchWidth));
    const offset = b * batchWidth + batchWidth - kept.length;
    data.set(kept, offset);
    mask.fill(1, offset, offset + kept.length);
  });
  return { inputIds: { data, shape: [rows.length, batchWidth] }, attentionMask: { data: mask, shape: [rows.length, batchWidth] } };
}
