import type { Tokenizer } from './tokenizer.js';

/** A metric accumulated over batches. */
export interface Metric<TUpdate = Record<string, unknown>> {
  readonly name: string;
  update(args: TUpdate): void;
  /** The value over everything since the last reset. */
  compute(): number;
  reset(): void;
  /** Per-sample values of the last update, for prediction dumps; undefined when not per-sample. */
  readonly lastPerSample: number[] | undefined;
}

/** xlm-core metric update function: (batch, step output, tokenizer) → the metric's update args. */
export type MetricUpdateFunction<TBatch = unknown, TOutput = unknown, TUpdate = Record<string, unknown>> = (
  batch: TBatch,
  output: TOutput,
  tokenizer?: Tokenizer,
) => TUpdate;
