import type { Metric } from '@mlm/types';

/** Anything with a synchronous read of its values: a plain number, an array, or a tfjs tensor. */
export type NumericValue = number | ArrayLike<number> | { dataSync(): ArrayLike<number> };

export interface MeanMetricUpdate {
  value: NumericValue;
  /** One weight for all values, or one per value. Default 1 each. */
  weight?: NumericValue;
}

/**
 * What to do with NaN values (torchmetrics `nan_strategy`): `warn` drops them and reports once per
 * update through `log`; `ignore` drops them silently; `error` throws.
 */
export type NanStrategy = 'warn' | 'ignore' | 'error';

export interface MeanMetricOptions {
  name?: string;
  nanStrategy?: NanStrategy;
  /** Where `nanStrategy: 'warn'` reports. Default `console.warn`. */
  log?: (message: string) => void;
}

/** Reads a number, an array, or a tensor-like (`dataSync()`) into a plain array of numbers. */
export function readNumbers(value: NumericValue, field: string): ArrayLike<number> {
  if (typeof value === 'number') return [value];
  if (value !== null && typeof value === 'object') {
    if ('dataSync' in value && typeof value.dataSync === 'function') return value.dataSync();
    if (typeof (value as ArrayLike<number>).length === 'number') return value as ArrayLike<number>;
  }
  throw new Error(`${field}: expected a number, an array of numbers or a tensor, got ${value === null ? 'null' : typeof value}`);
}

/**
 * Running weighted mean of every value ever passed (torchmetrics `MeanMetric`).
 * Sums are kept in float64, so a long run of float32 values does not drift.
 */
export class MeanMetric implements Metric<MeanMetricUpdate> {
  readonly name: string;
  private readonly nanStrategy: NanStrategy;
  private readonly log: (message: string) => void;
  private weightedSum = 0;
  private totalWeight = 0;

  constructor(options: MeanMetricOptions = {}) {
    this.name = options.name ?? 'mean';
    this.nanStrategy = options.nanStrategy ?? 'warn';
    if (!['warn', 'ignore', 'error'].includes(this.nanStrategy)) {
      throw new Error(`MeanMetric: nanStrategy = ${JSON.stringify(this.nanStrategy)}, expected 'warn', 'ignore' or 'error'`);
    }
    this.log = options.log ?? ((message) => console.warn(message));
  }

  update(args: MeanMetricUpdate): void {
    if (args === null || typeof args !== 'object' || !('value' in args)) {
      throw new Error(`${this.name}.update: expected {value, weight?}, got ${args === null ? 'null' : typeof args}`);
    }
    const values = readNumbers(args.value, `${this.name}.update value`);
    const weights = args.weight === undefined ? undefined : readNumbers(args.weight, `${this.name}.update weight`);
    if (weights !== undefined && weights.length !== 1 && weights.length !== values.length) {
      throw new Error(`${this.name}.update: weight has ${weights.length} entries, expected 1 or ${values.length} (one per value)`);
    }
    let dropped = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i] as number;
      const weight = weights === undefined ? 1 : (weights[weights.length === 1 ? 0 : i] as number);
      if (Number.isNaN(value) || Number.isNaN(weight)) {
        if (this.nanStrategy === 'error') throw new Error(`${this.name}.update: value ${i} is NaN (nanStrategy 'error')`);
        dropped++;
        continue;
      }
      this.weightedSum += value * weight;
      this.totalWeight += weight;
    }
    if (dropped > 0 && this.nanStrategy === 'warn') this.log(`${this.name}: dropped ${dropped} NaN value(s)`);
  }

  /** Σ w·v / Σ w; NaN before any (non-NaN) value was added. */
  compute(): number {
    return this.totalWeight === 0 ? Number.NaN : this.weightedSum / this.totalWeight;
  }

  reset(): void {
    this.weightedSum = 0;
    this.totalWeight = 0;
  }

  /** Number of values (total weight) accumulated since the last reset. */
  get count(): number {
    return this.totalWeight;
  }

  get lastPerSample(): number[] | undefined {
    return undefined;
  }
}

export function createMeanMetric(options: MeanMetricOptions = {}): MeanMetric {
  return new MeanMetric(options);
}
