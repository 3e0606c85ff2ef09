import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '@mlm/random';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelConfig } from './model-config.js';
import { createRotaryTransformerMLMModel, type RotaryTransformerMLMModel } from './rotary-transformer-mlm-model.js';
import { BACKENDS, TINY_CONFIG, useBackend } from './test-support.js';

const IDS = [
  [4, 7, 2, 8, 0],
  [3, 3, 9, 1, 5],
];
const MASK = [
  [1, 1, 1, 1, 0],
  [1, 1, 1, 1, 1],
];
const POSITIONS = [
  [0, 1, 2, 3, 0],
  [0, 1, 2, 3, 4],
];

/** Fixed weights that make the scalar objective depend on every logit. */
function objectiveWeights(size: number): Float32Array {
  return createRandom('objective').fill(new Float32Array(size)).map((value) => 2 * value - 1) as Float32Array;
}

interface Setup {
  model: RotaryTransformerMLMModel;
  /** Objective Σ logits ⊙ W as a tensor (for gradients). */
  objective: () => tf.Scalar;
  /** The same objective evaluated in float64 from the logits (for finite differences). */
  objectiveValue: () => number;
}

function makeSetup(config: ModelConfig, training: boolean): Setup {
  const model = createRotaryTransformerMLMModel(config, { random: createRandom(21), identicalLayers: false });
  const weights = objectiveWeights(2 * 5 * config.numEmbeddings);
  const logits = () =>
    model.forward(tf.tensor2d(IDS, undefined, 'int32'), {
      attentionMask: tf.tensor2d(MASK, undefined, 'bool'),
      positions: tf.tensor2d(POSITIONS, undefined, 'int32'),
      training,
      // A fresh generator with a fixed seed: every evaluation draws the same dropout masks.
      random: createRandom('dropout'),
    });
  return {
    model,
    objective: () => tf.tidy(() => tf.sum(tf.mul(logits(), tf.tensor3d(weights, [2, 5, config.numEmbeddings])))) as tf.Scalar,
    objectiveValue: () => {
      const output = tf.tidy(logits);
      const values = output.dataSync();
      output.dispose();
      let total = 0;
      for (let i = 0; i < values.length; i++) total += (values[i] as number) * (weights[i] as number);
      return total;
    },
  };
}

function setElement(variable: tf.Variable, index: number, value: number): void {
  const data = Float32Array.from(variable.dataSync() as Float32Array);
  data[index] = value;
  tf.tidy(() => variable.assign(tf.tensor(data, variable.shape)));
}

/** Central difference with one Richardson step: (4·D(h/2) − D(h)) / 3, error O(h⁴). */
function numericalDerivative(setup: Setup, variable: tf.Variable, index: number, step: number): number {
  const original = (variable.dataSync() as Float32Array)[index] as number;
  const central = (h: number) => {
    setElement(variable, index, original + h);
    const plus = setup.objectiveValue();
    setElement(variable, index, original - h);
    const minus = setup.objectiveValue();
    setElement(variable, index, original);
    // Use the perturbation actually representable in float32.
    return (plus - minus) / (Math.fround(original + h) - Math.fround(original - h));
  };
  return (4 * central(step / 2) - central(step)) / 3;
}

/** One element of every kind of parameter: [name, flat index]. */
const CHECKED: Array<[string, number]> = [
  ['embed_tokens.weight', 4 * 8 + 3], // token 4 is in the input
  ['embed_tokens.weight', 3 * 8 + 0], // token 3 appears twice (gradient accumulation)
  ['encoder.0.norm1.weight', 2],
  ['encoder.0.norm1.bias', 5],
  ['encoder.0.attn_qkv.weight', 3], // q rows
  ['encoder.0.attn_qkv.weight', 8 * 8 + 9], // k rows
  ['encoder.1.attn_qkv.weight', 16 * 8 + 17], // v rows
  ['encoder.1.o_proj.weight', 10],
  ['encoder.0.norm2.weight', 1],
  ['encoder.1.norm2.bias', 6],
  ['encoder.0.mlp.0.weight', 20],
  ['encoder.0.mlp.0.bias', 7],
  ['encoder.1.mlp.2.weight', 33],
  ['encoder.1.mlp.2.bias', 4],
  ['output_layer.norm_final.weight', 0],
  ['output_layer.norm_final.bias', 3],
  ['output_layer.linear.weight', 25],
];

