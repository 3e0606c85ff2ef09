import { z } from 'zod';
import { defineComponent } from '@mlm/components';
import { addModelShapeIssues, modelConfigFields } from './model-config.js';
import { RotaryTransformerMLMModel } from './rotary-transformer-mlm-model.js';

/** Rotary dimensions when a config leaves them out: min(64, head dim), even. */
export function defaultRotaryEmbDim(headDim: number): number {
  return Math.min(64, headDim - (headDim % 2));
}

/**
 * The component's options: the library's own field checks (`modelConfigFields`) and cross-field checks
 * (`addModelShapeIssues`), with a config's defaults. The vocabulary and special ids come from the
 * tokenizer; `maxLength` and `rotaryEmbDim` may be left to the task and the head dimension.
 */
export const rotaryTransformerOptionsSchema = z
  .strictObject({
    dModel: modelConfigFields.dModel.default(128),
    numLayers: modelConfigFields.numLayers.default(2),
    nhead: modelConfigFields.nhead.default(4),
    /** null = 4 · dModel. */
    dimFeedforward: modelConfigFields.dimFeedforward.default(null),
    dropout: modelConfigFields.dropout.default(0.1),
    activation: modelConfigFields.activation.default('relu'),
    layerNormEps: modelConfigFields.layerNormEps.default(1e-5),
    /** Rotary dimensions per head (even, ≤ head dim); null = min(64, head dim), even. */
    rotaryEmbDim: modelConfigFields.rotaryEmbDim.nullable().default(null),
    /** Largest position; null = the task's blockSize + inputBlockSize + 4 (the reference's rule). */
    maxLength: modelConfigFields.maxLength.nullable().default(null),
    finalLayerWithoutNormalization: modelConfigFields.finalLayerWithoutNormalization.default(false),
  })
  .superRefine(
    (options, context) => {
      const headDim = options.dModel / options.nhead;
      if (options.rotaryEmbDim === null && Number.isInteger(headDim) && headDim < 2) {
        context.addIssue({ code: 'custom', path: ['nhead'], input: options.nhead, message: `expected at most dModel / 2 = ${Math.floor(options.dModel / 2)} (each head needs 2 rotary dimensions)` });
        return;
      }
      addModelShapeIssues({ ...options, rotaryEmbDim: options.rotaryEmbDim ?? defaultRotaryEmbDim(headDim) }, context);
    },
    { when: (payload) => payload.issues.length === 0 },
  );

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
    const rotaryEmbDim = options.rotaryEmbDim ?? defaultRotaryEmbDim(options.dModel / options.nhead);
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
