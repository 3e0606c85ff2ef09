import type { Metric, MetricUpdateFunction, Tokenizer } from '@mlm/types';
import { getMetricUpdateFunction } from './update-functions.js';

export interface MetricWrapperOptions<TBatch, TOutput, TUpdate> {
  /** Short name, for example `exact_match`. */
  name: string;
  metric: Metric<TUpdate>;
  /** A function, or the name of a built-in one (`seq2seqExactMatchUpdateFn`, `mlm.metrics_mlm.exact_match_update_fn`). */
  updateFn: MetricUpdateFunction<TBatch, TOutput, TUpdate> | string;
  /** Log prefix, for example `val/prediction`. The full name is `${prefix}/${name}`. */
  prefix?: string;
  /** Extra named arguments merged into what `updateFn` returns (xlm-core `**pass_to_update_fn`). */
  passToUpdateFn?: Partial<TUpdate>;
}

/**
 * Binds a metric to an update function that extracts its arguments from a batch and a step output
 * (xlm-core `MetricWrapper`).
 */
export class MetricWrapper<TBatch = unknown, TOutput = unknown, TUpdate = Record<string, unknown>> {
  readonly name: string;
  readonly prefix: string;
  readonly metric: Metric<TUpdate>;
  private readonly updateFn: MetricUpdateFunction<TBatch, TOutput, TUpdate>;
  private readonly passToUpdateFn: Partial<TUpdate>;
  private computedValue: number[] | undefined;

  constructor(options: MetricWrapperOptions<TBatch, TOutput, TUpdate>) {
    if (typeof options.name !== 'string' || options.name.length === 0) {
      throw new Error(`MetricWrapper: name = ${JSON.stringify(options.name)}, expected a non-empty string`);
    }
    this.name = options.name;
    this.prefix = (options.prefix ?? '').replace(/\/+$/, '');
    this.metric = options.metric;
    this.updateFn =
      typeof options.updateFn === 'string'
        ? (getMetricUpdateFunction(options.updateFn) as unknown as MetricUpdateFunction<TBatch, TOutput, TUpdate>)
        : options.updateFn;
    if (typeof this.updateFn !== 'function') throw new Error(`MetricWrapper ${this.name}: updateFn must be a function or a known name`);
    this.passToUpdateFn = options.passToUpdateFn ?? {};
  }

  /**
   * `${prefix}/${name}`. Trailing slashes of the prefix are dropped (xlm-core would log
   * `train//name` for the prefix `train/`), and an empty prefix gives the bare name.
   */
  get fullName(): string {
    return this.prefix === '' ? this.name : `${this.prefix}/${this.name}`;
  }

  update(batch: TBatch, output: TOutput, tokenizer?: Tokenizer): void {
    const args = { ...this.updateFn(batch, output, tokenizer), ...this.passToUpdateFn } as TUpdate;
    this.metric.update(args);
    this.computedValue = this.metric.lastPerSample;
  }

  /** Per-sample values of the last update (for prediction dumps as `metric_<name>`), then cleared. */
  takePerSample(): number[] | undefined {
    const value = this.computedValue;
    this.computedValue = undefined;
    return value;
  }

  compute(): number {
    return this.metric.compute();
  }

  getLogDict(): Record<string, number> {
    return { [this.fullName]: this.compute() };
  }

  reset(): void {
    this.metric.reset();
    this.computedValue = undefined;
  }
}

export function createMetricWrapper<TBatch, TOutput, TUpdate>(
  options: MetricWrapperOptions<TBatch, TOutput, TUpdate>,
): MetricWrapper<TBatch, TOutput, TUpdate> {
  return new MetricWrapper(options);
}
