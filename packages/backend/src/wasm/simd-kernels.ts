import { SIMD_KERNELS_SHARED_BASE64, SIMD_KERNELS_UNSHARED_BASE64 } from './simd-kernels-binary.js';
import type { WasmBackendInternals, WasmModule } from './wasm-internals.js';

/** Our SIMD128 kernels (native/simd-kernels.c), instantiated on the tfjs module's own memory. */
export interface SimdKernels {
  /** C[t] = A[t] · B[t], row-major; byte addresses; element strides between batch entries (0 broadcasts). */
  bmm(a: number, b: number, c: number, batch: number, m: number, k: number, n: number, strideA: number, strideB: number, strideC: number): void;
  /** out[j] = Σ_i x[i·inner + j] over `rows` rows, accumulated in float64; byte addresses. */
  sumLeading(x: number, out: number, rows: number, inner: number): void;
  /**
   * The fused rotary embedding (forward, or its gradient with backward = 1) on x, out [groups, heads,
   * rows, dim] and tables [groups, tableHeads, rows, dim]; byte addresses.
   */
  rotary(x: number, cos: number, sin: number, out: number, groups: number, heads: number, tableHeads: number, rows: number, dim: number, rotaryDim: number, backward: number): void;
}

const instances = new WeakMap<WasmModule, SimdKernels | null>();
let enabled = true;
let lastFailure: string | null = null;

/** Why the kernels last failed to instantiate (null when they never failed). A test asserts it stays null on Node 20. */
export function simdKernelsFailure(): string | null {
  return lastFailure;
}

/** Turns our SIMD kernels on or off (off: every product goes to XNNPACK). For measurements. */
export function setSimdKernelsEnabled(value: boolean): void {
  enabled = value;
}

export function simdKernelsEnabled(): boolean {
  return enabled;
}

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The kernels for this backend's module, or null when they are off or cannot be instantiated (then the
 * callers use XNNPACK). The threaded tfjs build's memory is shared, the single-threaded one's not: each
 * needs its own variant (a module's memory import declares whether it is shared).
 */
export function simdKernels(backend: WasmBackendInternals): SimdKernels | null {
  if (!enabled) return null;
  const module = backend.wasm;
  const cached = instances.get(module);
  if (cached !== undefined) return cached;
  let kernels: SimdKernels | null = null;
  try {
    const memory = module.wasmMemory ?? module.asm?.memory;
    if (!(memory instanceof WebAssembly.Memory)) lastFailure = 'the tfjs wasm module exposes no WebAssembly.Memory';
    else {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const bytes = decode(shared ? SIMD_KERNELS_SHARED_BASE64 : SIMD_KERNELS_UNSHARED_BASE64);
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      kernels = {
        bmm: instance.exports.bmm as SimdKernels['bmm'],
        sumLeading: instance.exports.sum_leading as SimdKernels['sumLeading'],
        rotary: instance.exports.rotary as SimdKernels['rotary'],
      };
    }
  } catch (error) {
    kernels = null; // no SIMD or an incompatible memory: XNNPACK it is
    lastFailure = (error as Error).message;
  }
  instances.set(module, kernels);
  return kernels;
}
