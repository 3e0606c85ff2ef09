/**
 * Test support shared by the native kernel tests (products, element-wise kernels and the fused ones):
 * the cpu backend as the reference, the wasm backend with the addon, and the rule for skipping.
 */
import { loadNativeKernels } from '@mlm/native-kernels';
import { it } from 'vitest';
import { initializeBackend, type BackendInfo } from '../index.js';
import { nativeProducts, type NativeProducts } from '../wasm/native-products.js';

const loaded = loadNativeKernels();

/**
 * `it` where the addon is built with a working BLAS; elsewhere the test is skipped, except in CI
 * (which installs gcc and OpenBLAS, see .ci/run): there a missing addon fails the test instead of
 * skipping it silently.
 */
export const runNative: typeof it = process.env.CI ? it : (it.skipIf(!(loaded.ok && loaded.blas.available)) as typeof it);

/** Initializes the cpu backend (the tests' reference) and then the wasm backend; returns the latter's info. */
export async function initializeCpuThenWasm(): Promise<BackendInfo> {
  await initializeBackend({ backend: 'cpu', log: () => {} });
  return initializeBackend({ backend: 'wasm', log: () => {} });
}

/** The addon the wasm kernels use; throws (naming the backend line) when native kernels are off. */
export function requireNative(info: BackendInfo | undefined): NativeProducts {
  const native = nativeProducts();
  if (!info?.nativeKernels?.enabled || !native) {
    throw new Error(`native kernels are not enabled: ${info?.description ?? 'no backend initialized'} (CI installs gcc and OpenBLAS; see .ci/run)`);
  }
  return native;
}
