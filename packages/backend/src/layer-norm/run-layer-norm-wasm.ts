import type { TensorInfo } from '@tensorflow/tfjs-core';
import { float32Input } from '../kernel-inputs.js';
import { heapBytes, nativeProducts } from '../wasm/native-products.js';
import { heapView, tensorAddress, type WasmBackendInternals } from '../wasm/wasm-internals.js';
import { layerNormBackward, layerNormForward, layerNormLayout } from './layer-norm-layout.js';

/**
 * Below this many elements the wasm backend's layer-norm kernels run their JavaScript loop even where
 * the native addon is loaded (a native call costs a few µs; the same crossover as the native
 * element-wise kernels). The sudoku training shape [64·83, 128] has 680k elements.
 */
export const LAYER_NORM_NATIVE_MIN_ELEMENTS = 4096;

let minimumElements = LAYER_NORM_NATIVE_MIN_ELEMENTS;

/** Tests only: run every size natively (1), never (Infinity), or restore the crossover (undefined). */
export function setLayerNormNativeCrossover(elements: number | undefined): void {
  minimumElements = elements ?? LAYER_NORM_NATIVE_MIN_ELEMENTS;
}

/** The native addon when it is loaded, has the layer-norm kernels and the size is worth a call. */
function nativeFor(size: number) {
  const native = nativeProducts();
  // An addon built before the layer-norm kernels existed lacks them: the JavaScript loop serves.
  return native && typeof native.layerNorm === 'function' && size >= minimumElements ? native : null;
}

/**
 * The fused layer norm (forward) on the wasm backend, in place on its heap: the native addon's
 * `layerNorm` (C, threaded) when it is loaded, else a JavaScript loop over views of the heap.
 */
export function runLayerNormWasm(kernelName: string, kernelBackend: object, inputs: Record<string, TensorInfo | undefined>, epsilon: unknown): TensorInfo {
  const backend = kernelBackend as unknown as WasmBackendInternals;
  const [x, weight, bias] = (['x', 'weight', 'bias'] as const).map((name) => float32Input(kernelName, name, inputs[name])) as [TensorInfo, TensorInfo, TensorInfo];
  const layout = layerNormLayout(kernelName, x.shape, weight.shape, bias.shape, epsilon);
  const out = backend.makeOutput([...x.shape], 'float32');
  if (layout.size === 0) return out;
  const native = nativeFor(layout.size);
  if (native) {
    native.layerNorm(
      heapBytes(backend),
      tensorAddress(backend, x), tensorAddress(backend, weight), tensorAddress(backend, bias), tensorAddress(backend, out),
      layout.rows, layout.dim, layout.epsilon,
    );
    return out;
  }
  // Views taken after the output's allocation (which can grow the heap and replace its buffer).
  const views = [x, weight, bias, out].map((info) => heapView(backend, info)) as Float32Array[];
  layerNormForward(views[0]!, views[1]!, views[2]!, views[3]!, layout);
  return out;
}

/** The fused layer norm's gradients [dx, dweight, dbias] on the wasm backend (native addon or JavaScript). */
export function runLayerNormGradWasm(kernelName: string, kernelBackend: object, inputs: Record<string, TensorInfo | undefined>, epsilon: unknown): TensorInfo[] {
  const backend = kernelBackend as unknown as WasmBackendInternals;
  const [dy, x, weight] = (['dy', 'x', 'weight'] as const).map((name) => float32Input(kernelName, name, inputs[name])) as [TensorInfo, TensorInfo, TensorInfo];
  const layout = layerNormLayout(kernelName, x.shape, weight.shape, undefined, epsilon, dy.shape);
  const dx = backend.makeOutput([...x.shape], 'float32');
  const dweight = backend.makeOutput([layout.dim], 'float32');
  const dbias = backend.makeOutput([layout.dim], 'float32');
  if (layout.dim === 0) return [dx, dweight, dbias];
  const native = nativeFor(layout.size);
  if (native) {
    native.layerNormGrad(
      heapBytes(backend),
      tensorAddress(backend, dy), tensorAddress(backend, x), tensorAddress(backend, weight),
      tensorAddress(backend, dx), tensorAddress(backend, dweight), tensorAddress(backend, dbias),
      layout.rows, layout.dim, layout.epsilon,
    );
    return [dx, dweight, dbias];
  }
  const views = [dy, x, weight, dx, dweight, dbias].map((info) => heapView(backend, info)) as Float32Array[];
  layerNormBackward(views[0]!, views[1]!, views[2]!, views[3]!, views[4]!, views[5]!, layout);
  return [dx, dweight, dbias];
}
