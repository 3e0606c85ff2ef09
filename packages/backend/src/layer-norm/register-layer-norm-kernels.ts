import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { layerNormCpuConfig } from './layer-norm-cpu.js';
import { layerNormGradCpuConfig } from './layer-norm-grad-cpu.js';
import { layerNormGradWasmConfig } from './layer-norm-grad-wasm.js';
import { layerNormGradientConfig } from './layer-norm-gradient.js';
import { layerNormWasmConfig } from './layer-norm-wasm.js';

/** The fused layer-norm kernels (`MlmLayerNorm`, `MlmLayerNormGrad`) for the cpu and wasm backends. */
export const LAYER_NORM_KERNELS: readonly KernelConfig[] = [layerNormCpuConfig, layerNormGradCpuConfig, layerNormWasmConfig, layerNormGradWasmConfig];

/**
 * Registers the fused layer-norm kernels for the cpu and wasm backends and their gradient (idempotent:
 * what is registered stays, what is missing is registered, also after `setWasmLayerNormKernels(false)`).
 * `initializeBackend` calls it, then keeps the wasm pair only where the native addon is loaded; @mlm/model
 * uses the kernels where they are registered for the active backend and composes the same formula from
 * stock ops elsewhere (webgl, webgpu, tfjs-node).
 */
export function installLayerNormKernels(): void {
  for (const config of LAYER_NORM_KERNELS) {
    if (!tf.getKernel(config.kernelName, config.backendName)) tf.registerKernel(config);
  }
  if (!tf.getGradient(layerNormGradientConfig.kernelName)) tf.registerGradient(layerNormGradientConfig);
}

/**
 * Whether the wasm backend runs the fused layer norm (registers or unregisters its two wasm kernels;
 * @mlm/model composes the same formula from stock ops where they are not registered). `initializeBackend`
 * turns it on only where the native addon is loaded: without the addon (a browser, `MLM_NATIVE=0`, no
 * addon built) the kernels' JavaScript loop on the heap measured slower than the stock wasm ops it
 * replaces (quiet 2-core machine, [5312, 128]: forward 0.31–0.40×, forward + backward 0.71–0.82×).
 */
export function setWasmLayerNormKernels(enabled: boolean): void {
  for (const config of LAYER_NORM_KERNELS) {
    if (config.backendName !== 'wasm') continue;
    const registered = Boolean(tf.getKernel(config.kernelName, 'wasm'));
    if (enabled && !registered) tf.registerKernel(config);
    if (!enabled && registered) tf.unregisterKernel(config.kernelName, 'wasm');
  }
}
