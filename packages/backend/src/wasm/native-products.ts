import type { NativeKernelsAddon } from '@mlm/native-kernels';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { tensorAddress, type WasmBackendInternals } from './wasm-internals.js';

/**
 * The native addon (@mlm/native-kernels) as the wasm kernels call it: its own exported type (a type
 * import, erased at build time). This module only holds the addon once Node-only code (src/native/)
 * has loaded it; nothing here imports the addon, so browser bundles of the kernels never reach native
 * code.
 */
export type NativeProducts = NativeKernelsAddon;

/** The addon's activation codes (its `ACTIVATIONS`, repeated here: a value import would bundle the addon's loader for browsers). */
export const NATIVE_ACTIVATIONS: Readonly<Record<string, number>> = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, elu: 4, leakyrelu: 5 };

let products: NativeProducts | null = null;

/** Installs (or, with null, removes) the native products; set by `initializeBackend`. */
export function setNativeProducts(value: NativeProducts | null): void {
  products = value;
}

export function nativeProducts(): NativeProducts | null {
  return products;
}

let lastBuffer: ArrayBufferLike | undefined;
let lastView: Uint8Array | undefined;

/**
 * A Uint8Array over the heap's current buffer, read again on every call: memory growth replaces the
 * buffer (and detaches the old one); the threaded build's buffer is a SharedArrayBuffer that may
 * have grown from a worker thread. The addon bound-checks every region against this view's length.
 */
export function heapBytes(backend: WasmBackendInternals): Uint8Array {
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  const buffer = memory ? memory.buffer : backend.wasm.HEAPU8.buffer;
  if (buffer !== lastBuffer || lastView === undefined || lastView.byteLength !== buffer.byteLength) {
    lastBuffer = buffer;
    lastView = new Uint8Array(buffer);
  }
  return lastView;
}

export interface NativeProductOptions {
  bias?: TensorInfo;
  activation?: number;
  alpha?: number;
}

/**
 * out = act(op(a) · op(b) + bias) through the native BLAS, in place on the heap, for any batch
 * broadcasting: strided calls when each side's batch is 1 or the whole output batch (a shared
 * right-hand side with an untransposed left folds into one [batch·m, k] product), otherwise one call
 * per output entry.
 */
export function nativeProduct(
  native: NativeProducts,
  backend: WasmBackendInternals,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  out: TensorInfo,
  shapes: { m: number; k: number; n: number; outBatchShape: number[]; aBatchShape: number[]; bBatchShape: number[] },
  options: NativeProductOptions = {},
): void {
  const { m, k, n, outBatchShape, aBatchShape, bBatchShape } = shapes;
  const outBatch = sizeOfShape(outBatchShape);
  const aBatch = sizeOfShape(aBatchShape);
  const bBatch = sizeOfShape(bBatchShape);
  const heap = heapBytes(backend);
  const [aAddress, bAddress, outAddress] = [tensorAddress(backend, a), tensorAddress(backend, b), tensorAddress(backend, out)];
  const bias = options.bias ? tensorAddress(backend, options.bias) : -1;
  const activation = options.activation ?? 0;
  const alpha = options.alpha ?? 0;
  if (bBatch === 1 && aBatch === outBatch && !transposeA) {
    native.sgemm(heap, aAddress, bAddress, outAddress, 1, outBatch * m, k, n, false, transposeB, 0, 0, 0, bias, activation, alpha);
    return;
  }
  if ((aBatch === 1 || aBatch === outBatch) && (bBatch === 1 || bBatch === outBatch)) {
    native.sgemm(
      heap, aAddress, bAddress, outAddress, outBatch, m, k, n, transposeA, transposeB,
      aBatch === 1 ? 0 : m * k, bBatch === 1 ? 0 : k * n, m * n, bias, activation, alpha,
    );
    return;
  }
  const aIndex = broadcastBatchIndex(outBatchShape, aBatchShape);
  const bIndex = broadcastBatchIndex(outBatchShape, bBatchShape);
  for (let index = 0; index < outBatch; index++) {
    native.sgemm(
      heap, aAddress + aIndex(index) * m * k * 4, bAddress + bIndex(index) * k * n * 4, outAddress + index * m * n * 4,
      1, m, k, n, transposeA, transposeB, 0, 0, 0, bias, activation, alpha,
    );
  }
}

function sizeOfShape(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** For each flat output batch index, the flat batch index of an operand broadcast to it. */
export function broadcastBatchIndex(outBatchShape: number[], operandBatchShape: number[]): (outIndex: number) => number {
  const rank = outBatchShape.length;
  const padded = [...Array(rank - operandBatchShape.length).fill(1), ...operandBatchShape] as number[];
  if (sizeOfShape(padded) === sizeOfShape(outBatchShape)) return (index) => index;
  if (sizeOfShape(padded) === 1) return () => 0;
  const operandStrides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis--) {
    operandStrides[axis] = stride;
    stride *= padded[axis]!;
  }
  return (index) => {
    let remainder = index;
    let result = 0;
    for (let axis = rank - 1; axis >= 0; axis--) {
      const dim = outBatchShape[axis]!;
      const coordinate = remainder % dim;
      remainder = (remainder - coordinate) / dim;
      if (padded[axis] !== 1) result += coordinate * operandStrides[axis]!;
    }
    return result;
  };
}
