import { ROTARY_APPLY_GRAD_KERNEL } from '@mlm/types';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { runRotaryWasm } from './run-rotary-wasm.js';

/** The fused rotary embedding's gradient with respect to x on the wasm backend (native addon when loaded, else JavaScript on the heap). */
export const rotaryApplyGradWasmConfig: KernelConfig = {
  kernelName: ROTARY_APPLY_GRAD_KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { dy, cos, sin } = inputs as { dy: TensorInfo; cos: TensorInfo; sin: TensorInfo };
    return runRotaryWasm(ROTARY_APPLY_GRAD_KERNEL, backend, dy, cos, sin, (attrs as { rotaryDim?: unknown }).rotaryDim, true);
  },
};
