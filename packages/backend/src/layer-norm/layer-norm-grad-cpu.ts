import { LAYER_NORM_GRAD_KERNEL } from '@mlm/types';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { runLayerNormGradCpu } from './run-layer-norm-cpu.js';

/** The fused layer norm's gradients (dx, dweight, dbias) on the cpu backend. */
export const layerNormGradCpuConfig: KernelConfig = {
  kernelName: LAYER_NORM_GRAD_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) =>
    runLayerNormGradCpu(LAYER_NORM_GRAD_KERNEL, backend, inputs as Record<string, TensorInfo | undefined>, (attrs as { epsilon?: unknown }).epsilon),
};
