import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, BINARY_OPS, ELEMENT_TYPES, REDUCE_OPS, UNARY_OPS, addonPath, loadNativeKernels, type NativeKernelsAddon } from './index.js';

// Where the addon is not built (no C compiler) or no BLAS is installed these tests are skipped, except
// in CI (CI=true), which installs both: there a missing addon fails the tests instead.
const loaded = loadNativeKernels();
const runNative = process.env.CI ? it : it.skipIf(!(loaded.ok && loaded.blas.available));

function addon(): NativeKernelsAddon {
  if (!loaded.ok) throw new Error(`the addon did not load: ${loaded.reason}`);
  if (!loaded.blas.available) throw new Error(`the addon found no BLAS: ${loaded.blas.reason}`);
  return loaded.addon;
}

/** Reference: C_t = act(op(A_t)·op(B_t) + bias) in float64. */
function reference(
  a: Float32Array, b: Float32Array, batch: number, m: number, k: number, n: number,
  transposeA: boolean, transposeB: boolean, strideA: number, strideB: number, bias: Float32Array | undefined, activation: (x: number) => number,
): Float32Array {
  const out = new Float32Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = bias ? bias[j]! : 0;
        for (let p = 0; p < k; p++) {
          const x = a[t * strideA + (transposeA ? p * m + i : i * k + p)]!;
          const y = b[t * strideB + (transposeB ? j * k + p : p * n + j)]!;
          sum += x * y;
        }
        out[t * m * n + i * n + j] = activation(sum);
      }
    }
  }
  return out;
}

const ACTIVATION_FUNCTIONS: Record<keyof typeof ACTIVATIONS, (x: number) => number> = {
  linear: (x) => x,
  relu: (x) => Math.max(0, x),
  relu6: (x) => Math.min(6, Math.max(0, x)),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  elu: (x) => (x >= 0 ? x : Math.expm1(x)),
  leakyrelu: (x) => (x < 0 ? 0.3 * x : x),
};

