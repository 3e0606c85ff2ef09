import * as tf from '@tensorflow/tfjs-core';
// In a bundle the gradient registrations load directly (Node cannot import this extension-less ESM file,
// which is why the Node entry imports the union package instead).
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { BROWSER_BACKEND_NAMES, parseBrowserBackendRequest, type BrowserBackendName, type BrowserBackendRequest } from './browser-backend-names.js';
import { installLayerNormKernels, setWasmLayerNormKernels } from './layer-norm/register-layer-norm-kernels.js';
import { createBrowserThreadedWasmModule } from './wasm/browser-threaded-module.js';
import { installRotaryKernels } from './rotary/register-rotary-kernels.js';
import { installWasmKernels } from './wasm/register-kernels.js';
import { setSimdKernelsEnabled } from './wasm/simd-kernels.js';

/** The most threads tfjs-backend-wasm's C++ pool uses. */
export const MAX_WASM_THREADS = 8;

export interface BrowserBackendOptions {
  /** Explicit choice (default `auto`: webgpu, webgl, wasm, cpu — the first that initialises). */
  backend?: BrowserBackendRequest | string;
  /**
   * Where tfjs-backend-wasm's `.wasm` files are served: a URL prefix ending in `/` (passed to
   * `setWasmPaths`). A bundler does not ship them; the page must serve them as static files.
   */
  wasmPaths?: string;
  /**
   * Threads for the wasm backend. Default: `navigator.hardwareConcurrency` (at most 8) when the page is
   * cross-origin isolated (SharedArrayBuffer is available only then), else 1. More than 1 uses the
   * threaded SIMD build; tfjs's C++ pool caps itself at half the logical cores.
   */
  threads?: number;
  /** Our SIMD128 kernels for batched small products and leading-axis sums on wasm (default true). */
  simdKernels?: boolean;
  /**
   * Accept a software-rendered WebGL context (SwiftShader, llvmpipe). Default false: such a context runs
   * the GPU kernels on the CPU, slower than wasm, so `auto` skips it.
   */
  allowSoftwareWebgl?: boolean;
  /** Where the chosen backend is logged (default: console.info). Pass `() => {}` to silence. */
  log?: (line: string) => void;
}

export interface BrowserBackendInfo {
  name: BrowserBackendName;
  /** The name TensorFlow.js registered. */
  tfjsBackend: string;
  threads: number;
  simd: boolean | undefined;
  /** Whether the page is cross-origin isolated (the condition for wasm threads). */
  crossOriginIsolated: boolean;
  /** Why each backend before the chosen one was skipped (one line each). */
  skipped: string[];
  /** The line that was logged. */
  description: string;
}

let current: BrowserBackendInfo | undefined;

/** The backend chosen by the last `initializeBackend`, if any. */
export function getBackendInfo(): BrowserBackendInfo | undefined {
  return current;
}

function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).slice(0, 160);
}

function isCrossOriginIsolated(): boolean {
  return (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true && typeof SharedArrayBuffer !== 'undefined';
}

function defaultThreads(): number {
  if (!isCrossOriginIsolated()) return 1;
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Math.min(MAX_WASM_THREADS, Math.max(1, cores));
}

function parseThreads(value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`threads: expected a positive integer number of threads, got ${JSON.stringify(value)}`);
  return Math.min(MAX_WASM_THREADS, value);
}

type Attempt = { ok: true; threads: number; simd: boolean | undefined; note?: string } | { ok: false; reason: string };

async function tryWebgpu(): Promise<Attempt> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator?.gpu;
  if (!gpu) return { ok: false, reason: 'navigator.gpu is missing (WebGPU not enabled in this browser)' };
  const adapter = await gpu.requestAdapter().catch(() => null);
  if (!adapter) return { ok: false, reason: 'navigator.gpu gave no adapter' };
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) return { ok: false, reason: 'the webgpu backend failed to initialise' };
  return { ok: true, threads: 0, simd: undefined };
}

/** The renderer behind a WebGL2 context, or undefined when none can be made. */
function webglRenderer(): string | undefined {
  if (typeof document === 'undefined' && typeof OffscreenCanvas === 'undefined') return undefined;
  const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : document.createElement('canvas');
  const gl = canvas.getContext('webgl2') as WebGL2RenderingContext | null;
  if (!gl) return undefined;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return renderer;
}

async function tryWebgl(allowSoftware: boolean): Promise<Attempt> {
  const renderer = webglRenderer();
  if (renderer === undefined) return { ok: false, reason: 'no WebGL2 context' };
  if (!allowSoftware && /swiftshader|llvmpipe|software/i.test(renderer)) {
    return { ok: false, reason: `software WebGL (${renderer.slice(0, 80)}), slower than wasm` };
  }
  await import('@tensorflow/tfjs-backend-webgl');
  if (!(await tf.setBackend('webgl'))) return { ok: false, reason: 'the webgl backend failed to initialise' };
  return { ok: true, threads: 0, simd: undefined };
}

/** The thread count of the `wasm` factory registered here (undefined: tfjs's own factory). */
let registeredThreads: number | undefined;
/** tfjs's own `wasm` factory, kept while ours is registered. */
let stockFactory: Parameters<typeof tf.registerBackend>[1] | undefined;

