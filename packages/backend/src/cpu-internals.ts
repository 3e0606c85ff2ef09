import type { DataId, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { float32Input } from './kernel-inputs.js';

/** The parts of tfjs-backend-cpu's MathBackendCPU (4.22.0, pinned) that our fused cpu kernels use. */
export interface CpuBackendInternals extends KernelBackend {
  data: { get(dataId: DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** A float32 input's values on the cpu backend; errors name the kernel, the input and what was expected. */
export function float32Values(kernelName: string, name: string, backend: CpuBackendInternals, info: TensorInfo | undefined): Float32Array {
  const values = backend.data.get(float32Input(kernelName, name, info).dataId).values;
  if (!(values instanceof Float32Array)) throw new Error(`${kernelName}: ${name} has no float32 values on the cpu backend`);
  return values;
}
