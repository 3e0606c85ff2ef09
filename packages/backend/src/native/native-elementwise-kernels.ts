/**
 * Node only: the wasm backend's element-wise kernels and reductions run by the native addon
 * (@mlm/native-kernels) in place on the wasm heap, threaded on the addon's pool. Installed by
 * `enableNativeKernels` (a dynamic import browsers never reach); each kernel hands tensors the addon
 * does not take (other dtypes, other axes, small sizes, or native kernels turned off) to the kernel it
 * replaced, so installing them once is enough for every later `initializeBackend`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { BINARY_OPS, ELEMENT_TYPES, REDUCE_OPS, UNARY_OPS, type BinaryOpName, type ReduceOpName, type UnaryOpName } from '@mlm/native-kernels';
import { heapBytes, nativeProducts } from '../wasm/native-products.js';
import { setUpStockKernel } from '../wasm/stock-kernels.js';
import { sizeOf, tensorAddress, type WasmBackendInternals } from '../wasm/wasm-internals.js';

/**
 * Below this many output elements a kernel stays on the path it replaced (tfjs-backend-wasm's C++ or
 * our wasm override). Measured with `pnpm --filter @mlm/bench run elementwise` (same process, native
 * and wasm interleaved rep by rep; on the loaded 2-core machine, so the ratios are indicative): below
 * ~1k elements both cost the same few µs of call overhead and the ratios scatter around 1×; from 4,096
 * elements on, native is 1.3–4× faster for broadcast binary ops, exp and row sums.
 */
export const NATIVE_ELEMENTWISE_MIN_ELEMENTS = 4096;

/**
 * Sums over leading axes (bias gradients) below this many elements stay on our wasm SIMD kernel
 * (src/wasm/sum.ts), which is as fast there (0.6–0.9× in the same measurement up to [256, 128]).
 */
export const NATIVE_LEADING_REDUCTION_MIN_ELEMENTS = 131_072;

let minimumElements = NATIVE_ELEMENTWISE_MIN_ELEMENTS;
let minimumLeadingElements = NATIVE_LEADING_REDUCTION_MIN_ELEMENTS;

/** Tests only: run every size natively (1) or restore the measured crossovers (undefined). */
export function setNativeElementwiseCrossover(elements: number | undefined): void {
  minimumElements = elements ?? NATIVE_ELEMENTWISE_MIN_ELEMENTS;
  minimumLeadingElements = elements ?? NATIVE_LEADING_REDUCTION_MIN_ELEMENTS;
}

/** The kernels each override replaces (captured at installation, before replacing them). */
const replaced = new Map<string, KernelConfig>();

function runReplaced(kernelName: string, backend: WasmBackendInternals, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap): TensorInfo {
  const config = replaced.get(kernelName);
  if (!config) throw new Error(`native kernels: no wasm kernel ${kernelName} to fall back to`);
  setUpStockKernel(config, backend);
  return config.kernelFunc({ inputs, backend, attrs }) as TensorInfo;
}

const BINARY_KERNELS: Record<string, BinaryOpName> = {
  Add: 'add',
  Sub: 'sub',
  Multiply: 'mul',
  RealDiv: 'div',
  SquaredDifference: 'squaredDifference',
  Maximum: 'maximum',
  Minimum: 'minimum',
};

function binaryKernel(kernelName: string, op: BinaryOpName): KernelFunc {
  const code = BINARY_OPS[op];
  return ({ inputs, backend: kernelBackend, attrs }) => {
    const backend = kernelBackend as unknown as WasmBackendInternals;
    const { a, b } = inputs as { a: TensorInfo; b: TensorInfo };
    const native = nativeProducts();
    if (native && a.dtype === 'float32' && b.dtype === 'float32') {
      const outShape = backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
      if (sizeOf(outShape) >= minimumElements) {
        const out = backend.makeOutput(outShape, 'float32');
        native.binary(heapBytes(backend), code, tensorAddress(backend, a), a.shape, tensorAddress(backend, b), b.shape, tensorAddress(backend, out));
        return out;
      }
    }
    return runReplaced(kernelName, backend, { a, b }, attrs as NamedAttrMap);
  };
}

const UNARY_KERNELS: Record<string, UnaryOpName> = {
  Square: 'square',
  Neg: 'neg',
  Relu: 'relu',
  Exp: 'exp',
  Rsqrt: 'rsqrt',
  Sqrt: 'sqrt',
  Step: 'step',
  Sigmoid: 'sigmoid',
  Log: 'log',
  Reciprocal: 'reciprocal',
  Abs: 'abs',
};

function unaryKernel(kernelName: string, op: UnaryOpName): KernelFunc {
  const code = UNARY_OPS[op];
  return ({ inputs, backend: kernelBackend, attrs }) => {
    const backend = kernelBackend as unknown as WasmBackendInternals;
    const { x } = inputs as { x: TensorInfo };
    const native = nativeProducts();
    const size = sizeOf(x.shape);
    if (native && x.dtype === 'float32' && size >= minimumElements) {
      const out = backend.makeOutput(x.shape, 'float32');
      const alpha = op === 'step' ? Number((attrs as { alpha?: number }).alpha ?? 0) : 0;
      native.unary(heapBytes(backend), code, tensorAddress(backend, x), ELEMENT_TYPES.float32, tensorAddress(backend, out), size, alpha);
      return out;
    }
    return runReplaced(kernelName, backend, { x }, attrs as NamedAttrMap);
  };
}

