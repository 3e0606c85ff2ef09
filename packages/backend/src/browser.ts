// The browser entry of @mlm/backend (the `browser` export condition): no Node built-in in its graph.
export { BROWSER_BACKEND_NAMES, parseBrowserBackendRequest } from './browser-backend-names.js';
export type { BrowserBackendName, BrowserBackendRequest } from './browser-backend-names.js';
export { initializeBackend, getBackendInfo, shutdownBackend, describeBrowserBackend, MAX_WASM_THREADS } from './browser-select-backend.js';
export { installLayerNormKernels, LAYER_NORM_KERNELS } from './layer-norm/register-layer-norm-kernels.js';
export type { BrowserBackendInfo as BackendInfo, BrowserBackendOptions as BackendOptions } from './browser-select-backend.js';
export { installWasmKernels, WASM_KERNEL_OVERRIDES } from './wasm/register-kernels.js';
export { installRotaryKernels, ROTARY_KERNELS } from './rotary/register-rotary-kernels.js';
