import { summarize, type SampleSummary } from './statistics.js';

export interface MeasureOptions {
  warmup: number;
  reps: number;
  /** Stop repeating once this much time was spent on the timed runs (the first run always counts). */
  budgetMs?: number;
}

/** Runs `run` `warmup` times untimed, then up to `reps` timed runs; returns the wall times (ms). */
export async function measure(run: () => unknown | Promise<unknown>, options: MeasureOptions): Promise<SampleSummary> {
  if (!Number.isInteger(options.reps) || options.reps < 1) throw new Error(`reps: expected an integer >= 1, got ${options.reps}`);
  if (!Number.isInteger(options.warmup) || options.warmup < 0) throw new Error(`warmup: expected an integer >= 0, got ${options.warmup}`);
  for (let i = 0; i < options.warmup; i++) await run();
  const runs: number[] = [];
  let spent = 0;
  for (let i = 0; i < options.reps; i++) {
    const start = performance.now();
    await run();
    const elapsed = performance.now() - start;
    runs.push(elapsed);
    spent += elapsed;
    if (options.budgetMs !== undefined && spent >= options.budgetMs) break;
  }
  return summarize(runs);
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMiB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

export function rssMiB(): number {
  return Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
}
