import { UnsortedSegmentSum } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { heapView, sizeOf, type WasmBackendInternals } from './wasm-internals.js';

/**
 * out[s, ...] = Σ x[i, ...] over the rows i with segmentIds[i] = s (rows with an id outside
 * [0, numSegments) are dropped, as in TensorFlow). The stock wasm backend has no such kernel, so
 * `tf.gather`'s gradient (an embedding's) failed there. Sums in float32, in row order.
 */
export function wasmUnsortedSegmentSum(
  backend: WasmBackendInternals,
  x: TensorInfo,
  segmentIds: TensorInfo,
  numSegments: number,
): TensorInfo {
  if (!Number.isInteger(numSegments) || numSegments < 0) {
    throw new Error(`UnsortedSegmentSum (wasm): numSegments must be a non-negative integer, got ${numSegments}`);
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm): expected x of dtype float32 or int32, got ${x.dtype}`);
  }
  if (segmentIds.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum (wasm): expected int32 segmentIds, got ${segmentIds.dtype}`);
  }
  const idsRank = segmentIds.shape.length;
  const prefixMatches = idsRank <= x.shape.length && segmentIds.shape.every((dim, axis) => dim === x.shape[axis]);
  if (!prefixMatches) {
    throw new Error(
      `UnsortedSegmentSum (wasm): segmentIds shape [${segmentIds.shape}] must be a prefix of x shape [${x.shape}]`,
    );
  }
  const innerShape = x.shape.slice(idsRank);
  const inner = sizeOf(innerShape);
  const rows = sizeOf(segmentIds.shape);
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  const target = heapView(backend, out) as Float32Array | Int32Array;
  target.fill(0);
  if (rows === 0 || inner === 0) return out;
  const source = heapView(backend, x) as Float32Array | Int32Array;
  const ids = heapView(backend, segmentIds) as Int32Array;
  for (let row = 0; row < rows; row++) {
    const segment = ids[row]!;
    if (segment < 0 || segment >= numSegments) continue;
    const from = row * inner;
    const to = segment * inner;
    for (let j = 0; j < inner; j++) target[to + j]! += source[from + j]!;
  }
  return out;
}

const unsortedSegmentSumKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const { numSegments } = attrs as unknown as { numSegments: number };
  return wasmUnsortedSegmentSum(backend as unknown as WasmBackendInternals, x, segmentIds, numSegments);
};

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumKernel,
};
