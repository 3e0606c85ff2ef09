/**
 * Tokenizer files on disk (Node only, exported from `@mlm/collators/node`). The browser-safe JSON
 * forms are in `tokenizer-json.ts`; URL forms in `tokenizer-url.ts`.
 */
import type { Tokenizer } from '@mlm/types';
import { HuggingFaceTokenizer, type HuggingFaceTokenizerFile, type HuggingFaceTokenizerOptions } from './huggingface-tokenizer.js';
import { TOKENIZER_FILE_NAME, isHuggingFaceFile, loadTokenizer } from './tokenizer-json.js';

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
  if (isHuggingFaceFile(json)) return loadHuggingFaceTokenizerFile(file);
  return loadTokenizer(json);
}

/**
 * Reads a Hugging Face `tokenizer.json` (a file, or a directory holding one) and
 * `tokenizer_config.json` beside it when present.
 */
export async function loadHuggingFaceTokenizerFile(file: string, options: Omit<HuggingFaceTokenizerOptions, 'config'> = {}): Promise<HuggingFaceTokenizer> {
  // Node modules are imported lazily so that the package also loads in a browser bundle.
  const { readFile } = await import('node:fs/promises');
  const path = await import('node:path');
  const tokenizerPath = file.endsWith('.json') ? file : path.join(file, TOKENIZER_FILE_NAME);
  const tokenizerFile = JSON.parse(await readFile(tokenizerPath, 'utf8')) as HuggingFaceTokenizerFile;
  let config: Record<string, unknown> | undefined;
  try {
    config = JSON.parse(await readFile(path.join(path.dirname(tokenizerPath), 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return new HuggingFaceTokenizer(tokenizerFile, { ...options, ...(config ? { config } : {}) });
}
