import { ROTARY_APPLY_KERNEL } from '@mlm/types';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { runRotaryCpu } from './run-rotary-cpu.js';

/** The fused rotary embedding (forward) on the cpu backend. */
export const rotaryApplyCpuConfig: KernelConfig = {
  kernelName: ROTARY_APPLY_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, cos, sin } = inputs as { x: TensorInfo; cos: TensorInfo; sin: TensorInfo };
    return runRotaryCpu(ROTARY_APPLY_KERNEL, backend, x, cos, sin, (attrs as { rotaryDim?: unknown }).rotaryDim, false);
  },
};