/** Cast to float32 from float32, int32 or bool (the Relu and Step gradients' casts, the loss's one-hot). */
const castKernel: KernelFunc = ({ inputs, backend: kernelBackend, attrs }) => {
  const backend = kernelBackend as unknown as WasmBackendInternals;
  const { x } = inputs as { x: TensorInfo };
  const { dtype } = attrs as unknown as { dtype: string };
  const native = nativeProducts();
  const size = sizeOf(x.shape);
  const type = x.dtype === 'float32' || x.dtype === 'int32' || x.dtype === 'bool' ? ELEMENT_TYPES[x.dtype] : undefined;
  if (native && dtype === 'float32' && type !== undefined && size >= minimumElements) {
    const out = backend.makeOutput(x.shape, 'float32');
    native.unary(heapBytes(backend), UNARY_OPS.copy, tensorAddress(backend, x), type, tensorAddress(backend, out), size, 0);
    return out;
  }
  return runReplaced('Cast', backend, { x }, attrs as NamedAttrMap);
};

const REDUCE_KERNELS: Record<string, { op: ReduceOpName; axisAttribute: 'axis' | 'reductionIndices' }> = {
  Sum: { op: 'sum', axisAttribute: 'axis' },
  Mean: { op: 'mean', axisAttribute: 'axis' },
  Max: { op: 'max', axisAttribute: 'reductionIndices' },
  Min: { op: 'min', axisAttribute: 'axis' },
};

/**
 * Reductions over the innermost axes (layer norm's mean and variance, softmax's gradient) or the
 * leading axes (bias and layer-norm weight gradients), float32 in and out.
 */
function reduceKernel(kernelName: string, op: ReduceOpName, axisAttribute: 'axis' | 'reductionIndices'): KernelFunc {
  const code = REDUCE_OPS[op];
  return ({ inputs, backend: kernelBackend, attrs }) => {
    const backend = kernelBackend as unknown as WasmBackendInternals;
    const { x } = inputs as { x: TensorInfo };
    const native = nativeProducts();
    const size = sizeOf(x.shape);
    if (native && x.dtype === 'float32' && size >= minimumElements) {
      const rank = x.shape.length;
      const axes = util.parseAxisParam((attrs as Record<string, number | number[]>)[axisAttribute]!, x.shape).sort((p, q) => p - q);
      const count = axes.length;
      const distinct = new Set(axes).size === count;
      const trailing = count > 0 && distinct && axes.every((axis, index) => axis === rank - count + index);
      const leading = count > 0 && count < rank && distinct && axes.every((axis, index) => axis === index);
      if (trailing || (leading && size >= minimumLeadingElements)) {
        const keptShape = trailing ? x.shape.slice(0, rank - count) : x.shape.slice(count);
        const keepDims = Boolean((attrs as { keepDims?: boolean }).keepDims);
        const outShape = keepDims ? backend_util.expandShapeToKeepDim(keptShape, axes) : keptShape;
        const reduced = sizeOf(trailing ? x.shape.slice(rank - count) : x.shape.slice(0, count));
        const kept = sizeOf(keptShape);
        if (reduced > 0 || op === 'sum' || op === 'mean') {
          const out = backend.makeOutput(outShape, 'float32');
          const [rows, inner] = trailing ? [kept, reduced] : [reduced, kept];
          native.reduce(heapBytes(backend), code, tensorAddress(backend, x), tensorAddress(backend, out), rows, inner, !trailing);
          return out;
        }
      }
    }
    return runReplaced(kernelName, backend, { x }, attrs as NamedAttrMap);
  };
}

/*
 * Softmax stays on tfjs-backend-wasm's kernel (XNNPACK's): the addon's softmax measured 0.3–0.6× its
 * speed from 4k elements up (`pnpm --filter @mlm/bench run elementwise`), while the addon's exp alone is
 * ~4× faster than the wasm Exp. Its gradient (Multiply, Sum, Sub) runs here.
 */

/** The native kernel configs, by kernel name. */
export const NATIVE_ELEMENTWISE_KERNELS: ReadonlyArray<{ kernelName: string; kernelFunc: KernelFunc }> = [
  ...Object.entries(BINARY_KERNELS).map(([kernelName, op]) => ({ kernelName, kernelFunc: binaryKernel(kernelName, op) })),
  ...Object.entries(UNARY_KERNELS).map(([kernelName, op]) => ({ kernelName, kernelFunc: unaryKernel(kernelName, op) })),
  { kernelName: 'Cast', kernelFunc: castKernel },
  ...Object.entries(REDUCE_KERNELS).map(([kernelName, { op, axisAttribute }]) => ({ kernelName, kernelFunc: reduceKernel(kernelName, op, axisAttribute) })),
];

let installed = false;

/**
 * Registers the native element-wise kernels for the `wasm` backend (idempotent), each over the kernel
 * registered now (stock or our wasm override), which it calls for what it does not take.
 */
export function installNativeElementwiseKernels(): void {
  if (installed) return;
  for (const { kernelName, kernelFunc } of NATIVE_ELEMENTWISE_KERNELS) {
    const previous = tf.getKernel(kernelName, 'wasm');
    if (!previous) throw new Error(`native kernels: tfjs-backend-wasm has no ${kernelName} kernel; is it loaded?`);
    replaced.set(kernelName, previous);
  }
  for (const { kernelName, kernelFunc } of NATIVE_ELEMENTWISE_KERNELS) {
    const previous = replaced.get(kernelName)!;
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc, ...(previous.setupFunc ? { setupFunc: (backend) => setUpStockKernel(previous, backend) } : {}) });
  }
  installed = true;
}
