import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CharacterTokenizer } from './character-tokenizer.js';

describe('CharacterTokenizer', () => {
  const tokenizer = CharacterTokenizer.fromCorpus(['hello world', 'héllo 👋']);

  it('puts the seven special tokens first, then the corpus characters by code point', () => {
    expect(tokenizer.maskTokenId).toBe(2);
    expect(tokenizer.padTokenId).toBe(0);
    expect(tokenizer.vocabulary).toEqual([' ', 'd', 'e', 'h', 'l', 'o', 'r', 'w', 'é', '👋']);
    expect(tokenizer.vocabSize).toBe(7 + 10);
  });

  it('encodes one id per character (astral characters included) and decodes back', () => {
    const ids = tokenizer.encode('hé 👋');
    expect(ids).toEqual([10, 15, 7, 16]);
    expect(tokenizer.decode(ids)).toBe('hé 👋');
  });

  it('recognises special-token strings and honours skipSpecialTokens', () => {
    const ids = tokenizer.encode('[BOS]he[MASK]lo[EOS]');
    expect(ids).toEqual([4, 10, 9, 2, 11, 12, 3]);
    expect(tokenizer.decode(ids, { skipSpecialTokens: false })).toBe('[BOS]he[MASK]lo[EOS]');
    expect(tokenizer.decode(ids)).toBe('helo');
  });

  it('rejects characters outside the corpus', () => {
    expect(() => tokenizer.encode('hex')).toThrow('Token x not in vocab');
    expect(() => tokenizer.encode('[')).toThrow('Token [ not in vocab');
  });

  it('accepts a single string, rejects bad input', () => {
    expect(CharacterTokenizer.fromCorpus('ba').vocabulary).toEqual(['a', 'b']);
    expect(() => CharacterTokenizer.fromCorpus([1 as unknown as string])).toThrow('corpus[0] is number');
    expect(() => new CharacterTokenizer(['ab'])).toThrow('expected exactly one character');
  });

  it('serialises to JSON and back', () => {
    const copy = CharacterTokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer.toJSON())));
    expect(copy.vocabulary).toEqual(tokenizer.vocabulary);
  });

  it('round-trips any text over its alphabet (property)', () => {
    const alphabet = tokenizer.vocabulary;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 30 }), (characters) => {
        const text = characters.join('');
        expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
        expect(tokenizer.encode(text)).toHaveLength(characters.length);
      }),
    );
  });
});
