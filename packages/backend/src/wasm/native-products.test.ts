import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend, type BackendInfo } from '../index.js';
import { initializeCpuThenWasm, requireNative, runNative } from '../native/test-support-native.js';
import { maxRelativeError, onBothBackends, seededValues } from './kernel-test-support.js';
import { heapBytes, nativeProducts } from './native-products.js';
import type { WasmBackendInternals } from './wasm-internals.js';

// OpenBLAS sums in another order (and with FMA) than the cpu backend: float32 rounding only.
const TOLERANCE = 2e-5;

let info: BackendInfo;
beforeAll(async () => {
  info = await initializeCpuThenWasm();
});

const dims = fc.integer({ min: 1, max: 12 });
const batchShape = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 });

describe('native BLAS products on the wasm heap', () => {
  runNative('are enabled by initializeBackend and named in its log line', () => {
    requireNative(info);
    expect(info.description).toMatch(/^\[mlm\] tensor backend: wasm \+ native BLAS \(\w+, 1 thread\)/);
    expect(nativeProducts()).not.toBeNull();
  });

  runNative('BatchMatMul matches the cpu backend forward and backward, for transposes and broadcast batches', async () => {
    requireNative(info);
    await fc.assert(
      fc.asyncProperty(
        dims, dims, dims, batchShape, fc.boolean(), fc.boolean(), fc.constantFrom('none', 'shared', 'broadcast'), fc.integer(),
        async (m, k, n, batch, transposeA, transposeB, bBatchKind, seed) => {
          // b's batch: the same as a's, none (shared right-hand side) or a broadcast one ([1, …] against [d, …]).
          const bBatch = bBatchKind === 'none' ? [] : bBatchKind === 'shared' ? batch : batch.map((d, i) => (i === 0 ? 1 : d));
          const aShape = [...batch, ...(transposeA ? [k, m] : [m, k])];
          const bShape = [...bBatch, ...(transposeB ? [n, k] : [k, n])];
          const aValues = seededValues(aShape.reduce((p, d) => p * d, 1), seed);
          const bValues = seededValues(bShape.reduce((p, d) => p * d, 1), seed + 1);
          const { cpu, wasm } = await onBothBackends(() => {
            const a = tf.tensor(aValues, aShape);
            const b = tf.tensor(bValues, bShape);
            const f = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, transposeA, transposeB);
            const loss = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(f(x, y)));
            // tfjs-core's BatchMatMul gradient does not reduce broadcast batch dimensions (on any backend).
            const gradients = JSON.stringify(bBatch) !== JSON.stringify(batch) ? [tf.grad((x: tf.Tensor) => loss(x, b))(a)] : tf.grads(loss)([a, b]);
            return [f(a, b), ...gradients];
          });
          expect(maxRelativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
        },
      ),
      { numRuns: 60 },
    );
  });

  runNative('broadcasts batches that neither side holds whole ([2, 1] × [1, 3])', async () => {
    requireNative(info);
    const a = seededValues(2 * 1 * 3 * 4, 1);
    const b = seededValues(1 * 3 * 4 * 5, 2);
    const { cpu, wasm } = await onBothBackends(() =>
      tf.matMul(tf.broadcastTo(tf.tensor(a, [2, 1, 3, 4]), [2, 3, 3, 4]), tf.broadcastTo(tf.tensor(b, [1, 3, 4, 5]), [2, 3, 4, 5])),
    );
    await tf.setBackend('wasm');
    const direct = tf.tidy(() => Float32Array.from(tf.matMul(tf.tensor(a, [2, 1, 3, 4]), tf.tensor(b, [1, 3, 4, 5])).dataSync()));
    expect(maxRelativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
    expect(maxRelativeError([direct], cpu)).toBeLessThan(TOLERANCE);
  });

  runNative('fused matMul with bias and every activation matches the cpu backend, forward and gradient', async () => {
    requireNative(info);
    const activations = ['linear', 'relu', 'relu6', 'elu', 'sigmoid', 'leakyrelu', 'prelu'] as const;
    await fc.assert(
      fc.asyncProperty(
        dims, dims, dims, fc.boolean(), fc.boolean(), fc.boolean(), fc.constantFrom(...activations), fc.boolean(), fc.integer(),
        async (m, k, n, batched, transposeA, transposeB, activation, withBias, seed) => {
          const aShape = batched ? (transposeA ? [2, k, m] : [2, m, k]) : transposeA ? [k, m] : [m, k];
          const bShape = transposeB ? [n, k] : [k, n];
          const aValues = seededValues(aShape.reduce((p, d) => p * d, 1), seed);
          const bValues = seededValues(k * n, seed + 1);
          const biasValues = seededValues(n, seed + 2);
          const preluValues = seededValues(n, seed + 3);
          const { cpu, wasm } = await onBothBackends(() => {
            const a = tf.tensor(aValues, aShape);
            const b = tf.tensor(bValues, bShape);
            const bias = tf.tensor1d(biasValues);
            const f = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) =>
              tf.fused.matMul({
                a: x, b: y, transposeA, transposeB, activation,
                ...(withBias ? { bias: z } : {}),
                ...(activation === 'prelu' ? { preluActivationWeights: tf.tensor1d(preluValues) } : {}),
                ...(activation === 'leakyrelu' ? { leakyreluAlpha: 0.1 } : {}),
              });
            const loss = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(f(x, y, z), tf.sin(f(x, y, z))));
            // tfjs has gradients of the fused product for linear and relu-like activations only.
            const gradients = ['linear', 'relu', 'relu6', 'elu', 'sigmoid'].includes(activation) && !batched
              ? withBias
                ? tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => loss(x, y, z))([a, b, bias])
                : tf.grads((x: tf.Tensor, y: tf.Tensor) => loss(x, y, bias))([a, b])
              : [];
            return [f(a, b, bias), ...gradients];
          });
          expect(maxRelativeError(wasm, cpu), activation).toBeLessThan(TOLERANCE);
        },
      ),
      { numRuns: 60 },
    );
  });

  runNative('larger products (blocked BLAS paths) match the cpu backend', async () => {
    requireNative(info);
    const a = seededValues(3 * 70 * 130, 5);
    const b = seededValues(130 * 90, 6);
    const { cpu, wasm } = await onBothBackends(() => [
      tf.matMul(tf.tensor(a, [3, 70, 130]), tf.tensor(b, [130, 90])),
      tf.matMul(tf.tensor(a, [3, 130, 70]), tf.tensor(b, [130, 90]), true, false),
      tf.matMul(tf.tensor(a, [210, 130]), tf.tensor(b, [90, 130]), false, true),
    ]);
    expect(maxRelativeError(wasm, cpu)).toBeLessThan(1e-4);
  });

  runNative('transposes above rank 4 in C, bit-identical to the cpu backend (float32, int32, bool), with gradient', async () => {
    requireNative(info);
    const permutation = (rank: number) =>
      fc.array(fc.nat(), { minLength: rank, maxLength: rank }).map((keys) => [...keys.keys()].sort((a, b) => keys[a]! - keys[b]! || a - b));
    // Rank 6 at most: the stock wasm element-wise kernels (XNNPACK) return garbage at rank 7 (tfjs 4.22.0).
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 5, maxLength: 6 }).chain((shape) => fc.tuple(fc.constant(shape), permutation(shape.length), fc.integer())),
        async ([shape, perm, seed]) => {
          const values = seededValues(shape.reduce((p, d) => p * d, 1), seed);
          const { cpu, wasm } = await onBothBackends(() => {
            const x = tf.tensor(values, shape);
            const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.transpose(v, perm), tf.transpose(x, perm))))(x);
            return [
              tf.transpose(x, perm),
              grad,
              tf.cast(tf.transpose(tf.cast(tf.mul(x, 100), 'int32'), perm), 'float32'),
              tf.cast(tf.transpose(tf.greater(x, 0), perm), 'float32'),
            ];
          });
          wasm.forEach((values, index) => expect(Array.from(values), `output ${index}, shape [${shape}], perm [${perm}]`).toEqual(Array.from(cpu[index]!)));
        },
      ),
      { numRuns: 60 },
    );
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const heap = heapBytes(backend);
    expect(() => nativeProducts()!.transpose!(heap, 0, heap.byteLength - 8, 4, [2, 2, 2, 2, 2], [4, 3, 2, 1, 0])).toThrow(/out: bytes .* outside the heap/);
    expect(() => nativeProducts()!.transpose!(heap, 0, 1024, 4, [2, 2], [0, 0])).toThrow('perm: expected a permutation of 0..1');
    expect(() => nativeProducts()!.transpose!(heap, 0, 8, 4, [2, 2], [1, 0])).toThrow('transpose: x and out overlap');
  });

  runNative('an offset outside the heap is a thrown error, and nothing is written', async () => {
    requireNative(info);
    await tf.setBackend('wasm');
    const native = nativeProducts()!;
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const heap = heapBytes(backend);
    const length = heap.byteLength;
    const sentinel = tf.fill([4], 7);
    const address = backend.dataIdMap.get(sentinel.dataId).memoryOffset;
    const call = (a: number, b: number, c: number, batch = 1, stride = 0, bias = -1) => () =>
      native.sgemm(heap, a, b, c, batch, 2, 2, 2, false, false, stride, stride, 4, bias, 0, 0);
    expect(call(address, address, length - 8)).toThrow(/c: bytes \[\d+, \d+\) lie outside the heap/);
    expect(call(length, address, address)).toThrow(/a: bytes .* outside the heap/);
    expect(call(address, 2 ** 32 - 4, address)).toThrow(/b: bytes .* outside the heap/);
    expect(call(address, address, address, 1_000_000, 1_000)).toThrow(/outside the heap/);
    expect(call(address + 2, address, address)).toThrow(/a: byte offset \d+ is not a multiple of 4/);
    expect(call(-4, address, address)).toThrow(/a: expected an integer in \[0, 2\^32\)/);
    expect(call(address, address, address, 1, 0, length)).toThrow(/bias: .* outside the heap/);
    expect(() => native.sgemm(new Uint8Array(4), 0, 0, 0, 1, 1, 1, 1, false, false, 0, 0, 0, -1, 0, 0)).not.toThrow();
    expect(() => (native.sgemm as (...args: unknown[]) => void)(heap, 0)).toThrow(/expected 16 arguments/);
    expect(Array.from(sentinel.dataSync())).toEqual([7, 7, 7, 7]);
    sentinel.dispose();
  });

  runNative('reads the heap again after memory growth (the old buffer is detached)', async () => {
    requireNative(info);
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const before = heapBytes(backend).buffer;
    const a = tf.tensor2d(seededValues(64 * 64, 9), [64, 64]);
    // Grow the heap: a large allocation, disposed afterwards.
    const big = tf.zeros([Math.ceil((before.byteLength * 1.5) / 4)]);
    const after = heapBytes(backend).buffer;
    expect(after).not.toBe(before);
    const { cpu, wasm } = await onBothBackends(() => tf.matMul(tf.tensor2d(seededValues(64 * 64, 9), [64, 64]), tf.tensor2d(seededValues(64 * 64, 9), [64, 64])));
    expect(maxRelativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
    tf.dispose([a, big]);
  });

  runNative('keeps tf.memory() flat across training steps', async () => {
    requireNative(info);
    await tf.setBackend('wasm');
    const w1 = tf.variable(tf.randomNormal([32, 64], 0, 0.1, 'float32', 1));
    const w2 = tf.variable(tf.randomNormal([64, 8], 0, 0.1, 'float32', 2));
    const bias = tf.variable(tf.zeros([64]));
    const optimizer = tf.train.adam(0.01);
    const x = tf.randomNormal([4, 16, 32], 0, 1, 'float32', 3);
    const step = () =>
      optimizer.minimize(() => {
        const hidden = tf.fused.matMul({ a: x.reshape([64, 32]), b: w1, bias, activation: 'relu' });
        const attention = tf.matMul(hidden.reshape([4, 16, 64]), hidden.reshape([4, 16, 64]), false, true);
        return tf.mean(tf.square(tf.matMul(tf.matMul(attention, hidden.reshape([4, 16, 64])).reshape([64, 64]), w2)));
      }, true)!.dispose();
    step();
    const tensors = tf.memory().numTensors;
    const bytes = tf.memory().numBytes;
    for (let i = 0; i < 25; i++) step();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.memory().numBytes).toBe(bytes);
    tf.dispose([w1, w2, bias, x]);
    optimizer.dispose();
  });

  runNative('works on the threaded build (its heap is a SharedArrayBuffer)', async () => {
    requireNative(info);
    const threaded = await initializeBackend({ backend: 'wasm', threads: 2, log: () => {} });
    try {
      expect(threaded.description).toMatch(/wasm \+ native BLAS \(\w+, 2 threads\)/);
      const backend = tf.backend() as unknown as WasmBackendInternals;
      expect(heapBytes(backend).buffer).toBeInstanceOf(SharedArrayBuffer);
      const a = seededValues(5 * 40 * 30, 4);
      const b = seededValues(5 * 30 * 20, 8);
      const { cpu, wasm } = await onBothBackends(() => [
        tf.matMul(tf.tensor(a, [5, 40, 30]), tf.tensor(b, [5, 30, 20])),
        tf.matMul(tf.tensor(a, [5, 30, 40]), tf.tensor(b, [5, 20, 30]), true, true),
      ]);
      expect(maxRelativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
    } finally {
      info = await initializeBackend({ backend: 'wasm', threads: 1, log: () => {} });
    }
  });
});

