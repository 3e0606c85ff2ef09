// The committed SIMD module must be built from the committed C source and must work: a stale or broken
// binary fails here instead of silently sending every product to XNNPACK.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { initializeBackend } from '../select-backend.js';
import { SIMD_KERNELS_SHARED_BASE64, SIMD_KERNELS_SOURCE_SHA256, SIMD_KERNELS_UNSHARED_BASE64 } from './simd-kernels-binary.js';
import { simdKernels, simdKernelsFailure } from './simd-kernels.js';
import type { WasmBackendInternals } from './wasm-internals.js';

const SOURCE = new URL('../../native/simd-kernels.c', import.meta.url);

type Bmm = (a: number, b: number, c: number, batch: number, m: number, k: number, n: number, strideA: number, strideB: number, strideC: number) => void;
type SumLeading = (x: number, out: number, rows: number, inner: number) => void;

/** Instantiates one variant on a fresh memory of the kind its import declares. */
function instantiate(base64: string, shared: boolean): { memory: WebAssembly.Memory; bmm: Bmm; sumLeading: SumLeading } {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 65536, shared });
  const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(base64, 'base64')), { env: { memory } });
  expect(Object.keys(instance.exports).sort()).toEqual(['bmm', 'rotary', 'sum_leading']);
  return { memory, bmm: instance.exports.bmm as Bmm, sumLeading: instance.exports.sum_leading as SumLeading };
}

describe('the embedded SIMD wasm module', () => {
  it('was built from the committed native/simd-kernels.c (run native/build.sh after editing it)', () => {
    const sha256 = createHash('sha256').update(readFileSync(SOURCE)).digest('hex');
    expect(SIMD_KERNELS_SOURCE_SHA256, 'native/simd-kernels.c changed since src/wasm/simd-kernels-binary.ts was generated').toBe(sha256);
  });

  it.each([
    ['shared (threaded tfjs build)', SIMD_KERNELS_SHARED_BASE64, true],
    ['unshared (single-threaded tfjs build)', SIMD_KERNELS_UNSHARED_BASE64, false],
  ])('%s instantiates on this Node and computes a batched product and a leading-axis sum', (_name, base64, shared) => {
    const { memory, bmm, sumLeading } = instantiate(base64, shared);
    const heap = new Float32Array(memory.buffer);
    // Two batch entries of A [2×3] · B [3×5] (5 columns: a vector of 4 and a tail of 1).
    const [m, k, n, batch] = [2, 3, 5, 2];
    const a = 256;
    const b = a + batch * m * k;
    const c = b + batch * k * n;
    const aValues = Array.from({ length: batch * m * k }, (_, i) => (i % 7) - 3);
    const bValues = Array.from({ length: batch * k * n }, (_, i) => (i % 5) - 2);
    heap.set(aValues, a);
    heap.set(bValues, b);
    bmm(a * 4, b * 4, c * 4, batch, m, k, n, m * k, k * n, m * n);
    for (let t = 0; t < batch; t++) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let expected = 0;
          for (let p = 0; p < k; p++) expected += aValues[t * m * k + i * k + p]! * bValues[t * k * n + p * n + j]!;
          expect(heap[c + t * m * n + i * n + j], `C[${t}][${i}][${j}]`).toBe(expected);
        }
      }
    }
    // out[j] = Σ_i x[i·inner + j] over 3 rows of 6.
    const x = 1024;
    const out = 1100;
    heap.set(Array.from({ length: 18 }, (_, i) => i), x);
    sumLeading(x * 4, out * 4, 3, 6);
    expect(Array.from(heap.subarray(out, out + 6))).toEqual([18, 21, 24, 27, 30, 33]);
  });

  it('is what the wasm backend actually uses (no silent fallback to XNNPACK)', async () => {
    await initializeBackend({ backend: 'wasm', simdKernels: true, log: () => {} });
    expect(tf.getBackend()).toBe('wasm');
    const kernels = simdKernels(tf.backend() as unknown as WasmBackendInternals);
    expect(kernels, `the SIMD module failed to instantiate on the tfjs heap: ${simdKernelsFailure()}`).not.toBeNull();
    expect(simdKernelsFailure()).toBeNull();
  });
});
