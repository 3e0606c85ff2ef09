import { describe, expect, it } from 'vitest';
import { createLearningRateSchedule, resolveWarmupSteps } from './lr-schedule.js';

const base = { warmupSteps: null, fractionWarmupSteps: null, minLr: 0, numCycles: 0.5 };

describe('learning-rate schedules (xlm-core\'s LambdaLR multipliers)', () => {
  it('constant-with-warmup: s / W during warm-up (first step at lr 0), then 1', () => {
    const schedule = createLearningRateSchedule({ ...base, name: 'constant-with-warmup', warmupSteps: 4 }, { maxSteps: 10, baseLr: 1e-3 });
    expect([0, 1, 2, 3, 4, 5, 9].map((s) => schedule.multiplier(s))).toEqual([0, 0.25, 0.5, 0.75, 1, 1, 1]);
  });

  it('constant-with-warmup with W = 0 starts at full lr', () => {
    const schedule = createLearningRateSchedule({ ...base, name: 'constant-with-warmup', warmupSteps: 0 }, { maxSteps: 10, baseLr: 1e-3 });
    expect(schedule.multiplier(0)).toBe(1);
  });

  it('cosine-with-min-lr follows 0.5(1 + cos(π·cycles·2·p)) floored at minLr/lr', () => {
    const config = { ...base, name: 'cosine-with-min-lr' as const, warmupSteps: 10, minLr: 1e-5, numCycles: 4 };
    const schedule = createLearningRateSchedule(config, { maxSteps: 110, baseLr: 1e-4 });
    expect(schedule.multiplier(0)).toBe(0);
    expect(schedule.multiplier(5)).toBe(0.5);
    expect(schedule.multiplier(10)).toBeCloseTo(1, 12); // p = 0
    // p = 1/8: cos(π·4·2/8) = cos(π) = -1 → f = 0 → floor 0.1
    expect(schedule.multiplier(10 + 100 / 8)).toBeCloseTo(0.1, 12);
    // p = 1/4: a full period → back to 1
    expect(schedule.multiplier(35)).toBeCloseTo(1, 12);
    // p = 0.3: f = 0.5(1 + cos(2.4π)) scaled into [0.1, 1]
    const f = 0.5 * (1 + Math.cos(Math.PI * 4 * 2 * 0.3));
    expect(schedule.multiplier(40)).toBeCloseTo(f * 0.9 + 0.1, 12);
  });

  it('cosine-with-min-lr with the HF default half cycle decays monotonically to the floor', () => {
    const schedule = createLearningRateSchedule({ ...base, name: 'cosine-with-min-lr', warmupSteps: 0, minLr: 0 }, { maxSteps: 100, baseLr: 1 });
    expect(schedule.multiplier(50)).toBeCloseTo(0.5, 12);
    expect(schedule.multiplier(100)).toBeCloseTo(0, 12);
  });

  it('derives warm-up from fractionWarmupSteps as int(N · fraction)', () => {
    expect(resolveWarmupSteps({ warmupSteps: null, fractionWarmupSteps: 0.15 }, 99)).toBe(14);
    expect(resolveWarmupSteps({ warmupSteps: 7, fractionWarmupSteps: 0.5 }, 100)).toBe(7);
  });

  it('rejects a minLr above the base lr', () => {
    expect(() => createLearningRateSchedule({ ...base, name: 'cosine-with-min-lr', minLr: 1 }, { maxSteps: 10, baseLr: 0.1 })).toThrow(
      /minLr \(1\) must not exceed optimizer\.lr \(0\.1\)/,
    );
  });
});
