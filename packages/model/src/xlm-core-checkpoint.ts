/**
 * Importing xlm-core checkpoints (browser-safe: bytes in, config + tensors out).
 *
 * Accepts a Lightning checkpoint of xlm-core's Harness (`state_dict` with `model.`-prefixed keys,
 * `hyper_parameters.model` holding the model's constructor arguments, `ema` from the EMA callback) or a
 * plain `torch.save(model.state_dict())` file (`.pth`, `pytorch_model.bin`).
 *
 * The Harness saves its hyper-parameters before its tokenizer exists, so fields such as
 * `num_embeddings: "${tokenizer:full_vocab_size}"` are stored unresolved. They are filled here from the
 * weights' shapes (vocabulary, widths, layers, rotary dimension) or from the tokenizer's special ids
 * (padding, mask); anything still unknown is an error naming the field and how to supply it.
 */
import { CheckpointError, prepareStateDict } from './state-dict.js';
import { modelConfigFromXlm, XLM_CONFIG_NAMES, type XlmModelConfig } from './model-config.js';
import type { SafetensorsTensor } from './safetensors.js';
import { materializeTensor, parseTorchCheckpoint, pickleValueToJson, TorchTensorReference, type TorchCheckpoint } from './torch-checkpoint.js';
import { inverseFrequencyKey } from './parameter-layout.js';

export interface ImportCheckpointOptions {
  /** Take the EMA weights when the checkpoint has them (default true, as xlm-core evaluates). */
  useEma?: boolean;
  /** A `config.json` object (xlm-core names) to use instead of the checkpoint's hyper-parameters. */
  config?: object;
  /** Special token ids of the tokenizer, for `padding_idx` / `mask_idx` the checkpoint left unresolved. */
  specialTokenIds?: { paddingIdx?: number; maskIdx?: number };
  /** For messages (e.g. the file name). */
  source?: string;
}

export interface ImportedCheckpoint {
  /** `config.json` (xlm-core names), complete and validated. */
  config: XlmModelConfig;
  /** The model's state dict (xlm-core names, stored dtypes), checked against `config`. */
  tensors: Map<string, SafetensorsTensor>;
  kind: 'lightning' | 'state-dict';
  /** Whether the checkpoint holds EMA weights, and whether `tensors` are them. */
  hasEma: boolean;
  usedEma: boolean;
  /** EMA decay and number of updates, when present. */
  ema?: { decay: number | undefined; numUpdates: number | undefined };
  /** The Lightning hyper-parameters as JSON (tensors described, not included). */
  hyperParameters?: Record<string, unknown>;
  globalStep?: number;
  epoch?: number;
  /** The dataset the run was trained on (`hyper_parameters.tags.dataset`, e.g. "star_easy"), when recorded. */
  dataset?: string;
  /** Config fields that were filled in, and from what. */
  filledFields: Array<{ field: string; value: unknown; from: string }>;
}

