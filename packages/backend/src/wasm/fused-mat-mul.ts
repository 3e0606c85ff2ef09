import { _FusedMatMul, broadcast_util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { transposeLastTwo, wasmBatchMatMul } from './batch-mat-mul.js';
import { NATIVE_ACTIVATIONS, nativeProduct, nativeProducts } from './native-products.js';
import { runStockKernelSingle } from './stock-kernels.js';
import { cachedCwrap, registerAlias, releaseAlias, sizeOf, tensorAddress, tensorId, type WasmBackendInternals } from './wasm-internals.js';

type CppFusedMatMul = (
  aId: number,
  aShape: Uint8Array,
  aRank: number,
  bId: number,
  bShape: Uint8Array,
  bRank: number,
  transposeA: boolean,
  transposeB: boolean,
  activation: number,
  biasId: number,
  preluWeightsId: number,
  leakyreluAlpha: number,
  outId: number,
) => void;

function cppFunction(backend: WasmBackendInternals): CppFusedMatMul {
  return cachedCwrap<CppFusedMatMul>(backend.wasm, '_FusedMatMul', ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number', 'number', 'number', 'number', 'number']);
}

/** Activations the C++ fast path applies as an output clamp (tfjs-backend-wasm's FusableActivation). */
const CLAMP_ACTIVATIONS: Record<string, number> = { linear: 0, relu: 1, relu6: 2 };

function shapeBytes(shape: number[]): Uint8Array {
  return new Uint8Array(new Int32Array(shape).buffer);
}

function applyActivation(
  backend: WasmBackendInternals,
  x: TensorInfo,
  activation: string,
  preluActivationWeights: TensorInfo | undefined,
  leakyreluAlpha: number | undefined,
): TensorInfo {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return runStockKernelSingle('Relu', backend, { x });
    case 'relu6':
      return runStockKernelSingle('Relu6', backend, { x });
    case 'sigmoid':
      return runStockKernelSingle('Sigmoid', backend, { x });
    case 'elu':
      return runStockKernelSingle('Elu', backend, { x });
    case 'leakyrelu':
      return runStockKernelSingle('LeakyRelu', backend, { x }, { alpha: leakyreluAlpha ?? 0.2 });
    case 'prelu':
      if (!preluActivationWeights) throw new Error('_FusedMatMul (wasm): activation "prelu" needs preluActivationWeights');
      return runStockKernelSingle('Prelu', backend, { x, alpha: preluActivationWeights });
    default:
      throw new Error(
        `_FusedMatMul (wasm): unsupported activation ${JSON.stringify(activation)}; expected linear, relu, relu6, prelu, leakyrelu, sigmoid or elu`,
      );
  }
}

const fusedMatMulKernel: KernelFunc = ({ inputs, backend: kernelBackend, attrs }) => {
  const backend = kernelBackend as unknown as WasmBackendInternals;
  const { a, b, bias, preluActivationWeights } = inputs as {
    a: TensorInfo;
    b: TensorInfo;
    bias?: TensorInfo;
    preluActivationWeights?: TensorInfo;
  };
  const { transposeA, transposeB, activation, leakyreluAlpha } = attrs as unknown as {
    transposeA: boolean;
    transposeB: boolean;
    activation: string;
    leakyreluAlpha?: number;
  };
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(`_FusedMatMul (wasm): expected float32 inputs, got a: ${a.dtype} and b: ${b.dtype}`);
  }
  const aBatchShape = a.shape.slice(0, -2);
  const bBatchShape = b.shape.slice(0, -2);
  const outBatchShape = broadcast_util.assertAndGetBroadcastShape(aBatchShape, bBatchShape);
  const clamp = CLAMP_ACTIVATIONS[activation];
  const rank = a.shape.length;
  const m = transposeA ? a.shape[rank - 1]! : a.shape[rank - 2]!;
  const k = transposeA ? a.shape[rank - 2]! : a.shape[rank - 1]!;
  const n = transposeB ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
  const biasIsVector = bias === undefined || (bias.shape.length === 1 && bias.shape[0] === n);
  const foldable = sizeOf(bBatchShape) === 1 && sizeOf(aBatchShape) === sizeOf(outBatchShape) && k > 0 && m * n > 0;

  const native = nativeProducts();
  const nativeActivation = NATIVE_ACTIVATIONS[activation];
  const kB = transposeB ? b.shape[b.shape.length - 1]! : b.shape[b.shape.length - 2]!;
  if (native && nativeActivation !== undefined && biasIsVector && (bias === undefined || bias.dtype === 'float32') && k === kB && a.shape.length >= 2 && b.shape.length >= 2) {
    // Product, bias and activation in one native call, in place on the heap.
    const out = backend.makeOutput([...outBatchShape, m, n], 'float32');
    nativeProduct(
      native, backend, a, b, transposeA, transposeB, out,
      { m, k, n, outBatchShape, aBatchShape, bBatchShape },
      { bias, activation: nativeActivation, alpha: leakyreluAlpha ?? 0.2 },
    );
    return out;
  }

  if (clamp !== undefined && biasIsVector && foldable) {
    // One XNNPACK fully-connected product with the bias and clamp fused: [batch·M, K] × [K, N].
    const temporaries: TensorInfo[] = [];
    const aliases: number[] = [];
    try {
      const left = transposeA ? transposeLastTwo(backend, a) : a;
      if (transposeA) temporaries.push(left);
      const right = transposeB ? transposeLastTwo(backend, b) : b;
      if (transposeB) temporaries.push(right);
      const rows = sizeOf(outBatchShape) * m;
      const out = backend.makeOutput([...outBatchShape, m, n], 'float32');
      // Fresh ids for the weights and bias: the C++ side caches a packed operator on them (see batch-mat-mul.ts).
      const bId = registerAlias(backend, tensorAddress(backend, right), k * n);
      aliases.push(bId);
      let biasId = 0;
      if (bias) {
        biasId = registerAlias(backend, tensorAddress(backend, bias), n);
        aliases.push(biasId);
      }
      cppFunction(backend)(
        tensorId(backend, left), shapeBytes([1, rows, k]), 3,
        bId, shapeBytes([1, k, n]), 3,
        false, false, clamp, biasId, 0, 0, tensorId(backend, out),
      );
      return out;
    } finally {
      for (const id of aliases) releaseAlias(backend, id);
      for (const temporary of temporaries) backend.disposeData(temporary.dataId);
    }
  }

  // General case: the product on XNNPACK, then the bias and the activation with the stock kernels.
  let result = wasmBatchMatMul(backend, a, b, transposeA, transposeB);
  if (bias) {
    const sum = runStockKernelSingle('Add', backend, { a: result, b: bias });
    backend.disposeData(result.dataId);
    result = sum;
  }
  const activated = applyActivation(backend, result, activation, preluActivationWeights, leakyreluAlpha);
  if (activated !== result) backend.disposeData(result.dataId);
  return activated;
};

export const fusedMatMulConfig: KernelConfig = {
  kernelName: _FusedMatMul,
  backendName: 'wasm',
  kernelFunc: fusedMatMulKernel,
};
