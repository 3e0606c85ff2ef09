import { Tokenizer as HFTokenizer } from '@huggingface/tokenizers';
import type { Tokenizer, TokenizerJSON } from '@mlm/types';
import type { DecodeOptions } from './vocabulary-tokenizer.js';

/** A Hugging Face `tokenizer.json` (the fields this wrapper reads; the rest is passed through). */
export interface HuggingFaceTokenizerFile {
  model: Record<string, unknown>;
  added_tokens?: HuggingFaceAddedToken[];
  normalizer?: unknown;
  pre_tokenizer?: unknown;
  post_processor?: unknown;
  decoder?: unknown;
  [key: string]: unknown;
}

export interface HuggingFaceAddedToken {
  id: number;
  content: string;
  single_word?: boolean;
  lstrip?: boolean;
  rstrip?: boolean;
  normalized?: boolean;
  special?: boolean;
}

type SpecialRole = 'mask' | 'pad' | 'bos' | 'eos' | 'cls';

export interface HuggingFaceTokenizerOptions {
  /** The `tokenizer_config.json` object (optional): its `mask_token`, `pad_token`, ... name the specials. */
  config?: Record<string, unknown>;
  /** Explicit special-token strings; they win over the config and the usual names. */
  maskToken?: string;
  padToken?: string;
  bosToken?: string;
  eosToken?: string;
  clsToken?: string;
}

/** The saved form of a `HuggingFaceTokenizer`: the (completed) tokenizer.json plus the special names. */
export interface HuggingFaceTokenizerJSON extends TokenizerJSON {
  type: 'huggingface';
  tokenizer: HuggingFaceTokenizerFile;
  config: Record<string, unknown>;
  specialTokens: Partial<Record<SpecialRole, string>>;
}

/** Names tried, in order, when neither the options nor the config name a special token. */
const USUAL_NAMES: Record<SpecialRole, string[]> = {
  mask: ['[MASK]', '<mask>'],
  pad: ['[PAD]', '<pad>'],
  bos: ['[BOS]', '<s>', '<bos>'],
  eos: ['[EOS]', '</s>', '<eos>', '<|endoftext|>'],
  cls: ['[CLS]', '<cls>'],
};

/** Roles the MLM pipeline cannot do without: added to the vocabulary when the file lacks them. */
const REQUIRED: Partial<Record<SpecialRole, string>> = { mask: '[MASK]', pad: '[PAD]' };

