export { SeededRandom, createRandom, createNamedRandom } from './seeded-random.js';
export { gumbelNoise, uniformArray } from './distributions.js';
