import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';

let gradientsLoaded = false;

/**
 * @tensorflow/tfjs-core alone registers no gradients in Node, and its register_all_gradients module
 * cannot be imported by Node (ESM without file extensions); the union package registers them all.
 */
export async function loadGradients(): Promise<void> {
  if (gradientsLoaded) return;
  await import('@tensorflow/tfjs');
  gradientsLoaded = true;
}

export async function loadCpuBackend(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend failed to initialise');
}

export interface WasmBackendInfo {
  threads: number;
  simd: boolean;
}

/** Loads the stock WebAssembly backend (SIMD when the runtime supports it). */
export async function loadWasmBackend(requestedThreads?: number): Promise<WasmBackendInfo> {
  if (requestedThreads !== undefined && (!Number.isInteger(requestedThreads) || requestedThreads < 1)) {
    throw new Error(`threads: expected a positive integer, got ${requestedThreads}`);
  }
  await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise (its .wasm file could not be loaded)');
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  void os;
  return { threads: 1, simd };
}
