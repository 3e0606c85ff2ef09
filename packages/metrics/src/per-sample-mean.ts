import type { Metric } from '@mlm/types';
import { MeanMetric } from './mean-metric.js';

/**
 * A metric computed per sample and averaged over every sample seen: keeps the running mean and the
 * last update's per-sample values (for prediction dumps). Subclasses compute the per-sample values.
 */
export abstract class PerSampleMeanMetric<TUpdate> implements Metric<TUpdate> {
  readonly name: string;
  private readonly mean: MeanMetric;
  private last: number[] | undefined;

  protected constructor(name: string) {
    this.name = name;
    this.mean = new MeanMetric({ name, nanStrategy: 'error' });
  }

  abstract update(args: TUpdate): void;

  /** Records one update: `perSample` for `lastPerSample`, `counted` (the samples that have a value) into the mean. */
  protected record(perSample: number[], counted: number[] = perSample): void {
    this.last = perSample;
    if (counted.length > 0) this.mean.update({ value: counted });
  }

  compute(): number {
    return this.mean.compute();
  }

  reset(): void {
    this.mean.reset();
    this.last = undefined;
  }

  get lastPerSample(): number[] | undefined {
    return this.last;
  }
}
