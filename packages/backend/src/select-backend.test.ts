import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initializeBackend, parseBackendRequest } from './index.js';

const quiet = () => {};

describe('initializeBackend', () => {
  it('falls back to wasm when no native backend is installed, and logs why', async () => {
    const lines: string[] = [];
    const info = await initializeBackend({ env: {}, log: (line) => lines.push(line) });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.skipped).toEqual(['node-gpu: not installed', 'tensorflow: not installed']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/tensor backend: wasm( \+ native BLAS \(\w+, \d+ threads?\)| \((SIMD|no SIMD), \d+ threads?\) — native kernels: .+) — skipped node-gpu/);
  });

  it('explains a native package whose libtensorflow is missing in one line and falls over', async () => {
    const info = await initializeBackend({
      env: {},
      log: quiet,
      importModule: async (specifier) => {
        if (specifier.includes('tfjs-node')) {
          throw new Error('The specified module could not be found.\n/x/lib/napi-v8/tfjs_binding.node can not be found');
        }
        return import(specifier);
      },
    });
    expect(info.name).toBe('wasm');
    expect(info.skipped[0]).toBe('node-gpu: installed, but its native library (libtensorflow) is missing');
  });

  it('gives an install hint when node-gpu or tensorflow is requested explicitly', async () => {
    await expect(initializeBackend({ backend: 'node-gpu', log: quiet })).rejects.toThrow(
      /@tensorflow\/tfjs-node-gpu is not installed; install it with `pnpm add @tensorflow\/tfjs-node-gpu@4\.22\.0`/,
    );
    await expect(initializeBackend({ env: { MLM_BACKEND: 'tensorflow' }, log: quiet })).rejects.toThrow(
      /@tensorflow\/tfjs-node is not installed; install it with `pnpm add @tensorflow\/tfjs-node@4\.22\.0`/,
    );
  });

  it('honours an explicit cpu choice from MLM_BACKEND', async () => {
    const info = await initializeBackend({ env: { MLM_BACKEND: 'cpu' }, log: quiet });
    expect(info.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });

  it('computes gradients on the chosen backend', async () => {
    await initializeBackend({ backend: 'wasm', log: quiet });
    const x = tf.scalar(3);
    const g = tf.grad((v: tf.Tensor) => tf.div(tf.mul(v, v), tf.scalar(2)))(x);
    expect(await g.data()).toEqual(new Float32Array([3]));
    tf.dispose([x, g]);
  });
});

describe('parseBackendRequest', () => {
  it('names the source, the value and the allowed values', () => {
    expect(() => parseBackendRequest('metal', 'MLM_BACKEND')).toThrow(
      'MLM_BACKEND: unknown backend "metal"; expected one of auto, node-gpu, tensorflow, wasm, cpu',
    );
    expect(parseBackendRequest('GPU', 'x')).toBe('node-gpu');
  });
});
