import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initializeBackend, type BackendInfo } from '../index.js';
import { maxRelativeError, onBothBackends, seededValues } from '../wasm/kernel-test-support.js';
import { heapBytes, nativeProducts, setNativeProducts, type NativeProducts } from '../wasm/native-products.js';
import type { WasmBackendInternals } from '../wasm/wasm-internals.js';
import { initializeCpuThenWasm, requireNative, runNative } from './test-support-native.js';
import { NATIVE_ELEMENTWISE_MIN_ELEMENTS, setNativeElementwiseCrossover } from './native-elementwise-kernels.js';

// Float32 rounding only: sums accumulate in float64 here and in float32 (another order) on the cpu backend.
const TOLERANCE = 2e-5;

let info: BackendInfo;
beforeAll(async () => {
  info = await initializeCpuThenWasm();
});

/** Counts the addon's element-wise calls while `run` runs (the kernels really took the native path). */
async function countingCalls<T>(run: () => Promise<T>): Promise<{ result: T; calls: Record<string, number> }> {
  const native = nativeProducts()!;
  const calls: Record<string, number> = { binary: 0, unary: 0, reduce: 0, softmax: 0 };
  const counting = Object.create(native) as NativeProducts;
  for (const name of ['binary', 'unary', 'reduce', 'softmax'] as const) {
    Object.defineProperty(counting, name, {
      value: (...args: unknown[]) => {
        calls[name]!++;
        return (native[name] as (...a: unknown[]) => void)(...args);
      },
    });
  }
  setNativeProducts(counting);
  try {
    return { result: await run(), calls };
  } finally {
    setNativeProducts(native);
  }
}

// Every size runs natively in these tests (the crossovers keep small tensors on the wasm path in use);
// one test checks the crossover itself.
beforeEach(() => setNativeElementwiseCrossover(1));
afterEach(() => {
  setNativeElementwiseCrossover(undefined);
  if (info?.nativeKernels?.enabled && nativeProducts() === null) throw new Error('a test left the native kernels off');
});

/** Two shapes that broadcast: per axis, both full, or one of them 1. */
const broadcastShapes = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 24 }), fc.constantFrom('both', 'a1', 'b1', 'missing')), { minLength: 1, maxLength: 4 })
  .filter((axes) => axes.reduce((p, [d]) => p * d, 1) <= 60_000)
  .map((axes) => {
    const aShape = axes.map(([d, kind]) => (kind === 'a1' ? 1 : d));
    let bShape = axes.map(([d, kind]) => (kind === 'b1' ? 1 : d));
    // 'missing' on a leading axis: b has lower rank (right-aligned broadcasting).
    while (bShape.length > 0 && axes[axes.length - bShape.length]![1] === 'missing') bShape = bShape.slice(1);
    return { aShape, bShape };
  });

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

