import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CharacterTokenizer } from './character-tokenizer.js';
import { HuggingFaceTokenizer } from './huggingface-tokenizer.js';
import { SimpleSpaceTokenizer } from './simple-space-tokenizer.js';
import { loadHuggingFaceTokenizerFile, loadTokenizerFile, saveTokenizerFile } from './tokenizer-io.js';
import { loadTokenizer, registerTokenizerType } from './tokenizer-json.js';

const fixtureDirectory = path.resolve(fileURLToPath(import.meta.url), '../../../test/fixtures/tiny-wordpiece');
const directories: string[] = [];
async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'mlm-tokenizer-'));
  directories.push(directory);
  return directory;
}
afterAll(async () => {
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('tokenizer save / load', () => {
  it('loadTokenizer rebuilds every kind from toJSON()', async () => {
    const simple = SimpleSpaceTokenizer.forNumbers(10);
    const character = CharacterTokenizer.fromCorpus('abc');
    const huggingFace = await loadHuggingFaceTokenizerFile(fixtureDirectory);
    expect(loadTokenizer(simple.toJSON()).encode('1 2')).toEqual([8, 9]);
    expect(loadTokenizer(character.toJSON()).encode('cab')).toEqual([9, 7, 8]);
    expect(loadTokenizer(huggingFace.toJSON()).maskTokenId).toBe(12);
  });

  it('loadTokenizer names the known kinds for an unknown one', () => {
    expect(() => loadTokenizer({ type: 'sentencepiece' })).toThrow('unknown tokenizer type "sentencepiece"; expected one of "simple-space", "character", "huggingface"');
  });

  it('registerTokenizerType adds a kind', () => {
    registerTokenizerType('numbers-5', () => SimpleSpaceTokenizer.forNumbers(5));
    expect(loadTokenizer({ type: 'numbers-5' }).vocabSize).toBe(12);
  });

  it('saveTokenizerFile writes tokenizer.json atomically; loadTokenizerFile reads it back', async () => {
    const directory = path.join(await temporaryDirectory(), 'checkpoint');
    const tokenizer = SimpleSpaceTokenizer.forNumbers(10);
    const file = await saveTokenizerFile(tokenizer, directory);
    expect(file).toBe(path.join(directory, 'tokenizer.json'));
    expect(await readdir(directory)).toEqual(['tokenizer.json']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ type: 'simple-space', vocab: tokenizer.vocabulary });
    const loaded = await loadTokenizerFile(directory);
    expect(loaded).toBeInstanceOf(SimpleSpaceTokenizer);
    expect(loaded.encode('9 0')).toEqual([16, 7]);
  });

  it('loadTokenizerFile accepts a plain Hugging Face tokenizer.json', async () => {
    const loaded = await loadTokenizerFile(fixtureDirectory);
    expect(loaded).toBeInstanceOf(HuggingFaceTokenizer);
    expect(loaded.maskTokenId).toBe(12);
  });

  it('loadTokenizerFile says what is wrong', async () => {
    const directory = await temporaryDirectory();
    await expect(loadTokenizerFile(directory)).rejects.toThrow(`no tokenizer file at ${path.join(directory, 'tokenizer.json')}`);
    await writeFile(path.join(directory, 'tokenizer.json'), '{ nope', 'utf8');
    await expect(loadTokenizerFile(directory)).rejects.toThrow('is not valid JSON');
  });
});
