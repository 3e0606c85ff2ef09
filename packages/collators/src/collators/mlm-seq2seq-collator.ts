import type { Collator, CollatorInput, MLMBatch, NoiseSchedule, RandomSource, Tokenizer } from '@mlm/types';
import { z } from 'zod';
import { checkExamples, checkIds, readIdsField } from './example-fields.js';
import { concatColumns, intMatrix } from './matrices.js';
import { MLMCollatorBase, sharedMLMCollatorOptionsShape } from './mlm-collator-base.js';
import { mlmSingleSegmentCollate } from './mlm-single-segment-collate.js';
import { parseOptions, positiveIntegerSchema, randomSchema, tokenizerSchema, type Truncate } from './options.js';
import { DEFAULT_PASS_THROUGH_FIELDS, passThrough } from './pass-through.js';
import { preparePrefixIds } from './prepare-prefix-ids.js';
import { seq2seqSuffixIds } from './seq2seq-suffix-ids.js';
import { padTruncate } from './pad-truncate.js';

export interface MLMSeq2SeqCollatorOptions {
  tokenizer: Tokenizer;
  /** Required by `MLMSeq2SeqCollator` (it masks the suffix); unused by `MLMSeq2SeqPredCollator`. */
  random?: RandomSource | undefined;
  /** xlm-core `block_size`: the suffix block. */
  blockSize?: number | undefined;
  /** xlm-core `input_block_size`: the prompt block (left padded). Required. */
  inputBlockSize?: number | undefined;
  noiseSchedule?: NoiseSchedule | undefined;
  /** Default true. */
  addBos?: boolean;
  /** Default true. */
  addEos?: boolean;
  /** Suffix sizing, default `'block'`. */
  truncate?: Truncate | null;
  /** Default true. */
  lossOnPadding?: boolean;
  /** xlm-core `prompt_field`, default `promptIds`. */
  promptField?: string;
  /** xlm-core `target_field`, default `targetIds` (falls back to `inputIds` when absent). */
  targetField?: string;
  /** xlm-core `pass_through_fields`, default `['answer', 'target']`: copied into `batch.extra`. */
  passThroughFields?: readonly string[];
  /** Mask every suffix position (xlm-core's private `_MLMSeq2SeqPredCollator`). Default false. */
  maskAllSuffix?: boolean;
  /** See `DefaultMLMCollatorOptions.referenceCompatibleTruncation`. Default false. */
  referenceCompatibleTruncation?: boolean;
}

export const mlmSeq2SeqCollatorOptionsSchema = z
  .object({
    tokenizer: tokenizerSchema,
    random: randomSchema.optional(),
    blockSize: positiveIntegerSchema.optional(),
    inputBlockSize: positiveIntegerSchema.optional(),
    ...sharedMLMCollatorOptionsShape,
    promptField: z.string().min(1).default('promptIds'),
    targetField: z.string().min(1).default('targetIds'),
    passThroughFields: z.array(z.string()).readonly().default(DEFAULT_PASS_THROUGH_FIELDS),
    maskAllSuffix: z.boolean().default(false),
    referenceCompatibleTruncation: z.boolean().default(false),
  })
  .strict();

/**
 * xlm-core `MLMSeq2SeqCollator`: the prompt LEFT padded to `inputBlockSize` (never masked; its
 * targets are the prompt ids, pads included), followed by the suffix collated like
 * `DefaultMLMCollator` (`[BOS] suffix [EOS]`, right padded to `blockSize`, masked at a per-example
 * rate: draws t, then the B × blockSize matrix). Pass-through fields go to `batch.extra`.
 */
export class MLMSeq2SeqCollator extends MLMCollatorBase implements Collator<CollatorInput, MLMBatch> {
  readonly blockSize: number | undefined;
  readonly inputBlockSize: number;
  readonly promptField: string;
  readonly targetField: string;
  readonly passThroughFields: readonly string[];
  readonly maskAllSuffix: boolean;
  readonly referenceCompatibleTruncation: boolean;
  protected readonly random: RandomSource | undefined;

  constructor(options: MLMSeq2SeqCollatorOptions) {
    const name = new.target.name;
    const parsed = parseOptions(name, mlmSeq2SeqCollatorOptionsSchema, options);
    if (parsed.inputBlockSize === undefined) throw new Error(`${name}: option inputBlockSize = undefined: the prompt block size is required`);
    super(name, parsed);
    this.random = parsed.random;
    this.blockSize = parsed.blockSize;
    this.inputBlockSize = parsed.inputBlockSize;
    this.promptField = parsed.promptField;
    this.targetField = parsed.targetField;
    this.passThroughFields = parsed.passThroughFields;
    this.maskAllSuffix = parsed.maskAllSuffix;
    this.referenceCompatibleTruncation = parsed.referenceCompatibleTruncation;
    this.checkOptions();
  }

