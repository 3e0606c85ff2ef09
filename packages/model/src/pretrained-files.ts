/**
 * The on-disk layout shared with PyTorch / the Hugging Face Hub (Node only; `node:fs` is imported
 * lazily so browser bundles never load it):
 *   dir/config.json                      xlm-core's constructor arguments (snake_case)
 *   dir/model.safetensors                the state_dict
 * or, sharded,
 *   dir/model.safetensors.index.json     {"weight_map": {"<key>": "<shard file>", ...}}
 *   dir/<shard files>
 */
import { CheckpointError } from './state-dict.js';
import { SafetensorsError, type SafetensorsTensor } from './safetensors.js';
import { readSafetensorsFile } from './safetensors-file.js';
import { CONFIG_FILE, WEIGHTS_FILE, WEIGHTS_INDEX_FILE, checkWeightMap, mergeShards, readWeightMap } from './checkpoint-shards.js';

async function nodeModules() {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}

async function exists(file: string): Promise<boolean> {
  const { fs } = await nodeModules();
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

async function readJson(file: string): Promise<unknown> {
  const { fs } = await nodeModules();
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    throw new CheckpointError(`${file}: cannot be read (${(error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`${file}: not valid JSON (${(error as Error).message})`);
  }
}

async function readShard(file: string): Promise<Map<string, SafetensorsTensor>> {
  try {
    return await readSafetensorsFile(file);
  } catch (error) {
    if (error instanceof SafetensorsError) throw error;
    throw new CheckpointError(`${file}: cannot be read (${(error as Error).message})`);
  }
}

/** Reads `config.json` and the (possibly sharded) weights of a pretrained folder. */
export async function readPretrainedFolder(folder: string): Promise<{ config: unknown; tensors: Map<string, SafetensorsTensor> }> {
  const { path } = await nodeModules();
  const configFile = path.join(folder, CONFIG_FILE);
  if (!(await exists(configFile))) throw new CheckpointError(`${folder}: no ${CONFIG_FILE} found`);
  const config = await readJson(configFile);

  const single = path.join(folder, WEIGHTS_FILE);
  if (await exists(single)) return { config, tensors: await readShard(single) };

  const indexFile = path.join(folder, WEIGHTS_INDEX_FILE);
  if (!(await exists(indexFile))) throw new CheckpointError(`${folder}: neither ${WEIGHTS_FILE} nor ${WEIGHTS_INDEX_FILE} found`);
  const weightMap = readWeightMap(await readJson(indexFile), indexFile);
  const shards = [];
  for (const shard of new Set(Object.values(weightMap))) shards.push({ source: shard, tensors: await readShard(path.join(folder, shard)) });
  const merged = mergeShards(shards);
  checkWeightMap(weightMap, shards, indexFile);
  return { config, tensors: merged };
}

/** Writes `config.json` and `model.safetensors` into `folder` (created if needed), each atomically. */
export async function writePretrainedFolder(folder: string, config: object, weights: Uint8Array): Promise<void> {
  const { fs, path } = await nodeModules();
  await fs.mkdir(folder, { recursive: true });
  const { writeFileDurably } = await import('@mlm/durable-write');
  await writeFileDurably(path.join(folder, WEIGHTS_FILE), weights);
  await writeFileDurably(path.join(folder, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
}