async function tryWasm(options: BrowserBackendOptions): Promise<Attempt> {
  const threads = options.threads === undefined ? defaultThreads() : parseThreads(options.threads);
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (options.wasmPaths !== undefined) wasm.setWasmPaths(options.wasmPaths);
  installWasmKernels();
  setSimdKernelsEnabled(options.simdKernels ?? true);
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  let note: string | undefined;
  let effectiveThreads = 1;
  if (threads > 1 && simd && isCrossOriginIsolated()) {
    if (options.wasmPaths === undefined) note = 'wasm threads need wasmPaths (the served tfjs-backend-wasm files)';
    else {
      try {
        if (registeredThreads !== threads) {
          let firstModule: Awaited<ReturnType<typeof createBrowserThreadedWasmModule>> | undefined = await createBrowserThreadedWasmModule(options.wasmPaths, threads);
          const wasmPaths = options.wasmPaths;
          if (registeredThreads === undefined) stockFactory = tf.findBackendFactory('wasm') ?? undefined;
          if (tf.findBackendFactory('wasm')) tf.removeBackend('wasm');
          tf.registerBackend(
            'wasm',
            async () => {
              const module = firstModule ?? (await createBrowserThreadedWasmModule(wasmPaths, threads));
              firstModule = undefined;
              wasm.setThreadsCount(threads);
              return new wasm.BackendWasm(module as never);
            },
            2,
          );
          registeredThreads = threads;
        }
        effectiveThreads = threads;
      } catch (error) {
        note = `wasm threads: ${shortReason(error)}`;
      }
    }
  }
  if (effectiveThreads === 1) {
    // One thread: tfjs's own loader with the single-threaded SIMD build, the binary the Node entry uses
    // for one thread too (so results match Node's).
    if (registeredThreads !== undefined && stockFactory) {
      tf.removeBackend('wasm');
      tf.registerBackend('wasm', stockFactory, 2);
      registeredThreads = undefined;
    }
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    wasm.setThreadsCount(1);
  }
  if (!(await tf.setBackend('wasm'))) return { ok: false, reason: `the wasm backend failed to initialise (are its .wasm files served at ${options.wasmPaths ?? 'the default path'}?)` };
  return { ok: true, threads: wasm.getThreadsCount(), simd, ...(note ? { note } : {}) };
}

async function tryCpu(): Promise<Attempt> {
  await import('@tensorflow/tfjs-backend-cpu');
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: 'the cpu backend failed to initialise' };
  return { ok: true, threads: 1, simd: undefined };
}

/** The one log line, in the Node entry's format. */
export function describeBrowserBackend(name: BrowserBackendName, threads: number, simd: boolean | undefined, skipped: string[]): string {
  const detail =
    name === 'wasm'
      ? `${simd ? 'SIMD' : 'no SIMD'}, ${threads} thread${threads === 1 ? '' : 's'}`
      : name === 'cpu'
        ? 'pure JavaScript, 1 thread'
        : name === 'webgpu'
          ? 'GPU via WebGPU'
          : 'GPU via WebGL';
  return `[mlm] tensor backend: ${name} (${detail})${skipped.length ? ` — skipped ${skipped.join('; ')}` : ''}`;
}

/**
 * Chooses and initialises the tensor backend in a browser. This is the one place that does it.
 *
 * Order: an explicit choice, otherwise WebGPU, then WebGL (a hardware context), then WebAssembly (our
 * kernel overrides and SIMD kernels; threads when the page is cross-origin isolated), then the pure-JS
 * cpu backend. An explicit choice that cannot load is an error saying why.
 */
export async function initializeBackend(options: BrowserBackendOptions = {}): Promise<BrowserBackendInfo> {
  const log = options.log ?? ((line: string) => console.info(line));
  const request = options.backend === undefined ? 'auto' : parseBrowserBackendRequest(String(options.backend), 'backend option');
  installLayerNormKernels();
  // No native addon in a browser: the model's composed layer norm beats the JavaScript loop on wasm.
  setWasmLayerNormKernels(false);
  tf.env().set('PROD', true);
  installRotaryKernels();
  const candidates: BrowserBackendName[] = request === 'auto' ? [...BROWSER_BACKEND_NAMES] : [request];
  const skipped: string[] = [];
  for (const name of candidates) {
    let attempt: Attempt;
    try {
      attempt =
        name === 'webgpu' ? await tryWebgpu() : name === 'webgl' ? await tryWebgl(options.allowSoftwareWebgl ?? request === 'webgl') : name === 'wasm' ? await tryWasm(options) : await tryCpu();
    } catch (error) {
      attempt = { ok: false, reason: shortReason(error) };
    }
    if (!attempt.ok) {
      if (request !== 'auto') throw new Error(`backend ${JSON.stringify(name)} could not be initialised: ${attempt.reason}`);
      skipped.push(`${name}: ${attempt.reason}`);
      continue;
    }
    if (attempt.note) skipped.push(attempt.note);
    const description = describeBrowserBackend(name, attempt.threads, attempt.simd, skipped);
    log(description);
    current = {
      name,
      tfjsBackend: tf.getBackend(),
      threads: attempt.threads,
      simd: attempt.simd,
      crossOriginIsolated: isCrossOriginIsolated(),
      skipped,
      description,
    };
    return current;
  }
  throw new Error(`no tensor backend could be initialised: ${skipped.join('; ')}`);
}

/**
 * Releases the tensor backend: disposes every tensor and variable and every initialised backend (the
 * wasm worker threads end). `initializeBackend` may be called again afterwards.
 */
export function shutdownBackend(): void {
  tf.engine().reset();
  current = undefined;
}
