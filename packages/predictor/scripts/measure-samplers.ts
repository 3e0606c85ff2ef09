/**
 * Time of the JS samplers on rows of a large vocabulary (what one step costs after the forward pass).
 *   node --conditions=@mlm/source --import tsx packages/predictor/scripts/measure-samplers.ts
 */
import { createRandom } from '@mlm/random';
import { createComponentRegistry, definePlugin } from '@mlm/components';
import { predictorComponents } from '../src/index.js';

const registry = createComponentRegistry([definePlugin({ name: 'mlm', components: predictorComponents })]);

const vocabSize = 30_000;
const rows = 32;
const random = createRandom(0);
const logits = new Float32Array(rows * vocabSize);
// Zipf-like rows (as language models give): logit = −1.2·ln(rank) + noise, ranks shuffled per row.
for (let r = 0; r < rows; r++) {
  for (let j = 0; j < vocabSize; j++) {
    const rank = ((j * 7919 + r * 104729) % vocabSize) + 1;
    logits[r * vocabSize + j] = -1.2 * Math.log(rank) + 0.3 * random.next();
  }
}

for (const [name, options] of [
  ['greedy', {}],
  ['categorical', {}],
  ['categorical', { method: 'inverse-cdf' }],
  ['top-k', { k: 5 }],
  ['top-k', { k: 50, method: 'inverse-cdf' }],
  ['top-p', { p: 0.9 }],
  ['top-p', { p: 0.9, method: 'inverse-cdf' }],
] as const) {
  const sampler = await registry.create('sampler', `mlm/${name}`, options);
  const times: number[] = [];
  for (let run = 0; run < 7; run++) {
    const start = performance.now();
    sampler.sample(logits, rows, vocabSize, random);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  console.log(`${name} ${JSON.stringify(options)}: ${(times[3]! / rows).toFixed(3)} ms per row (V = ${vocabSize}, ${rows} rows)`);
}
