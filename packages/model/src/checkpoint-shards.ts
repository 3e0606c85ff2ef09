/**
 * Pieces of a (possibly sharded) checkpoint that do not touch the file system, shared by the folder
 * reader (`@mlm/model/node`) and the URL reader: merging shards and reading a shard index.
 */
import { CheckpointError } from './state-dict.js';
import type { SafetensorsTensor } from './safetensors.js';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

/** Merges shards into one state dict; a key present in two shards is an error. */
export function mergeShards(shards: Array<{ source: string; tensors: Map<string, SafetensorsTensor> }>): Map<string, SafetensorsTensor> {
  const merged = new Map<string, SafetensorsTensor>();
  const origin = new Map<string, string>();
  for (const shard of shards) {
    for (const [key, tensor] of shard.tensors) {
      const previous = origin.get(key);
      if (previous !== undefined) throw new CheckpointError(`state dict key ${JSON.stringify(key)} appears in both ${previous} and ${shard.source}`);
      origin.set(key, shard.source);
      merged.set(key, tensor);
    }
  }
  return merged;
}

/**
 * The `weight_map` of a `model.safetensors.index.json` object, checked: every value is a plain file
 * name in the same folder (no `/`, `\`, `.` or `..`), so an index cannot point outside its folder.
 */
export function readWeightMap(index: unknown, source: string): Record<string, string> {
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw new CheckpointError(`${source}: expected an object with "weight_map": {key: shard file}`);
  }
  for (const [key, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard === '' || /[/\\]/.test(shard) || shard === '.' || shard === '..') {
      throw new CheckpointError(`${source}: weight_map[${JSON.stringify(key)}] = ${JSON.stringify(shard)}: expected a file name in the same folder`);
    }
  }
  return weightMap as Record<string, string>;
}

/** Checks that each key of the weight map is in the shard the map names. */
export function checkWeightMap(weightMap: Record<string, string>, shards: Array<{ source: string; tensors: Map<string, SafetensorsTensor> }>, source: string): void {
  for (const [key, shard] of Object.entries(weightMap)) {
    const found = shards.find((candidate) => candidate.source === shard);
    if (!found?.tensors.has(key)) throw new CheckpointError(`${source}: weight_map says ${JSON.stringify(key)} is in ${shard}, but it is not`);
  }
}
