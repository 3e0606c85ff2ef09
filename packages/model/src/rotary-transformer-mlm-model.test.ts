import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '@mlm/random';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelConfigFromXlm, type ModelConfig } from './model-config.js';
import { parameterSpecs } from './parameter-layout.js';
import { resolveModelConfig } from './model-config.js';
import { RotaryTransformerMLMModel, createRotaryTransformerMLMModel } from './rotary-transformer-mlm-model.js';
import { readSafetensorsFile } from './safetensors-file.js';
import type { SafetensorsTensor } from './safetensors.js';
import { BACKENDS, PARITY_FIXTURE, TINY_CONFIG, maxAbs, maxAbsDifference, readParityInputs, useBackend } from './test-support.js';
import { fromPretrained, savePretrained } from './pretrained-model.js';

/** Deterministic weights whose outputs were computed with xlm-core's PyTorch code: w = 0.5·sin(0.37·(i+1)·(j+1)), LayerNorm weights 1 + 0.1·sin(…), float64 → float32. */
function goldenStateDict(config: ModelConfig): Map<string, SafetensorsTensor> {
  const out = new Map<string, SafetensorsTensor>();
  parameterSpecs(resolveModelConfig(config)).forEach((spec, j) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    const isNormWeight = spec.name.includes('norm') && spec.name.endsWith('weight');
    for (let i = 0; i < size; i++) {
      const wave = Math.sin(0.37 * (i + 1) * (j + 1));
      data[i] = isNormWeight ? 1 + 0.1 * wave : 0.5 * wave;
    }
    out.set(spec.name, { dtype: 'F32', shape: spec.shape, data });
  });
  return out;
}

const GOLDEN_CONFIG: ModelConfig = { ...TINY_CONFIG, activation: 'relu', layerNormEps: 1e-5, paddingIdx: 0 };

function argmaxRows(values: Float32Array, rows: number, width: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < width; c++) if ((values[r * width + c] as number) > (values[r * width + best] as number)) best = c;
    out.push(best);
  }
  return out;
}

