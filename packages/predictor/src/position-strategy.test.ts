import { describe, expect, it } from 'vitest';
import { createRandom } from '@mlm/random';
import { createScriptedRandom } from '@mlm/random/testing';
import type { PositionSelectionInput } from './index.js';
import {
  ConfidencePositionStrategy,
  UniformPositionStrategy,
  cosineSchedule,
  linearSchedule,
} from './index.js';

function input(eligibleRows: number[][], extra: Partial<PositionSelectionInput> = {}): PositionSelectionInput {
  const batchSize = eligibleRows.length;
  const length = eligibleRows[0]!.length;
  const eligible = Uint8Array.from(eligibleRows.flat());
  return {
    batchSize,
    length,
    eligible,
    eligibleCount: Int32Array.from(eligibleRows.map((row) => row.reduce((s, v) => s + v, 0))),
    stepsLeft: new Int32Array(batchSize).fill(1),
    totalSteps: new Int32Array(batchSize).fill(1),
    confidence: null,
    step: 1,
    random: createRandom(0),
    ...extra,
  };
}

const selectedColumns = (flags: Uint8Array, length: number, row = 0): number[] =>
  Array.from(flags.subarray(row * length, (row + 1) * length)).flatMap((flag, i) => (flag ? [i] : []));

describe('unmask schedules', () => {
  it('linear truncates masked / stepsLeft (xlm-core; its docs say ceil)', () => {
    expect([linearSchedule(4, 3, 3), linearSchedule(3, 2, 3), linearSchedule(2, 1, 3)]).toEqual([1, 1, 2]);
    expect(linearSchedule(4, 10, 10)).toBe(0);
    expect(linearSchedule(5, 0, 10)).toBe(5); // max(stepsLeft, 1)
  });

  it('cosine unmasks few positions early and everything on the last step; totals match', () => {
    let masked = 100;
    const counts: number[] = [];
    for (let left = 10; left >= 1; left--) {
      const n = cosineSchedule(masked, left, 10);
      counts.push(n);
      masked -= n;
    }
    expect(masked).toBe(0);
    expect(counts[0]).toBeLessThan(counts[8]!);
    expect(counts.reduce((s, v) => s + v, 0)).toBe(100);
    // γ(τ) = cos(πτ/2): after 1 of 10 steps, cos(π/20) ≈ 0.9877 of 100 remain → 1 unmasked.
    expect(counts[0]).toBe(1);
  });
});

describe('uniform strategy', () => {
  it('unmasks the scheduled count among eligible positions, with the largest uniform draws', () => {
    // Draws for 1 × 4 positions; eligible [T, F, T, T]; stepsLeft 2 of 3 masks → trunc(3/2) = 1.
    const strategy = new UniformPositionStrategy();
    const selected = strategy.select(
      input([[1, 0, 1, 1]], { random: createScriptedRandom([0.1, 0.9, 0.3, 0.2]), stepsLeft: Int32Array.of(2), totalSteps: Int32Array.of(3) }),
    );
    // Position 1 drew the most but is not eligible (xlm-core select_random_indices example).
    expect(selectedColumns(selected, 4)).toEqual([2]);
  });

  it('draws B·L uniforms per step (xlm-core rand(B, L)) even when nothing is selected', () => {
    const random = createScriptedRandom(new Array(8).fill(0.5));
    new UniformPositionStrategy().select(input([[1, 1, 0, 0], [0, 0, 0, 0]], { random, stepsLeft: Int32Array.of(5, 5) }));
    expect(random.used).toBe(8);
  });

  it('a row that is entirely [MASK] on its last step is filled (xlm-core one_hot crash avoided)', () => {
    const selected = new UniformPositionStrategy().select(input([[1, 1, 1]]));
    expect(selectedColumns(selected, 3)).toEqual([0, 1, 2]);
  });

  it('takes a cosine or custom schedule, rejects unknown ones', () => {
    expect(new UniformPositionStrategy({ schedule: 'cosine' }).schedule).toBe(cosineSchedule);
    const half = new UniformPositionStrategy({ schedule: (m: number) => m / 2 });
    expect(selectedColumns(half.select(input([[1, 1, 1, 1]], { stepsLeft: Int32Array.of(4) })), 4)).toHaveLength(2);
    expect(() => new UniformPositionStrategy({ schedule: 'quadratic' as 'linear' })).toThrow(/schedule = "quadratic": unknown schedule; expected one of linear, cosine/);
  });
});

