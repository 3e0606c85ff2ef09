import { LAYER_NORM_KERNEL } from '@mlm/types';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { runLayerNormWasm } from './run-layer-norm-wasm.js';

/** The fused layer norm (forward) on the wasm backend (native addon when loaded, else JavaScript on the heap). */
export const layerNormWasmConfig: KernelConfig = {
  kernelName: LAYER_NORM_KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    runLayerNormWasm(LAYER_NORM_KERNEL, backend, inputs as Record<string, TensorInfo | undefined>, (attrs as { epsilon?: unknown }).epsilon),
};
