import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { rotaryApplyCpuConfig } from './rotary-apply-cpu.js';
import { rotaryApplyGradCpuConfig } from './rotary-apply-grad-cpu.js';
import { rotaryApplyGradWasmConfig } from './rotary-apply-grad-wasm.js';
import { rotaryApplyGradientConfig } from './rotary-apply-gradient.js';
import { rotaryApplyWasmConfig } from './rotary-apply-wasm.js';

/** The fused rotary kernels (`MlmRotaryApply`, `MlmRotaryApplyGrad`) for the cpu and wasm backends. */
export const ROTARY_KERNELS: readonly KernelConfig[] = [rotaryApplyCpuConfig, rotaryApplyGradCpuConfig, rotaryApplyWasmConfig, rotaryApplyGradWasmConfig];

let installed = false;

/**
 * Registers the fused rotary kernels for the cpu and wasm backends and their gradient (idempotent).
 * `initializeBackend` calls it; @mlm/model uses the kernels where they are registered for the active
 * backend and composes the same formula from stock ops elsewhere (webgl, webgpu, tfjs-node).
 */
export function installRotaryKernels(): void {
  if (installed) return;
  for (const config of ROTARY_KERNELS) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
  if (!tf.getGradient(rotaryApplyGradientConfig.kernelName)) tf.registerGradient(rotaryApplyGradientConfig);
  installed = true;
}