describe.each(BACKENDS)('RotaryTransformerMLMModel on %s', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  describe('parity with xlm-core (fixture xlm-parity/basic)', () => {
    let model: RotaryTransformerMLMModel;
    beforeAll(async () => {
      model = await fromPretrained(PARITY_FIXTURE);
    });
    afterAll(() => model.dispose());

    it('reproduces the logits PyTorch computed', async () => {
      const inputs = readParityInputs();
      const expected = (await readSafetensorsFile(path.join(PARITY_FIXTURE, 'expected.safetensors'))).get('logits')!;
      const before = tf.memory().numTensors;
      const logits = tf.tidy(() =>
        model.forward(tf.tensor2d(inputs.input_ids, undefined, 'int32'), {
          attentionMask: tf.tensor2d(inputs.attention_mask, undefined, 'bool'),
          positions: tf.tensor2d(inputs.positions, undefined, 'int32'),
        }),
      );
      expect(logits.shape).toEqual(expected.shape);
      const actual = (await logits.data()) as Float32Array;
      logits.dispose();
      expect(tf.memory().numTensors).toBe(before);
      const error = maxAbsDifference(actual, expected.data as Float32Array);
      const scale = Math.max(1, maxAbs(expected.data as Float32Array));
      console.info(`[parity] ${backend}: max |logit error| = ${error.toExponential(3)} (max |logit| = ${maxAbs(expected.data as Float32Array).toFixed(3)})`);
      expect(error).toBeLessThanOrEqual(1e-4 * scale);
    });

    it('forwardAt gives the same rows as forward', async () => {
      const inputs = readParityInputs();
      const rows = [0, 5, 13, 35, 20];
      const [full, selected] = tf.tidy(() => {
        const ids = tf.tensor2d(inputs.input_ids, undefined, 'int32');
        const options = {
          attentionMask: tf.tensor2d(inputs.attention_mask, undefined, 'bool'),
          positions: tf.tensor2d(inputs.positions, undefined, 'int32'),
        };
        return [model.forward(ids, options), model.forwardAt(ids, options, tf.tensor1d(rows, 'int32'))];
      });
      expect(selected.shape).toEqual([rows.length, 37]);
      const fullData = (await full.data()) as Float32Array;
      const selectedData = (await selected.data()) as Float32Array;
      tf.dispose([full, selected]);
      rows.forEach((row, n) => {
        expect(maxAbsDifference(selectedData.subarray(n * 37, (n + 1) * 37), fullData.subarray(row * 37, (row + 1) * 37))).toBeLessThan(1e-5);
      });
    });

    it('accepts an int32 0/1 mask like a bool mask, and a 3-D mask equal to the broadcast 2-D one', async () => {
      const inputs = readParityInputs();
      const [fromBool, fromInt, from3d] = tf.tidy(() => {
        const ids = tf.tensor2d(inputs.input_ids, undefined, 'int32');
        const positions = tf.tensor2d(inputs.positions, undefined, 'int32');
        const boolMask = tf.tensor2d(inputs.attention_mask, undefined, 'bool');
        const cube = tf.tile(tf.expandDims(boolMask, 1), [1, 12, 1]);
        return [
          model.forward(ids, { attentionMask: boolMask, positions }),
          model.forward(ids, { attentionMask: tf.tensor2d(inputs.attention_mask, undefined, 'int32'), positions }),
          model.forward(ids, { attentionMask: cube, positions }),
        ];
      });
      const reference = await fromBool.data();
      expect(Array.from(await fromInt.data())).toEqual(Array.from(reference));
      expect(Array.from(await from3d.data())).toEqual(Array.from(reference));
      tf.dispose([fromBool, fromInt, from3d]);
    });
  });

  describe('golden numbers of xlm-core\'s PyTorch code (deterministic weights)', () => {
    let model: RotaryTransformerMLMModel;
    beforeAll(() => {
      model = RotaryTransformerMLMModel.fromStateDict(GOLDEN_CONFIG, goldenStateDict(GOLDEN_CONFIG));
    });
    afterAll(() => model.dispose());

    it('matches logits, their sum and the argmax with the padding mask', async () => {
      const logits = tf.tidy(() =>
        model.forward(tf.tensor2d([[4, 7, 2, 8, 3, 0]], undefined, 'int32'), {
          attentionMask: tf.tensor2d([[1, 1, 1, 1, 1, 0]], undefined, 'bool'),
          positions: tf.tensor2d([[0, 1, 2, 3, 4, 0]], undefined, 'int32'),
        }),
      );
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      const row = (i: number) => values.subarray(i * 11, (i + 1) * 11);
      const expected0 = [-0.04495, 0.92826, -0.5989, -0.51285, 0.95462, -0.14929, -0.85107, 0.73961, 0.33807, -0.9741, 0.33758];
      const expected2 = [0.03043, 0.86702, -0.6318, -0.42879, 0.92922, -0.21573, -0.77958, 0.75646, 0.25489, -0.93326, 0.39243];
      expect(maxAbsDifference(row(0), expected0)).toBeLessThan(1e-4);
      expect(maxAbsDifference(row(2), expected2)).toBeLessThan(1e-4);
      const sum = Array.from(values.subarray(0, 5 * 11)).reduce((a, b) => a + b, 0);
      expect(Math.abs(sum - 1.7727)).toBeLessThan(1e-3);
      expect(argmaxRows(values, 6, 11)).toEqual([4, 7, 4, 4, 7, 4]);
    });

    it('matches logits[0,5] with an all-true mask and positions 0..5', async () => {
      const logits = tf.tidy(() =>
        model.forward(tf.tensor2d([[4, 7, 2, 8, 3, 0]], undefined, 'int32'), {
          attentionMask: tf.ones([1, 6], 'bool'),
          positions: tf.tensor2d([[0, 1, 2, 3, 4, 5]], undefined, 'int32'),
        }),
      );
      const values = (await logits.data()) as Float32Array;
      logits.dispose();
      const expected5 = [0.09682, 0.72162, -0.59735, -0.30729, 0.81049, -0.25488, -0.63371, 0.69443, 0.15204, -0.79988, 0.40277];
      expect(maxAbsDifference(values.subarray(5 * 11, 6 * 11), expected5)).toBeLessThan(1e-4);
    });

    it('an absent mask equals an all-true mask', async () => {
      const [withMask, without] = tf.tidy(() => {
        const ids = tf.tensor2d([[4, 7, 2, 8, 3, 0]], undefined, 'int32');
        const positions = tf.tensor2d([[0, 1, 2, 3, 4, 5]], undefined, 'int32');
        return [model.forward(ids, { attentionMask: tf.ones([1, 6], 'bool'), positions }), model.forward(ids, { positions })];
      });
      expect(Array.from(await without.data())).toEqual(Array.from(await withMask.data()));
      tf.dispose([withMask, without]);
    });
  });

  describe('behaviour', () => {
    it('a fully masked query row gives finite logits, and real rows are unaffected by it', async () => {
      const model = RotaryTransformerMLMModel.fromStateDict(GOLDEN_CONFIG, goldenStateDict(GOLDEN_CONFIG));
      const [cubeOut, plainOut] = tf.tidy(() => {
        const ids = tf.tensor2d([[4, 7, 2, 8, 3, 0]], undefined, 'int32');
        const positions = tf.tensor2d([[0, 1, 2, 3, 4, 0]], undefined, 'int32');
        const keys = [1, 1, 1, 1, 1, 0];
        const cube = [[0, 1, 2, 3, 4, 5].map((query) => (query === 5 ? [0, 0, 0, 0, 0, 0] : keys))];
        return [
          model.forward(ids, { attentionMask: tf.tensor3d(cube, undefined, 'bool'), positions }),
          model.forward(ids, { attentionMask: tf.tensor2d([keys], undefined, 'bool'), positions }),
        ];
      });
      const cubeValues = (await cubeOut.data()) as Float32Array;
      const plainValues = (await plainOut.data()) as Float32Array;
      tf.dispose([cubeOut, plainOut]);
      model.dispose();
      expect(cubeValues.every(Number.isFinite)).toBe(true);
      expect(maxAbsDifference(cubeValues.subarray(0, 5 * 11), plainValues.subarray(0, 5 * 11))).toBeLessThan(1e-6);
    });

    it('training mode applies seeded dropout: same seed, same logits; eval mode is deterministic', async () => {
      const model = createRotaryTransformerMLMModel({ ...TINY_CONFIG, dropout: 0.3 }, { random: createRandom(3) });
      const run = (training: boolean, seed: number) =>
        tf.tidy(() =>
          model.forward(tf.tensor2d([[4, 7, 2, 8, 3]], undefined, 'int32'), {
            positions: tf.tensor2d([[0, 1, 2, 3, 4]], undefined, 'int32'),
            training,
            random: createRandom(seed),
          }),
        );
      const outputs = [run(true, 1), run(true, 1), run(true, 2), run(false, 1), run(false, 2)];
      const [a, b, c, evalA, evalB] = await Promise.all(outputs.map(async (tensor) => Array.from(await tensor.data())));
      tf.dispose(outputs);
      model.dispose();
      expect(a).toEqual(b);
      expect(a).not.toEqual(c);
      expect(a).not.toEqual(evalA);
      expect(evalA).toEqual(evalB);
    });

    it('gelu and no final LayerNorm run and differ from relu', async () => {
      const make = (extra: Partial<ModelConfig>) => createRotaryTransformerMLMModel({ ...TINY_CONFIG, ...extra }, { random: createRandom(5) });
      const models = [make({}), make({ activation: 'gelu' }), make({ activation: 'gelu-tanh' }), make({ finalLayerWithoutNormalization: true })];
      expect(models[2]!.config.activation).toBe('gelu');
      expect([...models[3]!.namedParameters().keys()].some((name) => name.includes('norm_final'))).toBe(false);
      const outputs = models.map((model) =>
        tf.tidy(() =>
          model.forward(tf.tensor2d([[1, 2, 3]], undefined, 'int32'), { positions: tf.tensor2d([[0, 1, 2]], undefined, 'int32') }),
        ),
      );
      const [relu, gelu, geluAlias, noNorm] = await Promise.all(outputs.map(async (tensor) => Array.from(await tensor.data())));
      tf.dispose(outputs);
      models.forEach((model) => model.dispose());
      expect(gelu).toEqual(geluAlias);
      expect(relu).not.toEqual(gelu);
      expect(relu).not.toEqual(noNorm);
    });

    it('partial rotary (r < head dim) is supported', async () => {
      const model = createRotaryTransformerMLMModel({ ...TINY_CONFIG, dModel: 16, nhead: 2, rotaryEmbDim: 4 }, { random: createRandom(1) });
      const logits = tf.tidy(() =>
        model.forward(tf.tensor2d([[1, 2, 3]], undefined, 'int32'), { positions: tf.tensor2d([[0, 1, 2]], undefined, 'int32') }),
      );
      expect(logits.shape).toEqual([1, 3, 11]);
      expect(Array.from(await logits.data()).every(Number.isFinite)).toBe(true);
      logits.dispose();
      model.dispose();
    });

    it('rejects bad inputs before any tensor work, naming the input', () => {
      const model = createRotaryTransformerMLMModel(TINY_CONFIG);
      const dropoutModel = createRotaryTransformerMLMModel({ ...TINY_CONFIG, dropout: 0.1 });
      const ids = tf.tensor2d([[1, 2, 3]], undefined, 'int32');
      const positions = tf.tensor2d([[0, 1, 2]], undefined, 'int32');
      const bad = {
        idTooLarge: tf.tensor2d([[1, 11, 3]], undefined, 'int32'),
        idNegative: tf.tensor2d([[1, -1, 3]], undefined, 'int32'),
        positionTooLarge: tf.tensor2d([[0, 1, 17]], undefined, 'int32'),
        positionsShort: tf.tensor2d([[0, 1]], undefined, 'int32'),
        positionsFloat: tf.tensor2d([[0, 1, 2]], undefined, 'float32'),
        idsFloat: tf.tensor2d([[1, 2, 3]]) as tf.Tensor2D,
        idsRank1: tf.tensor1d([1, 2, 3], 'int32') as unknown as tf.Tensor2D,
        maskWide: tf.ones([1, 4], 'bool'),
        flatOutside: tf.tensor1d([3], 'int32'),
      };
      const before = tf.memory().numTensors;
      expect(() => model.forward(bad.idTooLarge, { positions })).toThrow(/inputIds\[0, 1\] = 11: expected a token id in \[0, 10\]/);
      expect(() => model.forward(bad.idNegative, { positions })).toThrow(/inputIds\[0, 1\] = -1/);
      expect(() => model.forward(ids, { positions: bad.positionTooLarge })).toThrow(/positions\[0, 2\] = 17: expected a position in \[0, 16\]/);
      expect(() => model.forward(ids, { positions: bad.positionsShort })).toThrow(/positions: expected shape \[1, 3\]/);
      expect(() => model.forward(ids, { positions: bad.positionsFloat })).toThrow(/positions: expected dtype int32/);
      expect(() => model.forward(bad.idsFloat, { positions })).toThrow(/inputIds: expected dtype int32, got float32/);
      expect(() => model.forward(bad.idsRank1, { positions })).toThrow(/inputIds: expected rank 2/);
      expect(() => model.forward(ids, { positions, attentionMask: bad.maskWide })).toThrow(/attentionMask: expected shape \[1, 3\] .* or \[1, 3, 3\]/);
      expect(() => model.forward(ids, {} as never)).toThrow(/options.positions: expected a tf.Tensor/);
      expect(() => model.forwardAt(ids, { positions }, bad.flatOutside)).toThrow(/flatPositions\[0\] = 3: expected a flattened position/);
      expect(() => dropoutModel.forward(ids, { positions, training: true })).toThrow(/options.random: required in training mode/);
      // No tensor was created (nor leaked) by the rejected calls.
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([ids, positions, ...Object.values(bad)]);
      model.dispose();
      dropoutModel.dispose();
    });
  });
});

