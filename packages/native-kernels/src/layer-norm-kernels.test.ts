import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadNativeKernels, type NativeKernelsAddon } from './index.js';

// Skipped where the addon is not built, except in CI (CI=true), which builds it: there a missing addon
// fails instead. The layer-norm kernels need no BLAS, only the addon.
const loaded = loadNativeKernels();
const runNative = process.env.CI ? it : it.skipIf(!loaded.ok);

function addon(): NativeKernelsAddon {
  if (!loaded.ok) throw new Error(`the addon did not load: ${loaded.reason}`);
  return loaded.addon;
}

/** Row statistics, outputs and gradients in float64 (sequential sums), straight from the definition. */
function reference(x: Float32Array, weight: Float32Array, bias: Float32Array, dy: Float32Array, rows: number, dim: number, epsilon: number) {
  const y = new Float64Array(rows * dim);
  const dx = new Float64Array(rows * dim);
  const dweight = new Float64Array(dim);
  const dbias = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    const row = Array.from(x.subarray(r * dim, (r + 1) * dim));
    const mean = row.reduce((s, v) => s + v, 0) / dim;
    const rstd = 1 / Math.sqrt(row.reduce((s, v) => s + (v - mean) ** 2, 0) / dim + epsilon);
    const normalized = row.map((v) => (v - mean) * rstd);
    const g = normalized.map((_, i) => dy[r * dim + i]! * weight[i]!);
    const meanG = g.reduce((s, v) => s + v, 0) / dim;
    const meanGx = g.reduce((s, v, i) => s + v * normalized[i]!, 0) / dim;
    for (let i = 0; i < dim; i++) {
      y[r * dim + i] = normalized[i]! * weight[i]! + bias[i]!;
      dx[r * dim + i] = rstd * (g[i]! - meanG - normalized[i]! * meanGx);
      dweight[i]! += dy[r * dim + i]! * normalized[i]!;
      dbias[i]! += dy[r * dim + i]!;
    }
  }
  return { y, dx, dweight, dbias };
}

/** The largest error in units of float32 rounding of the exact value (half an ulp is 0.5), with `floor` for values near 0. */
function worstUlps(actual: Float32Array, exact: Float64Array, floor: number): number {
  let worst = 0;
  for (let i = 0; i < exact.length; i++) {
    const scale = Math.max(Math.abs(exact[i]!), floor) * 2 ** -23;
    worst = Math.max(worst, Math.abs(actual[i]! - exact[i]!) / scale);
  }
  return worst;
}