describe('confidence strategies', () => {
  // The worked-example fake model: row [7, M, M, M, M], top probabilities [0.9, 0.7, 0.5, 0.3, 0.6].
  const topProbability = Float32Array.of(0.9, 0.7, 0.5, 0.3, 0.6);
  const eligible = [[0, 1, 1, 1, 1]];

  it('top-probability threshold 0.5 unmasks positions 1 and 4 (exclusive sums 0, 0.3, 0.7, 1.2)', () => {
    const strategy = new ConfidencePositionStrategy('top-probability', { threshold: 0.5 });
    expect(selectedColumns(strategy.select(input(eligible, { confidence: topProbability })), 5)).toEqual([1, 4]);
  });

  it('top-probability threshold 0.1 unmasks only position 1 (the most confident is always taken)', () => {
    const strategy = new ConfidencePositionStrategy('top-probability', { threshold: 0.1 });
    expect(selectedColumns(strategy.select(input(eligible, { confidence: topProbability })), 5)).toEqual([1]);
  });

  it('margin threshold uses the same rule on 1 − (p1 − p2) (xlm-core prob_diff bug fixed)', () => {
    // p2 = (1 − p1) / 11 in that model: margins 0.673, 0.455, 0.236, 0.564 at positions 1..4.
    const margin = Float32Array.from([0.9, 0.7, 0.5, 0.3, 0.6], (p) => p - (1 - p) / 11);
    const strategy = new ConfidencePositionStrategy('margin', { threshold: 0.5 });
    // Uncertainties 0.327 (pos 1), 0.436 (pos 4), 0.545 (pos 2): exclusive sums 0, 0.327, 0.764.
    expect(selectedColumns(strategy.select(input(eligible, { confidence: margin })), 5)).toEqual([1, 4]);
  });

  it('with a count schedule, takes the most confident positions', () => {
    const strategy = new ConfidencePositionStrategy('entropy', { schedule: 'linear' });
    const selected = strategy.select(input(eligible, { confidence: topProbability, stepsLeft: Int32Array.of(2), totalSteps: Int32Array.of(2) }));
    expect(selectedColumns(selected, 5)).toEqual([1, 4]); // trunc(4 / 2) = 2 most confident
  });

  it('confidenceTemperature > 0 ranks stochastically (seeded), 0 deterministically', () => {
    const flat = Float32Array.of(0.26, 0.25, 0.25, 0.24);
    const many = (seed: number) =>
      new ConfidencePositionStrategy('top-probability', { schedule: 'linear', confidenceTemperature: 1 }).select(
        input([[1, 1, 1, 1]], { confidence: flat, stepsLeft: Int32Array.of(4), random: createRandom(seed) }),
      );
    const picks = new Set(Array.from({ length: 20 }, (_, seed) => selectedColumns(many(seed), 4)[0]));
    expect(picks.size).toBeGreaterThan(1);
    expect(Array.from(many(3))).toEqual(Array.from(many(3)));
    const greedy = new ConfidencePositionStrategy('top-probability', { schedule: 'linear' });
    expect(selectedColumns(greedy.select(input([[1, 1, 1, 1]], { confidence: flat, stepsLeft: Int32Array.of(4) })), 4)).toEqual([0]);
  });

  it('rejects bad options with the field, the value and what was expected', () => {
    expect(() => new ConfidencePositionStrategy('margin', { threshold: 0 })).toThrow(/threshold = 0: expected a number > 0/);
    expect(() => new ConfidencePositionStrategy('margin', { threshold: 0.5, schedule: 'linear' })).toThrow(/either threshold .* or schedule/);
    expect(() => new ConfidencePositionStrategy('margin', { confidenceTemperature: -1 })).toThrow(/confidenceTemperature = -1/);
    expect(() => new ConfidencePositionStrategy('top-probability').select(input(eligible))).toThrow(/passed no confidence/);
  });
});
