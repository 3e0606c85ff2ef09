import { z } from 'zod';
import { booleanFlag, defineComponent, numberInRange, oneOf, positiveInteger, positiveNumber } from '@mlm/components';
import { RotaryTransformerMLMModel } from './rotary-transformer-mlm-model.js';

export const rotaryTransformerOptionsSchema = z
  .strictObject({
    dModel: positiveInteger().default(128),
    numLayers: positiveInteger().default(2),
    nhead: positiveInteger().default(4),
    /** null = 4 · dModel. */
    dimFeedforward: positiveInteger().nullable().default(null),
    dropout: numberInRange(0, 1, '[', ')').default(0.1),
    activation: oneOf(['relu', 'gelu']).default('relu'),
    layerNormEps: positiveNumber().default(1e-5),
    /** Rotary dimensions per head (even, ≤ head dim); null = min(64, head dim). */
    rotaryEmbDim: positiveInteger().nullable().default(null),
    /** Largest position; null = the task's blockSize + inputBlockSize + 4 (the reference's rule). */
    maxLength: positiveInteger().nullable().default(null),
    finalLayerWithoutNormalization: booleanFlag().default(false),
  })
  .superRefine((options, context) => {
    if (options.dModel % options.nhead !== 0) {
      context.addIssue({ code: 'custom', path: ['dModel'], message: `(${options.dModel}) must be divisible by model.nhead (${options.nhead})` });
      return;
    }
    const headDim = options.dModel / options.nhead;
    if (options.rotaryEmbDim !== null) {
      if (options.rotaryEmbDim > headDim) {
        context.addIssue({ code: 'custom', path: ['rotaryEmbDim'], message: `(${options.rotaryEmbDim}) must be ≤ head dim (${headDim})` });
      } else if (options.rotaryEmbDim % 2 !== 0) {
        context.addIssue({ code: 'custom', path: ['rotaryEmbDim'], message: `(${options.rotaryEmbDim}) must be even` });
      }
    } else if (headDim % 2 !== 0 && headDim < 64) {
      context.addIssue({ code: 'custom', path: ['nhead'], message: `gives an odd head dim (${headDim}); set model.rotaryEmbDim to an even number ≤ ${headDim}` });
    }
  });

export type RotaryTransformerOptions = z.output<typeof rotaryTransformerOptionsSchema>;

/** Default maxLength: xlm-core's `block_size + (input_block_size or 0) + 4`. */
export function defaultMaxLength(task: { blockSize: number; inputBlockSize?: number | undefined } | undefined): number {
  if (!task) throw new Error('model.maxLength must be given when there is no task to derive it from');
  return task.blockSize + (task.inputBlockSize ?? 0) + 4;
}

/** The model's components (one): register them in a ComponentRegistry of @mlm/components. */
/** `mlm/rotary-transformer`: xlm-core's RotaryTransformerMLMModel; vocabulary and special ids from the tokenizer. */
export const rotaryTransformerComponent = defineComponent({
  kind: 'model',
  name: 'mlm/rotary-transformer',
  description: 'rotary-embedding pre-norm transformer encoder (xlm-core RotaryTransformerMLMModel)',
  schema: rotaryTransformerOptionsSchema,
  needs: ['tokenizer', 'random'],
  uses: ['taskInfo'],
  create(options, { tokenizer, random, taskInfo }) {
    const headDim = options.dModel / options.nhead;
    const rotaryEmbDim = options.rotaryEmbDim ?? Math.min(64, headDim - (headDim % 2));
    return RotaryTransformerMLMModel.create(
      {
        numEmbeddings: tokenizer.vocabSize,
        dModel: options.dModel,
        numLayers: options.numLayers,
        nhead: options.nhead,
        paddingIdx: tokenizer.padTokenId,
        maskIdx: tokenizer.maskTokenId,
        dimFeedforward: options.dimFeedforward ?? 4 * options.dModel,
        dropout: options.dropout,
        activation: options.activation,
        layerNormEps: options.layerNormEps,
        rotaryEmbDim,
        maxLength: options.maxLength ?? defaultMaxLength(taskInfo),
        finalLayerWithoutNormalization: options.finalLayerWithoutNormalization,
      },
      { random },
    );
  },
});

export const modelComponents = [rotaryTransformerComponent];
