import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { drift, leastSquaresSlope, median, pool, ratio, summarize } from './statistics.js';

describe('statistics', () => {
  it('median of odd and even counts, unaffected by order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }).map((v) => v + 0), { minLength: 1 }), (values) => {
        const m = median(values);
        expect(m).toBe(median([...values].reverse()));
        expect(values.filter((v) => v < m).length).toBeLessThanOrEqual(values.length / 2);
        expect(values.filter((v) => v > m).length).toBeLessThanOrEqual(values.length / 2);
      }),
    );
  });

  it('summarize reports median, min, max, mean and keeps the runs in order', () => {
    expect(summarize([5, 1, 9])).toEqual({ median: 5, min: 1, max: 9, mean: 5, runs: [5, 1, 9] });
    expect(pool([summarize([1, 2]), summarize([3])])).toMatchObject({ median: 2, min: 1, max: 3, runs: [1, 2, 3] });
  });

  it('rejects empty and non-finite samples with the value', () => {
    expect(() => summarize([])).toThrow('expected at least one sample');
    expect(() => summarize([1, Number.NaN])).toThrow('every sample must be a finite number, got NaN');
    expect(() => median([])).toThrow('expected at least one value');
  });

  it('ratio is undefined when a side is missing', () => {
    expect(ratio(6, 3)).toBe(2);
    expect(ratio(undefined, 3)).toBeUndefined();
    expect(ratio(1, 0)).toBeUndefined();
  });

  it('drift measures growth after the settle point', () => {
    expect(drift([10, 50, 50, 51, 50], 1)).toEqual({ settled: 50, last: 50, maxGrowth: 1, relativeGrowth: 0.02 });
    expect(drift([7, 7, 7])).toMatchObject({ maxGrowth: 0, relativeGrowth: 0 });
    expect(() => drift([1, 2], 2)).toThrow('settleIndex = 2, expected an integer in [0, 1]');
  });
});

describe('leastSquaresSlope', () => {
  it('recovers the slope of a line, with or without noise that averages out', () => {
    const xs = [0, 10, 20, 30, 40];
    expect(leastSquaresSlope(xs, xs.map((x) => 3 * x + 7))).toBeCloseTo(3, 12);
    // A symmetric ±5 swing around a flat line has slope 0.
    expect(leastSquaresSlope([0, 1, 2, 3], [5, -5, -5, 5])).toBeCloseTo(0, 12);
  });

  it('rejects mismatched, too short or degenerate input', () => {
    expect(() => leastSquaresSlope([1, 2], [1])).toThrow('2 x values but 1 y values');
    expect(() => leastSquaresSlope([1], [1])).toThrow('at least 2 points, got 1');
    expect(() => leastSquaresSlope([2, 2], [1, 3])).toThrow('every x value is the same');
  });
});
