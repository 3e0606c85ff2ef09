import * as tf from '@tensorflow/tfjs-core';
import os from 'node:os';
import { installWasmKernels } from './wasm/register-kernels.js';
import { createSingleThreadWasmModule } from './wasm/single-thread-module.js';
import { createThreadedWasmModule, unrefWorkers } from './wasm/threaded-module.js';
import type { WasmModule } from './wasm/wasm-internals.js';

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

/** The most threads tfjs-backend-wasm's C++ pool uses. */
export const MAX_WASM_THREADS = 8;

/**
 * Threads when none are requested: `MLM_WASM_THREADS`, else 1 under vitest (test files already run
 * in parallel, one per core), else every core.
 */
export function defaultWasmThreads(env: Record<string, string | undefined>): number {
  if (env.MLM_WASM_THREADS !== undefined && env.MLM_WASM_THREADS !== '') {
    return parseThreads(Number(env.MLM_WASM_THREADS), 'MLM_WASM_THREADS');
  }
  if (env.VITEST) return 1;
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.min(MAX_WASM_THREADS, Math.max(1, cores));
}

function parseThreads(value: number, source: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${source}: expected a positive integer number of threads, got ${JSON.stringify(value)}`);
  }
  return Math.min(MAX_WASM_THREADS, value);
}

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');

/** The thread count of the `wasm` factory we registered, if any. */
let registeredThreads: number | undefined;

/**
 * Loads the WebAssembly backend (SIMD when the runtime supports it) with `threads` XNNPACK threads
 * (the threaded SIMD build when threads > 1), and installs our kernel overrides.
 * Switching to another thread count disposes the previous wasm backend and its tensors.
 */
export async function loadWasmBackend(requestedThreads: number | undefined, env: Record<string, string | undefined> = process.env): Promise<WasmBackendInfo> {
  const threads = requestedThreads === undefined ? defaultWasmThreads(env) : parseThreads(requestedThreads, 'threads');
  const wasmPackage = (await import('@tensorflow/tfjs-backend-wasm')) as WasmPackage & { default?: WasmPackage };
  const wasm: WasmPackage = wasmPackage.BackendWasm ? wasmPackage : (wasmPackage.default as WasmPackage);
  installWasmKernels();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threaded = threads > 1 && simd && typeof SharedArrayBuffer !== 'undefined';
  const effectiveThreads = threaded ? threads : 1;
  if (registeredThreads !== effectiveThreads) {
    const createModule = () => (threaded ? createThreadedWasmModule(effectiveThreads) : createSingleThreadWasmModule(simd));
    // Instantiate now, so that a failure reaches the caller (tfjs would only log it); the factory makes
    // a fresh module when the backend is initialised again after `shutdownBackend()`.
    let firstModule: WasmModule | undefined = await createModule();
    if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
    tf.registerBackend(
      'wasm',
      async () => {
        const module = firstModule ?? (await createModule());
        firstModule = undefined;
        wasm.setThreadsCount(effectiveThreads);
        const backend = new wasm.BackendWasm(module as never);
        unrefWorkers(module);
        return backend;
      },
      2,
    );
    registeredThreads = effectiveThreads;
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend failed to initialise (its .wasm file could not be loaded)');
  return { threads: wasm.getThreadsCount(), simd };
}
