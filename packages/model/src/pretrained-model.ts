/**
 * A model to and from a folder on disk (Node only, exported from `@mlm/model/node`): the layout of
 * `pretrained-files.ts`, loadable by xlm-core with `model.load_state_dict(load_file(...), strict=True)`.
 */
import { modelConfigFromXlm } from './model-config.js';
import { CONFIG_FILE } from './checkpoint-shards.js';
import { readPretrainedFolder, writePretrainedFolder } from './pretrained-files.js';
import { RotaryTransformerMLMModel } from './rotary-transformer-mlm-model.js';

/** Loads `dir/config.json` and `dir/model.safetensors` (or a sharded `model.safetensors.index.json`). */
export async function fromPretrained(folder: string): Promise<RotaryTransformerMLMModel> {
  const { config, tensors } = await readPretrainedFolder(folder);
  const resolved = modelConfigFromXlm(config, `${folder}/${CONFIG_FILE}`);
  return RotaryTransformerMLMModel.fromStateDict(resolved, tensors);
}

/**
 * Writes `config.json` and `model.safetensors` (each atomically) into `folder`, loadable by xlm-core;
 * the `inv_freq` buffers are included.
 */
export async function savePretrained(model: RotaryTransformerMLMModel, folder: string): Promise<void> {
  const { config, weights } = model.toBytes();
  await writePretrainedFolder(folder, config, weights);
}
