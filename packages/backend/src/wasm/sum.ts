import { Sum, backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { runStockKernelSingle } from './stock-kernels.js';
import { simdKernels } from './simd-kernels.js';
import { heapView, sizeOf, tensorAddress, type WasmBackendInternals } from './wasm-internals.js';

/**
 * Sum over leading axes (out[j] = Σ_i x[i, j], e.g. a bias gradient over the rows of a batch) as one
 * pass of column accumulation in float64 (our SIMD kernel, else JavaScript); the stock kernel transposes the whole input first so that
 * the C++ reduction runs over the innermost axis ([5312, 512] took ~30 ms). Other axes: stock kernel.
 */
export function wasmSum(backend: WasmBackendInternals, x: TensorInfo, axis: number | number[], keepDims: boolean): TensorInfo {
  const rank = x.shape.length;
  const axes = util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const leading = axes.length > 0 && axes.length < rank && axes.every((value, index) => value === index);
  if (!leading || x.dtype !== 'float32') return runStockKernelSingle('Sum', backend, { x }, { axis, keepDims });
  const keptShape = x.shape.slice(axes.length);
  const outShape = keepDims ? backend_util.expandShapeToKeepDim(keptShape, axes) : keptShape;
  const out = backend.makeOutput(outShape, 'float32');
  const inner = sizeOf(keptShape);
  const rows = sizeOf(x.shape.slice(0, axes.length));
  const kernels = simdKernels(backend);
  if (kernels && inner > 0) {
    kernels.sumLeading(tensorAddress(backend, x), tensorAddress(backend, out), rows, inner);
    return out;
  }
  const source = heapView(backend, x) as Float32Array;
  const target = heapView(backend, out) as Float32Array;
  const accumulator = new Float64Array(inner);
  for (let row = 0, offset = 0; row < rows; row++, offset += inner) {
    for (let j = 0; j < inner; j++) accumulator[j]! += source[offset + j]!;
  }
  target.set(accumulator);
  return out;
}

const sumKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const { axis, keepDims } = attrs as unknown as { axis: number | number[]; keepDims: boolean };
  return wasmSum(backend as unknown as WasmBackendInternals, x, axis, Boolean(keepDims));
};

export const sumConfig: KernelConfig = { kernelName: Sum, backendName: 'wasm', kernelFunc: sumKernel };
