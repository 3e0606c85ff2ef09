import type { TensorInfo } from '@tensorflow/tfjs-core';
import { float32Values, type CpuBackendInternals } from '../cpu-internals.js';
import { layerNormBackward, layerNormForward, layerNormLayout } from './layer-norm-layout.js';

/** The fused layer norm (forward) on the cpu backend. */
export function runLayerNormCpu(kernelName: string, kernelBackend: object, inputs: Record<string, TensorInfo | undefined>, epsilon: unknown): TensorInfo {
  const backend = kernelBackend as unknown as CpuBackendInternals;
  const [x, weight, bias] = (['x', 'weight', 'bias'] as const).map((name) => float32Values(kernelName, name, backend, inputs[name]));
  const layout = layerNormLayout(kernelName, inputs.x!.shape, inputs.weight!.shape, inputs.bias!.shape, epsilon);
  const out = new Float32Array(layout.size);
  layerNormForward(x!, weight!, bias!, out, layout);
  return backend.makeTensorInfo([...inputs.x!.shape], 'float32', out);
}

/** The fused layer norm's gradients [dx, dweight, dbias] on the cpu backend. */
export function runLayerNormGradCpu(kernelName: string, kernelBackend: object, inputs: Record<string, TensorInfo | undefined>, epsilon: unknown): TensorInfo[] {
  const backend = kernelBackend as unknown as CpuBackendInternals;
  const [dy, x, weight] = (['dy', 'x', 'weight'] as const).map((name) => float32Values(kernelName, name, backend, inputs[name]));
  const layout = layerNormLayout(kernelName, inputs.x!.shape, inputs.weight!.shape, undefined, epsilon, inputs.dy!.shape);
  const dx = new Float32Array(layout.size);
  const dweight = new Float32Array(layout.dim);
  const dbias = new Float32Array(layout.dim);
  layerNormBackward(dy!, x!, weight!, dx, dweight, dbias, layout);
  return [
    backend.makeTensorInfo([...inputs.x!.shape], 'float32', dx),
    backend.makeTensorInfo([layout.dim], 'float32', dweight),
    backend.makeTensorInfo([layout.dim], 'float32', dbias),
  ];
}
