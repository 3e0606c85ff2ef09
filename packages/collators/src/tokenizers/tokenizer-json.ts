import type { Tokenizer, TokenizerJSON } from '@mlm/types';
import { CharacterTokenizer } from './character-tokenizer.js';
import { HuggingFaceTokenizer, type HuggingFaceTokenizerFile } from './huggingface-tokenizer.js';
import { SimpleSpaceTokenizer } from './simple-space-tokenizer.js';

/** File name of a saved tokenizer, next to a checkpoint's `config.json`. */
export const TOKENIZER_FILE_NAME = 'tokenizer.json';

type TokenizerFactory = (json: TokenizerJSON) => Tokenizer;

const factories = new Map<string, TokenizerFactory>([
  ['simple-space', (json) => SimpleSpaceTokenizer.fromJSON(json)],
  ['character', (json) => CharacterTokenizer.fromJSON(json)],
  ['huggingface', (json) => HuggingFaceTokenizer.fromJSON(json)],
]);

/** Registers another tokenizer kind for `loadTokenizer` (for plugins). Replaces an existing kind. */
export function registerTokenizerType(type: string, factory: TokenizerFactory): void {
  factories.set(type, factory);
}

/** The registered tokenizer kinds. */
export function tokenizerTypes(): string[] {
  return [...factories.keys()];
}

export function isHuggingFaceFile(value: Record<string, unknown>): boolean {
  return typeof value.model === 'object' && value.model !== null && value.type === undefined;
}

/**
 * Rebuilds a tokenizer from `tokenizer.toJSON()`. A plain Hugging Face `tokenizer.json` object (no
 * `type`, has `model`) is accepted too and becomes a `HuggingFaceTokenizer`.
 */
export function loadTokenizer(json: TokenizerJSON | Record<string, unknown>): Tokenizer {
  if (json === null || typeof json !== 'object') throw new Error(`loadTokenizer: expected an object, got ${json === null ? 'null' : typeof json}`);
  if (isHuggingFaceFile(json)) return new HuggingFaceTokenizer(json as HuggingFaceTokenizerFile);
  const type = json.type;
  const factory = typeof type === 'string' ? factories.get(type) : undefined;
  if (factory === undefined) {
    throw new Error(`loadTokenizer: unknown tokenizer type ${JSON.stringify(type)}; expected one of ${tokenizerTypes().map((t) => JSON.stringify(t)).join(', ')}`);
  }
  return factory(json as TokenizerJSON);
}
