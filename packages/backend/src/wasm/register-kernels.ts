import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { batchMatMulConfig } from './batch-mat-mul.js';
import { fusedMatMulConfig } from './fused-mat-mul.js';
import { gatherV2Config } from './gather.js';
import { identityConfig } from './identity.js';
import { sliceConfig, splitVConfig, unpackConfig } from './slice.js';
import { captureStockKernel, withStockSetup } from './stock-kernels.js';
import { sumConfig } from './sum.js';
import { transposeConfig } from './transpose.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

/** Our kernels for the wasm backend, each replacing (or adding) one kernel of tfjs-backend-wasm. */
export const WASM_KERNEL_OVERRIDES: readonly KernelConfig[] = [
  batchMatMulConfig,
  fusedMatMulConfig,
  sliceConfig,
  splitVConfig,
  unpackConfig,
  unsortedSegmentSumConfig,
  transposeConfig,
  gatherV2Config,
  identityConfig,
  sumConfig,
];

/** Stock kernels the overrides call into (captured before anything is replaced). */
const STOCK_DEPENDENCIES = ['Transpose', 'GatherV2', 'Identity', 'Sum', 'Slice', 'SplitV', 'Unpack', 'Add', 'Relu', 'Relu6', 'Sigmoid', 'Elu', 'LeakyRelu', 'Prelu'];

let installed = false;

/**
 * Registers the overrides for the `wasm` backend (idempotent). Needs @tensorflow/tfjs-backend-wasm to
 * have registered its kernels first. The kernels set themselves up lazily, so they work whether they
 * are installed before or after the backend is initialised.
 */
export function installWasmKernels(): void {
  if (installed) return;
  for (const name of STOCK_DEPENDENCIES) {
    if (!captureStockKernel(name)) throw new Error(`wasm kernels: tfjs-backend-wasm has no ${name} kernel; is it loaded?`);
  }
  for (const config of WASM_KERNEL_OVERRIDES) {
    const registered = withStockSetup(config);
    if (tf.getKernel(config.kernelName, 'wasm')) tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(registered);
  }
  installed = true;
}

export function wasmKernelsInstalled(): boolean {
  return installed;
}
