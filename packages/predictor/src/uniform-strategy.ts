import { z } from 'zod';
import { uniformArray } from '@mlm/random';
import type { PositionSelectionInput, PositionStrategy } from './position-strategy.js';
import { selectTopScored } from './position-strategy.js';
import type { UnmaskSchedule, UnmaskScheduleName } from './unmask-schedule.js';
import { resolveUnmaskSchedule, scheduledCount, unmaskScheduleNames } from './unmask-schedule.js';
import { parseConstructorOptions } from '@mlm/components';

export interface UniformStrategyOptions {
  /** Count schedule: `linear` (xlm-core's, the default), `cosine`, or a function. */
  schedule?: UnmaskScheduleName | UnmaskSchedule;
}

export const scheduleOptionSchema = z.union([z.enum(unmaskScheduleNames), z.custom<UnmaskSchedule>((value) => typeof value === 'function')], {
  error: `unknown schedule; expected one of ${unmaskScheduleNames.join(', ')} or a function`,
});

const uniformSchema = z.strictObject({ schedule: scheduleOptionSchema.default('linear') });

/**
 * xlm-core's default mode: each step unmasks `schedule(masked, stepsLeft)` positions chosen uniformly at
 * random among the eligible ones. Draws B·L uniforms per step (row-major, every position, as
 * `select_random_indices` does) and keeps the largest draws.
 */
export class UniformPositionStrategy implements PositionStrategy {
  readonly name = 'uniform';
  readonly confidence = null;
  readonly schedule: UnmaskSchedule;

  constructor(options: UniformStrategyOptions = {}) {
    const parsed = parseConstructorOptions(uniformSchema, options, 'uniform position strategy');
    this.schedule = resolveUnmaskSchedule(parsed.schedule);
  }

  select(input: PositionSelectionInput): Uint8Array {
    const draws = uniformArray(input.random, input.batchSize * input.length);
    const counts = Int32Array.from({ length: input.batchSize }, (_, b) =>
      scheduledCount(this.schedule, input.eligibleCount[b] as number, input.stepsLeft[b] as number, input.totalSteps[b] as number),
    );
    return selectTopScored(input, draws, counts);
  }
}

