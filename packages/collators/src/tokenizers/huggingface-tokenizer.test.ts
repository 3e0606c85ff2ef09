import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HuggingFaceTokenizer, type HuggingFaceTokenizerFile } from './huggingface-tokenizer.js';
import { loadHuggingFaceTokenizerFile } from './tokenizer-io.js';

const fixtureDirectory = path.resolve(fileURLToPath(import.meta.url), '../../../test/fixtures/tiny-wordpiece');
const fixture = JSON.parse(readFileSync(path.join(fixtureDirectory, 'tokenizer.json'), 'utf8')) as HuggingFaceTokenizerFile;

describe('HuggingFaceTokenizer (tiny WordPiece tokenizer.json fixture)', () => {
  it('adds [MASK] and [PAD] with the next free ids when the file lacks them', async () => {
    const tokenizer = await loadHuggingFaceTokenizerFile(fixtureDirectory);
    expect(tokenizer.vocabSize).toBe(14);
    expect(tokenizer.maskToken).toBe('[MASK]');
    expect(tokenizer.padToken).toBe('[PAD]');
    expect([tokenizer.maskTokenId, tokenizer.padTokenId]).toEqual([12, 13]);
    expect(tokenizer.clsTokenId).toBe(1);
    expect(tokenizer.bosTokenId).toBeUndefined();
    expect([...tokenizer.specialTokenIds].sort((a, b) => a - b)).toEqual([0, 1, 2, 12, 13]);
  });

  it('encodes with and without the post-processor template and decodes', () => {
    const tokenizer = new HuggingFaceTokenizer(fixture);
    expect(tokenizer.encode('The cats sat.', { addSpecialTokens: false })).toEqual([3, 4, 8, 5, 11]);
    expect(tokenizer.encode('The cats sat.')).toEqual([1, 3, 4, 8, 5, 11, 2]);
    expect(tokenizer.tokenize('the cats')).toEqual(['the', 'cat', '##s']);
    expect(tokenizer.decode([1, 3, 4, 8, 5, 11, 2])).toBe('the cats sat.');
    expect(tokenizer.decode([3, 12, 13], { skipSpecialTokens: false })).toBe('the [MASK] [PAD]');
    expect(tokenizer.decode([])).toBe('');
    expect(tokenizer.batchDecode([[3, 4], [10]])).toEqual(['the cat', 'dog']);
  });

  it('recognises the added [MASK] in text', () => {
    const tokenizer = new HuggingFaceTokenizer(fixture);
    expect(tokenizer.encode('the [MASK] sat', { addSpecialTokens: false })).toEqual([3, 12, 5]);
  });

  it('keeps a mask token that the file already has', () => {
    const withMask: HuggingFaceTokenizerFile = structuredClone(fixture);
    (withMask.model.vocab as Record<string, number>)['<mask>'] = 12;
    const tokenizer = new HuggingFaceTokenizer(withMask);
    expect(tokenizer.maskToken).toBe('<mask>');
    expect(tokenizer.maskTokenId).toBe(12);
    expect(tokenizer.padTokenId).toBe(13);
    expect(tokenizer.vocabSize).toBe(14);
  });

  it('takes special names from the config or the options', () => {
    const tokenizer = new HuggingFaceTokenizer(fixture, { config: { eos_token: { content: '[SEP]' } }, bosToken: '[CLS]' });
    expect(tokenizer.eosTokenId).toBe(2);
    expect(tokenizer.bosTokenId).toBe(1);
    expect(() => new HuggingFaceTokenizer(fixture, { eosToken: '</s>' })).toThrow('eosToken "</s>" is not in the vocabulary');
  });

  it('rejects unknown tokens and ids, and non-tokenizer objects', () => {
    const tokenizer = new HuggingFaceTokenizer(fixture);
    expect(() => tokenizer.decode([3, 99])).toThrow('token id 99 at index 1 is not in the vocabulary');
    expect(() => tokenizer.convertTokensToIds(['zebra'])).toThrow('Token zebra not in vocab');
    expect(tokenizer.convertIdsToTokens([3, 12])).toEqual(['the', '[MASK]']);
    expect(() => new HuggingFaceTokenizer({} as HuggingFaceTokenizerFile)).toThrow('with a "model" field');
  });

  it('serialises to JSON and back, keeping the added ids', () => {
    const tokenizer = new HuggingFaceTokenizer(fixture);
    const copy = HuggingFaceTokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer.toJSON())));
    expect(copy.maskTokenId).toBe(12);
    expect(copy.padTokenId).toBe(13);
    expect(copy.encode('a dog on the mat')).toEqual(tokenizer.encode('a dog on the mat'));
  });
});
