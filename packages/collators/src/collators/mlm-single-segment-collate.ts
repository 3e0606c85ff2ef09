import type { BoolMatrix, IntMatrix, RandomSource } from '@mlm/types';
import { IGNORE_INDEX } from '@mlm/types';
import { boolMatrix, intMatrix } from './matrices.js';
import type { Truncate } from './options.js';

export interface SingleSegmentCollateOptions {
  padTokenId: number;
  maskTokenId: number;
  /** Prepend this id to every example (xlm-core `bos_token_id`); undefined = no BOS. */
  bosTokenId?: number | undefined;
  /** Append this id to every example (xlm-core `eos_token_id`); undefined = no EOS. */
  eosTokenId?: number | undefined;
  /** The block size (xlm-core `max_seq_len`); required with `truncate: 'block'`. */
  maxSeqLen?: number | undefined;
  /** Default `'block'`. */
  truncate?: Truncate;
  /**
   * Default true: padding is attended, has its PAD target, and may be masked. False: padding is not
   * attended, its target is -100 (`IGNORE_INDEX`), and it is never masked.
   */
  lossOnPadding?: boolean;
  /** Mask every eligible position (t = 1 for every row; `t` is not drawn, `u` is). */
  maskAll?: boolean;
  /** Draw `t` but no masking matrix; only ids that already are `[MASK]` count as masked. */
  maskNone?: boolean;
  /**
   * Per example, per content token: true = may be masked (xlm-core `mask_positions`). BOS, EOS and
   * padding stay eligible (as in the reference). Examples must then fit in the batch width.
   */
  maskPositions?: readonly ArrayLike<boolean | number>[] | undefined;
  random: RandomSource;
  /**
   * Size `'max'` / `'none'` batches from the raw lengths, without BOS/EOS, as xlm-core does (which
   * drops the last tokens and the EOS of the longest examples). Default false: the width counts BOS
   * and EOS, so nothing is lost.
   */
  referenceCompatibleTruncation?: boolean;
  /** Name used in error messages. */
  owner?: string;
}

export interface SingleSegmentBatch {
  inputIds: IntMatrix;
  attentionMask: BoolMatrix;
  targetIds: IntMatrix;
  /** 1 = a given (fixed) content position; null unless `maskPositions` was passed. */
  fixedPositionsMask: BoolMatrix | null;
}

/** The batch width that `mlmSingleSegmentCollate` uses for these examples. */
export function singleSegmentWidth(
  lengths: readonly number[],
  options: Pick<SingleSegmentCollateOptions, 'bosTokenId' | 'eosTokenId' | 'maxSeqLen' | 'truncate' | 'referenceCompatibleTruncation' | 'owner'>,
): number {
  const truncate = options.truncate ?? 'block';
  const owner = options.owner ?? 'mlmSingleSegmentCollate';
  if (truncate === 'block') {
    const width = options.maxSeqLen;
    if (width === undefined || !Number.isInteger(width) || width < 0) {
      throw new Error(`${owner}: truncate 'block' needs a block size (maxSeqLen / blockSize), got ${String(width)}`);
    }
    return width;
  }
  const specials = options.referenceCompatibleTruncation ? 0 : Number(options.bosTokenId !== undefined) + Number(options.eosTokenId !== undefined);
  let longest = 0;
  for (const length of lengths) longest = Math.max(longest, length + specials);
  if (truncate === 'max' && options.maxSeqLen !== undefined) longest = Math.max(longest, options.maxSeqLen);
  return longest;
}

/**
 * xlm-core `mlm_single_segment_collate_fn`: `[BOS?] example [EOS?]`, right padded / truncated to the
 * batch width, then masked at a per-example rate `t ~ U[0,1)`: position j of row b becomes `[MASK]`
 * iff `u[b, j] < t[b]` (strict) and the position is eligible.
 *
 * Random draws, in order: `t` (B values; skipped with `maskAll`), then `u` (B × width values,
 * row-major; skipped with `maskNone`).
 *
 * `targetIds` holds the original ids everywhere (the loss decides what is scored), except -100 at
 * padding when `lossOnPadding` is false.
 */