describe.each(BACKENDS)('gradients on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe.each([
    // Smooth: a large step with Richardson extrapolation is accurate and far above float32 noise.
    ['gelu, eval', { activation: 'gelu', dropout: 0 }, false, 2e-2],
    // ReLU has kinks: a smaller step keeps the perturbation from crossing one.
    ['relu, training with dropout', { activation: 'relu', dropout: 0.2 }, true, 2e-3],
  ] as const)('%s', (_label, extra, training, step) => {
    it('match central finite differences for every kind of weight; the padding row gets none', () => {
      const setup = makeSetup({ ...TINY_CONFIG, ...extra }, training);
      const parameters = setup.model.namedParameters();
      const { grads, value } = tf.variableGrads(setup.objective);
      const analytic = new Map(Object.entries(grads).map(([name, tensor]) => [name, tensor.dataSync() as Float32Array]));
      tf.dispose([value, ...Object.values(grads)]);
      const nameOf = (parameterName: string) => parameters.get(parameterName)!.name;

      // Every parameter receives a gradient.
      for (const variable of parameters.values()) expect(analytic.has(variable.name)).toBe(true);

      const failures: string[] = [];
      for (const [name, index] of CHECKED) {
        const exact = analytic.get(nameOf(name))![index] as number;
        const numeric = numericalDerivative(setup, parameters.get(name)!, index, step);
        const tolerance = 2e-3 + 1e-2 * Math.abs(numeric);
        if (!(Math.abs(exact - numeric) <= tolerance)) failures.push(`${name}[${index}]: analytic ${exact}, numeric ${numeric}`);
        // Guard against a vacuous check: the chosen elements have a real gradient.
        if (Math.abs(numeric) < 1e-3) failures.push(`${name}[${index}]: gradient too small to test (${numeric})`);
      }
      expect(failures).toEqual([]);

      // Padding row (token 0 is in the input, so the row does influence the output) gets exactly zero.
      const embeddingGrad = analytic.get(nameOf('embed_tokens.weight'))!;
      expect(Array.from(embeddingGrad.subarray(0, 8))).toEqual(new Array(8).fill(0));
      expect(Math.abs(numericalDerivative(setup, parameters.get('embed_tokens.weight')!, 1, step))).toBeGreaterThan(1e-3);
      // Rows of tokens absent from the input get zero as well.
      expect(Array.from(embeddingGrad.subarray(6 * 8, 7 * 8))).toEqual(new Array(8).fill(0));
      setup.model.dispose();
    });
  });

  it('forwardAt gives the same gradients as forward restricted to the same rows (duplicates included)', () => {
    const model = createRotaryTransformerMLMModel({ ...TINY_CONFIG, activation: 'gelu' }, { random: createRandom(8) });
    const rows = [1, 7, 7, 3];
    const rowWeights = objectiveWeights(rows.length * 11);
    const fullWeights = new Float32Array(10 * 11);
    rows.forEach((row, n) => {
      for (let v = 0; v < 11; v++) fullWeights[row * 11 + v]! += rowWeights[n * 11 + v]!;
    });
    const inputs = () => ({
      ids: tf.tensor2d(IDS, undefined, 'int32'),
      options: { attentionMask: tf.tensor2d(MASK, undefined, 'bool'), positions: tf.tensor2d(POSITIONS, undefined, 'int32') },
    });
    const viaAt = tf.variableGrads(() => {
      const { ids, options } = inputs();
      return tf.sum(tf.mul(model.forwardAt(ids, options, tf.tensor1d(rows, 'int32')), tf.tensor2d(rowWeights, [rows.length, 11])));
    });
    const viaFull = tf.variableGrads(() => {
      const { ids, options } = inputs();
      return tf.sum(tf.mul(model.forward(ids, options), tf.tensor3d(fullWeights, [2, 5, 11])));
    });
    expect(viaAt.value.dataSync()[0]).toBeCloseTo(viaFull.value.dataSync()[0]!, 4);
    for (const [name, gradient] of Object.entries(viaFull.grads)) {
      const a = viaAt.grads[name]!.dataSync();
      const b = gradient.dataSync();
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
      expect(worst, name).toBeLessThan(1e-4);
    }
    tf.dispose([viaAt.value, viaFull.value, ...Object.values(viaAt.grads), ...Object.values(viaFull.grads)]);
    model.dispose();
  });

  it('leaks no tensor: forward, and training forward + backward with the gradients disposed', () => {
    const model = createRotaryTransformerMLMModel({ ...TINY_CONFIG, dropout: 0.1 }, { random: createRandom(2) });
    const ids = tf.tensor2d(IDS, undefined, 'int32');
    const attentionMask = tf.tensor2d(MASK, undefined, 'bool');
    const positions = tf.tensor2d(POSITIONS, undefined, 'int32');
    const flat = tf.tensor1d([0, 3, 9], 'int32');
    const before = tf.memory().numTensors;

    const logits = model.forward(ids, { attentionMask, positions });
    expect(tf.memory().numTensors).toBe(before + 1);
    logits.dispose();
    expect(tf.memory().numTensors).toBe(before);

    const random = createRandom(4);
    for (let step = 0; step < 2; step++) {
      const { value, grads } = tf.variableGrads(() =>
        tf.mean(model.forwardAt(ids, { attentionMask, positions, training: true, random }, flat)),
      );
      tf.dispose([value, ...Object.values(grads)]);
      model.afterUpdate();
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([ids, attentionMask, positions, flat]);
    model.dispose();
  });

  it('afterUpdate puts a disturbed padding row back to zero and leaves the rest', () => {
    const model = createRotaryTransformerMLMModel(TINY_CONFIG, { random: createRandom(6) });
    const embedding = model.namedParameters().get('embed_tokens.weight')!;
    const original = Float32Array.from(embedding.dataSync() as Float32Array);
    tf.tidy(() => embedding.assign(tf.add(embedding, 0.5)));
    model.afterUpdate();
    const after = embedding.dataSync() as Float32Array;
    expect(Array.from(after.subarray(0, 8))).toEqual(new Array(8).fill(0));
    expect(after[8]).toBeCloseTo(original[8]! + 0.5, 6);
    model.dispose();
  });
});
