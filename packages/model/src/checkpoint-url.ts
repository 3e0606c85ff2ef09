/**
 * Checkpoints over HTTP(S) (browser and Node 18+: the global `fetch`, or an injected one): the same
 * layout as a folder — `<base>/config.json` and `<base>/model.safetensors`, or a sharded
 * `<base>/model.safetensors.index.json` with its shards beside it.
 */
import { CONFIG_FILE, WEIGHTS_FILE, WEIGHTS_INDEX_FILE, readWeightMap } from './checkpoint-shards.js';
import type { FetchFunction, FetchResponse } from '@mlm/types';
import { CheckpointError } from './state-dict.js';

export type { FetchFunction, FetchResponse };

export interface FetchCheckpointOptions {
  /** Default: the global `fetch`. */
  fetch?: FetchFunction;
  signal?: AbortSignal;
}

/** `base` + `/` + `file`, for absolute and relative bases alike (`'models/demo'`, `'https://host/m/'`). */
export function joinUrl(base: string | URL, file: string): string {
  return `${String(base).replace(/\/+$/, '')}/${file}`;
}

function fetchFunction(options: FetchCheckpointOptions): FetchFunction {
  const found = options.fetch ?? (globalThis.fetch as unknown as FetchFunction | undefined);
  if (typeof found !== 'function') throw new CheckpointError('fetch: no global fetch in this runtime; pass options.fetch');
  return found;
}

async function request(fetch: FetchFunction, url: string, options: FetchCheckpointOptions): Promise<FetchResponse> {
  let response: FetchResponse;
  try {
    response = await fetch(url, options.signal ? { signal: options.signal } : undefined);
  } catch (error) {
    throw new CheckpointError(`${url}: cannot be fetched (${(error as Error).message})`);
  }
  return response;
}

async function fetchOk(fetch: FetchFunction, url: string, options: FetchCheckpointOptions): Promise<FetchResponse> {
  const response = await request(fetch, url, options);
  if (!response.ok) throw new CheckpointError(`${url}: HTTP ${response.status} ${response.statusText}`.trimEnd());
  return response;
}

async function fetchJson(fetch: FetchFunction, url: string, options: FetchCheckpointOptions): Promise<unknown> {
  const text = await (await fetchOk(fetch, url, options)).text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`${url}: not valid JSON (${(error as Error).message})`);
  }
}

async function fetchBytes(response: FetchResponse): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * Fetches `<baseUrl>/config.json` and the weights: `model.safetensors`, or, when that answers 404,
 * `model.safetensors.index.json` and the shards it names. The result is what
 * `RotaryTransformerMLMModel.fromBytes` takes.
 */
export async function fetchCheckpoint(baseUrl: string | URL, options: FetchCheckpointOptions = {}): Promise<{ config: object; weights: Uint8Array[] }> {
  const fetch = fetchFunction(options);
  const configUrl = joinUrl(baseUrl, CONFIG_FILE);
  const config = await fetchJson(fetch, configUrl, options);
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw new CheckpointError(`${configUrl}: expected a JSON object`);

  const single = await request(fetch, joinUrl(baseUrl, WEIGHTS_FILE), options);
  if (single.ok) return { config, weights: [await fetchBytes(single)] };
  if (single.status !== 404) throw new CheckpointError(`${joinUrl(baseUrl, WEIGHTS_FILE)}: HTTP ${single.status} ${single.statusText}`.trimEnd());

  const indexUrl = joinUrl(baseUrl, WEIGHTS_INDEX_FILE);
  const indexResponse = await request(fetch, indexUrl, options);
  if (indexResponse.status === 404) throw new CheckpointError(`${String(baseUrl)}: neither ${WEIGHTS_FILE} nor ${WEIGHTS_INDEX_FILE} found (HTTP 404)`);
  if (!indexResponse.ok) throw new CheckpointError(`${indexUrl}: HTTP ${indexResponse.status} ${indexResponse.statusText}`.trimEnd());
  let index: unknown;
  try {
    index = JSON.parse(await indexResponse.text());
  } catch (error) {
    throw new CheckpointError(`${indexUrl}: not valid JSON (${(error as Error).message})`);
  }
  const weightMap = readWeightMap(index, indexUrl);
  const weights = await Promise.all([...new Set(Object.values(weightMap))].map(async (shard) => fetchBytes(await fetchOk(fetch, joinUrl(baseUrl, shard), options))));
  return { config, weights };
}
