import { Slice, SplitV, Unpack, backend_util, slice_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { runStockKernel, runStockKernelSingle } from './stock-kernels.js';
import { heapView, sizeOf, type WasmBackendInternals } from './wasm-internals.js';

/**
 * Copies x[begin : begin + size] into a new tensor, reading the input through a view of the wasm heap.
 * (The stock kernel copies the whole input out of the heap with `readSync` on every call: `unstack`
 * of a [256, 64, 32] tensor took 269 ms.) Contiguous runs are copied with one `set` each.
 */
export function wasmSlice(backend: WasmBackendInternals, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    return runStockKernelSingle('Slice', backend, { x }, { begin, size });
  }
  const out = backend.makeOutput(size, x.dtype);
  const total = sizeOf(size);
  if (total === 0) return out;
  const source = heapView(backend, x);
  const target = heapView(backend, out);
  copyWindow(source, x.shape, begin, size, target);
  return out;
}

/** Row-major window copy: `target` receives `source[begin : begin + size]` of a tensor of `shape`. */
export function copyWindow(
  source: { subarray(start: number, end: number): ArrayLike<number> },
  shape: readonly number[],
  begin: readonly number[],
  size: readonly number[],
  target: { set(values: ArrayLike<number>, offset?: number): void },
): void {
  const rank = shape.length;
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  // The innermost axes that are taken whole merge with the first partial one into one contiguous run.
  let runAxis = rank - 1;
  while (runAxis > 0 && size[runAxis] === shape[runAxis]) runAxis--;
  const runLength = rank === 0 ? 1 : size[runAxis]! * strides[runAxis]!;
  let baseOffset = 0;
  for (let axis = 0; axis < rank; axis++) baseOffset += begin[axis]! * strides[axis]!;
  if (runAxis <= 0) {
    target.set(source.subarray(baseOffset, baseOffset + runLength), 0);
    return;
  }
  // Odometer over the axes before runAxis.
  const counter = new Array<number>(runAxis).fill(0);
  let sourceOffset = baseOffset;
  let targetOffset = 0;
  for (;;) {
    target.set(source.subarray(sourceOffset, sourceOffset + runLength), targetOffset);
    targetOffset += runLength;
    let axis = runAxis - 1;
    while (axis >= 0) {
      counter[axis]!++;
      sourceOffset += strides[axis]!;
      if (counter[axis]! < size[axis]!) break;
      sourceOffset -= counter[axis]! * strides[axis]!;
      counter[axis] = 0;
      axis--;
    }
    if (axis < 0) return;
  }
}

const sliceKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const { begin, size } = attrs as unknown as { begin: number | number[]; size?: number | number[] };
  const [beginIndices, sizes] = slice_util.parseSliceParams(x, begin, size);
  return wasmSlice(backend as unknown as WasmBackendInternals, x, beginIndices as number[], sizes as number[]);
};

const splitVKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
  if (x.dtype === 'string') return runStockKernel(SplitV, backend as unknown as WasmBackendInternals, { x }, attrs);
  const splitAxis = util.parseAxisParam(axis, x.shape)[0]!;
  const sizes = backend_util.prepareSplitSize(x as never, numOrSizeSplits, splitAxis);
  const begin = new Array<number>(x.shape.length).fill(0);
  const size = x.shape.slice();
  return sizes.map((part) => {
    const partSize = size.slice();
    partSize[splitAxis] = part;
    const result = wasmSlice(backend as unknown as WasmBackendInternals, x, begin.slice(), partSize);
    begin[splitAxis]! += part;
    return result;
  });
};

const unpackKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { value } = inputs as { value: TensorInfo };
  if (value.dtype === 'string') return runStockKernel(Unpack, backend as unknown as WasmBackendInternals, { value }, attrs);
  let axis = (attrs as unknown as { axis: number }).axis;
  if (axis < 0) axis += value.shape.length;
  const count = value.shape[axis]!;
  const outShape = value.shape.filter((_, index) => index !== axis);
  const begin = new Array<number>(value.shape.length).fill(0);
  const size = value.shape.slice();
  size[axis] = 1;
  const outputs: TensorInfo[] = [];
  for (let index = 0; index < count; index++) {
    begin[axis] = index;
    const part = wasmSlice(backend as unknown as WasmBackendInternals, value, begin.slice(), size);
    outputs.push({ dataId: part.dataId, dtype: part.dtype, shape: outShape });
  }
  return outputs;
};

export const sliceConfig: KernelConfig = { kernelName: Slice, backendName: 'wasm', kernelFunc: sliceKernel };
export const splitVConfig: KernelConfig = { kernelName: SplitV, backendName: 'wasm', kernelFunc: splitVKernel };
export const unpackConfig: KernelConfig = { kernelName: Unpack, backendName: 'wasm', kernelFunc: unpackKernel };
