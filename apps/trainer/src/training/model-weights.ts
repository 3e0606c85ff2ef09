import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '@mlm/types';
import { tensorToFloat32 } from '@mlm/model';
import { readSafetensorsFile } from '@mlm/model/node';

/**
 * Loads `model.safetensors` from a checkpoint or pretrained folder into the model's parameters by
 * name. Every parameter must be present with the same shape; extra entries (buffers such as
 * `inv_freq`) are ignored.
 */
export async function loadModelWeights(model: Model, directoryOrFile: string): Promise<void> {
  const file = directoryOrFile.endsWith('.safetensors') ? directoryOrFile : path.join(directoryOrFile, 'model.safetensors');
  const tensors = await readSafetensorsFile(file);
  assignNamedTensors(model.namedParameters(), tensors, file);
}

/** Assigns safetensors entries to variables by name (shape-checked, converted to float32). */
export function assignNamedTensors(
  parameters: Map<string, tf.Variable>,
  tensors: Map<string, { dtype: string; shape: number[]; data: ArrayLike<number> | ArrayBufferView }>,
  source: string,
): void {
  const missing = [...parameters.keys()].filter((name) => !tensors.has(name));
  if (missing.length) throw new Error(`${source}: missing parameter(s) ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  for (const [name, variable] of parameters) {
    const entry = tensors.get(name)!;
    if (entry.shape.join(',') !== variable.shape.join(',')) {
      throw new Error(`${source}: ${name} has shape [${entry.shape}] but the model expects [${variable.shape}]`);
    }
    const data = tensorToFloat32(entry as Parameters<typeof tensorToFloat32>[0], name);
    tf.tidy(() => variable.assign(tf.tensor(data, variable.shape, 'float32')));
  }
}