export function mlmSingleSegmentCollate(examples: readonly (readonly number[])[], options: SingleSegmentCollateOptions): SingleSegmentBatch {
  const owner = options.owner ?? 'mlmSingleSegmentCollate';
  const { padTokenId, maskTokenId, bosTokenId, eosTokenId, maskPositions, random } = options;
  const lossOnPadding = options.lossOnPadding ?? true;
  if (options.maskAll && options.maskNone) throw new Error(`${owner}: maskAll and maskNone cannot both be true`);
  const addBos = bosTokenId !== undefined;
  const addEos = eosTokenId !== undefined;
  const batchSize = examples.length;
  const width = singleSegmentWidth(
    examples.map((example) => example.length),
    options,
  );

  if (maskPositions !== undefined) {
    if (maskPositions.length !== batchSize) throw new Error(`${owner}: maskPositions has ${maskPositions.length} rows for ${batchSize} examples`);
    examples.forEach((example, b) => {
      const positions = maskPositions[b] as ArrayLike<boolean | number>;
      if (positions.length !== example.length) {
        throw new Error(`${owner}: example ${b}: the mask positions have length ${positions.length} but the ids have length ${example.length}; they must be equal`);
      }
      const total = example.length + Number(addBos) + Number(addEos);
      if (total > width) {
        throw new Error(`${owner}: example ${b} has ${total} tokens (BOS/EOS included), more than the batch width ${width}; examples with fixed positions cannot be truncated`);
      }
    });
  }

  // Draw #1: the per-example masking rate.
  const t = options.maskAll ? new Float32Array(batchSize).fill(1) : (random.fill(new Float32Array(batchSize)) as Float32Array);

  const inputIds = intMatrix(batchSize, width, padTokenId);
  const targetIds = intMatrix(batchSize, width);
  const attentionMask = boolMatrix(batchSize, width, lossOnPadding);
  const eligible = maskPositions !== undefined ? boolMatrix(batchSize, width, true) : undefined;
  const fixedPositionsMask = maskPositions !== undefined ? boolMatrix(batchSize, width) : null;
  const ids = inputIds.data;

  for (let b = 0; b < batchSize; b++) {
    const example = examples[b] as readonly number[];
    const start = b * width;
    let j = 0;
    if (addBos) {
      if (j < width) ids[start + j] = bosTokenId;
      j++;
    }
    const contentStart = j;
    for (let k = 0; k < example.length && j < width; k++, j++) ids[start + j] = example[k] as number;
    j = contentStart + example.length;
    if (addEos) {
      if (j < width) ids[start + j] = eosTokenId;
      j++;
    }
    const filled = Math.min(j, width);
    if (!lossOnPadding) attentionMask.data.fill(1, start, start + filled);
    if (maskPositions !== undefined && eligible !== undefined && fixedPositionsMask !== null) {
      const positions = maskPositions[b] as ArrayLike<boolean | number>;
      for (let k = 0; k < positions.length; k++) {
        const free = Boolean(positions[k]);
        eligible.data[start + contentStart + k] = free ? 1 : 0;
        fixedPositionsMask.data[start + contentStart + k] = free ? 0 : 1;
      }
    }
  }
  targetIds.data.set(ids);
  if (!lossOnPadding) {
    for (let i = 0; i < ids.length; i++) if (attentionMask.data[i] === 0) targetIds.data[i] = IGNORE_INDEX;
  }

  if (!options.maskNone) {
    // Draw #2: the masking matrix, B × width, row-major.
    const u = random.fill(new Float32Array(batchSize * width)) as Float32Array;
    for (let b = 0; b < batchSize; b++) {
      const rate = t[b] as number;
      const start = b * width;
      for (let j = start; j < start + width; j++) {
        if (!((u[j] as number) < rate)) continue;
        if (eligible !== undefined && eligible.data[j] === 0) continue;
        if (!lossOnPadding && attentionMask.data[j] === 0) continue;
        ids[j] = maskTokenId;
      }
    }
  }
  return { inputIds, attentionMask, targetIds, fixedPositionsMask };
}