function configTokenName(config: Record<string, unknown>, role: SpecialRole): string | undefined {
  const value = config[`${role}_token`];
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/**
 * A Hugging Face tokenizer (`tokenizer.json`, run by the pure-JS `@huggingface/tokenizers`) behind the
 * `Tokenizer` contract. When the file has no `[MASK]` / `[PAD]` token (by the options, the config's
 * `mask_token` / `pad_token`, or the usual names `[MASK]`/`<mask>`, `[PAD]`/`<pad>`), they are added
 * as special tokens with the next free ids, as xlm-core's tokenizer setup does with `add_special_tokens`.
 */
export class HuggingFaceTokenizer implements Tokenizer {
  readonly maskTokenId: number;
  readonly padTokenId: number;
  readonly bosTokenId: number | undefined;
  readonly eosTokenId: number | undefined;
  readonly clsTokenId: number | undefined;
  readonly maskToken: string;
  readonly padToken: string;
  readonly bosToken: string | undefined;
  readonly eosToken: string | undefined;
  readonly clsToken: string | undefined;
  readonly vocabSize: number;
  readonly specialTokenIds: ReadonlySet<number>;

  private readonly inner: HFTokenizer;
  private readonly file: HuggingFaceTokenizerFile;
  private readonly config: Record<string, unknown>;
  private readonly specialNames: Partial<Record<SpecialRole, string>>;

  constructor(tokenizerFile: HuggingFaceTokenizerFile, options: HuggingFaceTokenizerOptions = {}) {
    if (tokenizerFile === null || typeof tokenizerFile !== 'object' || typeof tokenizerFile.model !== 'object' || tokenizerFile.model === null) {
      throw new Error('HuggingFaceTokenizer: expected a tokenizer.json object with a "model" field');
    }
    const config = options.config ?? {};
    const file: HuggingFaceTokenizerFile = {
      normalizer: null,
      pre_tokenizer: null,
      post_processor: null,
      decoder: null,
      ...structuredClone(tokenizerFile),
      added_tokens: [...(tokenizerFile.added_tokens ?? [])].map((token) => ({ ...token })),
    };
    const probe = new HFTokenizer(file, config);
    const vocabulary = probe.get_vocab(true);
    let nextId = Math.max(-1, ...vocabulary.values()) + 1;

    const names: Partial<Record<SpecialRole, string>> = {};
    for (const role of Object.keys(USUAL_NAMES) as SpecialRole[]) {
      const explicit = options[`${role}Token`];
      const configured = configTokenName(config, role);
      if (explicit !== undefined && !vocabulary.has(explicit) && REQUIRED[role] === undefined) {
        throw new Error(`HuggingFaceTokenizer: ${role}Token ${JSON.stringify(explicit)} is not in the vocabulary`);
      }
      const found = [explicit, configured, ...USUAL_NAMES[role]].find((name) => name !== undefined && vocabulary.has(name));
      if (found !== undefined) {
        names[role] = found;
        continue;
      }
      const required = REQUIRED[role];
      if (required !== undefined) {
        const content = explicit ?? configured ?? required;
        (file.added_tokens as HuggingFaceAddedToken[]).push({
          id: nextId++,
          content,
          single_word: false,
          lstrip: false,
          rstrip: false,
          normalized: false,
          special: true,
        });
        names[role] = content;
      }
    }

    this.inner = new HFTokenizer(file, config);
    this.file = file;
    this.config = config;
    this.specialNames = names;
    const idOf = (name: string | undefined): number | undefined => (name === undefined ? undefined : this.inner.token_to_id(name));
    this.maskToken = names.mask as string;
    this.padToken = names.pad as string;
    this.maskTokenId = idOf(names.mask) as number;
    this.padTokenId = idOf(names.pad) as number;
    this.bosToken = names.bos;
    this.eosToken = names.eos;
    this.clsToken = names.cls;
    this.bosTokenId = idOf(names.bos);
    this.eosTokenId = idOf(names.eos);
    this.clsTokenId = idOf(names.cls);
    const fullVocabulary = this.inner.get_vocab(true);
    this.vocabSize = Math.max(-1, ...fullVocabulary.values()) + 1;
    const special = new Set<number>();
    for (const [id, token] of this.inner.get_added_tokens_decoder()) if (token.special) special.add(id);
    for (const name of Object.values(names)) special.add(fullVocabulary.get(name) as number);
    this.specialTokenIds = special;
  }

  static fromJSON(json: TokenizerJSON): HuggingFaceTokenizer {
    if (json.type !== 'huggingface' || typeof json.tokenizer !== 'object' || json.tokenizer === null) {
      throw new Error(`HuggingFaceTokenizer.fromJSON: expected { type: 'huggingface', tokenizer: {...} }, got type ${JSON.stringify(json.type)}`);
    }
    const names = (json.specialTokens ?? {}) as Partial<Record<SpecialRole, string>>;
    return new HuggingFaceTokenizer(json.tokenizer as HuggingFaceTokenizerFile, {
      config: (json.config ?? {}) as Record<string, unknown>,
      ...(names.mask ? { maskToken: names.mask } : {}),
      ...(names.pad ? { padToken: names.pad } : {}),
      ...(names.bos ? { bosToken: names.bos } : {}),
      ...(names.eos ? { eosToken: names.eos } : {}),
      ...(names.cls ? { clsToken: names.cls } : {}),
    });
  }

  /** Text to token strings (without the post-processor's special tokens). */
  tokenize(text: string): string[] {
    return this.inner.tokenize(text);
  }

  /** Text to ids; `addSpecialTokens` (default true, as in Hugging Face) runs the post-processor template. */
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[] {
    return this.inner.encode(text, { add_special_tokens: options?.addSpecialTokens ?? true }).ids;
  }

  decode(ids: ArrayLike<number>, options?: DecodeOptions): string {
    const list = Array.from(ids);
    list.forEach((id, index) => {
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize || this.inner.id_to_token(id) === undefined) {
        throw new Error(`token id ${id} at index ${index} is not in the vocabulary (expected an integer in [0, ${this.vocabSize}))`);
      }
    });
    if (list.length === 0) return '';
    return this.inner.decode(list, { skip_special_tokens: options?.skipSpecialTokens ?? true });
  }

  batchDecode(ids: ArrayLike<number>[], options?: DecodeOptions): string[] {
    return ids.map((row) => this.decode(row, options));
  }

  convertTokensToIds(tokens: string[]): number[] {
    return tokens.map((token) => {
      const id = this.inner.token_to_id(token);
      if (id === undefined) throw new Error(`Token ${token} not in vocab`);
      return id;
    });
  }

  convertIdsToTokens(ids: ArrayLike<number>): string[] {
    return Array.from(ids, (id, index) => {
      const token = this.inner.id_to_token(id);
      if (token === undefined) throw new Error(`token id ${id} at index ${index} is not in the vocabulary (expected an integer in [0, ${this.vocabSize}))`);
      return token;
    });
  }

  toJSON(): HuggingFaceTokenizerJSON {
    return { type: 'huggingface', tokenizer: structuredClone(this.file), config: structuredClone(this.config), specialTokens: { ...this.specialNames } };
  }
}
