import type { RandomSource, Tokenizer } from '@mlm/types';

function checkInteger(owner: string, name: string, value: unknown, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new Error(`${owner}: option ${name} = ${JSON.stringify(value)}, expected an integer ≥ ${minimum}`);
  }
  return value;
}

export interface MLMEmptyDatasetOptions {
  tokenizer: Tokenizer;
  numExamples: number;
  maxLength: number;
}

/**
 * xlm-core `MLMEmptyDataset`: `numExamples` examples `{ inputIds: [MASK] × maxLength }` for
 * unconditional generation (collate them with a `DefaultMLMCollator`; its masking is a no-op on an
 * all-mask row, but its draws are still consumed).
 */
export class MLMEmptyDataset implements Iterable<{ inputIds: number[] }> {
  readonly numExamples: number;
  readonly maxLength: number;
  private readonly maskTokenId: number;

  constructor(options: MLMEmptyDatasetOptions) {
    this.numExamples = checkInteger('MLMEmptyDataset', 'numExamples', options.numExamples, 0);
    this.maxLength = checkInteger('MLMEmptyDataset', 'maxLength', options.maxLength, 0);
    this.maskTokenId = options.tokenizer.maskTokenId;
  }

  get length(): number {
    return this.numExamples;
  }

  *[Symbol.iterator](): Iterator<{ inputIds: number[] }> {
    for (let i = 0; i < this.numExamples; i++) yield { inputIds: new Array<number>(this.maxLength).fill(this.maskTokenId) };
  }
}

export function createMLMEmptyDataset(options: MLMEmptyDatasetOptions): MLMEmptyDataset {
  return new MLMEmptyDataset(options);
}

export interface MLMEmptyDatasetFromLengthRefOptions {
  tokenizer: Tokenizer;
  numExamples: number;
  /** Reference lengths; each example's length is drawn uniformly from them. */
  lengths: readonly number[];
  /** Lengths below this are raised to it. Default 1. */
  minLength?: number;
  /** Draws the lengths (one `next()` per example, in order). */
  random: RandomSource;
}

/**
 * xlm-core `MLMEmptyDatasetFromLengthRef`: `numExamples` all-`[MASK]` examples whose lengths are drawn
 * uniformly (with replacement) from reference lengths, at least `minLength`. Each iteration draws
 * again. Read the lengths from a file with `loadLengthReference` / `createMLMEmptyDatasetFromLengthRef`
 * (`@mlm/collators/node`), or from text with `parseLengthReference`.
 */
export class MLMEmptyDatasetFromLengthRef implements Iterable<{ inputIds: number[] }> {
  readonly numExamples: number;
  readonly lengths: readonly number[];
  readonly minLength: number;
  private readonly maskTokenId: number;
  private readonly random: RandomSource;

  constructor(options: MLMEmptyDatasetFromLengthRefOptions) {
    const owner = 'MLMEmptyDatasetFromLengthRef';
    this.numExamples = checkInteger(owner, 'numExamples', options.numExamples, 0);
    this.minLength = checkInteger(owner, 'minLength', options.minLength ?? 1, 0);
    if (!Array.isArray(options.lengths) || options.lengths.length === 0) throw new Error(`${owner}: option lengths is empty; expected at least one reference length`);
    options.lengths.forEach((length, i) => checkInteger(owner, `lengths[${i}]`, length, 0));
    this.lengths = [...options.lengths];
    this.maskTokenId = options.tokenizer.maskTokenId;
    this.random = options.random;
  }

  get length(): number {
    return this.numExamples;
  }

  *[Symbol.iterator](): Iterator<{ inputIds: number[] }> {
    for (let i = 0; i < this.numExamples; i++) {
      const choice = this.lengths[Math.min(this.lengths.length - 1, Math.floor(this.random.next() * this.lengths.length))] as number;
      yield { inputIds: new Array<number>(Math.max(choice, this.minLength)).fill(this.maskTokenId) };
    }
  }
}

/**
 * Parses the text of a length reference: one integer per non-empty line. `source` names the file or
 * URL in errors. Files on disk: `loadLengthReference` (`@mlm/collators/node`).
 */
export function parseLengthReference(text: string, source = 'length reference'): number[] {
  const owner = 'parseLengthReference';
  const lengths: number[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const value = line.trim();
    if (value.length === 0) return;
    if (!/^\d+$/.test(value)) throw new Error(`${owner}: ${source}:${index + 1}: ${JSON.stringify(value)} is not a non-negative integer`);
    lengths.push(Number(value));
  });
  if (lengths.length === 0) throw new Error(`${owner}: ${source} holds no lengths`);
  return lengths;
}
