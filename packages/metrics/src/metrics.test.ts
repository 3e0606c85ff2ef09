import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ExactMatch, MeanMetric, TokenAccuracy } from './index.js';
import { bools, ints } from './test-matrices.js';

describe('ExactMatch', () => {
  it('is 1 for a sample equal at every position (pads included), else 0, averaged over samples', () => {
    const metric = new ExactMatch();
    metric.update({ pred: ints([[1, 2, 0], [1, 2, 3]]), target: ints([[1, 2, 0], [1, 2, 0]]) });
    expect(metric.lastPerSample).toEqual([1, 0]);
    metric.update({ pred: ints([[5, 5, 5]]), target: ints([[5, 5, 5]]) });
    expect(metric.lastPerSample).toEqual([1]);
    expect(metric.compute()).toBeCloseTo(2 / 3, 12);
  });

  it('needs equal lengths when both are given', () => {
    const metric = new ExactMatch();
    metric.update({ pred: ints([[1, 2]]), target: ints([[1, 2]]), predLength: 2, targetLength: 3 });
    expect(metric.lastPerSample).toEqual([0]);
    // Different widths with different lengths: nothing can match, no error.
    metric.update({ pred: ints([[1, 2]]), target: ints([[1, 2, 3]]), predLength: 2, targetLength: 3 });
    expect(metric.lastPerSample).toEqual([0]);
    expect(() => metric.update({ pred: ints([[1, 2]]), target: ints([[1, 2, 3]]) })).toThrow(/pred has shape \[1, 2\] and target \[1, 3\]/);
  });

  it('reset clears the mean', () => {
    const metric = new ExactMatch();
    metric.update({ pred: ints([[1]]), target: ints([[2]]) });
    metric.reset();
    metric.update({ pred: ints([[1]]), target: ints([[1]]) });
    expect(metric.compute()).toBe(1);
  });
});

describe('TokenAccuracy', () => {
  it('macro-averages per-sample accuracies over the counted positions', () => {
    const metric = new TokenAccuracy();
    // Row 0: 1 of 2 counted correct (0.5); row 1: 3 of 3 correct (1.0). Token-level would be 4/5.
    metric.update({
      pred: ints([[10, 99, 11, 60], [70, 12, 13, 14]]),
      target: ints([[10, 50, 11, 60], [70, 12, 13, 14]]),
      predMask: bools([[false, true, false, true], [true, true, true, false]]),
    });
    expect(metric.lastPerSample).toEqual([0.5, 1]);
    expect(metric.compute()).toBeCloseTo(0.75, 12);
  });

  it('counts every position without a mask', () => {
    const metric = new TokenAccuracy();
    metric.update({ pred: ints([[1, 2, 3, 4]]), target: ints([[1, 0, 3, 0]]) });
    expect(metric.compute()).toBe(0.5);
  });

  it('skips samples with no counted position instead of turning the mean into NaN', () => {
    const metric = new TokenAccuracy();
    metric.update({ pred: ints([[1, 2], [3, 4]]), target: ints([[1, 0], [3, 4]]), predMask: bools([[false, false], [true, true]]) });
    expect(metric.lastPerSample?.[0]).toBeNaN();
    expect(metric.lastPerSample?.[1]).toBe(1);
    expect(metric.compute()).toBe(1);
    const empty = new TokenAccuracy();
    empty.update({ pred: ints([[1]]), target: ints([[1]]), predMask: bools([[false]]) });
    expect(empty.compute()).toBeNaN();
  });

  it('rejects a mask of another shape, naming both shapes', () => {
    const metric = new TokenAccuracy();
    expect(() => metric.update({ pred: ints([[1, 2]]), target: ints([[1, 2]]), predMask: bools([[true]]) })).toThrow(
      /predMask has shape \[1, 1\], expected \[1, 2\]/,
    );
  });

  it('matches a direct computation on random data', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((b) =>
          fc.integer({ min: 1, max: 6 }).chain((l) =>
            fc.tuple(
              fc.array(fc.integer({ min: 0, max: 3 }), { minLength: b * l, maxLength: b * l }),
              fc.array(fc.integer({ min: 0, max: 3 }), { minLength: b * l, maxLength: b * l }),
              fc.array(fc.boolean(), { minLength: b * l, maxLength: b * l }),
              fc.constant([b, l] as const),
            ),
          ),
        ),
        ([pred, target, mask, [b, l]]) => {
          const metric = new TokenAccuracy();
          metric.update({
            pred: { data: Int32Array.from(pred), shape: [b, l] },
            target: { data: Int32Array.from(target), shape: [b, l] },
            predMask: { data: Uint8Array.from(mask.map(Number)), shape: [b, l] },
          });
          const perRow: number[] = [];
          for (let r = 0; r < b; r++) {
            let hit = 0;
            let n = 0;
            for (let c = 0; c < l; c++) {
              if (!mask[r * l + c]) continue;
              n++;
              if (pred[r * l + c] === target[r * l + c]) hit++;
            }
            if (n > 0) perRow.push(hit / n);
          }
          const expected = perRow.length === 0 ? Number.NaN : perRow.reduce((s, v) => s + v, 0) / perRow.length;
          const got = metric.compute();
          return Number.isNaN(expected) ? Number.isNaN(got) : Math.abs(got - expected) < 1e-12;
        },
      ),
    );
  });
});

describe('MeanMetric', () => {
  it('is the running mean of every value (weight 1 each); a scalar per batch averages batches', () => {
    const metric = new MeanMetric();
    metric.update({ value: 1 });
    metric.update({ value: [2, 3] });
    expect(metric.compute()).toBe(2);
    expect(metric.count).toBe(3);
  });

  it('supports weights', () => {
    const metric = new MeanMetric();
    metric.update({ value: [1, 3], weight: [3, 1] });
    expect(metric.compute()).toBe(1.5);
    expect(() => metric.update({ value: [1, 2, 3], weight: [1, 2] })).toThrow(/weight has 2 entries, expected 1 or 3/);
  });

  it('accumulates in float64: a million float32 values of 0.1 stay exact to 1e-9', () => {
    const metric = new MeanMetric();
    const values = new Float32Array(1000).fill(0.1);
    for (let i = 0; i < 1000; i++) metric.update({ value: values });
    expect(Math.abs(metric.compute() - Math.fround(0.1))).toBeLessThan(1e-12);
    // A float32 running sum drifts visibly.
    let f32 = 0;
    for (let i = 0; i < 1_000_000; i++) f32 = Math.fround(f32 + Math.fround(0.1));
    expect(Math.abs(f32 / 1_000_000 - 0.1)).toBeGreaterThan(1e-4);
  });

  it('drops NaN values by default and reports them through log', () => {
    const messages: string[] = [];
    const metric = new MeanMetric({ log: (m) => messages.push(m) });
    metric.update({ value: [1, Number.NaN, 3] });
    expect(metric.compute()).toBe(2);
    expect(messages).toEqual(['mean: dropped 1 NaN value(s)']);
    const strict = new MeanMetric({ nanStrategy: 'error' });
    expect(() => strict.update({ value: [Number.NaN] })).toThrow(/NaN/);
  });

  it('is NaN before any value and rejects bad input clearly', () => {
    expect(new MeanMetric().compute()).toBeNaN();
    expect(() => new MeanMetric().update({ value: 'x' as unknown as number })).toThrow(/expected a number, an array of numbers or a tensor, got string/);
    expect(() => new MeanMetric({ nanStrategy: 'bogus' as 'warn' })).toThrow(/nanStrategy = "bogus"/);
  });
});
