/**
 * The tokenizer contract of xlm-core (`xlm.datamodule.Tokenizer`), in camelCase.
 * Ids of special tokens that a vocabulary lacks are `undefined`.
 */
export interface Tokenizer {
  readonly padTokenId: number;
  readonly maskTokenId: number;
  readonly bosTokenId: number | undefined;
  readonly eosTokenId: number | undefined;
  readonly clsTokenId: number | undefined;
  readonly padToken: string;
  readonly maskToken: string;
  /** Number of ids, special tokens included (xlm-core `full_vocab_size` = `len(tokenizer)`). */
  readonly vocabSize: number;
  /** Text to ids. `addSpecialTokens` adds what the tokenizer's template adds (often nothing). */
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  decode(ids: ArrayLike<number>, options?: { skipSpecialTokens?: boolean }): string;
  batchDecode(ids: ArrayLike<number>[], options?: { skipSpecialTokens?: boolean }): string[];
  convertTokensToIds(tokens: string[]): number[];
  convertIdsToTokens(ids: ArrayLike<number>): string[];
  /** Ids of all special tokens. */
  readonly specialTokenIds: ReadonlySet<number>;
  /** A JSON-able description from which `loadTokenizer` (in @mlm/collators) rebuilds the tokenizer. */
  toJSON(): TokenizerJSON;
}

/** The saved form of a tokenizer (written as `tokenizer.json` next to a checkpoint's `config.json`). */
export interface TokenizerJSON {
  /** Registered kind, for example `simple-space`, `character`, `huggingface`. */
  type: string;
  [key: string]: unknown;
}
