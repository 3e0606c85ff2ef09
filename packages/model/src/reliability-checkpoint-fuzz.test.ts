// Hostile checkpoints end to end: `RotaryTransformerMLMModel.fromBytes` / `fromPretrained` with fuzzed
// config.json values, truncated or mutated weight files, and state dicts with wrong dtypes, shapes
// or keys. Each either loads (when the input happens to be valid) or throws a clear Error subclass
// (ModelConfigError, CheckpointError, SafetensorsError) naming the field or tensor — never a plain
// Error, a RangeError from an oversized allocation, a crash, a hang, or a leaked tensor.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelConfigError, modelConfigToXlm, parameterCount, resolveModelConfig, type XlmModelConfig } from './model-config.js';
import { parameterSpecs } from './parameter-layout.js';
import { RotaryTransformerMLMModel } from './rotary-transformer-mlm-model.js';
import { SafetensorsError, parseSafetensors, serializeSafetensors, type SafetensorsTensor } from './safetensors.js';
import { CheckpointError } from './state-dict.js';
import { TINY_CONFIG, useBackend } from './test-support.js';
import { fromPretrained, savePretrained } from './pretrained-model.js';

const CLEAR_ERRORS = [ModelConfigError, CheckpointError, SafetensorsError] as const;
const CONFIG_FIELDS = Object.keys(modelConfigToXlm(TINY_CONFIG)) as (keyof XlmModelConfig)[];

let validConfig: XlmModelConfig;
let validWeights: Uint8Array;
let folder: string;

beforeAll(async () => {
  await useBackend('wasm');
  const model = RotaryTransformerMLMModel.create(TINY_CONFIG);
  ({ config: validConfig, weights: validWeights } = model.toBytes());
  model.dispose();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'mlm-model-reliability-'));
});
afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

/**
 * Runs `load`; it must succeed (the model is disposed) or throw one of the clear error classes whose
 * message contains one of `names`. Returns the error, if any. No tensor may be left behind.
 */
async function loadsOrFailsClearly(load: () => RotaryTransformerMLMModel | Promise<RotaryTransformerMLMModel>, names: string[]): Promise<Error | undefined> {
  const before = tf.memory().numTensors;
  let failure: unknown;
  try {
    (await load()).dispose();
  } catch (error) {
    failure = error;
  }
  expect(tf.memory().numTensors).toBe(before);
  if (failure === undefined) return undefined;
  const clear = CLEAR_ERRORS.some((Class) => failure instanceof Class);
  expect(clear, `expected ModelConfigError, CheckpointError or SafetensorsError, got ${String(failure)}\n${(failure as Error).stack ?? ''}`).toBe(true);
  const message = (failure as Error).message;
  expect(
    names.some((name) => message.includes(name)),
    `the message should name one of ${names.join(', ')}: ${message}`,
  ).toBe(true);
  return failure as Error;
}

const hostileNumber = fc.oneof(
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -1, 0, 0.5, -0.5, 1e9, 2 ** 31, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, Number.MIN_VALUE, -(2 ** 31)),
  fc.integer({ min: -4, max: 70 }),
  fc.double({ noDefaultInfinity: false }),
);
const hostileValue = fc.oneof(
  hostileNumber,
  fc.string({ maxLength: 8 }),
  fc.constantFrom(null, true, false, '16', '', 'NaN', [], [16], {}, { value: 16 }),
);

describe('fromBytes with fuzzed config.json values', () => {
  it('one hostile field at a time: loads or names the field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CONFIG_FIELDS), hostileValue, async (field, value) => {
        const config = { ...validConfig, [field]: value };
        await loadsOrFailsClearly(() => RotaryTransformerMLMModel.fromBytes({ config, weights: validWeights }), [field, 'state dict']);
      }),
      { numRuns: 300 },
    );
  });

  it('several hostile fields, missing fields and unknown fields at once: a clear error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom(...CONFIG_FIELDS, 'hidden_size', 'vocab_size'), fc.option(hostileValue, { nil: undefined }), { minKeys: 1, maxKeys: 5 }),
        async (changes) => {
          const config: Record<string, unknown> = { ...validConfig };
          for (const [key, value] of Object.entries(changes)) {
            if (value === undefined) delete config[key];
            else config[key] = value;
          }
          await loadsOrFailsClearly(() => RotaryTransformerMLMModel.fromBytes({ config, weights: validWeights }), [...Object.keys(changes), 'state dict', 'config']);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a huge num_layers or max_length fails fast with the field named (no allocation, no hang)', async () => {
    for (const [field, value] of [
      ['num_layers', 1_000_000_000],
      ['num_layers', 100_000],
      ['max_length', 1_000_000_000],
      ['max_length', 2 ** 40],
      ['num_embeddings', 2 ** 40],
      ['dim_feedforward', 2 ** 40],
    ] as const) {
      const error = await loadsOrFailsClearly(() => RotaryTransformerMLMModel.fromBytes({ config: { ...validConfig, [field]: value }, weights: validWeights }), [field]);
      expect(error, `${field} = ${value} should not load`).toBeDefined();
    }
  });

  it('the size limits count parameters exactly as the model lays them out', () => {
    for (const config of [TINY_CONFIG, { ...TINY_CONFIG, finalLayerWithoutNormalization: true }, { numEmbeddings: 27, dModel: 24, nhead: 3, numLayers: 3, dimFeedforward: 40, rotaryEmbDim: 8 }]) {
      const resolved = resolveModelConfig(config);
      const fromSpecs = parameterSpecs(resolved).reduce((sum, spec) => sum + spec.shape.reduce((a, b) => a * b, 1), 0);
      expect(parameterCount(resolved)).toBe(fromSpecs);
    }
  });

  it('a config that is not an object, or is JSON-hostile, is a ModelConfigError', async () => {
    for (const config of [null, 42, 'config', [validConfig], { __proto__: null }]) {
      await loadsOrFailsClearly(() => RotaryTransformerMLMModel.fromBytes({ config: config as object, weights: validWeights }), ['config', 'expected']);
    }
  });
});

