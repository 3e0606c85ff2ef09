import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '@mlm/random';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { float32ToBfloat16, float32ToFloat16, float16ToFloat32, bfloat16ToFloat32 } from './float16.js';
import { RotaryTransformerMLMModel, createRotaryTransformerMLMModel } from './rotary-transformer-mlm-model.js';
import { parseSafetensors, serializeSafetensors, type SafetensorsTensor } from './safetensors.js';
import { readSafetensorsFile } from './safetensors-file.js';
import { BACKENDS, PARITY_FIXTURE, TINY_CONFIG, maxAbsDifference, readParityInputs, useBackend } from './test-support.js';
import { fromPretrained, savePretrained } from './pretrained-model.js';

const FIXTURE_WEIGHTS = path.join(PARITY_FIXTURE, 'model.safetensors');
const FIXTURE_CONFIG = JSON.parse(fs.readFileSync(path.join(PARITY_FIXTURE, 'config.json'), 'utf8')) as Record<string, unknown>;

function temporaryFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'mlm-model-'));
}

function writeFolder(folder: string, files: Record<string, Uint8Array | string>): void {
  fs.mkdirSync(folder, { recursive: true });
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(folder, name), content);
}

function sameBytes(a: SafetensorsTensor, b: SafetensorsTensor): boolean {
  const bytesA = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const bytesB = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return a.dtype === b.dtype && JSON.stringify(a.shape) === JSON.stringify(b.shape) && bytesA.length === bytesB.length && bytesA.every((x, i) => x === bytesB[i]);
}

function logitsOf(model: RotaryTransformerMLMModel): Float32Array {
  const inputs = readParityInputs();
  const logits = tf.tidy(() =>
    model.forward(tf.tensor2d(inputs.input_ids, undefined, 'int32'), {
      attentionMask: tf.tensor2d(inputs.attention_mask, undefined, 'bool'),
      positions: tf.tensor2d(inputs.positions, undefined, 'int32'),
    }),
  );
  const values = logits.dataSync() as Float32Array;
  logits.dispose();
  return values;
}

