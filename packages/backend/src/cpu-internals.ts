import type { DataId, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';

/** The parts of tfjs-backend-cpu's MathBackendCPU (4.22.0, pinned) that our fused cpu kernels use. */
export interface CpuBackendInternals extends KernelBackend {
  data: { get(dataId: DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

/** A float32 input's values on the cpu backend; errors name the kernel, the input and what was expected. */
export function float32Values(kernelName: string, name: string, backend: CpuBackendInternals, info: TensorInfo | undefined): Float32Array {
  if (!info) throw new Error(`${kernelName}: the input ${name} is missing`);
  if (info.dtype !== 'float32') throw new Error(`${kernelName}: ${name} has dtype ${info.dtype}; expected float32`);
  const values = backend.data.get(info.dataId).values;
  if (!(values instanceof Float32Array)) throw new Error(`${kernelName}: ${name} has no float32 values on the cpu backend`);
  return values;
}
