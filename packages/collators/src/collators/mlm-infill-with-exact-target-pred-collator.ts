import type { CollatorInput, MLMBatch } from '@mlm/types';
import { readInfillExamples } from './default-infill-mlm-collator.js';
import { DefaultMLMCollator, type DefaultMLMCollatorOptions } from './default-mlm-collator.js';

/**
 * xlm-core `MLMInfillWithExactTargetPredCollator` (infill prediction): the input is the example's
 * `promptIds` (already `[MASK]` at the blanks), with no new masking (`t` is still drawn, as in the
 * reference); the target is `[BOS?] inputIds [EOS?]` padded with PAD (not -100), so exact match
 * compares the pads too.
 *
 * Difference from the reference: the targets are padded to the batch's width, so `truncate: 'max'` /
 * `'none'` work (the reference raises when the widths differ); with `'block'` the result is identical.
 */
export class MLMInfillWithExactTargetPredCollator extends DefaultMLMCollator {
  override collate(examples: CollatorInput[]): MLMBatch {
    const { inputs, prompts } = readInfillExamples(this.name, examples, this.tokenizer.vocabSize);
    const batch = this.collateIds(prompts, { maskNone: true });
    const [batchSize, width] = batch.inputIds.shape;
    const targets = new Int32Array(batchSize * width).fill(this.tokenizer.padTokenId);
    inputs.forEach((input, b) => {
      const row = [...(this.bosTokenId !== undefined ? [this.bosTokenId] : []), ...input, ...(this.eosTokenId !== undefined ? [this.eosTokenId] : [])];
      targets.set(row.slice(0, width), b * width);
    });
    return { ...batch, targetIds: { data: targets, shape: [batchSize, width] } };
  }
}

export function createMLMInfillWithExactTargetPredCollator(options: DefaultMLMCollatorOptions): MLMInfillWithExactTargetPredCollator {
  return new MLMInfillWithExactTargetPredCollator(options);
}
