/**
 * Node only: loads the native addon (@mlm/native-kernels) and hands its products to the wasm kernels.
 * `initializeBackend` reaches this module through a dynamic import on the Node path only, so a
 * browser build never includes it.
 */
import type { loadNativeKernels } from '@mlm/native-kernels';
import { setNativeProducts, type NativeProducts } from '../wasm/native-products.js';
import { installNativeElementwiseKernels } from './native-elementwise-kernels.js';

export type NativeKernelsStatus =
  | { enabled: true; vendor: string; library: string; coreName: string | null; threads: number }
  | { enabled: false; reason: string };

interface NativeKernelsModule {
  loadNativeKernels: typeof loadNativeKernels;
}

/** Multiplies [[1, 2], [3, 4]] by [[5, 6], [7, 8]] on a scratch buffer: the addon and its BLAS work. */
function selfTest(addon: NativeProducts): string | undefined {
  const heap = new Uint8Array(64);
  const values = new Float32Array(heap.buffer);
  values.set([1, 2, 3, 4, 5, 6, 7, 8]);
  addon.sgemm(heap, 0, 16, 32, 1, 2, 2, 2, false, false, 0, 0, 0, -1, 0, 0);
  const result = Array.from(values.subarray(8, 12));
  return result.join(',') === '19,22,43,50' ? undefined : `self-test product gave [${result.join(', ')}], expected [19, 22, 43, 50]`;
}

/**
 * Turns the native products on for the wasm backend, or says why not (and leaves them off).
 * `threads`: the BLAS thread count and the addon's element-wise pool = the backend's thread setting.
 * Products, the addon's element-wise kernels and XNNPACK never run at once (all are called
 * synchronously from the JavaScript thread), so the cores are not oversubscribed.
 */
export async function enableNativeKernels(options: {
  enabled: boolean | undefined;
  threads: number;
  env: Record<string, string | undefined>;
  importModule: (specifier: string) => Promise<unknown>;
}): Promise<NativeKernelsStatus> {
  setNativeProducts(null);
  if (options.enabled === false) return { enabled: false, reason: 'turned off (nativeKernels: false)' };
  if (options.enabled === undefined && options.env.MLM_NATIVE === '0') return { enabled: false, reason: 'turned off (MLM_NATIVE=0)' };
  let module: NativeKernelsModule;
  try {
    module = (await options.importModule('@mlm/native-kernels')) as NativeKernelsModule;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { enabled: false, reason: /Cannot find|MODULE_NOT_FOUND|Failed to load|Could not resolve/.test(message) ? '@mlm/native-kernels is not installed' : message.split('\n')[0]!.slice(0, 200) };
  }
  const loaded = module.loadNativeKernels();
  if (!loaded.ok) return { enabled: false, reason: loaded.reason };
  if (!loaded.blas.available) return { enabled: false, reason: loaded.blas.reason ?? 'no BLAS library found' };
  try {
    const failure = selfTest(loaded.addon);
    if (failure) return { enabled: false, reason: failure };
  } catch (error) {
    return { enabled: false, reason: `self-test failed: ${error instanceof Error ? error.message : String(error)}` };
  }
  const threads = loaded.addon.setThreads(options.threads);
  installNativeElementwiseKernels();
  setNativeProducts(loaded.addon);
  return {
    enabled: true,
    vendor: loaded.blas.vendor ?? 'BLAS',
    library: loaded.blas.library ?? '',
    coreName: loaded.blas.coreName,
    threads,
  };
}
