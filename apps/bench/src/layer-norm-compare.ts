/**
 * `pnpm --filter @mlm/bench run layer-norm [--threads N] [--reps N]`: the fused layer norm
 * (`MlmLayerNorm` and its one-kernel gradient `MlmLayerNormGrad`, from @mlm/backend) against the nine
 * composed ops the model used before (and their tfjs-derived gradient), forward and forward + backward
 * (the gradients for x, weight and bias), on the wasm backend with native kernels on (the addon's C
 * layer norm against the composed ops on the addon's element-wise kernels) and off (the JavaScript
 * layer norm on the heap against the composed ops on the wasm backend's own kernels). One process,
 * interleaved rep by rep on the same tensors; prints milliseconds per call (median of the reps) and
 * the ratio. [5312, 128] is the sudoku config's B·L × d.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';
import { LAYER_NORM_KERNEL } from '@mlm/types';
import { startNativeComparison } from './native-comparison-setup.js';

const { threads, reps } = await startNativeComparison('layer-norm');

const EPSILON = 1e-5;

/** The model's composed layer norm (packages/model's layerNormComposed). */
function composed(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, EPSILON))), weight), bias);
}

function fused(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  return tf.engine().runKernel(LAYER_NORM_KERNEL, { x, weight, bias }, { epsilon: EPSILON }) as tf.Tensor;
}

const SIZES: Array<[number, number]> = [[64, 128], [1024, 128], [5312, 128], [8192, 256]];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

for (const nativeKernels of [true, false]) {
  await initializeBackend({ backend: 'wasm', threads, nativeKernels, log: () => {} });
  for (const [rows, columns] of SIZES) {
    const tensorsAtStart = tf.memory().numTensors;
    const x = tf.randomNormal([rows, columns], 0, 1, 'float32', 1);
    const weight = tf.randomNormal([columns], 1, 0.1, 'float32', 2);
    const bias = tf.randomNormal([columns], 0, 0.1, 'float32', 3);
    const dy = tf.randomNormal([rows, columns], 0, 1, 'float32', 4);
    const calls = Math.max(5, Math.ceil(4_000_000 / (rows * columns)));
    const cells: string[] = [];
    for (const pass of ['forward', 'forward+backward'] as const) {
      const times: Record<'fused' | 'composed', number[]> = { fused: [], composed: [] };
      for (let rep = -1; rep < reps; rep++) {
        for (const engine of ['fused', 'composed'] as const) {
          const layerNorm = engine === 'fused' ? fused : composed;
          const start = performance.now();
          for (let i = 0; i < calls; i++) {
            // tidy: the composed forward's eight intermediates are disposed with the call (they once
            // filled the wasm memory to its 4 GiB limit, and tfjs-backend-wasm then failed inside a
            // kernel with "table index is out of bounds" or hung).
            const result = tf.tidy(() =>
              pass === 'forward'
                ? [layerNorm(x, weight, bias)]
                : tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(layerNorm(a, w, b), dy)))([x, weight, bias]),
            );
            await result[0]!.data(); // one read back per call, as a training step's loss is read
            tf.dispose(result);
          }
          if (rep >= 0) times[engine].push((performance.now() - start) / calls);
        }
      }
      const [f, c] = [median(times.fused), median(times.composed)];
      cells.push(`${pass} ${f.toFixed(3)}/${c.toFixed(3)} ms (${(c / f).toFixed(2)}×)`);
    }
    console.log(`[layer-norm] native kernels ${nativeKernels ? 'on' : 'off'}, [${rows}, ${columns}], fused/composed: ${cells.join('; ')}`);
    tf.dispose([x, weight, bias, dy]);
    if (tf.memory().numTensors !== tensorsAtStart) throw new Error(`[layer-norm] ${tf.memory().numTensors - tensorsAtStart} tensors left after [${rows}, ${columns}]`);
  }
}
