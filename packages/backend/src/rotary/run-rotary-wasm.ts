import type { TensorInfo } from '@tensorflow/tfjs-core';
import { float32Input } from '../kernel-inputs.js';
import { heapBytes, nativeProducts } from '../wasm/native-products.js';
import { simdKernels } from '../wasm/simd-kernels.js';
import { heapView, tensorAddress, type WasmBackendInternals } from '../wasm/wasm-internals.js';
import { rotaryBackward, rotaryForward, rotaryLayout } from './rotary-layout.js';

/**
 * Below this many elements the wasm backend's rotary kernels run their JavaScript loop even where the
 * native addon is loaded (a native call costs a few µs; the same crossover as the native element-wise
 * kernels). The sudoku training shape [3, 4, 64, 83, 32] has 2M elements.
 */
export const ROTARY_NATIVE_MIN_ELEMENTS = 4096;

let minimumElements = ROTARY_NATIVE_MIN_ELEMENTS;

/** Tests only: run every size natively (1), never (Infinity), or restore the crossover (undefined). */
export function setRotaryNativeCrossover(elements: number | undefined): void {
  minimumElements = elements ?? ROTARY_NATIVE_MIN_ELEMENTS;
}

/**
 * The fused rotary kernel (forward, or the gradient with `backward`) on the wasm backend, in place on
 * its heap: the native addon's `rotary` (C, threaded) when it is loaded; else our SIMD128 wasm module's
 * `rotary` (native/simd-kernels.c, one thread; also in browsers); else (no SIMD, or our SIMD kernels
 * turned off) a JavaScript loop over views of the heap. A JavaScript loop over the threaded build's
 * shared heap measured 2–3× slower than the stock ops it replaces; the SIMD kernel is not.
 */
export function runRotaryWasm(
  kernelName: string,
  kernelBackend: object,
  x: TensorInfo,
  cos: TensorInfo,
  sin: TensorInfo,
  rotaryDim: unknown,
  backward: boolean,
): TensorInfo {
  const backend = kernelBackend as unknown as WasmBackendInternals;
  const xName = backward ? 'dy' : 'x';
  if (!x || !cos || !sin) throw new Error(`${kernelName}: expected the inputs ${xName}, cos and sin`);
  for (const [name, info] of [[xName, x], ['cos', cos], ['sin', sin]] as const) float32Input(kernelName, name, info);
  const layout = rotaryLayout(kernelName, xName, x.shape, cos.shape, sin.shape, rotaryDim);
  const out = backend.makeOutput([...x.shape], 'float32');
  if (layout.size === 0) return out;
  const native = nativeProducts();
  // `typeof … === 'function'`: an addon built before `rotary` existed (a stale local build) takes the paths below.
  if (native && typeof native.rotary === 'function' && layout.size >= minimumElements) {
    native.rotary(
      heapBytes(backend),
      tensorAddress(backend, x), tensorAddress(backend, cos), tensorAddress(backend, sin), tensorAddress(backend, out),
      layout.groups, layout.heads, layout.tableHeads, layout.rows, layout.dim, layout.rotaryDim, backward,
    );
    return out;
  }
  const simd = simdKernels(backend);
  if (simd) {
    simd.rotary(
      tensorAddress(backend, x), tensorAddress(backend, cos), tensorAddress(backend, sin), tensorAddress(backend, out),
      layout.groups, layout.heads, layout.tableHeads, layout.rows, layout.dim, layout.rotaryDim, backward ? 1 : 0,
    );
    return out;
  }
  // Views taken after the output's allocation (which can grow the heap and replace its buffer).
  const views = [heapView(backend, x), heapView(backend, cos), heapView(backend, sin), heapView(backend, out)] as Float32Array[];
  (backward ? rotaryBackward : rotaryForward)(views[0]!, views[1]!, views[2]!, views[3]!, layout);
  return out;
}
