import { z } from 'zod';
import { defineComponent } from '@mlm/components';
import type { PositionSelectionInput, PositionStrategy } from '@mlm/predictor';

export const leftToRightOptionsSchema = z.strictObject({
  /** Positions unmasked per step; null = spread evenly over the steps left (ceil(eligible / stepsLeft)). */
  perStep: z.number().int().min(1).nullable().default(null),
});

/**
 * Unmasks the leftmost [MASK] positions first (autoregressive order): in each row, the first
 * `perStep` eligible positions, or ceil(eligible / stepsLeft) so that the last step finishes the row.
 */
export function createLeftToRightStrategy(options: z.output<typeof leftToRightOptionsSchema>): PositionStrategy {
  return {
    name: 'example/left-to-right',
    confidence: null,
    select(input: PositionSelectionInput): Uint8Array {
      const { batchSize, length, eligible, eligibleCount, stepsLeft } = input;
      const selected = new Uint8Array(batchSize * length);
      for (let b = 0; b < batchSize; b++) {
        const count = options.perStep ?? Math.ceil(eligibleCount[b]! / Math.max(1, stepsLeft[b]!));
        let taken = 0;
        for (let i = 0; i < length && taken < count; i++) {
          if (eligible[b * length + i]) {
            selected[b * length + i] = 1;
            taken += 1;
          }
        }
      }
      return selected;
    },
  };
}

/** `example/left-to-right`: registered as a `position-strategy` component. */
export const leftToRightStrategy = defineComponent({
  kind: 'position-strategy',
  name: 'example/left-to-right',
  description: 'unmask the leftmost masked positions first (autoregressive order)',
  schema: leftToRightOptionsSchema,
  create: (options) => createLeftToRightStrategy(options),
});