describe.each(BACKENDS)('checkpoint interchange on %s', (backend) => {
  let fixture: Map<string, SafetensorsTensor>;
  let folder: string;
  beforeAll(async () => {
    await useBackend(backend);
    fixture = await readSafetensorsFile(FIXTURE_WEIGHTS);
    folder = temporaryFolder();
  });
  afterAll(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('fromPretrained → savePretrained → fromPretrained keeps every tensor byte for byte', async () => {
    const before = tf.memory().numTensors;
    const model = await fromPretrained(PARITY_FIXTURE);
    const out = path.join(folder, 'round-trip');
    await savePretrained(model, out);
    expect(fs.readdirSync(out).sort()).toEqual(['config.json', 'model.safetensors']);

    const written = await readSafetensorsFile(path.join(out, 'model.safetensors'));
    expect(written.metadata).toEqual({ format: 'pt' });
    expect([...written.keys()]).toEqual([...fixture.keys()]); // same keys, same (state_dict) order, inv_freq included
    for (const [key, tensor] of fixture) expect(sameBytes(written.get(key)!, tensor), key).toBe(true);

    const writtenConfig = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
    for (const [key, value] of Object.entries(FIXTURE_CONFIG)) expect(writtenConfig[key], key).toEqual(value);

    const reloaded = await fromPretrained(out);
    const again = reloaded.stateDict();
    for (const [key, tensor] of fixture) expect(sameBytes(again.get(key)!, tensor), key).toBe(true);
    expect(Array.from(logitsOf(reloaded))).toEqual(Array.from(logitsOf(model)));
    model.dispose();
    reloaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('toBytes / fromBytes round-trip in memory (no fs)', () => {
    const model = createRotaryTransformerMLMModel(TINY_CONFIG, { random: createRandom(9) });
    const { config, weights } = model.toBytes();
    expect(config.num_embeddings).toBe(11);
    const copy = RotaryTransformerMLMModel.fromBytes({ config, weights });
    const original = model.stateDict();
    for (const [key, tensor] of copy.stateDict()) expect(sameBytes(tensor, original.get(key)!), key).toBe(true);
    // A camelCase config is accepted too.
    const fromCamel = RotaryTransformerMLMModel.fromBytes({ config: TINY_CONFIG, weights });
    expect(fromCamel.config.dModel).toBe(8);
    [model, copy, fromCamel].forEach((m) => m.dispose());
  });

  it('loads F16 and BF16 checkpoints (converted to float32)', () => {
    for (const [dtype, encode, decode] of [
      ['F16', float32ToFloat16, float16ToFloat32],
      ['BF16', float32ToBfloat16, bfloat16ToFloat32],
    ] as const) {
      const converted = new Map<string, SafetensorsTensor>();
      for (const [key, tensor] of fixture) converted.set(key, { dtype, shape: tensor.shape, data: encode(tensor.data as Float32Array) });
      const model = RotaryTransformerMLMModel.fromBytes({ config: FIXTURE_CONFIG, weights: serializeSafetensors(converted) });
      const loaded = model.stateDict().get('encoder.1.mlp.0.weight')!.data as Float32Array;
      expect(Array.from(loaded)).toEqual(Array.from(decode(converted.get('encoder.1.mlp.0.weight')!.data as Uint16Array)));
      const error = maxAbsDifference(loaded, fixture.get('encoder.1.mlp.0.weight')!.data as Float32Array);
      expect(error).toBeGreaterThan(0);
      expect(error).toBeLessThan(dtype === 'F16' ? 1e-3 : 1e-2);
      model.dispose();
    }
  });

  it('loads sharded checkpoints (model.safetensors.index.json)', async () => {
    const keys = [...fixture.keys()];
    const half = Math.floor(keys.length / 2);
    const shardA = new Map(keys.slice(0, half).map((key) => [key, fixture.get(key)!]));
    const shardB = new Map(keys.slice(half).map((key) => [key, fixture.get(key)!]));
    const weightMap = Object.fromEntries(keys.map((key, index) => [key, index < half ? 'model-00001-of-00002.safetensors' : 'model-00002-of-00002.safetensors']));
    const sharded = path.join(folder, 'sharded');
    writeFolder(sharded, {
      'config.json': JSON.stringify(FIXTURE_CONFIG),
      'model-00001-of-00002.safetensors': serializeSafetensors(shardA),
      'model-00002-of-00002.safetensors': serializeSafetensors(shardB),
      'model.safetensors.index.json': JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }),
    });
    const model = await fromPretrained(sharded);
    for (const [key, tensor] of model.stateDict()) expect(sameBytes(tensor, fixture.get(key)!), key).toBe(true);
    model.dispose();
    // In memory: several shards.
    const inMemory = RotaryTransformerMLMModel.fromBytes({ config: FIXTURE_CONFIG, weights: [serializeSafetensors(shardA), serializeSafetensors(shardB)] });
    inMemory.dispose();
    // A weight_map pointing outside the folder is refused.
    writeFolder(sharded, { 'model.safetensors.index.json': JSON.stringify({ weight_map: { 'embed_tokens.weight': '../x.safetensors' } }) });
    await expect(fromPretrained(sharded)).rejects.toThrow(/weight_map\["embed_tokens.weight"\] = "..\/x.safetensors": expected a file name/);
    // The same key in two shards is refused.
    expect(() => RotaryTransformerMLMModel.fromBytes({ config: FIXTURE_CONFIG, weights: [serializeSafetensors(fixture), serializeSafetensors(shardB)] })).toThrow(
      /appears in both weights\[0\] and weights\[1\]/,
    );
  });

  it('accepts Lightning "model." prefixes, drops legacy keys, and inv_freq may be absent', () => {
    const lightning = new Map<string, SafetensorsTensor>();
    for (const [key, tensor] of fixture) if (!key.endsWith('inv_freq')) lightning.set(`model.${key}`, tensor);
    lightning.set('model.encoder.0.rotary_emb.sin', { dtype: 'F32', shape: [2], data: new Float32Array(2) });
    lightning.set('model.encoder.1.rotary_emb.cos', { dtype: 'F32', shape: [2], data: new Float32Array(2) });
    lightning.set('predictor.model.embed_tokens.weight', fixture.get('embed_tokens.weight')!);
    const model = RotaryTransformerMLMModel.fromBytes({ config: FIXTURE_CONFIG, weights: serializeSafetensors(lightning) });
    const reference = RotaryTransformerMLMModel.fromBytes({ config: FIXTURE_CONFIG, weights: serializeSafetensors(fixture) });
    expect(Array.from(logitsOf(model))).toEqual(Array.from(logitsOf(reference)));
    // Only some inv_freq buffers present (safetensors de-duplicates the shared one): fine too.
    const partial = new Map([...fixture].filter(([key]) => key !== 'encoder.1.rotary_emb.inv_freq'));
    RotaryTransformerMLMModel.fromBytes({ config: FIXTURE_CONFIG, weights: serializeSafetensors(partial) }).dispose();
    model.dispose();
    reference.dispose();
  });

  it('rejects unknown, missing and mis-shaped keys and wrong inv_freq, naming the key, and changes nothing', () => {
    const build = (edit: (state: Map<string, SafetensorsTensor>) => void) => {
      const state = new Map(fixture);
      edit(state);
      return () => RotaryTransformerMLMModel.fromBytes({ config: FIXTURE_CONFIG, weights: serializeSafetensors(state) });
    };
    expect(build((state) => state.set('encoder.0.extra.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) }))).toThrow(
      /unknown key "encoder.0.extra.weight"/,
    );
    expect(build((state) => state.delete('encoder.1.o_proj.weight'))).toThrow(/missing key "encoder.1.o_proj.weight"/);
    expect(build((state) => state.set('output_layer.linear.weight', { dtype: 'F32', shape: [32, 37], data: new Float32Array(37 * 32) }))).toThrow(
      /"output_layer.linear.weight": shape \[32, 37\] does not match the model's \[37, 32\]/,
    );
    expect(build((state) => state.set('encoder.0.rotary_emb.inv_freq', { dtype: 'F32', shape: [4], data: new Float32Array([1, 0.5, 0.25, 0.125]) }))).toThrow(
      /"encoder.0.rotary_emb.inv_freq": element 1 is 0.5 but RoPE .* gives 0.1/,
    );
    expect(build((state) => state.set('encoder.0.norm1.bias', { dtype: 'I32', shape: [32], data: new Int32Array(32) }))).toThrow(
      /"encoder.0.norm1.bias": expected a floating-point tensor .* got I32/,
    );
    expect(build((state) => state.set('encoder.0.norm1.bias', fixture.get('encoder.0.norm1.bias')!).set('model.encoder.0.norm1.bias', fixture.get('encoder.0.norm1.bias')!))).toThrow(
      /keys "encoder.0.norm1.bias" and "model.encoder.0.norm1.bias" both name/,
    );

    // loadStateDict checks everything before changing anything; non-strict mode reports instead.
    const model = RotaryTransformerMLMModel.fromBytes({ config: FIXTURE_CONFIG, weights: serializeSafetensors(fixture) });
    const before = model.stateDict();
    const broken = new Map(fixture);
    broken.set('embed_tokens.weight', { dtype: 'F32', shape: [37, 32], data: new Float32Array(37 * 32).fill(3) });
    broken.set('output_layer.linear.weight', { dtype: 'F32', shape: [1], data: new Float32Array(1) });
    expect(() => model.loadStateDict(broken)).toThrow(/output_layer.linear.weight/);
    expect(sameBytes(model.stateDict().get('embed_tokens.weight')!, before.get('embed_tokens.weight')!)).toBe(true);
    const partial = new Map([['embed_tokens.weight', broken.get('embed_tokens.weight')!], ['something.else', fixture.get('encoder.0.norm1.bias')!]]);
    const result = model.loadStateDict(partial, { strict: false });
    expect(result.unexpectedKeys).toEqual(['something.else']);
    expect(result.missingKeys).toContain('encoder.0.norm1.weight');
    expect((model.stateDict().get('embed_tokens.weight')!.data as Float32Array)[5]).toBe(3);
    model.dispose();
  });

  it('keeps a non-zero padding row from a checkpoint (as PyTorch does) but re-zeroes a zero one', () => {
    const state = new Map(fixture);
    const embedding = Float32Array.from(fixture.get('embed_tokens.weight')!.data as Float32Array);
    embedding.fill(0.25, 0, 32);
    state.set('embed_tokens.weight', { dtype: 'F32', shape: [37, 32], data: embedding });
    const model = RotaryTransformerMLMModel.fromBytes({ config: FIXTURE_CONFIG, weights: serializeSafetensors(state) });
    model.afterUpdate();
    expect((model.stateDict().get('embed_tokens.weight')!.data as Float32Array)[0]).toBe(0.25);
    model.dispose();
  });

  it('reports a missing folder, missing files and a bad config.json clearly', async () => {
    await expect(fromPretrained(path.join(folder, 'nowhere'))).rejects.toThrow(/no config.json found/);
    const noWeights = path.join(folder, 'no-weights');
    writeFolder(noWeights, { 'config.json': JSON.stringify(FIXTURE_CONFIG) });
    await expect(fromPretrained(noWeights)).rejects.toThrow(/neither model.safetensors nor model.safetensors.index.json/);
    const badConfig = path.join(folder, 'bad-config');
    writeFolder(badConfig, { 'config.json': JSON.stringify({ ...FIXTURE_CONFIG, nhead: 5 }), 'model.safetensors': fs.readFileSync(FIXTURE_WEIGHTS) });
    await expect(fromPretrained(badConfig)).rejects.toThrow(/config.json: d_model = 32: expected a multiple of nhead = 5/);
    writeFolder(badConfig, { 'config.json': '{"num_embeddings": ' });
    await expect(fromPretrained(badConfig)).rejects.toThrow(/config.json: not valid JSON/);
    const corrupt = path.join(folder, 'corrupt');
    writeFolder(corrupt, { 'config.json': JSON.stringify(FIXTURE_CONFIG), 'model.safetensors': new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) });
    await expect(fromPretrained(corrupt)).rejects.toThrow(/model.safetensors: safetensors: header length/);
  });

  it('savePretrained output parses as a strict PyTorch state dict: every key xlm-core\'s state_dict has and nothing else', () => {
    const model = createRotaryTransformerMLMModel({ ...TINY_CONFIG, finalLayerWithoutNormalization: true }, { random: createRandom(1) });
    const keys = [...parseSafetensors(model.toBytes().weights).keys()];
    expect(keys.filter((key) => key.includes('inv_freq'))).toEqual(['encoder.0.rotary_emb.inv_freq', 'encoder.1.rotary_emb.inv_freq']);
    expect(keys.indexOf('encoder.0.rotary_emb.inv_freq')).toBe(keys.indexOf('encoder.0.mlp.2.bias') + 1);
    expect(keys.some((key) => key.includes('norm_final'))).toBe(false);
    expect(keys).toHaveLength(1 + 2 * 11 + 1);
    model.dispose();
  });
});
