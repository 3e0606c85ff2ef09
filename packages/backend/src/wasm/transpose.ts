import { Transpose } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { runStockKernelSingle } from './stock-kernels.js';
import { heapBytes, nativeProducts } from './native-products.js';
import { bytesPerElement, heapView, sizeOf, tensorAddress, type HeapArray, type WasmBackendInternals } from './wasm-internals.js';

/**
 * The same transposition with size-1 axes dropped and runs of axes that stay adjacent merged
 * (e.g. [B, L, 3, H, dh] with perm [2, 0, 3, 1, 4] is already minimal; [B, L, H, dh] with
 * [0, 2, 1, 3] is minimal too; [2, 3, 4] with [0, 1, 2] becomes the identity on [24]).
 */
export function simplifyTranspose(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = perm.filter((axis) => shape[axis] !== 1);
  // Groups of input axes, in output order, that stay consecutive.
  const groups: number[][] = [];
  for (const axis of kept) {
    const last = groups[groups.length - 1];
    if (last && last[last.length - 1]! + 1 === axis) last.push(axis);
    else groups.push([axis]);
  }
  // Merged input axes ordered by their position in the input; perm maps output → merged input axis.
  const byInputOrder = groups.map((group, outputIndex) => ({ group, outputIndex })).sort((a, b) => a.group[0]! - b.group[0]!);
  const mergedShape = byInputOrder.map(({ group }) => group.reduce((size, axis) => size * shape[axis]!, 1));
  const inputPosition = new Map(byInputOrder.map(({ outputIndex }, position) => [outputIndex, position]));
  const mergedPerm = groups.map((_, outputIndex) => inputPosition.get(outputIndex)!);
  return { shape: mergedShape, perm: mergedPerm };
}

/** Row-major transposition of `source` (of `shape`, rank >= 2) into `target` (JavaScript, any rank). */
export function transposeInto(source: HeapArray, shape: readonly number[], perm: readonly number[], target: HeapArray): void {
  const rank = shape.length;
  const inStrides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis--) {
    inStrides[axis] = stride;
    stride *= shape[axis]!;
  }
  const outShape = perm.map((axis) => shape[axis]!);
  // The two innermost output axes are plain loops; an odometer walks the others.
  const innerLength = outShape[rank - 1]!;
  const innerStep = inStrides[perm[rank - 1]!]!;
  const middleLength = outShape[rank - 2]!;
  const middleStep = inStrides[perm[rank - 2]!]!;
  const outer = rank - 2;
  const counter = new Array<number>(outer).fill(0);
  const total = source.length;
  let inOffset = 0;
  let outOffset = 0;
  while (outOffset < total) {
    if (innerStep === 1) {
      for (let m = 0, rowStart = inOffset; m < middleLength; m++, rowStart += middleStep) {
        for (let i = 0; i < innerLength; i++) target[outOffset++] = source[rowStart + i]!;
      }
    } else {
      for (let m = 0, rowStart = inOffset; m < middleLength; m++, rowStart += middleStep) {
        for (let i = 0, from = rowStart; i < innerLength; i++, from += innerStep) target[outOffset++] = source[from]!;
      }
    }
    let axis = outer - 1;
    while (axis >= 0) {
      const inputAxis = perm[axis]!;
      counter[axis]!++;
      inOffset += inStrides[inputAxis]!;
      if (counter[axis]! < outShape[axis]!) break;
      inOffset -= counter[axis]! * inStrides[inputAxis]!;
      counter[axis] = 0;
      axis--;
    }
    if (axis < 0) break;
  }
}

/**
 * Transpose: drops size-1 axes and merges axes that stay adjacent, then uses the stock C++ kernel up
 * to rank 4 (specialised there) and above that our native addon's C loop where it is loaded, otherwise
 * JavaScript (the stock generic rank-5+ path took ~0.9 s for the [B, L, 3, H, dh] → [3, B, H, L, dh]
 * split of attention heads; this takes a few ms).
 */
export function wasmTranspose(backend: WasmBackendInternals, x: TensorInfo, perm: number[]): TensorInfo {
  const outShape = perm.map((axis) => x.shape[axis]!);
  if (x.dtype === 'string' || x.dtype === 'complex64') return runStockKernelSingle('Transpose', backend, { x }, { perm });
  const simple = simplifyTranspose(x.shape, perm);
  const rank = simple.shape.length;
  const identity = simple.perm.every((axis, index) => axis === index);
  if (identity || sizeOf(x.shape) === 0) {
    const out = backend.makeOutput(outShape, x.dtype);
    if (sizeOf(outShape) > 0) heapView(backend, out).set(heapView(backend, x));
    return out;
  }
  if (rank <= 4) {
    const out = runStockKernelSingle('Transpose', backend, { x: { dataId: x.dataId, shape: simple.shape, dtype: x.dtype } }, { perm: simple.perm });
    return { ...out, shape: outShape };
  }
  const out = backend.makeOutput(outShape, x.dtype);
  const native = nativeProducts();
  if (native?.transpose) {
    // The same odometer walk in C (attention's head split and merge, forward and backward).
    native.transpose(heapBytes(backend), tensorAddress(backend, x), tensorAddress(backend, out), bytesPerElement(x.dtype), simple.shape, simple.perm);
  } else {
    transposeInto(heapView(backend, x), simple.shape, simple.perm, heapView(backend, out));
  }
  return out;
}

const transposeKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x } = inputs as { x: TensorInfo };
  const { perm } = attrs as unknown as { perm: number[] };
  return wasmTranspose(backend as unknown as WasmBackendInternals, x, perm);
};

export const transposeConfig: KernelConfig = { kernelName: Transpose, backendName: 'wasm', kernelFunc: transposeKernel };
