import type { Collator, CollatorInput, NoiseSchedule, PackedMLMBatch, RandomSource, Tokenizer } from '@mlm/types';
import { z } from 'zod';
import { checkExamples, readIdsField } from './example-fields.js';
import { boolCube, intMatrix } from './matrices.js';
import { noiseScheduleSchema, parseOptions, positiveIntegerSchema, randomSchema, tokenizerSchema } from './options.js';

export interface PackedMLMCollatorOptions {
  tokenizer: Tokenizer;
  random: RandomSource;
  /** Every example is a pre-packed block of exactly this many ids (documents separated by EOS). */
  blockSize: number;
  noiseSchedule?: NoiseSchedule | undefined;
  /**
   * Accepted for xlm-core config compatibility and ignored: there is no FlexAttention here; the
   * collator always returns a dense document mask, which the model accepts.
   */
  useFlexAttn?: boolean;
}

const schema = z
  .object({
    tokenizer: tokenizerSchema,
    random: randomSchema,
    blockSize: positiveIntegerSchema,
    noiseSchedule: noiseScheduleSchema.optional(),
    useFlexAttn: z.boolean().optional(),
  })
  .strict();

/**
 * xlm-core `PackedMLMCollator`: rows of exactly `blockSize` ids holding several documents separated
 * by EOS (the EOS belongs to the document it ends). Returns `segmentIds` (document index per
 * position), `positions` (restart at 0 after every EOS), and — since there is no FlexAttention — a
 * dense document mask `attentionMask[b, q, k] = segmentIds[b, q] == segmentIds[b, k]`. Every
 * position, EOS included, may be masked. Draws: t (B values), then u (B × blockSize, row-major).
 *
 * Differences from the reference: no `useFlexAttn: true` requirement (the reference raises without
 * it) and the batch carries the document mask (the reference's loss builds a FlexAttention block mask).
 */
export class PackedMLMCollator implements Collator<CollatorInput, PackedMLMBatch> {
  readonly tokenizer: Tokenizer;
  readonly blockSize: number;
  readonly noiseSchedule: NoiseSchedule | undefined;
  private readonly random: RandomSource;
  private readonly eosTokenId: number;
  private readonly name = 'PackedMLMCollator';

  constructor(options: PackedMLMCollatorOptions) {
    const parsed = parseOptions(this.name, schema, options);
    this.tokenizer = parsed.tokenizer;
    this.random = parsed.random;
    this.blockSize = parsed.blockSize;
    this.noiseSchedule = parsed.noiseSchedule;
    if (this.tokenizer.eosTokenId === undefined) throw new Error(`${this.name}: the tokenizer has no EOS token (eosTokenId is undefined); documents are separated by EOS`);
    this.eosTokenId = this.tokenizer.eosTokenId;
  }

  collate(examples: CollatorInput[]): PackedMLMBatch {
    checkExamples(this.name, examples);
    const rows = readIdsField(this.name, examples, 'inputIds', this.tokenizer.vocabSize);
    const length = this.blockSize;
    rows.forEach((row, b) => {
      if (row.length !== length) throw new Error(`${this.name}: example ${b} field "inputIds" has ${row.length} ids, expected exactly blockSize = ${length} (a pre-packed block)`);
    });
    const batchSize = rows.length;
    const inputIds = intMatrix(batchSize, length);
    const positions = intMatrix(batchSize, length);
    const segmentIds = intMatrix(batchSize, length);
    const attentionMask = boolCube(batchSize, length, length);
    rows.forEach((row, b) => {
      const start = b * length;
      inputIds.data.set(row, start);
      let segment = 0;
      let segmentStart = 0;
      for (let i = 0; i < length; i++) {
        if (i > 0 && row[i - 1] === this.eosTokenId) {
          segment++;
          segmentStart = i;
        }
        segmentIds.data[start + i] = segment;
        positions.data[start + i] = i - segmentStart;
      }
      // Document mask: query q may attend to key k iff both are in the same segment.
      const cube = attentionMask.data;
      const cubeStart = b * length * length;
      let begin = 0;
      for (let i = 1; i <= length; i++) {
        if (i === length || segmentIds.data[start + i] !== segmentIds.data[start + i - 1]) {
          for (let q = begin; q < i; q++) cube.fill(1, cubeStart + q * length + begin, cubeStart + q * length + i);
          begin = i;
        }
      }
    });
    const targetIds = { data: inputIds.data.slice(), shape: inputIds.shape };
    const t = this.random.fill(new Float32Array(batchSize)) as Float32Array;
    const u = this.random.fill(new Float32Array(batchSize * length)) as Float32Array;
    const mask = this.tokenizer.maskTokenId;
    for (let b = 0; b < batchSize; b++) {
      const rate = t[b] as number;
      for (let j = b * length; j < (b + 1) * length; j++) if ((u[j] as number) < rate) inputIds.data[j] = mask;
    }
    return { inputIds, targetIds, positions, segmentIds, attentionMask };
  }
}

export function createPackedMLMCollator(options: PackedMLMCollatorOptions): PackedMLMCollator {
  return new PackedMLMCollator(options);
}
