import type { RandomSource } from '@mlm/types';
import { IGNORE_INDEX } from '@mlm/types';
import { boolMatrix, intMatrix } from './matrices.js';
import type { SingleSegmentBatch } from './mlm-single-segment-collate.js';
import type { Truncate } from './options.js';

export interface PreparePrefixSuffixIdsOptions {
  padTokenId: number;
  maskTokenId: number;
  eosTokenId?: number | undefined;
  bosTokenId?: number | undefined;
  /** Width with `'block'` (required then); minimum width with `'max'`. */
  maxSeqLen?: number | undefined;
  /** Default `'block'`. */
  truncate?: Truncate;
  /** Default true. */
  lossOnPadding?: boolean;
  /**
   * Fixed suffix window (xlm-core `suffix_block_size`): every row is `prompt, BOS, slot, hidden tail`
   * where the slot holds `suffix, EOS, pads` and is exactly this wide.
   */
  suffixBlockSize?: number | undefined;
  random: RandomSource;
  owner?: string;
}

/**
 * xlm-core `prepare_prefix_suffix_ids`: right-padded rows `[prompt][BOS?][suffix][EOS?][pad...]`;
 * prompt tokens and the BOS are never masked; the suffix is masked at a per-example rate `t`.
 *
 * Random draws, in order: `t` (B values), then one row of `u` (width values) per example, in example
 * order. Position j of row b becomes `[MASK]` iff `u_b[j] < t[b]` and it is eligible.
 *
 * With `suffixBlockSize` (the layout of `MLMSeq2SeqTrainCollator`): the slot (suffix, EOS, pads) is
 * attended and eligible for masking; after it comes a hidden tail (attention 0, target -100).
 * Difference from the reference: with `lossOnPadding: false` the pads inside the slot (target -100)
 * are not masked; the reference masks them too, which puts unscorable `[MASK]`s into the loss's
 * denominator. The draws are the same, so only those positions differ.
 *
 * Without `suffixBlockSize`: padding is eligible for masking when `lossOnPadding` (and then attended,
 * with PAD targets); otherwise it is hidden, has target -100 and is never masked.
 */
export function preparePrefixSuffixIds(
  prefixIds: readonly (readonly number[])[],
  suffixIds: readonly (readonly number[])[],
  options: PreparePrefixSuffixIdsOptions,
): Omit<SingleSegmentBatch, 'fixedPositionsMask'> {
  const owner = options.owner ?? 'preparePrefixSuffixIds';
  const { padTokenId, maskTokenId, eosTokenId, bosTokenId, suffixBlockSize, random } = options;
  const truncate = options.truncate ?? 'block';
  const lossOnPadding = options.lossOnPadding ?? true;
  const addBos = Number(bosTokenId !== undefined);
  const addEos = Number(eosTokenId !== undefined);
  const batchSize = prefixIds.length;
  if (suffixIds.length !== batchSize) throw new Error(`${owner}: ${batchSize} prefixes but ${suffixIds.length} suffixes`);
  if (suffixBlockSize !== undefined && (!Number.isInteger(suffixBlockSize) || suffixBlockSize < 0)) {
    throw new Error(`${owner}: suffixBlockSize = ${suffixBlockSize}, expected a non-negative integer`);
  }

  let width: number;
  if (truncate === 'block') {
    if (options.maxSeqLen === undefined || !Number.isInteger(options.maxSeqLen) || options.maxSeqLen < 0) {
      throw new Error(`${owner}: truncate 'block' needs maxSeqLen (prompt block + suffix block), got ${String(options.maxSeqLen)}`);
    }
    width = options.maxSeqLen;
  } else {
    width = 0;
    prefixIds.forEach((prefix, b) => {
      const suffix = suffixIds[b] as readonly number[];
      const length = suffixBlockSize !== undefined ? prefix.length + addBos + suffixBlockSize : prefix.length + suffix.length + addEos + addBos;
      width = Math.max(width, length);
    });
    if (truncate === 'max' && options.maxSeqLen !== undefined) width = Math.max(width, options.maxSeqLen);
  }
  if (truncate === 'none' && suffixBlockSize !== undefined) {
    suffixIds.forEach((suffix, b) => {
      if (suffix.length + addEos > suffixBlockSize) {
        throw new Error(`${owner}: example ${b}: the suffix has ${suffix.length + addEos} tokens (EOS included), more than the suffix block ${suffixBlockSize}; truncate 'none' does not cut`);
      }
    });
  }

  // Draw #1: the per-example masking rate.
  const t = random.fill(new Float32Array(batchSize)) as Float32Array;
  const inputIds = intMatrix(batchSize, width, padTokenId);
  const targetIds = intMatrix(batchSize, width);
  const attentionMask = boolMatrix(batchSize, width);
  const ids = inputIds.data;
  const targets = targetIds.data;
  const attention = attentionMask.data;
  const u = new Float32Array(width);

  for (let b = 0; b < batchSize; b++) {
    const prefix = prefixIds[b] as readonly number[];
    const suffix = suffixIds[b] as readonly number[];
    const start = b * width;
    const end = start + width;
    // Row content: prompt, BOS, then either the slot (suffix, EOS, pads) or suffix + EOS.
    let j = start;
    const put = (id: number): void => {
      if (j < end) ids[j] = id;
      j++;
    };
    for (const id of prefix) put(id);
    if (bosTokenId !== undefined) put(bosTokenId);
    const suffixStart = j - start;
    if (suffixBlockSize !== undefined) {
      const kept = Math.min(suffix.length, suffixBlockSize);
      for (let k = 0; k < kept; k++) put(suffix[k] as number);
      if (eosTokenId !== undefined && kept < suffixBlockSize) put(eosTokenId);
      while (j - start < suffixStart + suffixBlockSize) put(padTokenId);
    } else {
      for (const id of suffix) put(id);
      if (eosTokenId !== undefined) put(eosTokenId);
    }
    const contentEnd = Math.min(j - start, width);
    targets.set(ids.subarray(start, end), start);

    // Draw #2 (per row): the masking row.
    random.fill(u);
    const rate = t[b] as number;
    if (suffixBlockSize !== undefined) {
      const visible = prefix.length + addBos + suffixBlockSize;
      const effective = Math.min(visible, width);
      attention.fill(1, start, start + effective);
      targets.fill(IGNORE_INDEX, start + effective, end);
      // Real tokens of the slot end here; after them (up to `effective`) are the slot's pads.
      const realEnd = Math.min(prefix.length + addBos + Math.min(suffix.length + addEos, suffixBlockSize), effective);
      if (!lossOnPadding) targets.fill(IGNORE_INDEX, start + realEnd, start + effective);
      const maskableEnd = lossOnPadding ? effective : realEnd;
      for (let k = Math.min(suffixStart, width); k < maskableEnd; k++) if ((u[k] as number) < rate) ids[start + k] = maskTokenId;
    } else {
      if (lossOnPadding) attention.fill(1, start, end);
      else {
        attention.fill(1, start, start + contentEnd);
        targets.fill(IGNORE_INDEX, start + contentEnd, end);
      }
      const maskableEnd = lossOnPadding ? width : contentEnd;
      for (let k = Math.min(suffixStart, width); k < maskableEnd; k++) if ((u[k] as number) < rate) ids[start + k] = maskTokenId;
    }
  }
  return { inputIds, attentionMask, targetIds };
}
