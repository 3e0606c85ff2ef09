import * as tf from '@tensorflow/tfjs-core';

/** Runs `compute` on the cpu backend and then on the wasm backend, with the same inputs. */
export async function onBothBackends(compute: () => tf.Tensor | tf.Tensor[]): Promise<{ cpu: Float32Array[]; wasm: Float32Array[]; shapes: number[][] }> {
  const run = async (backend: 'cpu' | 'wasm') => {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const result = tf.tidy(compute);
    const list = Array.isArray(result) ? result : [result];
    const values = list.map((t) => Float32Array.from(t.dataSync()));
    const shapes = list.map((t) => t.shape);
    tf.dispose(list);
    if (tf.memory().numTensors !== before) throw new Error(`${backend}: ${tf.memory().numTensors - before} tensors leaked`);
    return { values, shapes };
  };
  const cpu = await run('cpu');
  const wasm = await run('wasm');
  if (JSON.stringify(cpu.shapes) !== JSON.stringify(wasm.shapes)) {
    throw new Error(`shapes differ: cpu ${JSON.stringify(cpu.shapes)}, wasm ${JSON.stringify(wasm.shapes)}`);
  }
  return { cpu: cpu.values, wasm: wasm.values, shapes: wasm.shapes };
}

/** Largest |a - b| / (1 + |b|) over all elements. */
export function maxRelativeError(a: Float32Array[], b: Float32Array[]): number {
  let worst = 0;
  a.forEach((values, index) => {
    const reference = b[index]!;
    if (values.length !== reference.length) throw new Error(`lengths differ: ${values.length} vs ${reference.length}`);
    for (let i = 0; i < values.length; i++) {
      const error = Math.abs(values[i]! - reference[i]!) / (1 + Math.abs(reference[i]!));
      if (!(error <= worst)) worst = Number.isNaN(error) ? Infinity : Math.max(worst, error);
    }
  });
  return worst;
}

/** Deterministic values in [-1, 1) from a seed (the inputs of a property run). */
export function seededValues(count: number, seed: number): Float32Array {
  const values = new Float32Array(count);
  let state = (seed >>> 0) || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    values[i] = ((state >>> 0) / 2 ** 32) * 2 - 1;
  }
  return values;
}
