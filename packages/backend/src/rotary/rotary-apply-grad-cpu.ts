import { ROTARY_APPLY_GRAD_KERNEL } from '@mlm/types';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { runRotaryCpu } from './run-rotary-cpu.js';

/** The fused rotary embedding's gradient with respect to x on the cpu backend. */
export const rotaryApplyGradCpuConfig: KernelConfig = {
  kernelName: ROTARY_APPLY_GRAD_KERNEL,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, cos, sin } = inputs as { dy: TensorInfo; cos: TensorInfo; sin: TensorInfo };
    return runRotaryCpu(ROTARY_APPLY_GRAD_KERNEL, backend, dy, cos, sin, (attrs as { rotaryDim?: unknown }).rotaryDim, true);
  },
};