  protected checkOptions(): void {
    if (this.random === undefined) throw new Error(`${this.name}: option random = undefined: a RandomSource is required to mask the suffix`);
    if (this.truncate === 'block' && this.blockSize === undefined) throw new Error(`${this.name}: option blockSize = undefined: truncate 'block' needs the suffix block size`);
  }

  protected readPrompts(examples: CollatorInput[]): (readonly number[])[] {
    return readIdsField(this.name, examples, this.promptField, this.tokenizer.vocabSize);
  }

  protected readSuffixes(examples: CollatorInput[]): (readonly number[])[] {
    return examples.map((example, b) => checkIds(this.name, seq2seqSuffixIds(example, this.targetField), b, this.targetField, this.tokenizer.vocabSize));
  }

  collate(examples: CollatorInput[]): MLMBatch {
    checkExamples(this.name, examples);
    const prompts = this.readPrompts(examples);
    const suffixes = this.readSuffixes(examples);
    const prefix = preparePrefixIds(prompts, this.tokenizer.padTokenId, { maxSeqLen: this.inputBlockSize, truncate: 'block', owner: this.name });
    const suffix = mlmSingleSegmentCollate(suffixes, {
      ...this.sharedCollateOptions(),
      maxSeqLen: this.blockSize,
      lossOnPadding: this.maskAllSuffix ? true : this.lossOnPadding,
      maskAll: this.maskAllSuffix,
      random: this.random as RandomSource,
      referenceCompatibleTruncation: this.referenceCompatibleTruncation,
    });
    const extra = passThrough(examples, this.passThroughFields);
    return {
      inputIds: concatColumns(prefix.inputIds, suffix.inputIds),
      attentionMask: concatColumns(prefix.attentionMask, suffix.attentionMask),
      targetIds: concatColumns(prefix.inputIds, suffix.targetIds),
      ...(extra ? { extra } : {}),
    };
  }
}

/**
 * xlm-core `MLMSeq2SeqPredCollator` (Hydra `collator/seq2seq_pred_mlm`), no randomness: the prompt
 * with BOS appended (before padding), LEFT padded / truncated to `inputBlockSize`; `targetIds` = the
 * suffix + EOS right padded with PAD to `blockSize` (for metrics). All suffixes empty → no
 * `targetIds`; a batch that mixes empty and non-empty suffixes, or a suffix (+ EOS) longer than
 * `blockSize`, is an error. The predictor appends the `[MASK]`s to fill.
 */
export class MLMSeq2SeqPredCollator extends MLMSeq2SeqCollator {
  protected override checkOptions(): void {
    if (this.blockSize === undefined) throw new Error(`${this.name}: option blockSize = undefined: the suffix block size is required`);
  }

  override collate(examples: CollatorInput[]): MLMBatch {
    checkExamples(this.name, examples);
    const prompts = this.readPrompts(examples);
    const suffixes = this.readSuffixes(examples);
    const blockSize = this.blockSize as number;
    const prefixes = this.bosTokenId !== undefined ? prompts.map((prompt) => [...prompt, this.bosTokenId as number]) : prompts;
    const prefix = preparePrefixIds(prefixes, this.tokenizer.padTokenId, { maxSeqLen: this.inputBlockSize, truncate: 'block', owner: this.name });
    const extra = passThrough(examples, this.passThroughFields);
    const base: MLMBatch = { inputIds: prefix.inputIds, attentionMask: prefix.attentionMask, ...(extra ? { extra } : {}) };
    const empty = suffixes.map((suffix) => suffix.length === 0);
    if (empty.every(Boolean)) return base;
    if (empty.some(Boolean)) {
      throw new Error(
        `${this.name}: Mixed empty and non-empty suffix ("${this.targetField}") in one batch: examples ${empty.flatMap((isEmpty, b) => (isEmpty ? [b] : [])).join(', ')} are empty, the others are not`,
      );
    }
    const addEos = this.eosTokenId !== undefined;
    suffixes.forEach((suffix, b) => {
      if (suffix.length + Number(addEos) > blockSize) {
        throw new Error(`${this.name}: Max length of target is greater than block size: example ${b} has ${suffix.length + Number(addEos)} target tokens (EOS included), blockSize is ${blockSize}`);
      }
    });
    const targetIds = intMatrix(suffixes.length, blockSize);
    suffixes.forEach((suffix, b) => {
      targetIds.data.set(padTruncate(addEos ? [...suffix, this.eosTokenId as number] : [...suffix], blockSize, this.tokenizer.padTokenId), b * blockSize);
    });
    return { ...base, targetIds };
  }
}

export function createMLMSeq2SeqCollator(options: MLMSeq2SeqCollatorOptions): MLMSeq2SeqCollator {
  return new MLMSeq2SeqCollator(options);
}

export function createMLMSeq2SeqPredCollator(options: MLMSeq2SeqCollatorOptions): MLMSeq2SeqPredCollator {
  return new MLMSeq2SeqPredCollator(options);
}

