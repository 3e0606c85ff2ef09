import type { IntMatrix } from '@mlm/types';
import { IGNORE_INDEX } from '@mlm/types';

export interface ScoredPositionsOptions {
  maskTokenId: number;
  vocabSize: number;
  lossOnVisibleTokens: boolean;
  useNumMaskedFactor: boolean;
}

/** Which positions enter the loss, computed on the JS side from the batch's typed arrays. */
export interface ScoredPositions {
  /** Flat indices b·L + i of the positions whose cross-entropy is computed (scored, target ≠ -100). */
  flatIndices: Int32Array;
  /** Their targets, in [0, V). */
  targets: Int32Array;
  /** Per-position weights (`useNumMaskedFactor`: 1 / (masked in the row + 1)), or null (all 1). */
  weights: Float32Array | null;
  /**
   * The loss's denominator before the 1e-9: the number of scored positions. Without
   * `lossOnVisibleTokens`: every `[MASK]` input (even one whose target is -100). With it: every
   * position of the batch (-100 targets included), as in xlm-core.
   */
  denominator: number;
  /** `[MASK]` inputs per row. */
  maskedPerRow: Int32Array;
}

/**
 * xlm-core `loss_fn`'s selection: `ignore = input ≠ [MASK]` (nothing ignored with
 * `lossOnVisibleTokens`); scored targets must be -100 or a vocabulary id.
 */
export function selectScoredPositions(inputIds: IntMatrix, targetIds: IntMatrix, options: ScoredPositionsOptions): ScoredPositions {
  const [batch, length] = inputIds.shape;
  const { maskTokenId, vocabSize, lossOnVisibleTokens, useNumMaskedFactor } = options;
  const input = inputIds.data;
  const target = targetIds.data;
  const maskedPerRow = new Int32Array(batch);
  let count = 0;
  let maskedTotal = 0;
  for (let b = 0; b < batch; b++) {
    for (let i = b * length; i < (b + 1) * length; i++) {
      const scored = lossOnVisibleTokens || input[i] === maskTokenId;
      if (input[i] === maskTokenId) {
        maskedPerRow[b] = (maskedPerRow[b] as number) + 1;
        maskedTotal++;
      }
      if (!scored) continue;
      const t = target[i] as number;
      if (t === IGNORE_INDEX) continue;
      if (!Number.isInteger(t) || t < 0 || t >= vocabSize) {
        throw new Error(`MLMLoss: batch.targetIds[${b}][${i - b * length}] = ${t} at a scored position; expected ${IGNORE_INDEX} or an id in [0, ${vocabSize})`);
      }
      count++;
    }
  }
  const flatIndices = new Int32Array(count);
  const targets = new Int32Array(count);
  const weights = useNumMaskedFactor ? new Float32Array(count) : null;
  let n = 0;
  for (let b = 0; b < batch; b++) {
    const factor = 1 / ((maskedPerRow[b] as number) + 1);
    for (let i = b * length; i < (b + 1) * length; i++) {
      if (!(lossOnVisibleTokens || input[i] === maskTokenId) || target[i] === IGNORE_INDEX) continue;
      flatIndices[n] = i;
      targets[n] = target[i] as number;
      if (weights) weights[n] = factor;
      n++;
    }
  }
  return { flatIndices, targets, weights, denominator: lossOnVisibleTokens ? batch * length : maskedTotal, maskedPerRow };
}
