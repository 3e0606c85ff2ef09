import type { Collator, CollatorInput, MLMBatch, NoiseSchedule, RandomSource, Tokenizer } from '@mlm/types';
import { z } from 'zod';
import { checkExamples, checkIds, readIdsField } from './example-fields.js';
import { MLMCollatorBase, sharedMLMCollatorOptionsShape } from './mlm-collator-base.js';
import { parseOptions, positiveIntegerSchema, randomSchema, tokenizerSchema, type Truncate } from './options.js';
import { preparePrefixSuffixIds } from './prepare-prefix-suffix-ids.js';
import { seq2seqSuffixIds } from './seq2seq-suffix-ids.js';

export interface MLMSeq2SeqTrainCollatorOptions {
  tokenizer: Tokenizer;
  random: RandomSource;
  /** xlm-core `block_size`: the width of the suffix slot (suffix, EOS, pads). Required. */
  blockSize: number;
  /** xlm-core `input_block_size`: the prompt's share of the row; row width = inputBlockSize + blockSize. */
  inputBlockSize?: number | undefined;
  noiseSchedule?: NoiseSchedule | undefined;
  /** Default true. */
  addBos?: boolean;
  /** Default true. */
  addEos?: boolean;
  /** Default `'block'`. */
  truncate?: Truncate | null;
  /** Default true: the slot's pads are targets (and maskable). */
  lossOnPadding?: boolean;
  /** xlm-core `target_field`, default `targetIds` (falls back to `inputIds` when absent). */
  targetField?: string;
}

export const mlmSeq2SeqTrainCollatorOptionsSchema = z
  .object({
    tokenizer: tokenizerSchema,
    random: randomSchema,
    blockSize: positiveIntegerSchema,
    inputBlockSize: positiveIntegerSchema.optional(),
    ...sharedMLMCollatorOptionsShape,
    targetField: z.string().min(1).default('targetIds'),
  })
  .strict();

/**
 * xlm-core `MLMSeq2SeqTrainCollator` (Hydra `collator/seq2seq_mlm`): rows
 * `[prompt][BOS][suffix slot of blockSize: suffix, EOS, pads][hidden tail]`, right padded. Prompt and
 * BOS are never masked; the slot is masked at a per-example rate t (draws: t for the batch, then one
 * row of u per example). See `preparePrefixSuffixIds`.
 */
export class MLMSeq2SeqTrainCollator extends MLMCollatorBase implements Collator<CollatorInput, MLMBatch> {
  readonly blockSize: number;
  readonly inputBlockSize: number | undefined;
  readonly targetField: string;
  private readonly random: RandomSource;

  constructor(options: MLMSeq2SeqTrainCollatorOptions) {
    // Fixed rather than new.target.name: errors name this class even when it is subclassed.
    const name = 'MLMSeq2SeqTrainCollator';
    const parsed = parseOptions(name, mlmSeq2SeqTrainCollatorOptionsSchema, options);
    if (parsed.truncate === 'block' && parsed.inputBlockSize === undefined) {
      throw new Error(`${name}: option inputBlockSize = undefined: truncate 'block' needs the prompt block size`);
    }
    super(name, parsed);
    this.random = parsed.random;
    this.blockSize = parsed.blockSize;
    this.inputBlockSize = parsed.inputBlockSize;
    this.targetField = parsed.targetField;
  }

  collate(examples: CollatorInput[]): MLMBatch {
    checkExamples(this.name, examples);
    const vocabSize = this.tokenizer.vocabSize;
    const prompts = readIdsField(this.name, examples, 'promptIds', vocabSize);
    const suffixes = examples.map((example, b) => checkIds(this.name, seq2seqSuffixIds(example, this.targetField), b, this.targetField, vocabSize));
    return preparePrefixSuffixIds(prompts, suffixes, {
      ...this.sharedCollateOptions(),
      maxSeqLen: this.inputBlockSize !== undefined ? this.inputBlockSize + this.blockSize : undefined,
      suffixBlockSize: this.blockSize,
      random: this.random,
    });
  }
}

export function createMLMSeq2SeqTrainCollator(options: MLMSeq2SeqTrainCollatorOptions): MLMSeq2SeqTrainCollator {
  return new MLMSeq2SeqTrainCollator(options);
}