describe('fallback to XNNPACK', () => {
  it('nativeKernels: false and MLM_NATIVE=0 turn the native products off, and the log line says so', async () => {
    const lines: string[] = [];
    const off = await initializeBackend({ backend: 'wasm', nativeKernels: false, log: (line) => lines.push(line) });
    expect(off.nativeKernels).toEqual({ enabled: false, reason: 'turned off (nativeKernels: false)' });
    expect(nativeProducts()).toBeNull();
    const fromEnv = await initializeBackend({ backend: 'wasm', threads: 1, env: { MLM_NATIVE: '0' }, log: (line) => lines.push(line) });
    expect(fromEnv.nativeKernels).toEqual({ enabled: false, reason: 'turned off (MLM_NATIVE=0)' });
    expect(lines).toEqual([
      '[mlm] tensor backend: wasm (SIMD, 1 thread) — native kernels: turned off (nativeKernels: false)',
      '[mlm] tensor backend: wasm (SIMD, 1 thread) — native kernels: turned off (MLM_NATIVE=0)',
    ]);
    // Products still work, on XNNPACK.
    const product = tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])).dataSync()));
    expect(product).toEqual([19, 22, 43, 50]);
    info = await initializeBackend({ backend: 'wasm', log: () => {} });
  });

  it('says why when the addon is missing, fails to load, or finds no BLAS', async () => {
    const withModule = (module: unknown) => async (specifier: string) => {
      if (specifier === '@mlm/native-kernels') {
        if (module instanceof Error) throw module;
        return module;
      }
      return import(specifier);
    };
    const cases: Array<[unknown, string]> = [
      [Object.assign(new Error("Cannot find package '@mlm/native-kernels'"), { code: 'ERR_MODULE_NOT_FOUND' }), '@mlm/native-kernels is not installed'],
      [{ loadNativeKernels: () => ({ ok: false, reason: 'no addon for linux-x64 (not built)' }) }, 'no addon for linux-x64 (not built)'],
      [
        { loadNativeKernels: () => ({ ok: true, addon: {}, blas: { available: false, reason: 'OpenBLAS not found (install it: apt-get install libopenblas0-pthread)' } }) },
        'OpenBLAS not found (install it: apt-get install libopenblas0-pthread)',
      ],
      [
        { loadNativeKernels: () => ({ ok: true, addon: { sgemm: () => {}, setThreads: () => 1 }, blas: { available: true, vendor: 'OpenBLAS' } }) },
        'self-test product gave [0, 0, 0, 0], expected [19, 22, 43, 50]',
      ],
    ];
    for (const [module, reason] of cases) {
      const lines: string[] = [];
      const result = await initializeBackend({ backend: 'wasm', importModule: withModule(module), log: (line) => lines.push(line) });
      expect(result.nativeKernels).toEqual({ enabled: false, reason });
      expect(lines[0]).toBe(`[mlm] tensor backend: wasm (SIMD, 1 thread) — native kernels: ${reason}`);
      expect(nativeProducts()).toBeNull();
      const product = tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([1, 2], [1, 2]), tf.tensor2d([3, 4], [2, 1])).dataSync()));
      expect(product).toEqual([11]);
    }
    info = await initializeBackend({ backend: 'wasm', log: () => {} });
  });

  it('turns the native products off for the cpu backend', async () => {
    await initializeBackend({ backend: 'cpu', log: () => {} });
    expect(nativeProducts()).toBeNull();
    info = await initializeBackend({ backend: 'wasm', log: () => {} });
  });
});
