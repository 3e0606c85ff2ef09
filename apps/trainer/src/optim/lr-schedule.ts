import type { SchedulerConfig } from '../config/config-schema.js';

/** A learning-rate schedule: the multiplier of the base lr at optimiser step `s` (0-based). */
export interface LearningRateSchedule {
  readonly name: string;
  readonly warmupSteps: number;
  multiplier(step: number): number;
}

/** Warm-up steps as the reference computes them: explicit, else int(maxSteps · fraction), else 0. */
export function resolveWarmupSteps(config: Pick<SchedulerConfig, 'warmupSteps' | 'fractionWarmupSteps'>, maxSteps: number): number {
  if (config.warmupSteps !== null) return config.warmupSteps;
  if (config.fractionWarmupSteps !== null) return Math.trunc(maxSteps * config.fractionWarmupSteps);
  return 0;
}

/**
 * Builds the schedule of xlm-core's `Harness.create_lr_scheduler` (HF `get_scheduler`, LambdaLR
 * semantics: the multiplier of step s is used for the (s+1)-th optimiser update, so the first update
 * runs at lr 0 whenever warm-up is on).
 * - constant: 1.
 * - constant-with-warmup: s / max(1, W) for s < W, else 1.
 * - cosine-with-min-lr: s / max(1, W) for s < W; else with p = (s − W) / max(1, N − W):
 *   f = 0.5·(1 + cos(π · numCycles · 2 · p)), f = f·(1 − minLr/lr) + minLr/lr, multiplier max(0, f).
 */
export function createLearningRateSchedule(
  config: SchedulerConfig,
  options: { maxSteps: number; baseLr: number },
): LearningRateSchedule {
  const warmupSteps = resolveWarmupSteps(config, options.maxSteps);
  const totalSteps = options.maxSteps;
  const warmup = (step: number) => step / Math.max(1, warmupSteps);
  switch (config.name) {
    case 'constant':
      return { name: config.name, warmupSteps: 0, multiplier: () => 1 };
    case 'constant-with-warmup':
      return { name: config.name, warmupSteps, multiplier: (step) => (step < warmupSteps ? warmup(step) : 1) };
    case 'cosine-with-min-lr': {
      if (config.minLr > options.baseLr) {
        throw new Error(`scheduler.minLr (${config.minLr}) must not exceed optimizer.lr (${options.baseLr})`);
      }
      const floor = config.minLr / options.baseLr;
      return {
        name: config.name,
        warmupSteps,
        multiplier: (step) => {
          if (step < warmupSteps) return warmup(step);
          const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
          let factor = 0.5 * (1 + Math.cos(Math.PI * config.numCycles * 2 * progress));
          factor = factor * (1 - floor) + floor;
          return Math.max(0, factor);
        },
      };
    }
  }
}