describe('@mlm/native-kernels', () => {
  it('finds the addon where the build script puts it (prebuildify layout)', () => {
    expect(addonPath('linux', 'x64')).toMatch(/prebuilds\/linux-x64\/mlm-native-kernels\.napi\.node$/);
    if (process.env.CI) expect(existsSync(addonPath())).toBe(true);
  });

  it('the build script skips with a clear message (exit 0) where no C compiler is found', () => {
    const script = new URL('../scripts/build-addon.mjs', import.meta.url);
    const result = spawnSync(process.execPath, [fileURLToPath(script)], { encoding: 'utf8', env: { ...process.env, CC: '/nonexistent/cc', MLM_NATIVE_BUILD: '' } });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('@mlm/native-kernels: skipped: no C compiler found (tried CC=/nonexistent/cc)');
  });

  runNative('reports the BLAS it opened', () => {
    addon();
    if (!loaded.ok) return;
    expect(loaded.blas).toMatchObject({ available: true, reason: null });
    expect(loaded.blas.vendor).toMatch(/OpenBLAS|Accelerate|MKL|BLIS|BLAS/);
    expect(loaded.blas.library).toBeTruthy();
  });

  runNative('sgemm matches a float64 reference for transposes, strided and broadcast batches, bias and activations, on plain and shared heaps', () => {
    const native = addon();
    native.setThreads(1);
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 9 }), fc.integer({ min: 1, max: 9 }),
        fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), fc.constantFrom(...(Object.keys(ACTIVATIONS) as Array<keyof typeof ACTIVATIONS>)), fc.boolean(),
        (batch, m, k, n, transposeA, transposeB, shareB, withBias, shared, activation, offsetByOne) => {
          const strideA = m * k;
          const strideB = shareB ? 0 : k * n;
          const aValues = Float32Array.from({ length: batch * m * k }, (_, i) => Math.sin(i + 1));
          const bValues = Float32Array.from({ length: (shareB ? 1 : batch) * k * n }, (_, i) => Math.cos(i * 0.7));
          const biasValues = Float32Array.from({ length: n }, (_, i) => 0.25 * i - 1);
          const base = offsetByOne ? 16 : 0;
          const [aAt, bAt, biasAt] = [base, base + aValues.length * 4, base + (aValues.length + bValues.length) * 4];
          const cAt = biasAt + n * 4;
          const bytes = cAt + batch * m * n * 4 + 16;
          const buffer = shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
          const floats = new Float32Array(buffer);
          floats.set(aValues, aAt / 4);
          floats.set(bValues, bAt / 4);
          floats.set(biasValues, biasAt / 4);
          floats.fill(123, cAt / 4);
          native.sgemm(new Uint8Array(buffer), aAt, bAt, cAt, batch, m, k, n, transposeA, transposeB, strideA, strideB, m * n,
            withBias ? biasAt : -1, ACTIVATIONS[activation], 0.3);
          const expected = reference(aValues, bValues, batch, m, k, n, transposeA, transposeB, strideA, strideB, withBias ? biasValues : undefined, ACTIVATION_FUNCTIONS[activation]);
          const actual = floats.subarray(cAt / 4, cAt / 4 + batch * m * n);
          for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThan(1e-5 * (1 + Math.abs(expected[i]!)) * Math.max(1, k));
          // Nothing written past the output.
          expect(Array.from(floats.subarray(cAt / 4 + batch * m * n))).toEqual([123, 123, 123, 123]);
        },
      ),
      { numRuns: 200 },
    );
  });

  runNative('batches of small products run one per pool thread (2 threads), with the same results as on 1', () => {
    const native = addon();
    fc.assert(
      fc.property(
        fc.integer({ min: 4, max: 12 }), fc.integer({ min: 8, max: 40 }), fc.integer({ min: 8, max: 40 }), fc.integer({ min: 8, max: 40 }),
        fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(),
        (batch, m, k, n, transposeA, transposeB, shareB, withBias) => {
          const strideA = m * k;
          const strideB = shareB ? 0 : k * n;
          const aValues = Float32Array.from({ length: batch * m * k }, (_, i) => Math.sin(i + 1));
          const bValues = Float32Array.from({ length: (shareB ? 1 : batch) * k * n }, (_, i) => Math.cos(i * 0.7));
          const biasValues = Float32Array.from({ length: n }, (_, i) => 0.25 * i - 1);
          const [aAt, bAt, biasAt] = [0, aValues.length * 4, (aValues.length + bValues.length) * 4];
          const cAt = biasAt + n * 4;
          const buffer = new SharedArrayBuffer(cAt + batch * m * n * 4 + 16);
          const floats = new Float32Array(buffer);
          floats.set(aValues, aAt / 4);
          floats.set(bValues, bAt / 4);
          floats.set(biasValues, biasAt / 4);
          floats.fill(123, cAt / 4);
          const expected = reference(aValues, bValues, batch, m, k, n, transposeA, transposeB, strideA, strideB, withBias ? biasValues : undefined, ACTIVATION_FUNCTIONS.relu);
          for (const threads of [2, 1]) {
            native.setThreads(threads);
            native.sgemm(new Uint8Array(buffer), aAt, bAt, cAt, batch, m, k, n, transposeA, transposeB, strideA, strideB, m * n, withBias ? biasAt : -1, ACTIVATIONS.relu, 0);
            const actual = floats.subarray(cAt / 4, cAt / 4 + batch * m * n);
            let worst = 0;
            for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / (1 + Math.abs(expected[i]!)));
            expect(worst).toBeLessThan(1e-5 * k);
            expect(Array.from(floats.subarray(cAt / 4 + batch * m * n))).toEqual([123, 123, 123, 123]);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  runNative('rejects every region outside the heap, a misaligned offset and bad arguments, before touching anything', () => {
    const native = addon();
    const heap = new Uint8Array(256);
    heap.fill(9);
    const call = (overrides: Partial<Record<'a' | 'b' | 'c' | 'batch' | 'm' | 'k' | 'n' | 'strideA' | 'strideB' | 'strideC' | 'bias', number>>) => () => {
      const v = { a: 0, b: 64, c: 128, batch: 1, m: 2, k: 2, n: 2, strideA: 0, strideB: 0, strideC: 4, bias: -1, ...overrides };
      native.sgemm(heap, v.a, v.b, v.c, v.batch, v.m, v.k, v.n, false, false, v.strideA, v.strideB, v.strideC, v.bias, 0, 0);
    };
    expect(call({ c: 248 })).toThrow('c: bytes [248, 264) lie outside the heap (256 bytes)');
    expect(call({ a: 256 })).toThrow(/^a: bytes \[256, 272\) lie outside the heap/);
    expect(call({ batch: 3, strideB: 40 })).toThrow('b: bytes [64, 400) lie outside the heap (256 bytes)');
    expect(call({ m: 1000 })).toThrow(/outside the heap/);
    expect(call({ a: 2 ** 32 - 4 })).toThrow(/outside the heap/);
    expect(call({ a: 2 ** 32 })).toThrow('a: expected an integer in [0, 2^32), got 4.29497e+09');
    expect(call({ b: 6 })).toThrow('b: byte offset 6 is not a multiple of 4');
    expect(call({ k: -1 })).toThrow(/k: expected an integer/);
    expect(call({ n: 1.5 })).toThrow(/n: expected an integer/);
    expect(call({ batch: 2, strideC: 1 })).toThrow('strideC: 1 is smaller than one output (4)');
    expect(call({ bias: 252 })).toThrow(/bias: bytes \[252, 260\) lie outside the heap/);
    expect(() => (native.sgemm as (...args: unknown[]) => void)(new Float32Array(4), 0, 0, 0, 1, 1, 1, 1, false, false, 0, 0, 0, -1, 0, 0)).toThrow(
      'heap: expected a Uint8Array over the wasm memory',
    );
    let code: unknown;
    try {
      call({ c: 256 })();
    } catch (error) {
      code = (error as { code?: unknown }).code;
    }
    expect(code).toBe('ERR_MLM_NATIVE');
    expect(heap.every((byte) => byte === 9)).toBe(true);
  });

  runNative('a detached (transferred) buffer is an error', () => {
    const native = addon();
    const buffer = new ArrayBuffer(64);
    const view = new Uint8Array(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    expect(() => native.sgemm(view, 0, 16, 32, 1, 2, 2, 2, false, false, 0, 0, 0, -1, 0, 0)).toThrow(/outside the heap \(0 bytes\)/);
  });

  runNative('without a BLAS the addon still loads and says why (MLM_BLAS_LIBRARY pointing nowhere)', () => {
    addon();
    const script = `
      const addon = require(${JSON.stringify(addonPath())});
      const info = addon.blasInfo();
      let error = '';
      try { addon.sgemm(new Uint8Array(64), 0, 16, 32, 1, 2, 2, 2, false, false, 0, 0, 0, -1, 0, 0); } catch (e) { error = e.message; }
      console.log(JSON.stringify({ available: info.available, reason: info.reason, error }));`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, MLM_BLAS_LIBRARY: '/nonexistent/libopenblas.so.0' } });
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { available: boolean; reason: string; error: string };
    expect(report.available).toBe(false);
    expect(report.reason).toMatch(/^MLM_BLAS_LIBRARY=\/nonexistent\/libopenblas\.so\.0 could not be loaded or has no cblas_sgemm/);
    expect(report.error).toMatch(/^sgemm: no BLAS: MLM_BLAS_LIBRARY=/);
  });

  runNative('sets the BLAS thread count', () => {
    const native = addon();
    expect(native.setThreads(2)).toBe(2);
    expect(native.setThreads(1)).toBe(1);
    expect(() => native.setThreads(0)).toThrow('setThreads: expected an integer number of threads in [1, 256]');
  });
});

describe('element-wise kernels against float64', () => {
  runNative('exp (and softmax built on it) is within 2 ulp of the correctly rounded result; NaN, ±inf and underflow as expf', () => {
    const native = addon();
    const count = 1 << 16;
    const heap = new Uint8Array(new SharedArrayBuffer(count * 8 + 64));
    const values = new Float32Array(heap.buffer);
    for (let i = 0; i < count; i++) values[i] = -90 + (180 * i) / count;
    values.set([NaN, Infinity, -Infinity, 0, -0, 88.72283, -87.33654, 1e-30], 0);
    for (const threads of [1, 2]) {
      native.setThreads(threads);
      native.unary(heap, UNARY_OPS.exp, 0, ELEMENT_TYPES.float32, count * 4, count, 0);
      const out = values.subarray(count, 2 * count);
      expect([out[0], out[1], out[2], out[3], out[4]]).toEqual([NaN, Infinity, 0, 1, 1]);
      let worst = 0;
      for (let i = 0; i < count; i++) {
        const exact = Math.fround(Math.exp(values[i]!));
        if (!Number.isFinite(exact) || Number.isNaN(exact)) continue;
        if (exact < 1.2e-38) {
          expect(out[i]).toBeLessThan(1.2e-38); // flushed to 0 where expf gives a subnormal
          continue;
        }
        worst = Math.max(worst, Math.abs(out[i]! - exact) / (exact * 2 ** -23));
      }
      expect(worst).toBeLessThanOrEqual(2);
    }
  });

  runNative('binary, unary, reduce and softmax match float64 on plain and shared heaps, threaded or not', () => {
    const native = addon();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 200 }), fc.boolean(), fc.constantFrom(1, 2), (rows, inner, shared, threads) => {
        native.setThreads(threads);
        const size = rows * inner;
        const heap = new Uint8Array(shared ? new SharedArrayBuffer(size * 16 + 64) : new ArrayBuffer(size * 16 + 64));
        const f = new Float32Array(heap.buffer);
        for (let i = 0; i < size + inner; i++) f[i] = Math.sin(i * 1.7) * 3;
        const x = f.slice(0, size);
        const row = f.slice(size, size + inner);
        const out = 2 * size * 4;
        native.binary(heap, BINARY_OPS.mul, 0, [rows, inner], size * 4, [inner], out);
        let mismatches = 0;
        for (let i = 0; i < size; i++) if (f[2 * size + i] !== Math.fround(x[i]! * row[i % inner]!)) mismatches++;
        expect(mismatches).toBe(0);
        native.reduce(heap, REDUCE_OPS.sum, 0, out, rows, inner, false);
        let sumError = 0;
        for (let r = 0; r < rows; r++) {
          let s = 0;
          for (let j = 0; j < inner; j++) s += x[r * inner + j]!;
          sumError = Math.max(sumError, Math.abs(f[2 * size + r]! - s) - (Math.abs(s) * 2 ** -23 + 1e-6));
        }
        expect(sumError).toBeLessThanOrEqual(0);
        native.reduce(heap, REDUCE_OPS.max, 0, out, rows, inner, true);
        for (let j = 0; j < inner; j++) {
          let m = -Infinity;
          for (let r = 0; r < rows; r++) m = Math.max(m, x[r * inner + j]!);
          if (f[2 * size + j] !== m) mismatches++;
        }
        expect(mismatches).toBe(0);
        native.softmax(heap, 0, out, rows, inner);
        for (let r = 0; r < Math.min(rows, 5); r++) {
          const slice = Array.from(x.subarray(r * inner, (r + 1) * inner));
          const m = Math.max(...slice);
          const total = slice.reduce((s, v) => s + Math.exp(v - m), 0);
          const error = Math.max(...slice.map((v, j) => Math.abs(f[2 * size + r * inner + j]! - Math.exp(v - m) / total)));
          expect(error).toBeLessThan(1e-6);
        }
      }),
      { numRuns: 30 },
    );
    native.setThreads(1);
  });
});
