import type { TensorInfo } from '@tensorflow/tfjs-core';

/**
 * A fused kernel's float32 input, on any backend; errors name the kernel, the input and what was
 * expected.
 */
export function float32Input(kernelName: string, name: string, info: TensorInfo | undefined): TensorInfo {
  if (!info) throw new Error(`${kernelName}: the input ${name} is missing`);
  if (info.dtype !== 'float32') throw new Error(`${kernelName}: ${name} has dtype ${info.dtype}; expected float32`);
  return info;
}
