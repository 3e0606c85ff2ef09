import * as tf from '@tensorflow/tfjs-core';
import { NATIVE_PACKAGES, parseBackendRequest, type BackendName, type BackendRequest } from './backend-names.js';
import { installLayerNormKernels, setWasmLayerNormKernels } from './layer-norm/register-layer-norm-kernels.js';
import { loadGradients, loadWasmBackend, loadCpuBackend } from './load-backends.js';
import { installRotaryKernels } from './rotary/register-rotary-kernels.js';
import type { NativeKernelsStatus } from './native/enable-native-kernels.js';
import { setNativeProducts } from './wasm/native-products.js';
import { setSimdKernelsEnabled } from './wasm/simd-kernels.js';

export interface BackendOptions {
  /** Explicit choice; otherwise `MLM_BACKEND`; otherwise `auto`. */
  backend?: BackendRequest | string;
  /**
   * Threads for the wasm backend (default: `MLM_WASM_THREADS`, else 1 under vitest, else all cores, at
   * most 8). More than 1 uses tfjs-backend-wasm's threaded SIMD build.
   */
  threads?: number;
  /**
   * Our SIMD128 kernel for batched small matrix products on wasm (default true; `MLM_WASM_SIMD_KERNELS=0`
   * turns it off, then every product goes to XNNPACK). For measurements.
   */
  simdKernels?: boolean;
  /**
   * Native kernels for the wasm backend (Node only): its matrix products through the system BLAS via
   * @mlm/native-kernels, in place on the wasm heap. Default: on when the addon loads and its BLAS works;
   * `MLM_NATIVE=0` or `false` turns them off. The reason they are off is in the log line.
   */
  nativeKernels?: boolean;
  /** Where the chosen backend is logged (default: console.error). Pass `() => {}` to silence. */
  log?: (line: string) => void;
  /** Environment to read `MLM_BACKEND` and `MLM_WASM_THREADS` from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Module loader, injectable for tests (default: dynamic import). */
  importModule?: (specifier: string) => Promise<unknown>;
}

export interface BackendInfo {
  name: BackendName;
  /** The name TensorFlow.js registered (`tensorflow` for both native packages). */
  tfjsBackend: string;
  threads: number;
  simd: boolean | undefined;
  /** The wasm backend's native kernels: on (which BLAS, how many threads) or off and why; undefined for other backends. */
  nativeKernels: NativeKernelsStatus | undefined;
  /** Why each backend before the chosen one was skipped (one line each). */
  skipped: string[];
  /** The line that was logged. */
  description: string;
}

let current: BackendInfo | undefined;

/** The backend chosen by the last `initializeBackend`, if any. */
export function getBackendInfo(): BackendInfo | undefined {
  return current;
}

function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/Cannot find (module|package)|Could not resolve|Failed to load url|MODULE_NOT_FOUND|ERR_MODULE_NOT_FOUND/.test(message)) return 'not installed';
  if (/tfjs_binding\.node|libtensorflow/.test(message)) return 'installed, but its native library (libtensorflow) is missing';
  return (message.split('\n')[0] ?? message).slice(0, 160);
}

async function tryNative(
  name: 'node-gpu' | 'tensorflow',
  importModule: (specifier: string) => Promise<unknown>,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    await importModule(NATIVE_PACKAGES[name].packageName);
    const ok = await tf.setBackend('tensorflow');
    if (!ok) return { ok: false, reason: 'loaded, but the tensorflow backend failed to initialise' };
    if (name === 'node-gpu') {
      // tfjs-node-gpu silently runs on the CPU when CUDA is unusable; that is not what was asked for.
      const gpus = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
      if (gpus === false) return { ok: false, reason: 'loaded, but no usable CUDA device was found' };
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: shortReason(error) };
  }
}

/**
 * Chooses and initialises the tensor backend. This is the one place that does it.
 *
 * Order: an explicit choice (option, then `MLM_BACKEND`) first; otherwise tfjs-node-gpu, then
 * tfjs-node when installed and loadable; otherwise WebAssembly; otherwise the pure-JS cpu backend.
 * An explicit choice that cannot load is an error that says how to install it.
 */
