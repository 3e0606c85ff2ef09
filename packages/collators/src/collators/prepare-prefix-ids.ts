import type { BoolMatrix, IntMatrix } from '@mlm/types';
import { boolMatrix, intMatrix } from './matrices.js';
import type { Truncate } from './options.js';

export interface PreparePrefixIdsOptions {
  /** Width with `truncate: 'block'`; the minimum width with `'max'`. */
  maxSeqLen?: number | undefined;
  /** Default `'block'`. */
  truncate?: Truncate;
  owner?: string;
}

export interface PrefixBatch {
  inputIds: IntMatrix;
  attentionMask: BoolMatrix;
}

/**
 * xlm-core `prepare_prefix_ids`: prompts LEFT padded / LEFT truncated (the tail is kept) to the width,
 * attention 1 on the prompt tokens. Width: `maxSeqLen` with `'block'`; the longest prompt with
 * `'max'` (at least `maxSeqLen`) and `'none'`. No randomness.
 */
export function preparePrefixIds(prefixIds: readonly (readonly number[])[], padTokenId: number, options: PreparePrefixIdsOptions = {}): PrefixBatch {
  const truncate = options.truncate ?? 'block';
  const owner = options.owner ?? 'preparePrefixIds';
  let width: number;
  if (truncate === 'block') {
    if (options.maxSeqLen === undefined || !Number.isInteger(options.maxSeqLen) || options.maxSeqLen < 0) {
      throw new Error(`${owner}: truncate 'block' needs maxSeqLen (the prompt block size), got ${String(options.maxSeqLen)}`);
    }
    width = options.maxSeqLen;
  } else {
    width = Math.max(0, ...prefixIds.map((prefix) => prefix.length));
    if (truncate === 'max' && options.maxSeqLen !== undefined) width = Math.max(width, options.maxSeqLen);
  }
  const batchSize = prefixIds.length;
  const inputIds = intMatrix(batchSize, width, padTokenId);
  const attentionMask = boolMatrix(batchSize, width);
  prefixIds.forEach((prefix, b) => {
    const kept = Math.min(prefix.length, width);
    const rowEnd = (b + 1) * width;
    for (let k = 0; k < kept; k++) inputIds.data[rowEnd - kept + k] = prefix[prefix.length - kept + k] as number;
    attentionMask.data.fill(1, rowEnd - kept, rowEnd);
  });
  return { inputIds, attentionMask };
}
