// npm install @mlm/backend @mlm/random @mlm/collators @mlm/model @mlm/loss @mlm/predictor @tensorflow/tfjs-core@4.22.0
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';
import { createRandom } from '@mlm/random';
import { SimpleSpaceTokenizer, createDefaultMLMCollator } from '@mlm/collators';
import { createRotaryTransformerMLMModel } from '@mlm/model';
import { createMLMLoss } from '@mlm/loss';
import { createMLMPredictor, createUnconditionalBatch } from '@mlm/predictor';

// One tensor backend for the whole process (WebAssembly here; 'auto' picks the fastest available).
const backend = await initializeBackend({ backend: 'wasm', log: () => {} });

// Tokens "0".."9" plus xlm-core's special tokens ([PAD]=0, [MASK]=2, [EOS]=3, [BOS]=4, ...).
const tokenizer = SimpleSpaceTokenizer.forNumbers(10);

// A tiny rotary transformer encoder; every random draw comes from a seeded source.
const model = createRotaryTransformerMLMModel(
  { numEmbeddings: tokenizer.vocabSize, dModel: 16, numLayers: 1, nhead: 2, rotaryEmbDim: 8, paddingIdx: tokenizer.padTokenId },
  { random: createRandom(1) },
);

const tensorsAfterSetup = tf.memory().numTensors; // the model's weights

// Collate two examples: BOS/EOS added, padded to the block, masked at a random rate t ~ U(0, 1).
const collator = createDefaultMLMCollator({ tokenizer, random: createRandom(2), blockSize: 8 });
const batch = collator.collate([
  { inputIds: tokenizer.encode('1 2 3 4', { addSpecialTokens: false }) },
  { inputIds: tokenizer.encode('5 6', { addSpecialTokens: false }) },
]);

// Cross-entropy on the masked positions (tidy disposes the intermediate tensors).
const loss = createMLMLoss({ model, tokenizer });
const lossValue = tf.tidy(() => loss.call(batch).loss.dataSync()[0]);

// Generate: start from all-[MASK] rows and unmask them over a few steps.
const predictor = createMLMPredictor({ model, tokenizer, random: createRandom(3), maxSteps: 3, topK: 5 });
let steps = 0;
for await (const event of predictor.stream(createUnconditionalBatch({ batchSize: 2, length: 6, maskTokenId: tokenizer.maskTokenId }))) {
  steps += 1;
  if (event.final) console.log('generated ids', Array.from(event.ids.data));
}
// Infill: the [MASK] tokens of a prompt are replaced (text in, text out).
const [infilled] = await predictor.generate(['1 2 [MASK] [MASK] 5']);

console.log(
  JSON.stringify({
    backend: backend.name,
    batchShape: batch.inputIds.shape,
    loss: lossValue,
    steps,
    infilled,
    leakedTensors: tf.memory().numTensors - tensorsAfterSetup,
  }),
);
