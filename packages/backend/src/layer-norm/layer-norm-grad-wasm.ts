import { LAYER_NORM_GRAD_KERNEL } from '@mlm/types';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { runLayerNormGradWasm } from './run-layer-norm-wasm.js';

/** The fused layer norm's gradients (dx, dweight, dbias) on the wasm backend (native addon when loaded, else JavaScript on the heap). */
export const layerNormGradWasmConfig: KernelConfig = {
  kernelName: LAYER_NORM_GRAD_KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    runLayerNormGradWasm(LAYER_NORM_GRAD_KERNEL, backend, inputs as Record<string, TensorInfo | undefined>, (attrs as { epsilon?: unknown }).epsilon),
};
