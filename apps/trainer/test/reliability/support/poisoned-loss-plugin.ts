/**
 * A trainer plugin for the reliability tests: `test/poisoned-loss`, xlm-core's MLM loss whose value
 * is replaced by NaN (or Infinity) on chosen training calls, so a non-finite loss appears at a known
 * step without touching the trainer. List this file under `plugins:` and set `loss.name`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { createMLMLoss } from '@mlm/loss';
import type { LossFunction, MLMBatch, MLMLossDict } from '@mlm/types';
import { defineComponent, definePlugin } from '@mlm/components';

const poisonedLossComponent = defineComponent({
  kind: 'loss',
  name: 'test/poisoned-loss',
  description: 'MLM loss that returns a non-finite value on chosen training calls (tests only)',
  schema: z.strictObject({
    /** 1-based training calls whose loss is replaced. */
    poisonCalls: z.array(z.number().int().positive()),
    value: z.enum(['NaN', 'Infinity']).default('NaN'),
  }),
  needs: ['model', 'tokenizer'],
  create(options, { model, tokenizer }): LossFunction<MLMBatch, MLMLossDict> {
    const inner = createMLMLoss({ model, maskTokenId: tokenizer.maskTokenId });
    const poisoned = new Set(options.poisonCalls);
    let trainingCalls = 0;
    return {
      model: inner.model,
      call(batch, callOptions) {
        const result = inner.call(batch, callOptions);
        if (!callOptions?.training) return result;
        trainingCalls += 1;
        if (!poisoned.has(trainingCalls)) return result;
        // loss · NaN keeps the gradient path (all gradients become NaN too, as a real blow-up does).
        return { ...result, loss: tf.mul(result.loss, options.value === 'NaN' ? NaN : Infinity) as tf.Scalar };
      },
    };
  },
});

export default definePlugin({ name: 'reliability-test', components: [poisonedLossComponent] });