function isUnresolved(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

function isDroppedKey(key: string): boolean {
  return key.startsWith('predictor.model.') || /(^|\.)rotary_emb\.(sin|cos)$/.test(key);
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Parses and converts an xlm-core checkpoint; every problem is a `CheckpointError` (or subclass) naming what is wrong. */
export function importXlmCoreCheckpoint(input: Uint8Array | TorchCheckpoint, options: ImportCheckpointOptions = {}): ImportedCheckpoint {
  const source = options.source ?? (input instanceof Uint8Array ? 'checkpoint' : input.source);
  const { root } = input instanceof Uint8Array ? parseTorchCheckpoint(input, source) : input;
  if (!(root instanceof Map)) throw new CheckpointError(`${source}: the pickled object is not a dict (got ${Array.isArray(root) ? 'a list' : typeof root})`);

  let kind: ImportedCheckpoint['kind'];
  const references = new Map<string, TorchTensorReference>();
  const lightningState = root.get('state_dict');
  if (lightningState !== undefined) {
    kind = 'lightning';
    if (!(lightningState instanceof Map)) throw new CheckpointError(`${source}: "state_dict" is not a dict`);
    for (const [key, value] of lightningState) {
      if (typeof key !== 'string') throw new CheckpointError(`${source}: state_dict key ${String(key)} is not a string`);
      if (!key.startsWith('model.')) continue; // loss/metric/predictor modules of the Harness
      const name = key.slice('model.'.length);
      if (isDroppedKey(name)) continue;
      if (!(value instanceof TorchTensorReference)) throw new CheckpointError(`${source}: state_dict[${JSON.stringify(key)}] is not a tensor`);
      references.set(name, value);
    }
    if (references.size === 0) throw new CheckpointError(`${source}: the Lightning state_dict has no "model.*" keys (not an xlm-core Harness checkpoint?)`);
  } else {
    kind = 'state-dict';
    const keys = [...root.keys()];
    const prefixed = keys.length > 0 && keys.every((key) => typeof key === 'string' && key.startsWith('model.'));
    for (const [key, value] of root) {
      if (typeof key !== 'string' || !(value instanceof TorchTensorReference)) {
        throw new CheckpointError(`${source}: neither a Lightning checkpoint (no "state_dict") nor a state dict (entry ${JSON.stringify(String(key))} is not a tensor)`);
      }
      const name = prefixed ? key.slice('model.'.length) : key;
      if (!isDroppedKey(name)) references.set(name, value);
    }
  }

  const tensors = new Map<string, SafetensorsTensor>();
  for (const [name, reference] of references) tensors.set(name, materializeTensor(reference));

  // EMA: torch_ema keeps one shadow tensor per trainable parameter, in `parameters()` order, which for
  // the Harness is the model's parameters in state_dict order (buffers such as inv_freq excluded).
  const emaEntry = kind === 'lightning' ? root.get('ema') : undefined;
  const shadow = emaEntry instanceof Map ? emaEntry.get('shadow_params') : undefined;
  const hasEma = Array.isArray(shadow) && shadow.length > 0;
  const useEma = (options.useEma ?? true) && hasEma;
  if (useEma) {
    const parameterNames = [...tensors.keys()].filter((name) => !/\.rotary_emb\.inv_freq$/.test(name));
    const list = shadow as unknown[];
    if (list.length !== parameterNames.length) {
      throw new CheckpointError(
        `${source}: ema.shadow_params has ${list.length} tensors but the model has ${parameterNames.length} parameters (the EMA was taken over other modules too); import without EMA`,
      );
    }
    parameterNames.forEach((name, index) => {
      const value = list[index];
      if (!(value instanceof TorchTensorReference)) throw new CheckpointError(`${source}: ema.shadow_params[${index}] is not a tensor`);
      const current = tensors.get(name)!;
      if (value.shape.join(',') !== current.shape.join(',')) {
        throw new CheckpointError(`${source}: ema.shadow_params[${index}] has shape [${value.shape.join(', ')}] but parameter ${JSON.stringify(name)} has [${current.shape.join(', ')}]`);
      }
      tensors.set(name, materializeTensor(value));
    });
  }

  const hyperParameters = asRecord(pickleValueToJson(root.get('hyper_parameters')));
  const filledFields: ImportedCheckpoint['filledFields'] = [];
  let configObject: Record<string, unknown>;
  let configLabel: string;
  if (options.config) {
    configObject = { ...(options.config as Record<string, unknown>) };
    configLabel = 'config.json';
  } else {
    const fromHyperParameters = asRecord(hyperParameters?.model);
    if (!fromHyperParameters) {
      throw new CheckpointError(`${source}: ${kind === 'lightning' ? 'no hyper_parameters.model in the checkpoint' : 'a plain state dict carries no model configuration'}; give a config.json (xlm-core's model arguments)`);
    }
    configLabel = `${source}: hyper_parameters.model`;
    const known = new Set<string>(XLM_CONFIG_NAMES.map((entry) => entry.xlm));
    configObject = Object.fromEntries(Object.entries(fromHyperParameters).filter(([key]) => known.has(key)));
    fillUnresolved(configObject, tensors, options.specialTokenIds, configLabel, filledFields);
  }
  const resolved = modelConfigFromXlm(configObject, configLabel);
  // Checks names and shapes (strict) without keeping the float32 copies.
  prepareStateDict(tensors, resolved, { strict: true });
  const config = configObject as unknown as XlmModelConfig;

  const emaMap = emaEntry instanceof Map ? emaEntry : undefined;
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  const dataset = asRecord(hyperParameters?.tags)?.dataset;
  return {
    config,
    tensors,
    kind,
    hasEma,
    usedEma: useEma,
    ...(emaMap ? { ema: { decay: number(emaMap.get('decay')), numUpdates: number(emaMap.get('num_updates')) } } : {}),
    ...(hyperParameters ? { hyperParameters } : {}),
    ...(number(root.get('global_step')) !== undefined ? { globalStep: number(root.get('global_step')) } : {}),
    ...(number(root.get('epoch')) !== undefined ? { epoch: number(root.get('epoch')) } : {}),
    ...(typeof dataset === 'string' ? { dataset: dataset.trim() } : {}),
    filledFields,
  };
}

/**
 * The dataset a Lightning checkpoint records (`hyper_parameters.tags.dataset`, e.g. "star_easy"), to
 * pick the tokenizer before importing; undefined when absent.
 */
export function recordedDataset(checkpoint: TorchCheckpoint): string | undefined {
  const root = checkpoint.root;
  if (!(root instanceof Map)) return undefined;
  const hyperParameters = root.get('hyper_parameters');
  const tags = hyperParameters instanceof Map ? hyperParameters.get('tags') : undefined;
  const dataset = tags instanceof Map ? tags.get('dataset') : undefined;
  return typeof dataset === 'string' ? dataset.trim() : undefined;
}

function fillUnresolved(
  config: Record<string, unknown>,
  tensors: Map<string, SafetensorsTensor>,
  specialTokenIds: ImportCheckpointOptions['specialTokenIds'],
  label: string,
  filled: ImportedCheckpoint['filledFields'],
): void {
  const shapeOf = (key: string) => tensors.get(key)?.shape;
  const inferred: Record<string, { value: number | undefined; from: string }> = {
    num_embeddings: { value: shapeOf('embed_tokens.weight')?.[0], from: 'embed_tokens.weight shape' },
    d_model: { value: shapeOf('embed_tokens.weight')?.[1], from: 'embed_tokens.weight shape' },
    num_layers: { value: [...tensors.keys()].filter((key) => /^encoder\.\d+\.norm1\.weight$/.test(key)).length, from: 'the encoder.N keys' },
    dim_feedforward: { value: shapeOf('encoder.0.mlp.0.weight')?.[0], from: 'encoder.0.mlp.0.weight shape' },
    rotary_emb_dim: { value: shapeOf(inverseFrequencyKey(0)) ? 2 * (shapeOf(inverseFrequencyKey(0))![0] as number) : undefined, from: 'encoder.0.rotary_emb.inv_freq shape' },
    padding_idx: { value: specialTokenIds?.paddingIdx, from: "the tokenizer's padding id" },
    mask_idx: { value: specialTokenIds?.maskIdx, from: "the tokenizer's mask id" },
  };
  for (const [field, value] of Object.entries(config)) {
    if (!isUnresolved(value)) continue;
    const guess = inferred[field];
    if (!guess || guess.value === undefined) {
      const how = field === 'padding_idx' || field === 'mask_idx' ? 'give the tokenizer (a tokenizer.json or the task) or a config.json' : 'give a config.json';
      throw new CheckpointError(`${label}.${field} is ${JSON.stringify(value)} (resolved by xlm-core at run time, not stored); ${how}`);
    }
    config[field] = guess.value;
    filled.push({ field, value: guess.value, from: guess.from });
  }
}
