export { BACKEND_NAMES, NATIVE_PACKAGES, parseBackendRequest } from './backend-names.js';
export type { BackendName, BackendRequest } from './backend-names.js';
export { initializeBackend, getBackendInfo, shutdownBackend } from './select-backend.js';
export { defaultWasmThreads, MAX_WASM_THREADS } from './load-backends.js';
export { installLayerNormKernels, LAYER_NORM_KERNELS } from './layer-norm/register-layer-norm-kernels.js';
export { installWasmKernels, WASM_KERNEL_OVERRIDES } from './wasm/register-kernels.js';
export type { BackendInfo, BackendOptions } from './select-backend.js';
export { installRotaryKernels, ROTARY_KERNELS } from './rotary/register-rotary-kernels.js';
