import { z } from 'zod';
import { booleanFlag, defineComponent } from '@mlm/components';
import { createMLMLoss } from './mlm-loss.js';

/** `mlm/mlm-loss`: xlm-core MLMLoss (cross-entropy over [MASK] inputs, token-level mean over the batch). */
export const mlmLossComponent = defineComponent({
  kind: 'loss',
  name: 'mlm/mlm-loss',
  description: 'cross-entropy on masked positions, summed over the batch / number scored (xlm-core MLMLoss)',
  schema: z.strictObject({
    /** Also score visible (unmasked) positions. */
    lossOnVisibleTokens: booleanFlag().default(false),
  }),
  needs: ['model', 'tokenizer'],
  create(options, { model, tokenizer }) {
    return createMLMLoss({ model, maskTokenId: tokenizer.maskTokenId, lossOnVisibleTokens: options.lossOnVisibleTokens });
  },
});

export const lossComponents = [mlmLossComponent];