describe('fromBytes with damaged weights', () => {
  it('every truncation of the weight file is a SafetensorsError', async () => {
    const lengths = new Set<number>([0, 1, 7, 8, 9, 16, validWeights.length - 1]);
    for (let length = 0; length < validWeights.length; length += Math.max(1, Math.floor(validWeights.length / 60))) lengths.add(length);
    for (const length of lengths) {
      const error = await loadsOrFailsClearly(() => RotaryTransformerMLMModel.fromBytes({ config: validConfig, weights: validWeights.slice(0, length) }), ['safetensors']);
      expect(error, `a file truncated to ${length} bytes should not load`).toBeInstanceOf(SafetensorsError);
    }
  });

  it('random byte mutations: loads (a changed weight value) or a clear error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: validWeights.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        async (edits) => {
          const bytes = validWeights.slice();
          for (const [index, value] of edits) bytes[index] = value;
          await loadsOrFailsClearly(() => RotaryTransformerMLMModel.fromBytes({ config: validConfig, weights: bytes }), ['safetensors', 'state dict']);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('wrong dtypes, wrong shapes, missing, extra and duplicated tensors name the tensor', async () => {
    const tensors = parseSafetensors(validWeights);
    const keys = [...tensors.keys()];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...keys),
        fc.constantFrom('int-dtype', 'bool-dtype', 'transposed', 'flattened', 'missing', 'extra', 'lightning-duplicate', 'scalar'),
        async (key, damage) => {
          const edited = new Map<string, SafetensorsTensor>(tensors);
          const tensor = tensors.get(key)!;
          const count = tensor.shape.reduce((a, b) => a * b, 1);
          if (damage === 'int-dtype') edited.set(key, { dtype: 'I32', shape: tensor.shape, data: new Int32Array(count) });
          if (damage === 'bool-dtype') edited.set(key, { dtype: 'BOOL', shape: tensor.shape, data: new Uint8Array(count) });
          if (damage === 'transposed') edited.set(key, { ...tensor, shape: [...tensor.shape].reverse() });
          if (damage === 'flattened') edited.set(key, { ...tensor, shape: [count] });
          if (damage === 'scalar') edited.set(key, { dtype: 'F32', shape: [], data: new Float32Array(1) });
          if (damage === 'missing') edited.delete(key);
          if (damage === 'extra') edited.set(`${key}.extra`, tensor);
          if (damage === 'lightning-duplicate') edited.set(`model.${key}`, tensor);
          const weights = serializeSafetensors(edited);
          const error = await loadsOrFailsClearly(() => RotaryTransformerMLMModel.fromBytes({ config: validConfig, weights }), [key]);
          // Reversing or flattening the shape of a vector (or reversing a square matrix) changes nothing.
          const unchanged = (damage === 'transposed' || damage === 'flattened') && JSON.stringify(edited.get(key)!.shape) === JSON.stringify(tensor.shape);
          // The rotary inv_freq buffers are optional (safetensors de-duplicates the one buffer all layers share, so xlm-core's own files may lack them).
          const optional = damage === 'missing' && key.endsWith('.rotary_emb.inv_freq');
          if (unchanged || optional) expect(error).toBeUndefined();
          else expect(error, `${damage} ${key} should not load`).toBeDefined();
        },
      ),
      { numRuns: 120 },
    );
  });
});

describe('fromPretrained with damaged folders', () => {
  function writeCheckpoint(name: string, config: string, weights: Uint8Array): string {
    const directory = path.join(folder, name);
    fs.mkdirSync(directory, { recursive: true });
    fs.writeFileSync(path.join(directory, 'config.json'), config);
    fs.writeFileSync(path.join(directory, 'model.safetensors'), weights);
    return directory;
  }

  it('config.json that is not JSON (NaN, a truncated object, binary) names the file', async () => {
    const texts = ['{"d_model": NaN}', JSON.stringify(validConfig).slice(0, 20), '\u0000\u0001', '', 'null', '[]', '{"d_model": 1e999}'];
    for (const [index, text] of texts.entries()) {
      const directory = writeCheckpoint(`bad-json-${index}`, text, validWeights);
      const error = await loadsOrFailsClearly(() => fromPretrained(directory), ['config.json', 'd_model']);
      expect(error, text).toBeDefined();
    }
  });

  it('fuzzed config.json values and truncated model.safetensors files: loads or names the field / file', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...CONFIG_FIELDS),
        hostileValue,
        fc.option(fc.nat({ max: validWeights.length - 1 }), { nil: undefined }),
        async (field, value, truncateAt) => {
          const config = JSON.stringify({ ...validConfig, [field]: value });
          const weights = truncateAt === undefined ? validWeights : validWeights.slice(0, truncateAt);
          const directory = writeCheckpoint('fuzzed', config, weights);
          const error = await loadsOrFailsClearly(() => fromPretrained(directory), [field, 'model.safetensors', 'state dict']);
          if (truncateAt !== undefined) expect(error).toBeDefined();
        },
      ),
      { numRuns: 80 },
    );
  });
});
