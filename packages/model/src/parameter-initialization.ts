/**
 * PyTorch's default initialisation (xlm-core keeps the module defaults), drawn in JavaScript from an injected RandomSource so
 * that the same seed gives the same weights on every backend:
 * - Embedding: N(0, 1), padding row zero;
 * - Linear weight and bias: U(−1/√fan_in, 1/√fan_in) (Kaiming-uniform with a = √5);
 * - LayerNorm: weight 1, bias 0.
 * Bit-exact reproduction of PyTorch's generator is not a goal (nobody can match torch's generator stream from JavaScript); the distributions are.
 */
import type { RandomSource } from '@mlm/types';
import { effectivePaddingIndex, type ResolvedModelConfig } from './model-config.js';
import { parameterSpecs, type ParameterSpec } from './parameter-layout.js';

/** Standard normal draws by the Box–Muller transform (two uniforms per pair of normals). */
function fillStandardNormal(out: Float32Array, random: RandomSource): void {
  for (let i = 0; i < out.length; i += 2) {
    const u1 = 1 - random.next(); // (0, 1]: log is finite
    const u2 = random.next();
    const radius = Math.sqrt(-2 * Math.log(u1));
    out[i] = radius * Math.cos(2 * Math.PI * u2);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(2 * Math.PI * u2);
  }
}

function fillUniform(out: Float32Array, bound: number, random: RandomSource): void {
  for (let i = 0; i < out.length; i++) out[i] = (2 * random.next() - 1) * bound;
}

function initialValues(spec: ParameterSpec, config: ResolvedModelConfig, random: RandomSource): Float32Array {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(size);
  switch (spec.init) {
    case 'embedding': {
      fillStandardNormal(out, random);
      const padding = effectivePaddingIndex(config);
      if (padding !== null) out.fill(0, padding * config.dModel, (padding + 1) * config.dModel);
      return out;
    }
    case 'linear-weight':
    case 'linear-bias':
      fillUniform(out, 1 / Math.sqrt(spec.fanIn), random);
      return out;
    case 'ones':
      return out.fill(1);
    case 'zeros':
      return out;
  }
}

/**
 * Initial values of every parameter, in state_dict order. Draw order: embedding, encoder layers,
 * output layer. With `identicalLayers` (xlm-core's behaviour: every layer is a deep copy of one
 * initialised prototype) one layer is drawn and copied into all layers.
 */
export function initialParameterValues(config: ResolvedModelConfig, random: RandomSource, identicalLayers: boolean): Map<string, Float32Array> {
  const values = new Map<string, Float32Array>();
  for (const spec of parameterSpecs(config)) {
    if (identicalLayers && spec.layer !== null && spec.layer > 0) {
      const prototypeName = `encoder.0.${spec.name.slice(`encoder.${spec.layer}.`.length)}`;
      values.set(spec.name, values.get(prototypeName)!.slice());
    } else {
      values.set(spec.name, initialValues(spec, config, random));
    }
  }
  return values;
}