describe('native element-wise kernels on the wasm heap', () => {
  runNative('binary ops with every broadcast pattern match the cpu backend, forward and gradient', async () => {
    requireNative(info);
    let nativeCalls = 0;
    await fc.assert(
      fc.asyncProperty(broadcastShapes, fc.constantFrom('add', 'sub', 'mul', 'div', 'squaredDifference', 'maximum', 'minimum'), fc.integer(), async ({ aShape, bShape }, op, seed) => {
        const aValues = seededValues(size(aShape), seed);
        // Divisors kept away from 0.
        const bValues = seededValues(size(bShape), seed + 1).map((v) => (op === 'div' ? Math.sign(v || 1) * (0.5 + Math.abs(v)) : v));
        const { result, calls } = await countingCalls(() =>
          onBothBackends(() => {
            const a = tf.tensor(aValues, aShape);
            const b = tf.tensor(bValues, bShape);
            const f = (x: tf.Tensor, y: tf.Tensor) => (tf[op] as (x: tf.Tensor, y: tf.Tensor) => tf.Tensor)(x, y);
            // tfjs-core's SquaredDifference, Maximum and Minimum gradients do not reduce broadcast axes (on any backend).
            const differentiable = !['squaredDifference', 'maximum', 'minimum'].includes(op) || JSON.stringify(aShape) === JSON.stringify(bShape);
            const gradients = differentiable ? tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(f(x, y), tf.sin(f(x, y)))))([a, b]) : [];
            return [f(a, b), ...gradients];
          }),
        );
        nativeCalls += calls.binary!;
        expect(maxRelativeError(result.wasm, result.cpu)).toBeLessThan(TOLERANCE);
      }),
      { numRuns: 80 },
    );
    expect(nativeCalls).toBeGreaterThan(50);
  });

  runNative('unary ops and casts match the cpu backend, forward and gradient', async () => {
    requireNative(info);
    const shape = [37, 61];
    const values = seededValues(size(shape), 3);
    const positive = values.map((v) => 0.1 + Math.abs(v));
    const { result, calls } = await countingCalls(() =>
      onBothBackends(() => {
        const x = tf.tensor(values, shape);
        const p = tf.tensor(positive, shape);
        const unary = (t: tf.Tensor) => [tf.square(t), tf.neg(t), tf.relu(t), tf.exp(t), tf.sigmoid(t), tf.abs(t), tf.step(t, 0.25)];
        const ofPositive = (t: tf.Tensor) => [tf.rsqrt(t), tf.sqrt(t), tf.log(t), tf.reciprocal(t)];
        const sumAll = (list: tf.Tensor[]) => list.reduce((s, t) => tf.add(s, tf.sum(tf.mul(t, t))), tf.scalar(0));
        const casts = [
          tf.cast(tf.tensor(Int32Array.from(values, (v) => Math.round(v * 100)), shape, 'int32'), 'float32'),
          tf.cast(tf.greater(x, 0), 'float32'),
          tf.cast(x, 'float32'),
        ];
        return [
          ...unary(x), ...ofPositive(p), ...casts,
          tf.grad((t: tf.Tensor) => sumAll(unary(t)))(x),
          tf.grad((t: tf.Tensor) => sumAll(ofPositive(t)))(p),
        ];
      }),
    );
    expect(calls.unary).toBeGreaterThan(10);
    expect(maxRelativeError(result.wasm, result.cpu)).toBeLessThan(TOLERANCE);
  });

  runNative('sum, mean, max and min over trailing and leading axes match the cpu backend, forward and gradient', async () => {
    requireNative(info);
    let nativeCalls = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 2, maxLength: 4 }).filter((s) => size(s) <= 100_000),
        fc.integer({ min: 1, max: 3 }), fc.boolean(), fc.boolean(), fc.constantFrom('sum', 'mean', 'max', 'min'), fc.integer(),
        async (shape, count, trailing, keepDims, op, seed) => {
          const rank = shape.length;
          const k = Math.min(count, rank - (trailing ? 0 : 1));
          const axes = trailing ? Array.from({ length: k }, (_, i) => rank - k + i) : Array.from({ length: k }, (_, i) => i);
          const values = seededValues(size(shape), seed);
          const { result, calls } = await countingCalls(() =>
            onBothBackends(() => {
              const x = tf.tensor(values, shape);
              const f = (t: tf.Tensor) => (tf[op] as (t: tf.Tensor, axis: number[], keepDims: boolean) => tf.Tensor)(t, axes, keepDims);
              return [f(x), tf.grad((t: tf.Tensor) => tf.sum(tf.square(f(t))))(x)];
            }),
          );
          nativeCalls += calls.reduce!;
          expect(maxRelativeError(result.wasm, result.cpu)).toBeLessThan(TOLERANCE);
        },
      ),
      { numRuns: 60 },
    );
    expect(nativeCalls).toBeGreaterThan(40);
  });

  runNative('softmax, logSoftmax and the model\'s layer norm match the cpu backend, forward and gradient', async () => {
    requireNative(info);
    await fc.assert(
      // Rows of at least 8 values: with 2–3 nearly equal values the layer norm divides by a variance near 0
      // and float32 rounding of the mean alone (float64 here, float32 on cpu) moves the result by 1e-3.
      fc.asyncProperty(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 8, max: 90 }), fc.integer({ min: 8, max: 90 }), fc.integer(), async (batch, rows, inner, seed) => {
        const shape = [batch, rows, inner];
        const values = seededValues(size(shape), seed).map((v) => v * 6);
        const weight = seededValues(inner, seed + 1);
        const { result } = await countingCalls(() =>
          onBothBackends(() => {
            const x = tf.tensor(values, shape);
            const w = tf.tensor(weight, [inner]);
            const layerNorm = (t: tf.Tensor) => {
              const mean = tf.mean(t, -1, true);
              const centered = tf.sub(t, mean);
              const variance = tf.mean(tf.square(centered), -1, true);
              return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, 1e-5))), w), w);
            };
            const loss = (t: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.add(tf.softmax(t), tf.logSoftmax(t)), layerNorm(t)), tf.cos(t)));
            return [tf.softmax(x), tf.logSoftmax(x), layerNorm(x), tf.grad(loss)(x)];
          }),
        );
        expect(maxRelativeError(result.wasm, result.cpu)).toBeLessThan(TOLERANCE);
      }),
      { numRuns: 30 },
    );
  });

  runNative('tensors below the crossover stay on the kernels they replace', async () => {
    requireNative(info);
    setNativeElementwiseCrossover(undefined);
    expect(NATIVE_ELEMENTWISE_MIN_ELEMENTS).toBeGreaterThan(64);
    const { result, calls } = await countingCalls(() => onBothBackends(() => {
      const x = tf.tensor(seededValues(64, 1), [8, 8]);
      return [tf.add(x, x), tf.exp(x), tf.sum(x, -1), tf.softmax(x), tf.cast(tf.greater(x, 0), 'float32')];
    }));
    expect(calls).toEqual({ binary: 0, unary: 0, reduce: 0, softmax: 0 });
    expect(maxRelativeError(result.wasm, result.cpu)).toBeLessThan(TOLERANCE);
  });

  runNative('offsets outside the heap are thrown errors, and nothing is written', async () => {
    const native = requireNative(info);
    await tf.setBackend('wasm');
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const heap = heapBytes(backend);
    const end = heap.byteLength;
    const sentinel = tf.fill([8], 7);
    const at = backend.dataIdMap.get(sentinel.dataId).memoryOffset;
    expect(() => native.binary(heap, 0, at, [8], at, [8], end - 16)).toThrow(/out: bytes \[\d+, \d+\) lie outside the heap/);
    expect(() => native.binary(heap, 0, end - 4, [8], at, [8], at)).toThrow(/a: bytes .* outside the heap/);
    expect(() => native.binary(heap, 0, at, [8], 2 ** 32 - 4, [1], at)).toThrow(/b: bytes .* outside the heap/);
    expect(() => native.binary(heap, 0, at, [4, 2], at, [3], at)).toThrow(/shapes do not broadcast/);
    expect(() => native.binary(heap, 9, at, [8], at, [8], at)).toThrow(/op: expected/);
    expect(() => native.binary(heap, 0, at + 2, [8], at, [8], at)).toThrow(/a: byte offset \d+ is not a multiple of 4/);
    expect(() => native.unary(heap, 1, at, 0, end - 4, 8, 0)).toThrow(/out: bytes .* outside the heap/);
    expect(() => native.unary(heap, 1, -4, 0, at, 8, 0)).toThrow(/x: expected an integer in \[0, 2\^32\)/);
    expect(() => native.unary(heap, 1, at, 2, at, 8, 0)).toThrow(/int32 and bool inputs take op 0/);
    expect(() => native.reduce(heap, 0, at, end - 4, 1000, 8, true)).toThrow(/out: bytes .* outside the heap/);
    expect(() => native.reduce(heap, 0, at, at, 2, 4, false)).toThrow(/x and out overlap/);
    expect(() => native.reduce(heap, 0, end - 8, at, 4_000_000, 4_000, false)).toThrow(/more than 2\^32 elements|outside the heap/);
    expect(() => native.softmax(heap, at, end - 4, 2, 4)).toThrow(/out: bytes .* outside the heap/);
    expect(() => (native.softmax as (...args: unknown[]) => void)(heap, at)).toThrow(/expected 5 arguments/);
    expect(Array.from(sentinel.dataSync())).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
    sentinel.dispose();
  });

  runNative('runs threaded on the pool (2 threads, SharedArrayBuffer heap) with the same results', async () => {
    requireNative(info);
    const threaded = await initializeBackend({ backend: 'wasm', threads: 2, log: () => {} });
    try {
      expect(threaded.description).toMatch(/wasm \+ native BLAS \(\w+, 2 threads\)/);
      // Above the pool's own threshold (32k elements): split across both threads.
      const shape = [300, 257];
      const a = seededValues(size(shape), 5);
      const b = seededValues(257, 6);
      const { result, calls } = await countingCalls(() => onBothBackends(() => {
        const x = tf.tensor(a, shape);
        const row = tf.tensor(b, [257]);
        const column = tf.tensor(a.subarray(0, 300), [300, 1]);
        return [tf.mul(x, row), tf.sub(x, column), tf.exp(x), tf.sum(x, -1), tf.sum(x, 0), tf.max(x, 0), tf.softmax(x), tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.softmax(t), row)))(x)];
      }));
      expect(calls.binary! + calls.unary! + calls.reduce! + calls.softmax!).toBeGreaterThan(8);
      expect(maxRelativeError(result.wasm, result.cpu)).toBeLessThan(TOLERANCE);
    } finally {
      info = await initializeBackend({ backend: 'wasm', log: () => {} });
    }
  });

  runNative('nativeKernels: false hands every kernel back to the wasm path', async () => {
    requireNative(info);
    await initializeBackend({ backend: 'wasm', nativeKernels: false, log: () => {} });
    try {
      expect(nativeProducts()).toBeNull();
      const values = seededValues(64 * 64, 2);
      const { cpu, wasm } = await onBothBackends(() => {
        const x = tf.tensor(values, [64, 64]);
        return [tf.add(x, tf.exp(x)), tf.softmax(x), tf.sum(x, 0), tf.mean(x, -1)];
      });
      expect(maxRelativeError(wasm, cpu)).toBeLessThan(TOLERANCE);
    } finally {
      info = await initializeBackend({ backend: 'wasm', log: () => {} });
    }
  });
});
