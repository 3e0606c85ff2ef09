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
  // A replaced stock kernel is not set up by the engine (its setupFunc binds the C++ function): do it
  // once per backend instance.
  if (config.setupFunc) {
    let done = setUp.get(config);
    if (!done) setUp.set(config, (done = new WeakSet()));
    if (!done.has(backend)) {
      config.setupFunc(backend);
      done.add(backend);
    }
  }
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
