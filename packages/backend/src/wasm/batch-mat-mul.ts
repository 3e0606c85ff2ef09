import { BatchMatMul, broadcast_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { broadcastBatchIndex, nativeProduct, nativeProducts } from './native-products.js';
import { simdKernels } from './simd-kernels.js';
import { runStockKernelSingle } from './stock-kernels.js';
import {
  cachedCwrap,
  heapView,
  registerAlias,
  releaseAlias,
  sizeOf,
  tensorAddress,
  tensorId,
  type WasmBackendInternals,
} from './wasm-internals.js';

type CppBatchMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  outId: number,
) => void;

function cppFunction(backend: WasmBackendInternals): CppBatchMatMul {
  return cachedCwrap<CppBatchMatMul>(backend.wasm, 'BatchMatMul', ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
}

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

/** A row-major float32 matrix inside the heap: a whole tensor, or a window of one. */
interface HeapMatrix {
  tensor: TensorInfo;
  /** Offset of the first element, in elements. */
  elementOffset: number;
}

/**
 * out[rows, n] = a[rows, k] · b[k, n] on XNNPACK (the C++ fast path, taken when neither side is
 * transposed and both batch sizes are 1). Windows of tensors are registered as aliased ids.
 * The right-hand side always gets a fresh alias: the C++ side caches a packed XNNPACK operator on the
 * right-hand id, with the [k, n] it was first used with, and a reshaped view of the same data would
 * reuse that stale operator; releasing the alias drops the operator (repacking costs ~1/rows of the
 * product).
 */
function gemm(backend: WasmBackendInternals, a: HeapMatrix, b: HeapMatrix, out: HeapMatrix, rows: number, k: number, n: number): void {
  const aliases: number[] = [];
  const alias = (matrix: HeapMatrix, size: number): number => {
    const id = registerAlias(backend, tensorAddress(backend, matrix.tensor) + matrix.elementOffset * 4, size);
    aliases.push(id);
    return id;
  };
  const idOf = (matrix: HeapMatrix, size: number): number =>
    matrix.elementOffset === 0 && sizeOf(matrix.tensor.shape) === size ? tensorId(backend, matrix.tensor) : alias(matrix, size);
  try {
    const aId = idOf(a, rows * k);
    const bId = alias(b, k * n);
    const outId = idOf(out, rows * n);
    cppFunction(backend)(aId, shapeBytes([1, rows, k]), 3, bId, shapeBytes([1, k, n]), 3, false, false, outId);
  } finally {
    for (const id of aliases) releaseAlias(backend, id);
  }
}

/** Swaps the last two axes with the stock wasm Transpose kernel (a new tensor the caller disposes). */
export function transposeLastTwo(backend: WasmBackendInternals, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runStockKernelSingle('Transpose', backend, { x }, { perm });
}

/**
 * Relative cost of XNNPACK packing one right-hand element (it packs [K, N] weights with a strided,
 * transposing read) against one element of an explicit transpose (the C++ kernel is blocked).
 */
const PACK_COST = 4;

/**
 * Per-entry products up to this many multiply-adds (M·K·N) go to our SIMD kernel: attention's
 * [83, 32] · [32, 83] (0.2M) and [128, 64] · [64, 128] (1M). Larger ones amortise XNNPACK's set-up.
 */
const SMALL_PRODUCT = 1 << 21;

/**
 * One product out[rows, n] = A[rows, k] · B[k, n] (A's batch folded into its rows; B shared), in the
 * cheaper of two orientations. XNNPACK packs its right-hand side on every call, so
 * - direct:  A (transposed if stored transposed) · B (transposed if stored transposed), packs k·n;
 * - swapped: outᵀ = Bᵀ · Aᵀ, then one [n, rows] → [rows, n] transpose; packs k·rows.
 * Weight gradients (k = the batch of rows, one side narrow) are where swapping pays: [5312, 512]ᵀ ·
 * [5312, 128] packs 4× less swapped.
 */
function singleProduct(
  backend: WasmBackendInternals,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  rows: number,
  k: number,
  n: number,
  out: TensorInfo,
  foldedBatch: boolean,
): void {
  const direct = (transposeA ? rows * k : 0) + (transposeB ? k * n : 0) + PACK_COST * k * n;
  // Swapping needs Aᵀ as one [k, rows] matrix, so A must have no batch of its own.
  const swapped = foldedBatch
    ? Infinity
    : (transposeB ? 0 : k * n) + (transposeA ? 0 : rows * k) + PACK_COST * k * rows + rows * n;
  const temporaries: TensorInfo[] = [];
  const materialise = (x: TensorInfo, transpose: boolean): TensorInfo => {
    if (!transpose) return x;
    const result = transposeLastTwo(backend, x);
    temporaries.push(result);
    return result;
  };
  try {
    if (direct <= swapped) {
      const left = materialise(a, transposeA);
      const right = materialise(b, transposeB);
      gemm(backend, { tensor: left, elementOffset: 0 }, { tensor: right, elementOffset: 0 }, { tensor: out, elementOffset: 0 }, rows, k, n);
      return;
    }
    // Bᵀ is B itself when B is stored transposed; Aᵀ likewise.
    const left = transposeB ? b : materialise(b, true);
    const right = transposeA ? a : materialise(a, true);
    const product = backend.makeOutput([n, rows], 'float32');
    temporaries.push(product);
    gemm(backend, { tensor: left, elementOffset: 0 }, { tensor: right, elementOffset: 0 }, { tensor: product, elementOffset: 0 }, n, k, rows);
    const transposed = runStockKernelSingle('Transpose', backend, { x: product }, { perm: [1, 0] });
    heapView(backend, out).set(heapView(backend, transposed));
    backend.disposeData(transposed.dataId);
  } finally {
    for (const temporary of temporaries) backend.disposeData(temporary.dataId);
  }
}

/**
 * Batched matrix product. With the native addon loaded (see native-products.ts), every product goes to
 * the system BLAS in place. Otherwise every product runs on XNNPACK:
 * - transposed operands are transposed explicitly first (the wasm Transpose kernel);
 * - a right-hand side shared by the whole batch folds the batch into one [n·M, K] × [K, N] product,
 *   in the orientation that packs less (`singleProduct`);
 * - otherwise small products (≤ SMALL_PRODUCT multiply-adds each) run the whole batch in one call of
 *   our SIMD128 kernel, and larger ones one XNNPACK product per batch entry, on aliased 2-D views of
 *   the heap (nothing copied).
 * Results equal the cpu backend's within float32 rounding (other summation orders).
 */
export function wasmBatchMatMul(
  backend: WasmBackendInternals,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
): TensorInfo {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(`BatchMatMul (wasm): expected float32 inputs, got a: ${a.dtype} and b: ${b.dtype}`);
  }
  const aRank = a.shape.length;
  const bRank = b.shape.length;
  if (aRank < 2 || bRank < 2) {
    throw new Error(`BatchMatMul (wasm): expected inputs of rank >= 2, got shapes [${a.shape}] and [${b.shape}]`);
  }
  const m = transposeA ? a.shape[aRank - 1]! : a.shape[aRank - 2]!;
  const k = transposeA ? a.shape[aRank - 2]! : a.shape[aRank - 1]!;
  const kB = transposeB ? b.shape[bRank - 1]! : b.shape[bRank - 2]!;
  const n = transposeB ? b.shape[bRank - 2]! : b.shape[bRank - 1]!;
  if (k !== kB) {
    throw new Error(
      `Error in matMul: inner shapes (${k}) and (${kB}) of Tensors with shapes ${a.shape} and ${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const aBatchShape = a.shape.slice(0, -2);
  const bBatchShape = b.shape.slice(0, -2);
  const outBatchShape = broadcast_util.assertAndGetBroadcastShape(aBatchShape, bBatchShape);
  const out = backend.makeOutput([...outBatchShape, m, n], 'float32');
  const outBatch = sizeOf(outBatchShape);
  if (outBatch * m * n === 0) return out;
  if (k === 0) {
    (heapView(backend, out) as Float32Array).fill(0);
    return out;
  }

  const native = nativeProducts();
  if (native) {
    // The native BLAS takes transposes and strided batches itself, in place on the heap.
    nativeProduct(native, backend, a, b, transposeA, transposeB, out, { m, k, n, outBatchShape, aBatchShape, bBatchShape });
    return out;
  }

  const aBatch = sizeOf(aBatchShape);
  const bBatch = sizeOf(bBatchShape);
  const temporaries: TensorInfo[] = [];
  try {
    if (bBatch === 1 && aBatch === outBatch) {
      singleProduct(backend, a, b, transposeA, transposeB, outBatch * m, k, n, out, outBatch > 1);
      return out;
    }
    let left = a;
    let right = b;
    if (transposeA) {
      left = transposeLastTwo(backend, a);
      temporaries.push(left);
    }
    if (transposeB) {
      right = transposeLastTwo(backend, b);
      temporaries.push(right);
    }
    const kernels = m * k * n <= SMALL_PRODUCT ? simdKernels(backend) : null;
    if (kernels) {
      // Small products (attention heads): our SIMD kernel runs the whole batch in one call, without
      // XNNPACK's per-product operator set-up and thread-pool round trip.
      const [aAddress, bAddress, outAddress] = [tensorAddress(backend, left), tensorAddress(backend, right), tensorAddress(backend, out)];
      if ((aBatch === 1 || aBatch === outBatch) && (bBatch === 1 || bBatch === outBatch)) {
        kernels.bmm(aAddress, bAddress, outAddress, outBatch, m, k, n, aBatch === 1 ? 0 : m * k, bBatch === 1 ? 0 : k * n, m * n);
      } else {
        const aIndex = broadcastBatchIndex(outBatchShape, aBatchShape);
        const bIndex = broadcastBatchIndex(outBatchShape, bBatchShape);
        for (let index = 0; index < outBatch; index++) {
          kernels.bmm(aAddress + aIndex(index) * m * k * 4, bAddress + bIndex(index) * k * n * 4, outAddress + index * m * n * 4, 1, m, k, n, 0, 0, 0);
        }
      }
      return out;
    }
    const aIndex = broadcastBatchIndex(outBatchShape, aBatchShape);
    const bIndex = broadcastBatchIndex(outBatchShape, bBatchShape);
    for (let index = 0; index < outBatch; index++) {
      gemm(
        backend,
        { tensor: left, elementOffset: aIndex(index) * m * k },
        { tensor: right, elementOffset: bIndex(index) * k * n },
        { tensor: out, elementOffset: index * m * n },
        m,
        k,
        n,
      );
    }
  } finally {
    for (const temporary of temporaries) backend.disposeData(temporary.dataId);
  }
  return out;
}

const batchMatMulKernel: KernelFunc = ({ inputs, backend, attrs }) => {
  const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  return wasmBatchMatMul(backend as unknown as WasmBackendInternals, a, b, Boolean(transposeA), Boolean(transposeB));
};

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: batchMatMulKernel,
};
