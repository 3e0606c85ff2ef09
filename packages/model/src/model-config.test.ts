import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelConfigError, XLM_CONFIG_NAMES, modelConfigFromXlm, modelConfigToXlm, resolveModelConfig, type ModelConfig } from './model-config.js';
import { PARITY_FIXTURE } from './test-support.js';

const BASE: ModelConfig = { numEmbeddings: 100, dModel: 64, numLayers: 2, nhead: 4, rotaryEmbDim: 16 };

describe('model config', () => {
  it("fills in xlm-core's defaults", () => {
    expect(resolveModelConfig({ numEmbeddings: 10, dModel: 128, numLayers: 1, nhead: 2 })).toEqual({
      numEmbeddings: 10,
      dModel: 128,
      numLayers: 1,
      nhead: 2,
      paddingIdx: 0,
      maskIdx: 1,
      dimFeedforward: 512,
      dropout: 0.1,
      activation: 'relu',
      layerNormEps: 1e-5,
      rotaryEmbDim: 64,
      maxLength: 1024,
      finalLayerWithoutNormalization: false,
      forceFlashAttn: false,
      useFlexAttn: false,
    });
    expect(resolveModelConfig({ ...BASE, activation: 'gelu-tanh' }).activation).toBe('gelu');
    expect(resolveModelConfig({ ...BASE, dimFeedforward: null }).dimFeedforward).toBe(256);
  });

  it.each<[string, Partial<ModelConfig> | Record<string, unknown>, RegExp]>([
    ['d_model not divisible by nhead', { dModel: 30, nhead: 4 }, /dModel = 30: expected a multiple of nhead = 4/],
    ['rotary larger than the head', { rotaryEmbDim: 32 }, /rotaryEmbDim = 32: expected at most the head dimension dModel \/ nhead = 16/],
    ['odd rotary', { rotaryEmbDim: 7 }, /rotaryEmbDim = 7: expected an even number/],
    ['NaN width', { dModel: Number.NaN }, /dModel = NaN: expected an integer ≥ 1/],
    ['fractional layers', { numLayers: 1.5 }, /numLayers = 1.5: expected an integer ≥ 0/],
    ['string heads', { nhead: '4' }, /nhead = "4": expected an integer ≥ 1/],
    ['dropout of 1', { dropout: 1 }, /dropout = 1: expected a number in \[0, 1\)/],
    ['negative dropout', { dropout: -0.1 }, /dropout = -0.1/],
    ['unknown activation', { activation: 'swish' }, /activation = "swish": expected "relu" or "gelu"/],
    ['zero eps', { layerNormEps: 0 }, /layerNormEps = 0: expected a finite number > 0/],
    ['infinite eps', { layerNormEps: Infinity }, /layerNormEps = Infinity/],
    ['padding outside the vocabulary', { paddingIdx: 100 }, /paddingIdx = 100: expected an index in \[-100, 99\]/],
    ['negative max length', { maxLength: -1 }, /maxLength = -1: expected an integer ≥ 0/],
    ['non-boolean flag', { finalLayerWithoutNormalization: 'yes' }, /finalLayerWithoutNormalization = "yes": expected a boolean/],
    ['unknown field', { hiddenSize: 3 }, /unknown field "hiddenSize"/],
  ])('rejects %s with a message naming field, value and expectation', (_label, change, pattern) => {
    expect(() => resolveModelConfig({ ...BASE, ...change } as ModelConfig)).toThrow(ModelConfigError);
    expect(() => resolveModelConfig({ ...BASE, ...change } as ModelConfig)).toThrow(pattern);
  });

  it('reports a missing required field and every problem at once', () => {
    expect(() => resolveModelConfig({ numEmbeddings: 5, dModel: 4, numLayers: 1 } as ModelConfig)).toThrow(/nhead = nothing: expected an integer ≥ 1 \(required\)/);
    expect(() => resolveModelConfig({ ...BASE, dropout: 2, nhead: 0 })).toThrow(/nhead = 0.*; dropout = 2|dropout = 2.*; nhead = 0/);
  });

  it('reads the fixture config.json written from xlm-core and writes it back with the same names', () => {
    const json = JSON.parse(fs.readFileSync(path.join(PARITY_FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>;
    const config = modelConfigFromXlm(json);
    expect(config).toMatchObject({ numEmbeddings: 37, dModel: 32, numLayers: 2, nhead: 4, dimFeedforward: 64, rotaryEmbDim: 8, maxLength: 64 });
    const back = modelConfigToXlm(config) as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(json)) expect(back[key], key).toEqual(value);
    expect(Object.keys(back).sort()).toEqual(XLM_CONFIG_NAMES.map((entry) => entry.xlm).sort());
  });

  it('validates config.json fields by their snake_case names; ignores "_"-prefixed keys', () => {
    const json = { num_embeddings: 37, d_model: 32, num_layers: 2, nhead: 4, rotary_emb_dim: 8 };
    expect(modelConfigFromXlm({ ...json, _target_: 'mlm.RotaryTransformerMLMModel' }).dModel).toBe(32);
    expect(modelConfigFromXlm({ ...json, dim_feedforward: null }).dimFeedforward).toBe(128);
    expect(() => modelConfigFromXlm({ ...json, layer_norm_eps: 'tiny' })).toThrow(/config.json: layer_norm_eps = "tiny": expected a finite number > 0/);
    expect(() => modelConfigFromXlm({ ...json, d_model: 30 })).toThrow(/d_model = 30: expected a multiple of nhead = 4/);
    expect(() => modelConfigFromXlm({ ...json, rotary_emb_dim: 16 })).toThrow(/rotary_emb_dim = 16: expected at most the head dimension d_model \/ nhead = 8/);
    expect(() => modelConfigFromXlm({ ...json, dModel: 32 })).toThrow(/unknown field "dModel"/);
    expect(() => modelConfigFromXlm([1, 2])).toThrow(/expected a JSON object/);
    expect(() => modelConfigFromXlm({ ...json, num_layers: Number.NaN }, 'my.json')).toThrow(/my.json: num_layers = NaN/);
  });
});
