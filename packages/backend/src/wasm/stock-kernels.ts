import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { WasmBackendInternals } from './wasm-internals.js';

/** The stock wasm kernels that our overrides replace or call, captured before they are replaced. */
const stock = new Map<string, KernelConfig>();
const setUp = new WeakMap<KernelConfig, WeakSet<object>>();

export function captureStockKernel(kernelName: string): KernelConfig | undefined {
  const existing = stock.get(kernelName);
  if (existing) return existing;
  const config = tf.getKernel(kernelName, 'wasm');
  if (config) stock.set(kernelName, config);
  return config;
}

/** Runs a stock wasm kernel directly (no engine bookkeeping), as the stock kernels call each other. */
export function runStockKernel(
  kernelName: string,
  backend: WasmBackendInternals,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo | TensorInfo[] {
  const config = stock.get(kernelName) ?? captureStockKernel(kernelName);
  if (!config) throw new Error(`wasm kernels: the stock wasm kernel ${kernelName} is not registered`);
  setUpStockKernel(config, backend);
  return config.kernelFunc({ inputs, backend, attrs });
}

export function runStockKernelSingle(
  kernelName: string,
  backend: WasmBackendInternals,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const result = runStockKernel(kernelName, backend, inputs, attrs);
  if (Array.isArray(result)) throw new Error(`wasm kernels: ${kernelName} returned several tensors, expected one`);
  return result;
}

/**
 * Runs a stock kernel's setupFunc (which binds its C++ function) once per backend instance. The engine
 * only sets up registered kernels, and other stock kernels call replaced ones internally (the stock
 * Sum transposes with the stock Transpose), so overrides run their stock kernel's setup at backend
 * initialisation (see `withStockSetup`), and `runStockKernel` checks again.
 */
export function setUpStockKernel(config: KernelConfig, backend: object): void {
  if (!config.setupFunc) return;
  let done = setUp.get(config);
  if (!done) setUp.set(config, (done = new WeakSet()));
  if (!done.has(backend)) {
    config.setupFunc(backend as never);
    done.add(backend);
  }
}

/** The override, with a setupFunc that sets up the stock kernel it replaces. */
export function withStockSetup(override: KernelConfig): KernelConfig {
  const original = captureStockKernel(override.kernelName);
  if (!original?.setupFunc) return override;
  return { ...override, setupFunc: (backend) => setUpStockKernel(original, backend) };
}
