import { z } from 'zod';
import { gumbelNoise } from '@mlm/random';
import type { ConfidenceKind, PositionSelectionInput, PositionStrategy } from './position-strategy.js';
import { selectTopScored } from './position-strategy.js';
import type { UnmaskSchedule, UnmaskScheduleName } from './unmask-schedule.js';
import { resolveUnmaskSchedule, scheduledCount } from './unmask-schedule.js';
import { scheduleOptionSchema } from './uniform-strategy.js';
import { parseConstructorOptions } from '@mlm/components';

export interface ConfidenceStrategyOptions {
  /**
   * Dynamic count: unmask ranked positions while the exclusive running sum of (1 − confidence) is
   * below the threshold (> 0; the most confident position is always unmasked).
   */
  threshold?: number;
  /** Fixed count per step from a schedule (`linear`, `cosine`, or a function). */
  schedule?: UnmaskScheduleName | UnmaskSchedule;
  /**
   * 0 (default) ranks by confidence. T > 0 ranks by `ln(c + 1e-10) / T + Gumbel noise` — sampling
   * positions without replacement with probability ∝ c^(1/T) (Gumbel-top-k); draws B·L per step.
   */
  confidenceTemperature?: number;
}

/** The threshold of a confidence strategy (also the predictor's `threshold`): > 0. */
export const thresholdSchema = z.number().positive({ error: 'expected a number > 0 (≤ 0 would never unmask before the final step)' }).finite();

const confidenceSchema = z
  .strictObject({
    threshold: thresholdSchema.optional(),
    schedule: scheduleOptionSchema.optional(),
    confidenceTemperature: z.number().min(0).finite().default(0),
  })
  .refine((options) => !(options.threshold !== undefined && options.schedule !== undefined), {
    message: 'set either threshold (dynamic count) or schedule (fixed count per step), not both',
  });

/**
 * Ranks eligible positions by a confidence computed from the logits and unmasks the most confident
 * ones: a count per step from a schedule, or as many as a threshold allows.
 */
export class ConfidencePositionStrategy implements PositionStrategy {
  readonly name: string;
  readonly confidence: ConfidenceKind;
  readonly threshold: number | null;
  readonly schedule: UnmaskSchedule | null;
  readonly confidenceTemperature: number;

  constructor(confidence: ConfidenceKind, options: ConfidenceStrategyOptions = {}) {
    this.name = confidence;
    this.confidence = confidence;
    const parsed = parseConstructorOptions(confidenceSchema, options, `${confidence} position strategy`);
    this.threshold = parsed.threshold ?? null;
    const schedule = parsed.threshold === undefined ? (parsed.schedule ?? 'linear') : null;
    this.schedule = schedule === null ? null : resolveUnmaskSchedule(schedule);
    this.confidenceTemperature = parsed.confidenceTemperature;
  }

  select(input: PositionSelectionInput): Uint8Array {
    const confidence = input.confidence;
    if (confidence === null) throw new Error(`${this.name} position strategy: the predictor passed no confidence`);
    const ranking = this.rankingScores(input, confidence);
    if (this.schedule !== null) {
      const schedule = this.schedule;
      const counts = Int32Array.from({ length: input.batchSize }, (_, b) =>
        scheduledCount(schedule, input.eligibleCount[b] as number, input.stepsLeft[b] as number, input.totalSteps[b] as number),
      );
      return selectTopScored(input, ranking, counts);
    }
    return this.selectByThreshold(input, confidence, ranking, this.threshold as number);
  }

  private rankingScores(input: PositionSelectionInput, confidence: Float32Array): ArrayLike<number> {
    if (this.confidenceTemperature === 0) return confidence;
    const noise = gumbelNoise(input.random, input.batchSize * input.length);
    const scores = new Float64Array(noise.length);
    for (let i = 0; i < scores.length; i++) {
      scores[i] = Math.log((confidence[i] as number) + 1e-10) / this.confidenceTemperature + (noise[i] as number);
    }
    return scores;
  }

  /**
   * xlm-core's `top_prob` rule, applied to every confidence kind: in ranking order, the k-th position
   * is unmasked iff Σ_{j<k} (1 − c_j) < threshold. (xlm-core's `prob_diff` subtracts a running max
   * of column *indices* instead — a bug that unmasks almost everything at once; fixed here.)
   */
  private selectByThreshold(input: PositionSelectionInput, confidence: Float32Array, ranking: ArrayLike<number>, threshold: number): Uint8Array {
    const { batchSize, length, eligible } = input;
    const out = new Uint8Array(batchSize * length);
    for (let b = 0; b < batchSize; b++) {
      const candidates: number[] = [];
      for (let i = b * length; i < (b + 1) * length; i++) if (eligible[i]) candidates.push(i);
      candidates.sort((x, y) => (ranking[y] as number) - (ranking[x] as number) || x - y);
      let uncertainty = 0;
      for (const i of candidates) {
        if (!(uncertainty < threshold)) break;
        out[i] = 1;
        uncertainty += 1 - (confidence[i] as number);
      }
    }
    return out;
  }
}

/** What each confidence ranks by (the descriptions of the position-strategy components). */
export const confidenceDescriptions: Record<ConfidenceKind, string> = {
  'top-probability': 'most probable positions first (xlm-core top_prob); threshold or schedule',
  margin: 'largest top-1 − top-2 gap first (xlm-core prob_diff, bug fixed); threshold or schedule',
  entropy: 'lowest entropy first (not implemented in xlm-core); threshold or schedule',
};
