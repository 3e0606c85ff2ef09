// Type-checked with `tsc --noEmit` (strict, NodeNext, skipLibCheck: false) against the installed
// tarballs: the shipped declarations load, the contracts of @mlm/types line up with the classes of
// the other packages, and a wrong call is a type error (so the types are not `any`).
import type * as tf from '@tensorflow/tfjs-core';
import type {
  Collator,
  CollatorInput,
  LossFunction,
  MLMBatch,
  MLMLossDict,
  MLMPredictionDict,
  Model,
  Predictor,
  RandomSource,
  Tokenizer,
} from '@mlm/types';
import { initializeBackend, type BackendInfo } from '@mlm/backend';
import { createRandom } from '@mlm/random';
import { SimpleSpaceTokenizer, createDefaultMLMCollator } from '@mlm/collators';
import { createRotaryTransformerMLMModel } from '@mlm/model';
import { createMLMLoss } from '@mlm/loss';
import { createMLMPredictor, createUnconditionalBatch, predictorComponents, type TokenSampler } from '@mlm/predictor';
import { createComponentRegistry, definePlugin, type Plugin } from '@mlm/components';

export async function typedPipeline(): Promise<{ loss: tf.Scalar; prediction: MLMPredictionDict; backend: BackendInfo }> {
  const backend: BackendInfo = await initializeBackend({ backend: 'wasm', log: () => {} });
  const random: RandomSource = createRandom(0);
  const tokenizer: Tokenizer = SimpleSpaceTokenizer.forNumbers(10);
  const model: Model = createRotaryTransformerMLMModel({ numEmbeddings: tokenizer.vocabSize, dModel: 8, numLayers: 1, nhead: 2, rotaryEmbDim: 4 }, { random });
  const collator: Collator<CollatorInput, MLMBatch> = createDefaultMLMCollator({ tokenizer, random, blockSize: 4 });
  const batch: MLMBatch = collator.collate([{ inputIds: [7, 8] }]);
  const lossFunction: LossFunction<MLMBatch, MLMLossDict> = createMLMLoss({ model, tokenizer });
  const { loss }: MLMLossDict = lossFunction.call(batch);
  const predictor: Predictor = createMLMPredictor({ model, tokenizer, random, maxSteps: 2 });
  const prediction = await predictor.predict(createUnconditionalBatch({ batchSize: 1, length: 4, maskTokenId: tokenizer.maskTokenId }));
  const texts: string[] = prediction.text;
  void texts;

  // @ts-expect-error maxSteps is required
  createMLMPredictor({ model, tokenizer, random });
  // @ts-expect-error a tokenizer is not a model
  createMLMLoss({ model: tokenizer });
  // @ts-expect-error the collator takes examples, not strings
  collator.collate(['1 2']);

  return { loss, prediction, backend };
}

export const typedPlugin: Plugin = definePlugin({ name: 'typed', components: predictorComponents });

/** The registry returns each kind's interface (the predictor adds `sampler` to the kind map). */
export async function typedRegistry(): Promise<TokenSampler> {
  const registry = createComponentRegistry([typedPlugin]);
  const sampler: TokenSampler = await registry.create('sampler', 'mlm/top-k', { k: 3 });
  // @ts-expect-error a sampler is not a collator
  const wrong: Collator = await registry.create('sampler', 'mlm/top-k', { k: 3 });
  void wrong;
  // @ts-expect-error no such kind in the kind map
  await registry.create('not-a-kind', 'mlm/x', {});
  return sampler;
}
