import type { TensorInfo } from '@tensorflow/tfjs-core';
import { float32Values, type CpuBackendInternals } from '../cpu-internals.js';
import { rotaryBackward, rotaryForward, rotaryLayout } from './rotary-layout.js';

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
