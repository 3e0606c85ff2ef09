import * as tf from '@tensorflow/tfjs-core';
import { createRandom } from '@mlm/random';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchCheckpoint, joinUrl, type FetchFunction } from './checkpoint-url.js';
import { RotaryTransformerMLMModel } from './rotary-transformer-mlm-model.js';
import { serializeSafetensors, type SafetensorsTensor } from './safetensors.js';
import { TINY_CONFIG, useBackend } from './test-support.js';

/** A fetch that serves `files` under `base` and answers 404 for anything else; it records each URL asked for. */
function serve(base: string, files: Record<string, Uint8Array | string>, requested: string[] = []): FetchFunction {
  return async (url) => {
    requested.push(url);
    const name = url.startsWith(`${base}/`) ? url.slice(base.length + 1) : null;
    const body = name === null ? undefined : files[name];
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    return {
      ok: bytes !== undefined,
      status: bytes === undefined ? 404 : 200,
      statusText: bytes === undefined ? 'Not Found' : 'OK',
      arrayBuffer: async () => (bytes ?? new Uint8Array()).slice().buffer,
      text: async () => new TextDecoder().decode(bytes ?? new Uint8Array()),
    };
  };
}

function sameBytes(a: SafetensorsTensor, b: SafetensorsTensor): boolean {
  const bytesA = new Uint8Array(a.data.buffer, a.data.byteOffset, a.data.byteLength);
  const bytesB = new Uint8Array(b.data.buffer, b.data.byteOffset, b.data.byteLength);
  return JSON.stringify(a.shape) === JSON.stringify(b.shape) && bytesA.every((x, i) => x === bytesB[i]);
}

describe('RotaryTransformerMLMModel.fromUrl', () => {
  let model: RotaryTransformerMLMModel;
  let bytes: { config: object; weights: Uint8Array };
  beforeAll(async () => {
    await useBackend('cpu');
    model = RotaryTransformerMLMModel.create(TINY_CONFIG, { random: createRandom(5) });
    bytes = model.toBytes();
  });
  afterAll(() => model.dispose());

  it('fetches config.json and model.safetensors under the base URL (trailing slash or not) and loads the same weights', async () => {
    const requested: string[] = [];
    const fetch = serve('https://models.example/demo', { 'config.json': JSON.stringify(bytes.config), 'model.safetensors': bytes.weights }, requested);
    const before = tf.memory().numTensors;
    const loaded = await RotaryTransformerMLMModel.fromUrl('https://models.example/demo/', { fetch });
    expect(requested).toEqual(['https://models.example/demo/config.json', 'https://models.example/demo/model.safetensors']);
    const expected = model.stateDict();
    for (const [key, tensor] of loaded.stateDict()) expect(sameBytes(tensor, expected.get(key)!), key).toBe(true);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('falls back to a sharded model.safetensors.index.json when model.safetensors answers 404', async () => {
    const stateDict = model.stateDict();
    const keys = [...stateDict.keys()];
    const half = Math.floor(keys.length / 2);
    const shard = (part: string[]) => serializeSafetensors(new Map(part.map((key) => [key, stateDict.get(key)!])));
    const weightMap = Object.fromEntries(keys.map((key, index) => [key, index < half ? 'a.safetensors' : 'b.safetensors']));
    const fetch = serve('models/sharded', {
      'config.json': JSON.stringify(bytes.config),
      'model.safetensors.index.json': JSON.stringify({ weight_map: weightMap }),
      'a.safetensors': shard(keys.slice(0, half)),
      'b.safetensors': shard(keys.slice(half)),
    });
    const loaded = await RotaryTransformerMLMModel.fromUrl('models/sharded', { fetch });
    for (const [key, tensor] of loaded.stateDict()) expect(sameBytes(tensor, stateDict.get(key)!), key).toBe(true);
    loaded.dispose();
  });

  it('names the URL and the HTTP status when a file is missing or the server fails', async () => {
    await expect(RotaryTransformerMLMModel.fromUrl('https://h/m', { fetch: serve('https://h/m', {}) })).rejects.toThrow('https://h/m/config.json: HTTP 404 Not Found');
    await expect(RotaryTransformerMLMModel.fromUrl('https://h/m', { fetch: serve('https://h/m', { 'config.json': JSON.stringify(bytes.config) }) })).rejects.toThrow(
      'https://h/m: neither model.safetensors nor model.safetensors.index.json found (HTTP 404)',
    );
    const failing: FetchFunction = async (url) => ({ ok: false, status: 503, statusText: 'Service Unavailable', arrayBuffer: async () => new ArrayBuffer(0), text: async () => url });
    await expect(fetchCheckpoint('https://h/m', { fetch: failing })).rejects.toThrow('https://h/m/config.json: HTTP 503 Service Unavailable');
    const offline: FetchFunction = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(fetchCheckpoint('https://h/m', { fetch: offline })).rejects.toThrow('https://h/m/config.json: cannot be fetched (Failed to fetch)');
  });

  it('checks what it fetched: config.json values by field, a weight_map leaving the folder, bad JSON', async () => {
    const badConfig = { ...(bytes.config as Record<string, unknown>), d_model: 9 };
    await expect(
      RotaryTransformerMLMModel.fromUrl('u', { fetch: serve('u', { 'config.json': JSON.stringify(badConfig), 'model.safetensors': bytes.weights }) }),
    ).rejects.toThrow(/u\/config\.json: d_model = 9/);
    await expect(fetchCheckpoint('u', { fetch: serve('u', { 'config.json': '{not json' }) })).rejects.toThrow(/u\/config\.json: not valid JSON/);
    await expect(
      fetchCheckpoint('u', { fetch: serve('u', { 'config.json': '{}', 'model.safetensors.index.json': JSON.stringify({ weight_map: { x: '../y.safetensors' } }) }) }),
    ).rejects.toThrow('u/model.safetensors.index.json: weight_map["x"] = "../y.safetensors": expected a file name in the same folder');
  });

  it('joins base and file names for absolute and relative bases', () => {
    expect(joinUrl('https://h/a/', 'config.json')).toBe('https://h/a/config.json');
    expect(joinUrl(new URL('https://h/a'), 'config.json')).toBe('https://h/a/config.json');
    expect(joinUrl('./models/demo', 'tokenizer.json')).toBe('./models/demo/tokenizer.json');
  });
});
