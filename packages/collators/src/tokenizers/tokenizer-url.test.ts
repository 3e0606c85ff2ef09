import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FetchFunction } from '@mlm/types';
import { describe, expect, it } from 'vitest';
import { CharacterTokenizer } from './character-tokenizer.js';
import { HuggingFaceTokenizer } from './huggingface-tokenizer.js';
import { loadHuggingFaceTokenizerFile } from './tokenizer-io.js';
import { loadTokenizerFromUrl } from './tokenizer-url.js';

const fixtureDirectory = path.resolve(fileURLToPath(import.meta.url), '../../../test/fixtures/tiny-wordpiece');

function serve(files: Record<string, string>, requested: string[] = []): FetchFunction {
  return async (url) => {
    requested.push(url);
    const body = files[url];
    return {
      ok: body !== undefined,
      status: body === undefined ? 404 : 200,
      statusText: body === undefined ? 'Not Found' : 'OK',
      arrayBuffer: async () => new TextEncoder().encode(body ?? '').buffer,
      text: async () => body ?? '',
    };
  };
}

describe('loadTokenizerFromUrl', () => {
  it('fetches <base>/tokenizer.json written by saveTokenizerFile (toJSON) and rebuilds the tokenizer', async () => {
    const tokenizer = CharacterTokenizer.fromCorpus('abc');
    const requested: string[] = [];
    const loaded = await loadTokenizerFromUrl('https://h/model/', { fetch: serve({ 'https://h/model/tokenizer.json': JSON.stringify(tokenizer.toJSON()) }, requested) });
    expect(requested).toEqual(['https://h/model/tokenizer.json']);
    expect(loaded.encode('cab')).toEqual(tokenizer.encode('cab'));
  });

  it('reads a Hugging Face tokenizer.json and the tokenizer_config.json beside it, as loadHuggingFaceTokenizerFile does from disk', async () => {
    const files: Record<string, string> = {};
    for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
      try {
        files[`models/tiny/${name}`] = readFileSync(path.join(fixtureDirectory, name), 'utf8');
      } catch {
        // the fixture may have no tokenizer_config.json: then the URL form must do without it too
      }
    }
    const fromUrl = await loadTokenizerFromUrl('models/tiny/tokenizer.json', { fetch: serve(files) });
    const fromDisk = await loadHuggingFaceTokenizerFile(fixtureDirectory);
    expect(fromUrl).toBeInstanceOf(HuggingFaceTokenizer);
    expect(fromUrl.toJSON()).toEqual(fromDisk.toJSON());
    const withoutConfig = await loadTokenizerFromUrl('models/tiny', { fetch: serve({ 'models/tiny/tokenizer.json': files['models/tiny/tokenizer.json']! }) });
    expect(withoutConfig.maskTokenId).toBe(fromDisk.maskTokenId);
  });

  it('says which URL failed and how', async () => {
    await expect(loadTokenizerFromUrl('https://h/m', { fetch: serve({}) })).rejects.toThrow('loadTokenizerFromUrl: https://h/m/tokenizer.json: HTTP 404 Not Found');
    await expect(loadTokenizerFromUrl('https://h/m', { fetch: serve({ 'https://h/m/tokenizer.json': '{' }) })).rejects.toThrow('https://h/m/tokenizer.json is not valid JSON');
    await expect(loadTokenizerFromUrl('https://h/m', { fetch: serve({ 'https://h/m/tokenizer.json': '[1]' }) })).rejects.toThrow('https://h/m/tokenizer.json: expected a JSON object');
    await expect(loadTokenizerFromUrl('https://h/m', { fetch: serve({ 'https://h/m/tokenizer.json': '{"type":"nope"}' }) })).rejects.toThrow('unknown tokenizer type "nope"');
    const offline: FetchFunction = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(loadTokenizerFromUrl('https://h/m', { fetch: offline })).rejects.toThrow('https://h/m/tokenizer.json cannot be fetched (Failed to fetch)');
  });
});
