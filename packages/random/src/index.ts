export { SeededRandom, createRandom, createNamedRandom } from './seeded-random.js';
export { ScriptedRandom, createScriptedRandom } from './scripted-random.js';
export { gumbelNoise, uniformArray } from './distributions.js';