export async function initializeBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.error(line));
  const importModule = options.importModule ?? ((specifier: string) => import(specifier));
  const request: BackendRequest =
    options.backend !== undefined
      ? parseBackendRequest(String(options.backend), 'backend option')
      : env.MLM_BACKEND
        ? parseBackendRequest(env.MLM_BACKEND, 'MLM_BACKEND')
        : 'auto';

  installLayerNormKernels();
  tf.env().set('PROD', true); // silences the "install the node backend" banner
  await loadGradients();
  installRotaryKernels();

  const skipped: string[] = [];
  const candidates: BackendName[] = request === 'auto' ? ['node-gpu', 'tensorflow', 'wasm', 'cpu'] : [request];
  let chosen: { name: BackendName; threads: number; simd: boolean | undefined } | undefined;
  let nativeKernels: NativeKernelsStatus | undefined;
  setNativeProducts(null);
  for (const name of candidates) {
    if (name === 'node-gpu' || name === 'tensorflow') {
      const result = await tryNative(name, importModule);
      if (result.ok) {
        chosen = { name, threads: 0, simd: undefined };
        break;
      }
      if (request !== 'auto') {
        throw new Error(
          `backend ${JSON.stringify(name)} was requested but ${NATIVE_PACKAGES[name].packageName} is ${result.reason}; ${NATIVE_PACKAGES[name].installHint}`,
        );
      }
      skipped.push(`${name}: ${result.reason}`);
    } else if (name === 'wasm') {
      try {
        const wasm = await loadWasmBackend(options.threads, env);
        setSimdKernelsEnabled(options.simdKernels ?? env.MLM_WASM_SIMD_KERNELS !== '0');
        chosen = { name, threads: wasm.threads, simd: wasm.simd };
        nativeKernels = await loadNativeKernels(options, wasm.threads, env, importModule);
        setWasmLayerNormKernels(nativeKernels.enabled);
        break;
      } catch (error) {
        if (request !== 'auto') throw new Error(`backend "wasm" could not be initialised: ${shortReason(error)}`);
        skipped.push(`wasm: ${shortReason(error)}`);
      }
    } else {
      await loadCpuBackend();
      chosen = { name, threads: 1, simd: undefined };
      break;
    }
  }
  if (!chosen) throw new Error(`no tensor backend could be initialised: ${skipped.join('; ')}`);

  const plural = (count: number) => `${count} thread${count === 1 ? '' : 's'}`;
  let label: string;
  if (chosen.name === 'wasm' && nativeKernels?.enabled) {
    label = `wasm + native BLAS (${nativeKernels.vendor}, ${plural(nativeKernels.threads)})`;
  } else if (chosen.name === 'wasm') {
    label = `wasm (${chosen.simd ? 'SIMD' : 'no SIMD'}, ${plural(chosen.threads)})${nativeKernels && !nativeKernels.enabled ? ` — native kernels: ${nativeKernels.reason}` : ''}`;
  } else {
    label = `${chosen.name} (${chosen.name === 'cpu' ? 'pure JavaScript, 1 thread' : 'native libtensorflow'})`;
  }
  const description = `[mlm] tensor backend: ${label}${skipped.length ? ` — skipped ${skipped.join('; ')}` : ''}`;
  log(description);
  current = { name: chosen.name, tfjsBackend: tf.getBackend(), threads: chosen.threads, simd: chosen.simd, nativeKernels, skipped, description };
  return current;
}

function runsOnNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** The native kernels for the wasm backend, on the Node path only (a dynamic import browsers never reach). */
async function loadNativeKernels(
  options: BackendOptions,
  threads: number,
  env: Record<string, string | undefined>,
  importModule: (specifier: string) => Promise<unknown>,
): Promise<NativeKernelsStatus> {
  if (!runsOnNode()) return { enabled: false, reason: 'only available in Node' };
  const { enableNativeKernels } = await import('./native/enable-native-kernels.js');
  return enableNativeKernels({ enabled: options.nativeKernels, threads, env, importModule });
}

/**
 * Releases the tensor backend: disposes every tensor and variable, and every initialised backend
 * (which terminates the wasm backend's worker threads). The worker threads never keep a process
 * alive (they are unref'd), so a CLI need not call this; it frees the memory of a long-lived process.
 * `initializeBackend` may be called again afterwards.
 */
export function shutdownBackend(): void {
  tf.engine().reset();
  setNativeProducts(null);
  current = undefined;
}
