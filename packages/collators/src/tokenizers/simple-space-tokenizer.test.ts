import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimpleSpaceTokenizer } from './simple-space-tokenizer.js';

const smallVocab = Array.from({ length: 50 }, (_, i) => String(i));

describe('SimpleSpaceTokenizer (xlm-core tests/core/test_tokenizers.py)', () => {
  const tokenizer = new SimpleSpaceTokenizer(smallVocab);

  it('has 7 special tokens followed by the vocabulary', () => {
    expect(tokenizer.vocabSize).toBe(7 + 50);
    expect(tokenizer.padTokenId).toBe(0);
    expect(tokenizer.clsTokenId).toBe(1);
    expect(tokenizer.maskTokenId).toBe(2);
    expect(tokenizer.eosTokenId).toBe(3);
    expect(tokenizer.bosTokenId).toBe(4);
    expect(tokenizer.sepTokenId).toBe(5);
    expect(tokenizer.unkTokenId).toBe(6);
    expect(tokenizer.convertTokensToIds(['[PAD]', '[CLS]', '[MASK]', '[EOS]', '[BOS]', '[SEP]', '[UNK]', '0', '49'])).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 56,
    ]);
    expect([...tokenizer.specialTokenIds].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('round-trips "0 1 2 3" through encode/decode', () => {
    const ids = tokenizer.encode('0 1 2 3', { addSpecialTokens: false });
    expect(ids).toEqual([7, 8, 9, 10]);
    expect(tokenizer.decode(ids, { skipSpecialTokens: false }).trim()).toBe('0 1 2 3');
  });

  it('tokenizes on single spaces and skips empty pieces', () => {
    expect(tokenizer.tokenize('10 20 30')).toEqual(['10', '20', '30']);
    expect(tokenizer.tokenize('  10  20 ')).toEqual(['10', '20']);
    expect(tokenizer.encode('[MASK] 1 [EOS]')).toEqual([2, 8, 3]);
  });

  it('rejects unknown tokens with "Token X not in vocab"', () => {
    expect(() => tokenizer.tokenize('1 foo 2')).toThrow('Token foo not in vocab');
    expect(() => tokenizer.encode('100')).toThrow('Token 100 not in vocab');
  });

  it('forNumbers(10) has 17 ids, "0".."9" at 7..16', () => {
    const numbers = SimpleSpaceTokenizer.forNumbers(10);
    expect(numbers.vocabSize).toBe(17);
    expect(numbers.encode('0 9')).toEqual([7, 16]);
  });

  it('decode with skipSpecialTokens:false reproduces the reference text (specials included)', () => {
    expect(tokenizer.decode([4, 7, 2, 8, 3, 0, 0], { skipSpecialTokens: false })).toBe('[BOS] 0 [MASK] 1 [EOS] [PAD] [PAD]');
    // default: specials dropped (the reference ignores the flag; see README)
    expect(tokenizer.decode([4, 7, 2, 8, 3, 0, 0])).toBe('0 1');
    expect(tokenizer.batchDecode([[7, 8], Int32Array.from([0, 9])], { skipSpecialTokens: false })).toEqual(['0 1', '[PAD] 2']);
    expect(tokenizer.convertIdsToTokens(Int32Array.from([2, 7]))).toEqual(['[MASK]', '0']);
  });

  it('rejects ids outside the vocabulary with the id and the range', () => {
    expect(() => tokenizer.decode([7, 57])).toThrow('token id 57 at index 1 is not in the vocabulary (expected an integer in [0, 57))');
    expect(() => tokenizer.decode([-100])).toThrow('token id -100');
  });

  it('rejects bad vocabularies', () => {
    expect(() => new SimpleSpaceTokenizer(['a', 'a'])).toThrow('vocabulary[1] = "a" is a duplicate');
    expect(() => new SimpleSpaceTokenizer(['[MASK]'])).toThrow('is a special token');
    expect(() => new SimpleSpaceTokenizer(['a b'])).toThrow('contains a space');
    expect(() => new SimpleSpaceTokenizer([''])).toThrow('expected a non-empty string');
    expect(() => SimpleSpaceTokenizer.forNumbers(-1)).toThrow('n = -1');
  });

  it('serialises to JSON and back', () => {
    const json = tokenizer.toJSON();
    expect(json).toEqual({ type: 'simple-space', vocab: smallVocab });
    const copy = SimpleSpaceTokenizer.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(copy.encode('3 4 5')).toEqual(tokenizer.encode('3 4 5'));
    expect(() => SimpleSpaceTokenizer.fromJSON({ type: 'character' })).toThrow("expected { type: 'simple-space'");
  });

  it('round-trips any in-vocabulary sequence of length 1..20 (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...smallVocab), { minLength: 1, maxLength: 20 }), (tokens) => {
        const text = tokens.join(' ');
        const ids = tokenizer.encode(text, { addSpecialTokens: false });
        expect(ids).toHaveLength(tokens.length);
        expect(tokenizer.decode(ids, { skipSpecialTokens: false })).toBe(text);
        expect(tokenizer.decode(ids)).toBe(text);
      }),
    );
  });
});
