import type { Collator, CollatorInput, MLMBatch, NoiseSchedule, RandomSource, Tokenizer } from '@mlm/types';
import { z } from 'zod';
import { checkExamples, readIdsField } from './example-fields.js';
import { MLMCollatorBase, sharedMLMCollatorOptionsShape } from './mlm-collator-base.js';
import { mlmSingleSegmentCollate, type SingleSegmentBatch } from './mlm-single-segment-collate.js';
import { parseOptions, positiveIntegerSchema, randomSchema, tokenizerSchema, type Truncate } from './options.js';

/** Options of `DefaultMLMCollator` and the infill collators (xlm-core argument names in camelCase). */
export interface DefaultMLMCollatorOptions {
  tokenizer: Tokenizer;
  /** Draws the masking rates and masks; the same seed gives the same batches. */
  random: RandomSource;
  /** xlm-core `block_size`: the batch width with `truncate: 'block'` (required then). */
  blockSize?: number | undefined;
  /** xlm-core `noise_schedule`: stored, never used (MLM hard-codes t ~ U[0,1)), as in the reference. */
  noiseSchedule?: NoiseSchedule | undefined;
  /** xlm-core `loss_on_padding`, default true. */
  lossOnPadding?: boolean;
  /** xlm-core `truncate`: `'block'` (default), `'max'`, `'none'` (or `null`, the reference's `None`). */
  truncate?: Truncate | null;
  /** xlm-core `add_bos`, default true (the Hydra configs use false). */
  addBos?: boolean;
  /** xlm-core `add_eos`, default true. */
  addEos?: boolean;
  /** Size `'max'`/`'none'` batches from raw lengths as the reference does (drops EOS); default false. */
  referenceCompatibleTruncation?: boolean;
}

export const defaultMLMCollatorOptionsSchema = z
  .object({
    tokenizer: tokenizerSchema,
    random: randomSchema,
    blockSize: positiveIntegerSchema.optional(),
    ...sharedMLMCollatorOptionsShape,
    referenceCompatibleTruncation: z.boolean().default(false),
  })
  .strict();

/**
 * xlm-core `DefaultMLMCollator`: each example's `inputIds` becomes `[BOS?] ids [EOS?]`, right padded
 * to the block, and masked at a per-example rate t ~ U[0,1) (see `mlmSingleSegmentCollate` for the
 * draw order). BOS, EOS and (with `lossOnPadding`) PAD positions can be masked, as in the reference.
 */
export class DefaultMLMCollator extends MLMCollatorBase implements Collator<CollatorInput, MLMBatch> {
  readonly blockSize: number | undefined;
  readonly referenceCompatibleTruncation: boolean;
  protected readonly random: RandomSource;

  constructor(options: DefaultMLMCollatorOptions) {
    const name = new.target.name;
    const parsed = parseOptions(name, defaultMLMCollatorOptionsSchema, options);
    if (parsed.truncate === 'block' && parsed.blockSize === undefined) {
      throw new Error(`${name}: option blockSize = undefined: truncate 'block' needs a block size`);
    }
    super(name, parsed);
    this.random = parsed.random;
    this.blockSize = parsed.blockSize;
    this.referenceCompatibleTruncation = parsed.referenceCompatibleTruncation;
  }

  collate(examples: CollatorInput[]): MLMBatch {
    checkExamples(this.name, examples);
    const ids = readIdsField(this.name, examples, 'inputIds', this.tokenizer.vocabSize);
    return this.collateIds(ids);
  }

  protected collateIds(
    ids: readonly (readonly number[])[],
    extra: { maskPositions?: readonly ArrayLike<boolean | number>[]; maskNone?: boolean } = {},
  ): SingleSegmentBatch {
    return mlmSingleSegmentCollate(ids, {
      ...this.sharedCollateOptions(),
      maxSeqLen: this.blockSize,
      random: this.random,
      referenceCompatibleTruncation: this.referenceCompatibleTruncation,
      ...extra,
    });
  }
}

export function createDefaultMLMCollator(options: DefaultMLMCollatorOptions): DefaultMLMCollator {
  return new DefaultMLMCollator(options);
}

