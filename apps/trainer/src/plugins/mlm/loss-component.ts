import { z } from 'zod';
import { createMLMLoss } from '@mlm/loss';
import { defineComponent } from '../../registry/define-plugin.js';
import { booleanFlag } from '../../config/schema-helpers.js';

/** `mlm/mlm-loss`: xlm-core MLMLoss (cross-entropy over [MASK] inputs, token-level mean over the batch). */
export const mlmLossComponent = defineComponent({
  kind: 'loss',
  name: 'mlm/mlm-loss',
  description: 'cross-entropy on masked positions, summed over the batch / number scored (xlm-core MLMLoss)',
  schema: z.strictObject({
    /** Also score visible (unmasked) positions. */
    lossOnVisibleTokens: booleanFlag().default(false),
  }),
  create(options, context) {
    if (!context.model || !context.tokenizer) throw new Error('mlm/mlm-loss needs the model and the tokenizer');
    return createMLMLoss({ model: context.model, maskTokenId: context.tokenizer.maskTokenId, lossOnVisibleTokens: options.lossOnVisibleTokens });
  },
});
