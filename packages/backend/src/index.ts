export { BACKEND_NAMES, NATIVE_PACKAGES, parseBackendRequest } from './backend-names.js';
export type { BackendName, BackendRequest } from './backend-names.js';
export { initializeBackend, getBackendInfo } from './select-backend.js';
export type { BackendInfo, BackendOptions } from './select-backend.js';
