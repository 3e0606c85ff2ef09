import { ROTARY_APPLY_KERNEL } from '@mlm/types';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { runRotaryWasm } from './run-rotary-wasm.js';

/** The fused rotary embedding (forward) on the wasm backend (native addon when loaded, else JavaScript on the heap). */
export const rotaryApplyWasmConfig: KernelConfig = {
  kernelName: ROTARY_APPLY_KERNEL,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, cos, sin } = inputs as { x: TensorInfo; cos: TensorInfo; sin: TensorInfo };
    return runRotaryWasm(ROTARY_APPLY_KERNEL, backend, x, cos, sin, (attrs as { rotaryDim?: unknown }).rotaryDim, false);
  },
};
