import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultWasmThreads, getBackendInfo, initializeBackend, MAX_WASM_THREADS, shutdownBackend } from './index.js';

const quiet = () => {};

describe('wasm threads', () => {
  it('defaults to MLM_WASM_THREADS, else 1 under vitest, else every core (at most 8)', () => {
    expect(defaultWasmThreads({ MLM_WASM_THREADS: '3' })).toBe(3);
    expect(defaultWasmThreads({ MLM_WASM_THREADS: '64' })).toBe(MAX_WASM_THREADS);
    expect(defaultWasmThreads({ VITEST: 'true' })).toBe(1);
    const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
    expect(defaultWasmThreads({})).toBe(Math.min(MAX_WASM_THREADS, cores));
  });

  it('names a bad thread count and where it came from', async () => {
    expect(() => defaultWasmThreads({ MLM_WASM_THREADS: 'two' })).toThrow('MLM_WASM_THREADS: expected a positive integer number of threads, got null');
    await expect(initializeBackend({ backend: 'wasm', threads: 0, log: quiet })).rejects.toThrow(
      'threads: expected a positive integer number of threads, got 0',
    );
  });

  it('logs the thread count in the backend line', async () => {
    const lines: string[] = [];
    const info = await initializeBackend({ backend: 'wasm', threads: 1, nativeKernels: false, log: (line) => lines.push(line) });
    expect(info.threads).toBe(1);
    expect(lines[0]).toBe('[mlm] tensor backend: wasm (SIMD, 1 thread) — native kernels: turned off (nativeKernels: false)');
  });
});

describe('shutdownBackend', () => {
  it('disposes every tensor, and the backend can be initialised again', async () => {
    await initializeBackend({ backend: 'wasm', log: quiet });
    tf.tensor1d([1, 2, 3]);
    expect(tf.memory().numTensors).toBeGreaterThan(0);
    shutdownBackend();
    expect(getBackendInfo()).toBeUndefined();
    await initializeBackend({ backend: 'wasm', log: quiet });
    expect(tf.memory().numTensors).toBe(0);
    const product = tf.matMul(tf.ones([2, 3]), tf.ones([3, 2]));
    expect(Array.from(product.dataSync())).toEqual([3, 3, 3, 3]);
    product.dispose();
  });
});
