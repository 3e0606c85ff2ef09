/**
 * How many of a row's `maskedCount` eligible positions to unmask in a step, given the steps left
 * (this one included, ≥ 1) out of `totalSteps`. On the last step (`stepsLeft = 1`) every schedule
 * unmasks everything.
 */
export type UnmaskSchedule = (maskedCount: number, stepsLeft: number, totalSteps: number) => number;

/**
 * xlm-core's schedule: `trunc(masked / max(stepsLeft, 1))`. It truncates (the xlm-core docs say
 * "ceil"), so when there are more steps than masks the early steps unmask nothing.
 */
export const linearSchedule: UnmaskSchedule = (maskedCount, stepsLeft) => Math.trunc(maskedCount / Math.max(stepsLeft, 1));

/**
 * MaskGIT's cosine schedule: the masked fraction follows γ(τ) = cos(πτ/2) over progress τ ∈ [0, 1],
 * so few positions are unmasked early and many late. With τ = (T − n) / T before the step and
 * (T − n + 1) / T after it, the step unmasks `floor(m · (1 − γ(after) / γ(before)))` — the linear
 * schedule is the same formula with γ(τ) = 1 − τ.
 */
export const cosineSchedule: UnmaskSchedule = (maskedCount, stepsLeft, totalSteps) => {
  const n = Math.max(stepsLeft, 1);
  if (n <= 1) return maskedCount;
  const total = Math.max(totalSteps, n);
  const gamma = (tau: number): number => Math.cos((Math.PI / 2) * tau);
  const ratio = gamma((total - n + 1) / total) / gamma((total - n) / total);
  return Math.min(maskedCount, Math.floor(maskedCount * (1 - ratio) + 1e-9));
};

/** The built-in schedules by name (what `unmaskSchedule: 'cosine'` means). Others are functions, or `unmask-schedule` components. */
export const builtInUnmaskSchedules = { linear: linearSchedule, cosine: cosineSchedule } as const;
export type UnmaskScheduleName = keyof typeof builtInUnmaskSchedules;
export const unmaskScheduleNames = Object.keys(builtInUnmaskSchedules) as UnmaskScheduleName[];

/** A built-in schedule by name, or the function itself. */
export function resolveUnmaskSchedule(schedule: UnmaskScheduleName | UnmaskSchedule): UnmaskSchedule {
  if (typeof schedule === 'function') return schedule;
  const found = (builtInUnmaskSchedules as Record<string, UnmaskSchedule>)[schedule];
  if (found === undefined) {
    throw new Error(`unmask schedule ${JSON.stringify(schedule)} is unknown; expected one of ${unmaskScheduleNames.join(', ')} or a function`);
  }
  return found;
}

/** The count for one row, clamped to [0, maskedCount] whatever a custom schedule returns. */
export function scheduledCount(schedule: UnmaskSchedule, maskedCount: number, stepsLeft: number, totalSteps: number): number {
  const count = Math.trunc(schedule(maskedCount, Math.max(stepsLeft, 1), totalSteps));
  if (!Number.isFinite(count)) throw new Error(`unmask schedule returned ${count} for ${maskedCount} masks and ${stepsLeft} steps left; expected a count`);
  return Math.max(0, Math.min(maskedCount, count));
}
