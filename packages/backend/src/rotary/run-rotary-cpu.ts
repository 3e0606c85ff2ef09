import type { DataId, KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import { rotaryBackward, rotaryForward, rotaryLayout } from './rotary-layout.js';

/** The parts of tfjs-backend-cpu's MathBackendCPU (4.22.0, pinned) that the rotary kernels use. */
interface CpuBackendInternals extends KernelBackend {
  data: { get(dataId: DataId): { values?: unknown } };
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

function float32Values(kernelName: string, name: string, backend: CpuBackendInternals, info: TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`${kernelName}: ${name} has dtype ${info.dtype}; expected float32`);
  const values = backend.data.get(info.dataId).values;
  if (!(values instanceof Float32Array)) throw new Error(`${kernelName}: ${name} has no float32 values on the cpu backend`);
  return values;
}

/** The fused rotary kernel (forward, or the gradient with `backward`) on the cpu backend. */
export function runRotaryCpu(
  kernelName: string,
  kernelBackend: object,
  x: TensorInfo,
  cos: TensorInfo,
  sin: TensorInfo,
  rotaryDim: unknown,
  backward: boolean,
): TensorInfo {
  const backend = kernelBackend as unknown as CpuBackendInternals;
  const xName = backward ? 'dy' : 'x';
  if (!x || !cos || !sin) throw new Error(`${kernelName}: expected the inputs ${xName}, cos and sin`);
  const layout = rotaryLayout(kernelName, xName, x.shape, cos.shape, sin.shape, rotaryDim);
  const out = new Float32Array(layout.size);
  const values = [float32Values(kernelName, xName, backend, x), float32Values(kernelName, 'cos', backend, cos), float32Values(kernelName, 'sin', backend, sin)] as const;
  (backward ? rotaryBackward : rotaryForward)(values[0], values[1], values[2], out, layout);
  return backend.makeTensorInfo([...x.shape], 'float32', out);
}
