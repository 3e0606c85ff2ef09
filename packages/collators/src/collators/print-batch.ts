import type { BoolCube, BoolMatrix, IntMatrix, MLMBatch, Tokenizer } from '@mlm/types';
import { IGNORE_INDEX } from '@mlm/types';

export interface PrintBatchOptions {
  /** xlm-core `dataloader_name`. Default ''. */
  dataloaderName?: string;
  /** Where the lines go; default `console.log`. Pass `() => {}` to only get the returned text. */
  log?: (text: string) => void;
}

function row(matrix: IntMatrix | BoolMatrix, b: number): number[] {
  const width = matrix.shape[1];
  return Array.from(matrix.data.subarray(b * width, (b + 1) * width));
}

function decodeRow(ids: number[], tokenizer: Tokenizer): string {
  // xlm-core `_replace_100_with_pad`, then decode with the special tokens visible.
  return tokenizer.decode(
    ids.map((id) => (id === IGNORE_INDEX ? tokenizer.padTokenId : id)),
    { skipSpecialTokens: false },
  );
}

/**
 * xlm-core `print_batch_mlm`: a header line, then for row 0 only: the decoded input (-100 shown as
 * PAD, special tokens visible), the raw `inputIds`, the attention mask as 0/1, and the raw and decoded
 * `targetIds` when present. Returns the text and passes it to `options.log` (default `console.log`).
 */
export function printBatch(batch: MLMBatch, split: string, tokenizer: Tokenizer, options: PrintBatchOptions = {}): string {
  const lines = [`Printing first entries of the tensors in batch for ${split}/${options.dataloaderName ?? ''}...`];
  const inputIds = row(batch.inputIds, 0);
  lines.push('input tokens:', decodeRow(inputIds, tokenizer), 'input_ids:', `[${inputIds.join(', ')}]`);
  const mask = batch.attentionMask;
  lines.push('attention_mask (int):');
  if (mask === undefined) lines.push('(none — packed batch: the document mask is built from segmentIds)');
  else if (mask.shape.length === 3) {
    const [, queries, keys] = (mask as BoolCube).shape;
    lines.push(`(3-D document mask [${queries}, ${keys}]; segmentIds: [${batch.segmentIds ? row(batch.segmentIds, 0).join(', ') : '?'}])`);
  } else lines.push(`[${row(mask as BoolMatrix, 0).join(', ')}]`);
  if (batch.targetIds !== undefined) {
    const targetIds = row(batch.targetIds, 0);
    lines.push('target_ids:', `[${targetIds.join(', ')}]`, 'target tokens:', decodeRow(targetIds, tokenizer));
  }
  const text = lines.join('\n');
  (options.log ?? console.log)(text);
  return text;
}
