/**
 * Tokenizers over HTTP(S) (browser and Node 18+): the global `fetch` or an injected one.
 */
import type { FetchFunction, FetchResponse, Tokenizer } from '@mlm/types';
import { HuggingFaceTokenizer, type HuggingFaceTokenizerFile } from './huggingface-tokenizer.js';
import { TOKENIZER_FILE_NAME, isHuggingFaceFile, loadTokenizer } from './tokenizer-json.js';

export interface LoadTokenizerFromUrlOptions {
  /** Default: the global `fetch`. */
  fetch?: FetchFunction;
  signal?: AbortSignal;
}

async function get(fetch: FetchFunction, url: string, options: LoadTokenizerFromUrlOptions): Promise<FetchResponse> {
  try {
    return await fetch(url, options.signal ? { signal: options.signal } : undefined);
  } catch (error) {
    throw new Error(`loadTokenizerFromUrl: ${url} cannot be fetched (${(error as Error).message})`);
  }
}

async function json(response: FetchResponse, url: string): Promise<Record<string, unknown>> {
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`loadTokenizerFromUrl: ${url} is not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error(`loadTokenizerFromUrl: ${url}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}

/**
 * Fetches `<baseUrl>/tokenizer.json` (or `baseUrl` itself when it ends in `.json`): a file written by
 * `saveTokenizerFile`, or a Hugging Face `tokenizer.json` (then `tokenizer_config.json` beside it is
 * fetched too, when the server has it). The URL form of `loadTokenizerFile` (`@mlm/collators/node`).
 */
export async function loadTokenizerFromUrl(baseUrl: string | URL, options: LoadTokenizerFromUrlOptions = {}): Promise<Tokenizer> {
  const fetch = options.fetch ?? (globalThis.fetch as unknown as FetchFunction | undefined);
  if (typeof fetch !== 'function') throw new Error('loadTokenizerFromUrl: no global fetch in this runtime; pass options.fetch');
  const base = String(baseUrl);
  const url = base.endsWith('.json') ? base : `${base.replace(/\/+$/, '')}/${TOKENIZER_FILE_NAME}`;
  const response = await get(fetch, url, options);
  if (!response.ok) throw new Error(`loadTokenizerFromUrl: ${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  const file = await json(response, url);
  if (!isHuggingFaceFile(file)) return loadTokenizer(file);
  const configUrl = `${url.slice(0, url.lastIndexOf('/') + 1)}tokenizer_config.json`;
  const configResponse = await get(fetch, configUrl, options);
  if (configResponse.status === 404) return new HuggingFaceTokenizer(file as HuggingFaceTokenizerFile);
  if (!configResponse.ok) throw new Error(`loadTokenizerFromUrl: ${configUrl}: HTTP ${configResponse.status} ${configResponse.statusText}`.trimEnd());
  return new HuggingFaceTokenizer(file as HuggingFaceTokenizerFile, { config: await json(configResponse, configUrl) });
}
