// npm install @mlm/trainer @mlm/components @tensorflow/tfjs-core@4.22.0 zod
import { initializeBackend } from '@mlm/backend';
import { createRandom } from '@mlm/random';
import { SimpleSpaceTokenizer } from '@mlm/collators';
import { createRotaryTransformerMLMModel } from '@mlm/model';
import { createMLMPredictor, createUnconditionalBatch } from '@mlm/predictor';
import { createRegistryWithPlugins } from '@mlm/trainer';

await initializeBackend({ backend: 'wasm', log: () => {} });

// The built-in components plus those of the plugin, loaded as the trainer loads `plugins:` of a config.
const registry = await createRegistryWithPlugins(['./my-plugin.mjs'], [process.cwd()]);
// The resources a component may ask for (it gets those it declared in `needs`), and a log function.
const strategy = await registry.create('position-strategy', 'my/right-to-left', { perStep: 2 }, { random: createRandom(0), log: console.log });

// Use it: generate 6 tokens per row, two per step, right to left.
const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
const model = createRotaryTransformerMLMModel(
  { numEmbeddings: tokenizer.vocabSize, dModel: 16, numLayers: 1, nhead: 2, rotaryEmbDim: 8 },
  { random: createRandom(1) },
);
const predictor = createMLMPredictor({ model, tokenizer, random: createRandom(2), maxSteps: 3, positionStrategy: strategy });
const unmaskedPerStep = [];
for await (const event of predictor.stream(createUnconditionalBatch({ batchSize: 1, length: 6, maskTokenId: tokenizer.maskTokenId }))) {
  unmaskedPerStep.push(Array.from(event.unmasked.data));
}

console.log(
  JSON.stringify({
    plugins: registry.pluginNames(),
    components: registry.list('position-strategy').filter((component) => component.plugin === 'my'),
    unmaskedPerStep,
  }),
);
