import type { Collator, CollatorInput, MLMBatch, Tokenizer } from '@mlm/types';
import { checkExamples, readIdsField } from './example-fields.js';
import { boolMatrix, intMatrix } from './matrices.js';

/** xlm-core `PAPL_DEFAULT_LENGTHS`. */
export const PAPL_DEFAULT_LENGTHS: readonly number[] = [100, 200, 300, 400, 500, 600, 700, 800];

export interface PaplUnconditionalDatasetOptions {
  tokenizer: Tokenizer;
  /** xlm-core `examples_per_node`: examples per length. */
  examplesPerNode: number;
  /** Default `PAPL_DEFAULT_LENGTHS`. */
  lengths?: readonly number[];
}

function checkCount(owner: string, name: string, value: unknown, minimum: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
    throw new Error(`${owner}: option ${name} = ${JSON.stringify(value)}, expected an integer ≥ ${minimum}`);
  }
  return value;
}

/**
 * xlm-core `PaplUnconditionalMLMDataset`: for each length L (in order), `examplesPerNode` examples of
 * L `[MASK]` ids (`{ inputIds }`), for unconditional generation at fixed lengths.
 */
export class PaplUnconditionalDataset implements Iterable<{ inputIds: number[] }> {
  readonly lengths: readonly number[];
  readonly examplesPerNode: number;
  private readonly maskTokenId: number;

  constructor(options: PaplUnconditionalDatasetOptions) {
    const owner = 'PaplUnconditionalDataset';
    this.examplesPerNode = checkCount(owner, 'examplesPerNode', options.examplesPerNode, 0);
    this.lengths = [...(options.lengths ?? PAPL_DEFAULT_LENGTHS)];
    this.lengths.forEach((length, i) => checkCount(owner, `lengths[${i}]`, length, 0));
    this.maskTokenId = options.tokenizer.maskTokenId;
  }

  get length(): number {
    return this.lengths.length * this.examplesPerNode;
  }

  *[Symbol.iterator](): Iterator<{ inputIds: number[] }> {
    for (const length of this.lengths) {
      for (let i = 0; i < this.examplesPerNode; i++) yield { inputIds: new Array<number>(length).fill(this.maskTokenId) };
    }
  }
}

export function createPaplUnconditionalDataset(options: PaplUnconditionalDatasetOptions): PaplUnconditionalDataset {
  return new PaplUnconditionalDataset(options);
}

export interface PaplUnconditionalCollatorOptions {
  /** Optional: when given, ids are checked against its vocabulary. */
  tokenizer?: Tokenizer;
}

/**
 * xlm-core `PaplUnconditionalCollator`: stacks equal-length examples; `attentionMask` all 1,
 * `targetIds` an independent copy of `inputIds`. No BOS/EOS, no masking, no randomness.
 * Difference: the reference's attention mask is int64 ones; here it is a `BoolMatrix` of ones.
 */
export class PaplUnconditionalCollator implements Collator<CollatorInput, MLMBatch> {
  readonly blockSize = undefined;
  private readonly tokenizer: Tokenizer | undefined;
  private readonly name = 'PaplUnconditionalCollator';

  constructor(options: PaplUnconditionalCollatorOptions = {}) {
    this.tokenizer = options.tokenizer;
  }

  collate(examples: CollatorInput[]): MLMBatch {
    checkExamples(this.name, examples);
    const rows = readIdsField(this.name, examples, 'inputIds', this.tokenizer?.vocabSize ?? 2 ** 31 - 1);
    const length = (rows[0] as readonly number[]).length;
    rows.forEach((row, b) => {
      if (row.length !== length) throw new Error(`${this.name}: all examples must have the same fixed length; example 0 has ${length} ids, example ${b} has ${row.length}`);
    });
    const inputIds = intMatrix(rows.length, length);
    rows.forEach((row, b) => inputIds.data.set(row, b * length));
    return {
      inputIds,
      attentionMask: boolMatrix(rows.length, length, true),
      targetIds: { data: inputIds.data.slice(), shape: inputIds.shape },
    };
  }
}

export function createPaplUnconditionalCollator(options: PaplUnconditionalCollatorOptions = {}): PaplUnconditionalCollator {
  return new PaplUnconditionalCollator(options);
}
