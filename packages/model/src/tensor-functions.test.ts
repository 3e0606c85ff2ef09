import * as tf from '@tensorflow/tfjs-core';
import { LAYER_NORM_KERNEL } from '@mlm/types';
import { afterEach, describe, expect, it } from 'vitest';
import { fusedLayerNormAvailable, layerNorm, layerNormComposed } from './tensor-functions.js';
import { BACKENDS, useBackend } from './test-support.js';

function layerNormInputs() {
  return {
    x: tf.tensor(Array.from({ length: 6 * 16 }, (_, i) => Math.sin(i * 1.3) * 2 + 1), [2, 3, 16]),
    weight: tf.tensor(Array.from({ length: 16 }, (_, i) => 1 + 0.1 * Math.cos(i))),
    bias: tf.tensor(Array.from({ length: 16 }, (_, i) => 0.05 * i)),
  };
}

const removed: tf.KernelConfig[] = [];
afterEach(() => {
  for (const config of removed.splice(0)) tf.registerKernel(config);
});

describe.each(BACKENDS)('layerNorm on %s', (backend) => {
  it('runs the fused kernel from @mlm/backend, with the composed result and gradients to float32 rounding', async () => {
    await useBackend(backend);
    expect(fusedLayerNormAvailable()).toBe(true);
    const { x, weight, bias } = layerNormInputs();
    const profile = await tf.profile(() => layerNorm(x, weight, bias, 1e-5));
    expect(profile.kernelNames).toEqual([LAYER_NORM_KERNEL]);
    tf.dispose(profile.result as tf.Tensor);
    const run = (f: typeof layerNorm) => tf.tidy(() => {
      const loss = (a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, w, b, 1e-5), tf.sin(a)));
      return [f(x, weight, bias, 1e-5), ...tf.grads(loss)([x, weight, bias])].map((t) => Array.from(t.dataSync()));
    });
    const [fusedValues, composedValues] = [run(layerNorm), run(layerNormComposed)];
    fusedValues.forEach((values, output) => values.forEach((v, i) => expect(Math.abs(v - composedValues[output]![i]!)).toBeLessThan(1e-5)));
    tf.dispose([x, weight, bias]);
  });

  it('falls back to the composed ops where the kernel is not registered for the active backend', async () => {
    await useBackend(backend);
    const config = tf.getKernel(LAYER_NORM_KERNEL, backend)!;
    tf.unregisterKernel(LAYER_NORM_KERNEL, backend);
    removed.push(config);
    expect(fusedLayerNormAvailable()).toBe(false);
    const { x, weight, bias } = layerNormInputs();
    const profile = await tf.profile(() => layerNorm(x, weight, bias, 1e-5));
    expect(profile.kernelNames).not.toContain(LAYER_NORM_KERNEL);
    expect(profile.kernelNames).toContain('Rsqrt');
    tf.dispose([profile.result as tf.Tensor, x, weight, bias]);
  });
});
