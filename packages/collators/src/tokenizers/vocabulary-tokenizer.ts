import type { Tokenizer, TokenizerJSON } from '@mlm/types';
import {
  BOS_TOKEN,
  CLS_TOKEN,
  EOS_TOKEN,
  MASK_TOKEN,
  NUM_SPECIAL_TOKENS,
  PAD_TOKEN,
  SEP_TOKEN,
  SPECIAL_TOKENS,
  UNK_TOKEN,
} from './special-tokens.js';

export interface DecodeOptions {
  /**
   * Drop special tokens ([PAD], [MASK], [EOS], ...) from the text. Default true, as in xlm-core's API.
   * Note: xlm-core's `SimpleSpaceTokenizer` ignores this flag and always emits them; pass `false` to
   * get exactly the reference's text.
   */
  skipSpecialTokens?: boolean;
}

/**
 * A tokenizer over a fixed list of token strings: the seven special tokens (ids 0..6) followed by
 * the vocabulary (ids 7..). Subclasses define how text is split into tokens and how tokens are
 * joined back into text.
 */
export abstract class VocabularyTokenizer implements Tokenizer {
  readonly padTokenId = 0;
  readonly clsTokenId = 1;
  readonly maskTokenId = 2;
  readonly eosTokenId = 3;
  readonly bosTokenId = 4;
  readonly sepTokenId = 5;
  readonly unkTokenId = 6;
  readonly padToken = PAD_TOKEN;
  readonly clsToken = CLS_TOKEN;
  readonly maskToken = MASK_TOKEN;
  readonly eosToken = EOS_TOKEN;
  readonly bosToken = BOS_TOKEN;
  readonly sepToken = SEP_TOKEN;
  readonly unkToken = UNK_TOKEN;
  readonly specialTokenIds: ReadonlySet<number> = new Set(SPECIAL_TOKENS.map((_, id) => id));

  /** Token string by id (specials first). */
  protected readonly idToToken: readonly string[];
  /** Id by token string. */
  protected readonly tokenToId: ReadonlyMap<string, number>;

  protected constructor(vocabulary: readonly string[], what: string) {
    const tokens: string[] = [...SPECIAL_TOKENS];
    const map = new Map<string, number>(tokens.map((token, id) => [token, id]));
    vocabulary.forEach((token, index) => {
      if (typeof token !== 'string' || token.length === 0) {
        throw new Error(`${what}: vocabulary[${index}] = ${JSON.stringify(token)}, expected a non-empty string`);
      }
      if (map.has(token)) {
        const clash = (map.get(token) as number) < NUM_SPECIAL_TOKENS ? 'a special token' : 'a duplicate';
        throw new Error(`${what}: vocabulary[${index}] = ${JSON.stringify(token)} is ${clash}; every entry must be unique`);
      }
      map.set(token, tokens.length);
      tokens.push(token);
    });
    this.idToToken = tokens;
    this.tokenToId = map;
  }

  /** Number of ids including the special tokens (xlm-core `vocab_size` = `full_vocab_size` = `len(tok)`). */
  get vocabSize(): number {
    return this.idToToken.length;
  }

  /** The vocabulary without the special tokens, in id order (ids 7..). */
  get vocabulary(): string[] {
    return this.idToToken.slice(NUM_SPECIAL_TOKENS);
  }

  /** Text to token strings. Throws `Token X not in vocab` for unknown pieces. */
  abstract tokenize(text: string): string[];

  /** Joins token strings into text (the inverse of `tokenize` for in-vocabulary text). */
  protected abstract joinTokens(tokens: string[]): string;

  /**
   * Text to ids. `addSpecialTokens` is accepted for API compatibility and adds nothing, as in
   * xlm-core (its `build_inputs_with_special_tokens` is the identity for one sequence).
   */
  encode(text: string, _options?: { addSpecialTokens?: boolean }): number[] {
    return this.convertTokensToIds(this.tokenize(text));
  }

  decode(ids: ArrayLike<number>, options?: DecodeOptions): string {
    const skip = options?.skipSpecialTokens ?? true;
    const tokens: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      if (skip && this.specialTokenIds.has(id)) continue;
      tokens.push(this.tokenOf(id, i));
    }
    return this.joinTokens(tokens);
  }

  batchDecode(ids: ArrayLike<number>[], options?: DecodeOptions): string[] {
    return ids.map((row) => this.decode(row, options));
  }

  convertTokensToIds(tokens: string[]): number[] {
    return tokens.map((token) => {
      const id = this.tokenToId.get(token);
      if (id === undefined) throw new Error(`Token ${token} not in vocab`);
      return id;
    });
  }

  convertIdsToTokens(ids: ArrayLike<number>): string[] {
    return Array.from({ length: ids.length }, (_, i) => this.tokenOf(ids[i] as number, i));
  }

  /** Whether `token` is in the vocabulary (special tokens included). */
  hasToken(token: string): boolean {
    return this.tokenToId.has(token);
  }

  abstract toJSON(): TokenizerJSON;

  private tokenOf(id: number, index: number): string {
    const token = Number.isInteger(id) ? this.idToToken[id] : undefined;
    if (token === undefined) {
      throw new Error(`token id ${id} at index ${index} is not in the vocabulary (expected an integer in [0, ${this.vocabSize}))`);
    }
    return token;
  }
}