describe('construction (backend-independent)', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('uses the PyTorch names and shapes, in state_dict order', () => {
    const model = createRotaryTransformerMLMModel({ ...TINY_CONFIG, numLayers: 1 });
    const shapes = [...model.namedParameters()].map(([name, variable]) => `${name} ${JSON.stringify(variable.shape)}`);
    expect(shapes).toEqual([
      'embed_tokens.weight [11,8]',
      'encoder.0.norm1.weight [8]',
      'encoder.0.norm1.bias [8]',
      'encoder.0.attn_qkv.weight [24,8]',
      'encoder.0.o_proj.weight [8,8]',
      'encoder.0.norm2.weight [8]',
      'encoder.0.norm2.bias [8]',
      'encoder.0.mlp.0.weight [16,8]',
      'encoder.0.mlp.0.bias [16]',
      'encoder.0.mlp.2.weight [8,16]',
      'encoder.0.mlp.2.bias [8]',
      'output_layer.norm_final.weight [8]',
      'output_layer.norm_final.bias [8]',
      'output_layer.linear.weight [11,8]',
    ]);
    expect(model.countParameters()).toBe(11 * 8 + 8 + 8 + 24 * 8 + 64 + 8 + 8 + 128 + 16 + 128 + 8 + 8 + 8 + 88);
    model.dispose();
  });

  it('splits parameters for weight decay as xlm-core does (no decay on names with bias or norm)', () => {
    const model = createRotaryTransformerMLMModel(TINY_CONFIG);
    const decay = model.getNamedParamsForWeightDecay();
    const noDecay = model.getNamedParamsForNoWeightDecay();
    expect(decay).toEqual([
      'embed_tokens.weight',
      'encoder.0.attn_qkv.weight',
      'encoder.0.o_proj.weight',
      'encoder.0.mlp.0.weight',
      'encoder.0.mlp.2.weight',
      'encoder.1.attn_qkv.weight',
      'encoder.1.o_proj.weight',
      'encoder.1.mlp.0.weight',
      'encoder.1.mlp.2.weight',
      'output_layer.linear.weight',
    ]);
    expect(noDecay).toEqual([
      'encoder.0.norm1.weight',
      'encoder.0.norm1.bias',
      'encoder.0.norm2.weight',
      'encoder.0.norm2.bias',
      'encoder.0.mlp.0.bias',
      'encoder.0.mlp.2.bias',
      'encoder.1.norm1.weight',
      'encoder.1.norm1.bias',
      'encoder.1.norm2.weight',
      'encoder.1.norm2.bias',
      'encoder.1.mlp.0.bias',
      'encoder.1.mlp.2.bias',
      'output_layer.norm_final.weight',
      'output_layer.norm_final.bias',
    ]);
    expect(decay.filter((name) => noDecay.includes(name))).toEqual([]);
    expect(new Set([...decay, ...noDecay])).toEqual(new Set(model.namedParameters().keys()));
    model.dispose();
  });

  it('initialises like PyTorch: N(0,1) embedding with a zero padding row, U(±1/√fan_in) Linears, LayerNorm 1/0', () => {
    const config = { ...TINY_CONFIG, numEmbeddings: 200, dModel: 32, nhead: 4, dimFeedforward: 64, rotaryEmbDim: 8 };
    const model = createRotaryTransformerMLMModel(config, { random: createRandom(11) });
    const state = model.stateDict();
    const values = (name: string) => Array.from(state.get(name)!.data as Float32Array);
    const embedding = values('embed_tokens.weight');
    expect(embedding.slice(0, 32).every((value) => value === 0)).toBe(true);
    const rest = embedding.slice(32);
    const mean = rest.reduce((a, b) => a + b, 0) / rest.length;
    const variance = rest.reduce((a, b) => a + (b - mean) ** 2, 0) / rest.length;
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.06);
    const qkv = values('encoder.0.attn_qkv.weight');
    expect(Math.max(...qkv.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(32));
    expect(Math.max(...qkv.map(Math.abs))).toBeGreaterThan(0.9 / Math.sqrt(32));
    const mlp2 = values('encoder.0.mlp.2.weight');
    expect(Math.max(...mlp2.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(64));
    expect(Math.max(...values('encoder.0.mlp.2.bias').map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(64));
    expect(values('encoder.0.norm1.weight').every((value) => value === 1)).toBe(true);
    expect(values('output_layer.norm_final.bias').every((value) => value === 0)).toBe(true);
    model.dispose();
  });

  it('is deterministic per seed; identicalLayers gives equal layers, false gives distinct ones', () => {
    const weights = (seed: number, identicalLayers?: boolean) => {
      const model = createRotaryTransformerMLMModel(TINY_CONFIG, { random: createRandom(seed), ...(identicalLayers === undefined ? {} : { identicalLayers }) });
      const state = model.stateDict();
      model.dispose();
      return new Map([...state].map(([name, tensor]) => [name, Array.from(tensor.data as Float32Array)]));
    };
    const a = weights(1);
    expect(weights(1)).toEqual(a);
    expect(weights(2).get('embed_tokens.weight')).not.toEqual(a.get('embed_tokens.weight'));
    for (const name of ['attn_qkv.weight', 'o_proj.weight', 'mlp.0.weight', 'mlp.0.bias', 'mlp.2.weight', 'mlp.2.bias']) {
      expect(a.get(`encoder.1.${name}`)).toEqual(a.get(`encoder.0.${name}`));
    }
    const independent = weights(1, false);
    expect(independent.get('encoder.1.attn_qkv.weight')).not.toEqual(independent.get('encoder.0.attn_qkv.weight'));
  });

  it('padding_idx: negative counts from the end, null means no padding row', () => {
    const negative = createRotaryTransformerMLMModel({ ...TINY_CONFIG, paddingIdx: -1 }, { random: createRandom(1) });
    expect(negative.paddingIndex).toBe(10);
    const lastRow = Array.from(negative.stateDict().get('embed_tokens.weight')!.data as Float32Array).slice(80);
    expect(lastRow.every((value) => value === 0)).toBe(true);
    negative.dispose();
    const none = createRotaryTransformerMLMModel({ ...TINY_CONFIG, paddingIdx: null }, { random: createRandom(1) });
    expect(none.paddingIndex).toBeNull();
    expect(Array.from(none.stateDict().get('embed_tokens.weight')!.data as Float32Array).slice(0, 8).some((value) => value !== 0)).toBe(true);
    none.dispose();
  });

  it('stores forceFlashAttn / useFlexAttn without effect, and reads the fixture config', () => {
    const model = createRotaryTransformerMLMModel({ ...TINY_CONFIG, forceFlashAttn: true, useFlexAttn: true });
    expect(model.config.forceFlashAttn).toBe(true);
    expect(model.config.useFlexAttn).toBe(true);
    model.dispose();
    expect(modelConfigFromXlm({ num_embeddings: 5, d_model: 4, num_layers: 1, nhead: 1, rotary_emb_dim: 4 }).dimFeedforward).toBe(16);
  });

  it('cannot be used after dispose', () => {
    const model = createRotaryTransformerMLMModel(TINY_CONFIG);
    const before = tf.memory().numTensors;
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    expect(() => model.namedParameters()).toThrow(/disposed/);
  });
});
