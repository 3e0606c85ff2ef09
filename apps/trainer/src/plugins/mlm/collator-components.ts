import { z } from 'zod';
import {
  createDefaultInfillMLMCollator,
  createDefaultMLMCollator,
  createMLMInfillWithExactTargetPredCollator,
  createMLMSeq2SeqCollator,
  createMLMSeq2SeqPredCollator,
  createMLMSeq2SeqTrainCollator,
} from '@mlm/collators';
import type { Collator, CollatorInput, MLMBatch } from '@mlm/types';
import { defineComponent } from '../../registry/define-plugin.js';
import type { ComponentContext } from '../../registry/component-context.js';
import { booleanFlag, oneOf, positiveInteger } from '../../config/schema-helpers.js';

const collatorOptionsSchema = z.strictObject({
  /** Block width (seq2seq: the suffix block); default: the task's. */
  blockSize: positiveInteger().optional(),
  /** Seq2seq prompt block; default: the task's. */
  inputBlockSize: positiveInteger().optional(),
  addBos: booleanFlag().optional(),
  addEos: booleanFlag().optional(),
  lossOnPadding: booleanFlag().optional(),
  truncate: oneOf(['block', 'max', 'none']).optional(),
});

export type CollatorOptions = z.output<typeof collatorOptionsSchema>;

type CollatorFactory = (options: Record<string, unknown>) => Collator<CollatorInput, MLMBatch>;

function collatorComponent(name: string, xlmClass: string, description: string, factory: CollatorFactory, seq2seq: boolean) {
  return defineComponent({
    kind: 'collator',
    name,
    description: `${description} (xlm-core ${xlmClass})`,
    schema: collatorOptionsSchema,
    create(options: CollatorOptions, context: ComponentContext) {
      const tokenizer = context.tokenizer;
      if (!tokenizer) throw new Error(`${name} needs a tokenizer (from the task)`);
      const blockSize = options.blockSize ?? context.taskInfo?.blockSize;
      const inputBlockSize = options.inputBlockSize ?? context.taskInfo?.inputBlockSize;
      const resolved: Record<string, unknown> = { tokenizer, random: context.random, blockSize };
      if (seq2seq) resolved.inputBlockSize = inputBlockSize;
      for (const key of ['addBos', 'addEos', 'lossOnPadding', 'truncate'] as const) if (options[key] !== undefined) resolved[key] = options[key];
      return factory(resolved);
    },
  });
}

/** Collator components, with the xlm-core class each wraps (tasks name their defaults by class). */
export const COLLATOR_CLASSES: Record<string, string> = {
  DefaultMLMCollator: 'mlm/default-collator',
  DefaultInfillMLMCollator: 'mlm/default-infill-collator',
  MLMInfillWithExactTargetPredCollator: 'mlm/infill-with-exact-target-pred-collator',
  MLMSeq2SeqTrainCollator: 'mlm/seq2seq-train-collator',
  MLMSeq2SeqCollator: 'mlm/seq2seq-collator',
  MLMSeq2SeqPredCollator: 'mlm/seq2seq-pred-collator',
};

export const collatorComponents = [
  collatorComponent('mlm/default-collator', 'DefaultMLMCollator', 'single segment, random masking at t ~ U[0,1)', createDefaultMLMCollator as unknown as CollatorFactory, false),
  collatorComponent('mlm/default-infill-collator', 'DefaultInfillMLMCollator', 'masks only the blanks of promptIds', createDefaultInfillMLMCollator as unknown as CollatorFactory, false),
  collatorComponent(
    'mlm/infill-with-exact-target-pred-collator',
    'MLMInfillWithExactTargetPredCollator',
    'infill prediction: the puzzle as input, the solution as target',
    createMLMInfillWithExactTargetPredCollator as unknown as CollatorFactory,
    false,
  ),
  collatorComponent('mlm/seq2seq-train-collator', 'MLMSeq2SeqTrainCollator', 'prompt, BOS, masked suffix slot', createMLMSeq2SeqTrainCollator as unknown as unknown as CollatorFactory, true),
  collatorComponent('mlm/seq2seq-collator', 'MLMSeq2SeqCollator', 'left-padded prompt + masked suffix', createMLMSeq2SeqCollator as unknown as CollatorFactory, true),
  collatorComponent('mlm/seq2seq-pred-collator', 'MLMSeq2SeqPredCollator', 'seq2seq prediction: prompt + BOS, target suffix', createMLMSeq2SeqPredCollator as unknown as CollatorFactory, true),
];
