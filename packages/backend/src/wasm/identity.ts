import { Identity } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { runStockKernelSingle } from './stock-kernels.js';
import type { WasmBackendInternals } from './wasm-internals.js';

/**
 * Identity shares the input's memory (one more reference) instead of copying it, as the cpu backend
 * does: tensors are immutable and no wasm kernel writes into its inputs. Gradients call Identity
 * hundreds of times per training step (308 copies, 4% of a `base` step).
 */
export function wasmIdentity(backend: WasmBackendInternals, x: TensorInfo): TensorInfo {
  if (x.dtype === 'string' || x.dtype === 'complex64') return runStockKernelSingle('Identity', backend, { x });
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

const identityKernel: KernelFunc = ({ inputs, backend }) =>
  wasmIdentity(backend as unknown as WasmBackendInternals, (inputs as { x: TensorInfo }).x);

export const identityConfig: KernelConfig = { kernelName: Identity, backendName: 'wasm', kernelFunc: identityKernel };
