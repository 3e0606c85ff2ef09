import type { Tokenizer } from '@mlm/types';

/**
 * The token ids of the collator worked examples: pad 0, mask 1, bos 2, eos 3, and plain
 * tokens up to 19. Test-only (not exported from the package).
 */
export function workedExampleTokenizer(vocabSize = 20): Tokenizer {
  const names = ['[PAD]', '[MASK]', '[BOS]', '[EOS]'];
  const tokenOf = (id: number): string => names[id] ?? String(id);
  return {
    padTokenId: 0,
    maskTokenId: 1,
    bosTokenId: 2,
    eosTokenId: 3,
    clsTokenId: undefined,
    padToken: '[PAD]',
    maskToken: '[MASK]',
    vocabSize,
    specialTokenIds: new Set([0, 1, 2, 3]),
    encode: (text) => text.split(' ').filter(Boolean).map((piece) => Math.max(names.indexOf(piece), Number(piece))),
    decode: (ids, options) =>
      Array.from(ids)
        .filter((id) => !(options?.skipSpecialTokens ?? true) || id > 3)
        .map(tokenOf)
        .join(' '),
    batchDecode(rows, options) {
      return rows.map((row) => this.decode(row, options));
    },
    convertTokensToIds: (tokens) => tokens.map((token) => Math.max(names.indexOf(token), Number(token))),
    convertIdsToTokens: (ids) => Array.from(ids).map(tokenOf),
    toJSON: () => ({ type: 'worked-example' }),
  };
}

/** The scripted draws of the DefaultMLMCollator worked examples: t = [0.5, 0.2], then the leading `width` columns of each row of u. */
export const WORKED_T = [0.5, 0.2];
export const WORKED_U = [
  [0.1, 0.7, 0.3, 0.9, 0.6, 0.2],
  [0.1, 0.5, 0.05, 0.8, 0.3, 0.9],
];
export function workedDraws(width: number): number[] {
  return [...WORKED_T, ...WORKED_U.flatMap((row) => row.slice(0, width))];
}

export const T = 1;
export const F = 0;
