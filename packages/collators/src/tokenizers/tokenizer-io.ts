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

function isHuggingFaceFile(value: Record<string, unknown>): boolean {
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

/**
 * Writes `tokenizer.toJSON()` to `<directory>/tokenizer.json` durably (`@mlm/durable-write`: temporary
 * file, fsync, rename, fsync the folder), creating the directory. Returns the file's path.
 */
export async function saveTokenizerFile(tokenizer: Tokenizer, directory: string): Promise<string> {
  // Node modules are imported lazily so that the package also loads in a browser bundle.
  const path = await import('node:path');
  const { writeFileDurably } = await import('@mlm/durable-write');
  const target = path.join(directory, TOKENIZER_FILE_NAME);
  await writeFileDurably(target, `${JSON.stringify(tokenizer.toJSON(), null, 2)}\n`);
  return target;
}

/**
 * Reads `<directory>/tokenizer.json` (or the given `.json` file): a file written by
 * `saveTokenizerFile`, or a Hugging Face `tokenizer.json` (then `tokenizer_config.json` beside it is
 * read too).
 */
export async function loadTokenizerFile(directoryOrFile: string): Promise<Tokenizer> {
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const file = directoryOrFile.endsWith('.json') ? directoryOrFile : path.join(directoryOrFile, TOKENIZER_FILE_NAME);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`loadTokenizerFile: no tokenizer file at ${file}`);
    throw error;
  }
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`loadTokenizerFile: ${file} is not valid JSON (${(error as Error).message})`);
  }
  if (isHuggingFaceFile(json)) return HuggingFaceTokenizer.fromFile(file);
  return loadTokenizer(json);
}
