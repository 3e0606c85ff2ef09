import { LAYER_NORM_KERNEL } from '@mlm/types';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { runLayerNormCpu } from './run-layer-norm-cpu.js';

/** The fused layer norm (forward) on the cpu backend. */
export const layerNormCpuConfig: KernelConfig = {
  kernelName: LAYER_NORM_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) =>
    runLayerNormCpu(LAYER_NORM_KERNEL, backend, inputs as Record<string, TensorInfo | undefined>, (attrs as { epsilon?: unknown }).epsilon),
};
