/**
 * Checking a state dict from a checkpoint against the model (pure JavaScript, no tensors).
 *
 * Accepted, as xlm-core's Harness and Hub loading accept them:
 * - Lightning's `model.` key prefix (stripped); legacy `predictor.model.*` keys and non-persistent
 *   `rotary_emb.sin` / `rotary_emb.cos` buffers (dropped);
 * - `encoder.{i}.rotary_emb.inv_freq` present or absent (safetensors de-duplicates the shared
 *   buffer); when present it must equal the recomputed values (rounded to the stored dtype for
 *   F16/BF16 checkpoints) within 1e-6;
 * - F32, F16, BF16 (and F64) tensors, converted to float32.
 * Unknown and missing keys (in strict mode) and shape mismatches are errors naming the key.
 */
import { bfloat16BitsToNumber, float16BitsToNumber, numberToBfloat16Bits, numberToFloat16Bits } from './float16.js';
import { type ResolvedModelConfig } from './model-config.js';
import { inverseFrequencyKey, parameterSpecs } from './parameter-layout.js';
import { rotaryInverseFrequencies } from './rotary-embedding.js';
import { SafetensorsError, tensorToFloat32, type SafetensorsTensor } from './safetensors.js';

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

export interface LoadStateDictOptions {
  /** Unknown or missing keys are errors (default true, as PyTorch's `load_state_dict(strict=True)`). */
  strict?: boolean;
}

export interface LoadStateDictResult {
  /** Parameters the state dict did not provide (kept at their current values; empty in strict mode). */
  missingKeys: string[];
  /** Keys the model does not have (ignored; empty in strict mode). */
  unexpectedKeys: string[];
}

export interface PreparedStateDict extends LoadStateDictResult {
  /** float32 values of the parameters found, by state_dict name. */
  values: Map<string, Float32Array>;
}

/** Key rewriting of old checkpoints: strip `model.`, drop legacy keys. Returns null to drop a key. */
function canonicalKey(key: string): string | null {
  if (key.startsWith('predictor.model.')) return null;
  const stripped = key.startsWith('model.') ? key.slice('model.'.length) : key;
  if (/(^|\.)rotary_emb\.(sin|cos)$/.test(stripped)) return null;
  return stripped;
}

function roundToDtype(value: number, dtype: SafetensorsTensor['dtype']): number {
  if (dtype === 'F16') return float16BitsToNumber(numberToFloat16Bits(value));
  if (dtype === 'BF16') return bfloat16BitsToNumber(numberToBfloat16Bits(value));
  return value;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

/** Tolerance for stored `inv_freq` buffers against the recomputed float32 values. */
export const INVERSE_FREQUENCY_TOLERANCE = 1e-6;

export function prepareStateDict(
  entries: Map<string, SafetensorsTensor> | Record<string, SafetensorsTensor>,
  config: ResolvedModelConfig,
  options: LoadStateDictOptions = {},
): PreparedStateDict {
  const strict = options.strict ?? true;
  const input = entries instanceof Map ? [...entries.entries()] : Object.entries(entries);
  const canonical = new Map<string, { original: string; tensor: SafetensorsTensor }>();
  for (const [key, tensor] of input) {
    const name = canonicalKey(key);
    if (name === null) continue;
    const previous = canonical.get(name);
    if (previous) throw new CheckpointError(`state dict: keys ${JSON.stringify(previous.original)} and ${JSON.stringify(key)} both name ${JSON.stringify(name)}`);
    canonical.set(name, { original: key, tensor });
  }

  const specs = parameterSpecs(config);
  const values = new Map<string, Float32Array>();
  const missingKeys: string[] = [];
  for (const spec of specs) {
    const found = canonical.get(spec.name);
    if (!found) {
      missingKeys.push(spec.name);
      continue;
    }
    canonical.delete(spec.name);
    if (!sameShape(found.tensor.shape, spec.shape)) {
      throw new CheckpointError(
        `state dict key ${JSON.stringify(found.original)}: shape [${found.tensor.shape.join(', ')}] does not match the model's [${spec.shape.join(', ')}]`,
      );
    }
    try {
      values.set(spec.name, tensorToFloat32(found.tensor, `state dict key ${JSON.stringify(found.original)}`));
    } catch (error) {
      if (error instanceof SafetensorsError) throw new CheckpointError(error.message);
      throw error;
    }
  }

  const expectedInverse = rotaryInverseFrequencies(config.rotaryEmbDim);
  for (let layer = 0; layer < config.numLayers; layer++) {
    const found = canonical.get(inverseFrequencyKey(layer));
    if (!found) continue;
    canonical.delete(inverseFrequencyKey(layer));
    const where = `state dict key ${JSON.stringify(found.original)}`;
    if (!sameShape(found.tensor.shape, [expectedInverse.length])) {
      throw new CheckpointError(`${where}: shape [${found.tensor.shape.join(', ')}] does not match [${expectedInverse.length}] (rotary_emb_dim / 2)`);
    }
    let stored: Float32Array;
    try {
      stored = tensorToFloat32(found.tensor, where);
    } catch (error) {
      if (error instanceof SafetensorsError) throw new CheckpointError(error.message);
      throw error;
    }
    for (let j = 0; j < expectedInverse.length; j++) {
      // A half-precision checkpoint stores the buffer rounded to its dtype: compare with the same rounding.
      const expected = roundToDtype(expectedInverse[j] as number, found.tensor.dtype);
      const difference = Math.abs((stored[j] as number) - expected);
      if (!(difference <= INVERSE_FREQUENCY_TOLERANCE)) {
        throw new CheckpointError(
          `${where}: element ${j} is ${stored[j]} but RoPE with rotary_emb_dim = ${config.rotaryEmbDim} and base 10000 gives ${expected} (the checkpoint was made with another rotary configuration)`,
        );
      }
    }
  }

  const unexpectedKeys = [...canonical.values()].map((entry) => entry.original);
  if (strict && (unexpectedKeys.length > 0 || missingKeys.length > 0)) {
    const parts: string[] = [];
    if (unexpectedKeys.length > 0) parts.push(`unknown key${unexpectedKeys.length > 1 ? 's' : ''} ${unexpectedKeys.map((key) => JSON.stringify(key)).join(', ')}`);
    if (missingKeys.length > 0) parts.push(`missing key${missingKeys.length > 1 ? 's' : ''} ${missingKeys.map((key) => JSON.stringify(key)).join(', ')}`);
    throw new CheckpointError(`state dict does not match the model: ${parts.join('; ')}`);
  }
  return { values, missingKeys, unexpectedKeys };
}
