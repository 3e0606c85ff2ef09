import type { TokenizerJSON } from '@mlm/types';
import { VocabularyTokenizer } from './vocabulary-tokenizer.js';

/** The saved form of a `SimpleSpaceTokenizer`. */
export interface SimpleSpaceTokenizerJSON extends TokenizerJSON {
  type: 'simple-space';
  /** The vocabulary without the special tokens (ids 7..). */
  vocab: string[];
}

/**
 * xlm-core's `SimpleSpaceTokenizer`: text is split on single spaces (empty pieces skipped), each piece
 * must be a vocabulary entry. Ids: `[PAD]`=0 `[CLS]`=1 `[MASK]`=2 `[EOS]`=3 `[BOS]`=4 `[SEP]`=5
 * `[UNK]`=6, then `vocab[i]` → `i + 7`.
 *
 * Difference from the reference: `decode(ids)` honours `skipSpecialTokens` (default true); the
 * reference always emits special tokens. `decode(ids, { skipSpecialTokens: false })` gives exactly the
 * reference's text (all tokens joined with single spaces).
 */
export class SimpleSpaceTokenizer extends VocabularyTokenizer {
  constructor(vocab: readonly string[]) {
    super(vocab, 'SimpleSpaceTokenizer');
    vocab.forEach((token, index) => {
      if (token.includes(' ')) {
        throw new Error(`SimpleSpaceTokenizer: vocab[${index}] = ${JSON.stringify(token)} contains a space; it could never be produced by tokenize`);
      }
    });
  }

  /** Vocabulary `"0".."n-1"` → ids `7..n+6` (xlm-core `for_numbers`; used by sudoku and star graphs). */
  static forNumbers(n: number): SimpleSpaceTokenizer {
    if (!Number.isInteger(n) || n < 0) throw new Error(`SimpleSpaceTokenizer.forNumbers: n = ${n}, expected a non-negative integer`);
    return new SimpleSpaceTokenizer(Array.from({ length: n }, (_, i) => String(i)));
  }

  static fromJSON(json: TokenizerJSON): SimpleSpaceTokenizer {
    const vocab = json.vocab;
    if (json.type !== 'simple-space' || !Array.isArray(vocab) || !vocab.every((t) => typeof t === 'string')) {
      throw new Error(`SimpleSpaceTokenizer.fromJSON: expected { type: 'simple-space', vocab: string[] }, got type ${JSON.stringify(json.type)}`);
    }
    return new SimpleSpaceTokenizer(vocab as string[]);
  }

  /** Splits on single spaces, skipping empty pieces; unknown pieces throw `Token X not in vocab`. */
  tokenize(text: string): string[] {
    const tokens: string[] = [];
    for (const piece of text.split(' ')) {
      if (piece.length === 0) continue;
      if (!this.tokenToId.has(piece)) throw new Error(`Token ${piece} not in vocab`);
      tokens.push(piece);
    }
    return tokens;
  }

  protected joinTokens(tokens: string[]): string {
    return tokens.join(' ');
  }

  toJSON(): SimpleSpaceTokenizerJSON {
    return { type: 'simple-space', vocab: this.vocabulary };
  }
}
