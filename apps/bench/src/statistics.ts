/** Summary statistics of timing samples (milliseconds). */
export interface SampleSummary {
  median: number;
  min: number;
  max: number;
  mean: number;
  /** The samples in the order they were taken. */
  runs: number[];
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: expected at least one value, got none');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function summarize(runs: readonly number[]): SampleSummary {
  if (runs.length === 0) throw new Error('summarize: expected at least one sample, got none');
  for (const value of runs) {
    if (!Number.isFinite(value)) throw new Error(`summarize: every sample must be a finite number, got ${value}`);
  }
  return {
    median: median(runs),
    min: Math.min(...runs),
    max: Math.max(...runs),
    mean: runs.reduce((sum, value) => sum + value, 0) / runs.length,
    runs: [...runs],
  };
}

/** Several summaries' samples pooled (interleaved rounds of the same measurement). */
export function pool(summaries: readonly SampleSummary[]): SampleSummary {
  return summarize(summaries.flatMap((summary) => summary.runs));
}

/** a / b, or undefined when either is missing or b is zero. */
export function ratio(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined || b === undefined || b === 0) return undefined;
  return a / b;
}

/**
 * How flat a series is: the largest value minus the value at `settleIndex` (after warm-up), and that
 * as a fraction of the settled value. Used for tensors and RSS over many training steps.
 */
export function drift(series: readonly number[], settleIndex = 0): { settled: number; last: number; maxGrowth: number; relativeGrowth: number } {
  if (series.length === 0) throw new Error('drift: expected a non-empty series');
  if (!Number.isInteger(settleIndex) || settleIndex < 0 || settleIndex >= series.length) {
    throw new Error(`drift: settleIndex = ${settleIndex}, expected an integer in [0, ${series.length - 1}]`);
  }
  const settled = series[settleIndex]!;
  const after = series.slice(settleIndex);
  const maxGrowth = Math.max(...after) - settled;
  return { settled, last: series[series.length - 1]!, maxGrowth, relativeGrowth: settled === 0 ? (maxGrowth === 0 ? 0 : Infinity) : maxGrowth / settled };
}

/**
 * The least-squares slope of y over x (e.g. bytes of RSS per training step over a run's samples):
 * less sensitive to one sample's garbage-collection swing than the difference of two samples.
 */
export function leastSquaresSlope(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length !== ys.length) throw new Error(`leastSquaresSlope: ${xs.length} x values but ${ys.length} y values`);
  if (xs.length < 2) throw new Error(`leastSquaresSlope: expected at least 2 points, got ${xs.length}`);
  const meanX = xs.reduce((sum, x) => sum + x, 0) / xs.length;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / ys.length;
  let covariance = 0;
  let variance = 0;
  for (let i = 0; i < xs.length; i++) {
    covariance += (xs[i]! - meanX) * (ys[i]! - meanY);
    variance += (xs[i]! - meanX) ** 2;
  }
  if (variance === 0) throw new Error('leastSquaresSlope: every x value is the same');
  return covariance / variance;
}
