import type { RandomSource } from '@mlm/types';

/**
 * Which confidence a strategy ranks positions by, computed by the predictor from the step's logits
 * (p = softmax(logits) at each position), scaled to [0, 1] with higher = more confident:
 * - `top-probability`: p₁, the largest probability (xlm-core `top_prob`);
 * - `margin`: p₁ − p₂ (xlm-core `prob_diff`);
 * - `entropy`: 1 − H(p) / ln V with H(p) = −Σ p·ln(p + 1e-10) (xlm-core ranks by −H; the ranking is
 *   the same, the scaling makes thresholds comparable with the other two).
 */
export type ConfidenceKind = 'top-probability' | 'margin' | 'entropy';

/** What a strategy sees in one step; flat arrays are row-major [B·L]. */
export interface PositionSelectionInput {
  batchSize: number;
  length: number;
  /** 1 where the position is [MASK] and may be unmasked in this step. */
  eligible: Uint8Array;
  /** Per row: eligible positions. */
  eligibleCount: Int32Array;
  /** Per row: steps left, this one included (≥ 1). */
  stepsLeft: Int32Array;
  /** Per row: the schedule's length (`maxSteps`, or the current block's share of it). */
  totalSteps: Int32Array;
  /** The confidence the strategy asked for (`strategy.confidence`), else null. */
  confidence: Float32Array | null;
  /** 1-based step number. */
  step: number;
  random: RandomSource;
}

/** Chooses the positions to unmask in a step (a `position-strategy` component; see predictor-components.ts). */
export interface PositionStrategy {
  readonly name: string;
  /** The confidence this strategy needs the predictor to compute, or null (then none is computed). */
  readonly confidence: ConfidenceKind | null;
  /** Returns 1 at the positions to unmask; positions that are not eligible are ignored. */
  select(input: PositionSelectionInput): Uint8Array;
}

/**
 * Per row, marks the `counts[b]` eligible positions with the largest `scores` (ties: lower index
 * first). A count equal to the number of eligible positions selects them all (xlm-core's
 * `select_random_indices` crashes in that case when the row is entirely masked).
 */
export function selectTopScored(input: PositionSelectionInput, scores: ArrayLike<number>, counts: ArrayLike<number>): Uint8Array {
  const { batchSize, length, eligible } = input;
  const out = new Uint8Array(batchSize * length);
  for (let b = 0; b < batchSize; b++) {
    const count = counts[b] as number;
    if (count <= 0) continue;
    const candidates: number[] = [];
    for (let i = b * length; i < (b + 1) * length; i++) if (eligible[i]) candidates.push(i);
    if (count >= candidates.length) {
      for (const i of candidates) out[i] = 1;
      continue;
    }
    candidates.sort((x, y) => (scores[y] as number) - (scores[x] as number) || x - y);
    for (let r = 0; r < count; r++) out[candidates[r] as number] = 1;
  }
  return out;
}