/** A heap with x, weight, bias, dy and room for the outputs: byte offsets of each region. */
function heapFor(rows: number, dim: number, seed: number, shared: boolean) {
  const size = rows * dim;
  const offsets = { x: 0, weight: size * 4, bias: (size + dim) * 4, dy: (size + 2 * dim) * 4, y: (2 * size + 2 * dim) * 4, dx: (3 * size + 2 * dim) * 4, dweight: (4 * size + 2 * dim) * 4, dbias: (4 * size + 3 * dim) * 4 };
  const bytes = (4 * size + 4 * dim) * 4 + 64;
  const heap = new Uint8Array(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const f = new Float32Array(heap.buffer);
  for (let i = 0; i < size; i++) {
    f[i] = Math.sin(seed + i * 1.7) * 3 + Math.cos((seed + Math.floor(i / dim)) * 0.3) * 5; // a different offset per row
    f[offsets.dy / 4 + i] = Math.cos(seed * 0.5 + i * 0.9);
  }
  for (let i = 0; i < dim; i++) {
    f[offsets.weight / 4 + i] = 1 + 0.5 * Math.sin(seed + i);
    f[offsets.bias / 4 + i] = 0.1 * Math.cos(seed + i);
  }
  const view = (at: number, count: number) => new Float32Array(heap.buffer, at, count);
  return { heap, offsets, view, size };
}

describe('layerNorm and layerNormGrad (native addon)', () => {
  runNative('match float64 layer norm and its gradients to float32 rounding, threaded or not, on plain and shared heaps', () => {
    const native = addon();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 300 }), fc.integer({ min: 8, max: 200 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), fc.constantFrom(1, 2), fc.constantFrom(1e-5, 1e-12, 0.1),
        (rows, dim, seed, shared, threads, epsilon) => {
          native.setThreads(threads);
          const { heap, offsets: o, view, size } = heapFor(rows, dim, seed, shared);
          native.layerNorm(heap, o.x, o.weight, o.bias, o.y, rows, dim, epsilon);
          native.layerNormGrad(heap, o.dy, o.x, o.weight, o.dx, o.dweight, o.dbias, rows, dim, epsilon);
          const exact = reference(view(o.x, size), view(o.weight, dim), view(o.bias, dim), view(o.dy, size), rows, dim, epsilon);
          // One rounding of a float64 result: within 0.5 ulp, plus float64 noise (floors for values near 0).
          expect(worstUlps(view(o.y, size), exact.y, 1e-3)).toBeLessThanOrEqual(0.501);
          expect(worstUlps(view(o.dx, size), exact.dx, 1e-4)).toBeLessThanOrEqual(0.501);
          expect(worstUlps(view(o.dweight, dim), exact.dweight, 1e-3)).toBeLessThanOrEqual(0.501);
          expect(worstUlps(view(o.dbias, dim), exact.dbias, 1e-3)).toBeLessThanOrEqual(0.501);
        },
      ),
      { numRuns: 25 },
    );
    native.setThreads(1);
  });

  runNative('give the same bits with 1 and 2 threads (weight and bias sums by fixed row blocks)', () => {
    const native = addon();
    const rows = 5312;
    const dim = 128;
    const results: Float32Array[][] = [];
    for (const threads of [1, 2]) {
      native.setThreads(threads);
      const { heap, offsets: o, view, size } = heapFor(rows, dim, 7, false);
      native.layerNorm(heap, o.x, o.weight, o.bias, o.y, rows, dim, 1e-5);
      native.layerNormGrad(heap, o.dy, o.x, o.weight, o.dx, o.dweight, o.dbias, rows, dim, 1e-5);
      results.push([view(o.y, size), view(o.dx, size), view(o.dweight, dim), view(o.dbias, dim)]);
    }
    native.setThreads(1);
    for (let k = 0; k < 4; k++) expect(Buffer.from(results[0]![k]!.buffer, results[0]![k]!.byteOffset, results[0]![k]!.byteLength).equals(Buffer.from(results[1]![k]!.buffer, results[1]![k]!.byteOffset, results[1]![k]!.byteLength))).toBe(true);
  });

  runNative('zero rows give zero weight and bias gradients; zero-width rows do nothing', () => {
    const native = addon();
    const heap = new Uint8Array(256);
    const f = new Float32Array(heap.buffer);
    f.fill(7);
    native.layerNormGrad(heap, 0, 0, 0, 64, 128, 192, 0, 8, 1e-5);
    expect(Array.from(f.subarray(32, 40))).toEqual(new Array(8).fill(0));
    expect(Array.from(f.subarray(48, 56))).toEqual(new Array(8).fill(0));
    native.layerNorm(heap, 0, 0, 0, 64, 5, 0, 1e-5);
    expect(f[16]).toBe(7);
  });

  runNative('reject regions outside the heap, misaligned offsets, overlaps and bad arguments before touching memory', () => {
    const native = addon();
    const heap = new Uint8Array(4096);
    const f = new Float32Array(heap.buffer);
    f.fill(3);
    const rows = 4;
    const dim = 16; // 64 floats = 256 bytes per [rows, dim] tensor
    // layerNorm(heap, x, weight, bias, out, rows, dim, epsilon)
    expect(() => native.layerNorm(heap, 3968, 1024, 1088, 2048, rows, dim, 1e-5)).toThrow(/x: bytes \[3968, 4224\) lie outside the heap \(4096 bytes\)/);
    expect(() => native.layerNorm(heap, 0, 4090, 1088, 2048, rows, dim, 1e-5)).toThrow(/weight: byte offset 4090 is not a multiple of 4/);
    expect(() => native.layerNorm(heap, 0, 1024, 4064, 2048, rows, dim, 1e-5)).toThrow(/bias: bytes \[4064, 4128\) lie outside the heap/);
    expect(() => native.layerNorm(heap, 0, 1024, 1088, 3900, rows, dim, 1e-5)).toThrow(/out: bytes \[3900, 4156\) lie outside the heap/);
    expect(() => native.layerNorm(heap, 0, 1024, 1088, 128, rows, dim, 1e-5)).toThrow('out: its region overlaps x, weight or bias');
    expect(() => native.layerNorm(heap, 0, 1024, 1088, 2048, rows, dim, -1)).toThrow('epsilon: expected a finite number >= 0');
    expect(() => native.layerNorm(heap, 0, 1024, 1088, 2048, rows, dim, Number.NaN)).toThrow('epsilon: expected a finite number >= 0');
    expect(() => native.layerNorm(heap, 0, 1024, 1088, 2048, -1, dim, 1e-5)).toThrow(/rows: expected an integer in \[0, 2\^32\), got -1/);
    expect(() => native.layerNorm(heap, 0, 1024, 1088, 2048, 65536, 65536, 1e-5)).toThrow('layerNorm: more than 2^32 elements');
    expect(() => (native.layerNorm as unknown as (...args: unknown[]) => void)(heap, 0, 1024, 1088, 2048, rows, dim)).toThrow('layerNorm: expected 8 arguments, got 7');
    expect(() => native.layerNorm(new Float32Array(8) as unknown as Uint8Array, 0, 0, 0, 0, 1, 1, 1e-5)).toThrow('heap: expected a Uint8Array over the wasm memory');
    // layerNormGrad(heap, dy, x, weight, dx, dweight, dbias, rows, dim, epsilon)
    expect(() => native.layerNormGrad(heap, 3968, 0, 1024, 2048, 2560, 2624, rows, dim, 1e-5)).toThrow(/dy: bytes \[3968, 4224\) lie outside the heap/);
    expect(() => native.layerNormGrad(heap, 256, 0, 1024, 2048, 2560, 4090, rows, dim, 1e-5)).toThrow(/dbias: byte offset 4090 is not a multiple of 4/);
    expect(() => native.layerNormGrad(heap, 256, 0, 1024, 2048, 4064, 2624, rows, dim, 1e-5)).toThrow(/dweight: bytes \[4064, 4128\) lie outside the heap/);
    expect(() => native.layerNormGrad(heap, 256, 0, 1024, 128, 2560, 2624, rows, dim, 1e-5)).toThrow('layerNormGrad: an output overlaps an input');
    expect(() => native.layerNormGrad(heap, 256, 0, 1024, 2048, 2080, 2624, rows, dim, 1e-5)).toThrow('layerNormGrad: two outputs overlap');
    expect(() => native.layerNormGrad(heap, 256, 0, 1024, 2048, 2560, 2624, rows, dim, Infinity)).toThrow('epsilon: expected a finite number >= 0');
    // Nothing was written by the calls that threw.
    expect(f.every((value) => value === 3)).toBe(true);
  });
});
