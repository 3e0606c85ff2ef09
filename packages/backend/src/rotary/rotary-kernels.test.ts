import * as tf from '@tensorflow/tfjs-core';
import { loadNativeKernels } from '@mlm/native-kernels';
import { ROTARY_APPLY_GRAD_KERNEL, ROTARY_APPLY_KERNEL } from '@mlm/types';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BackendInfo } from '../index.js';
import { initializeCpuThenWasm, requireNative } from '../native/test-support-native.js';
import { seededValues } from '../wasm/kernel-test-support.js';
import { nativeProducts, setNativeProducts, type NativeProducts } from '../wasm/native-products.js';
import { simdKernels, simdKernelsFailure, setSimdKernelsEnabled } from '../wasm/simd-kernels.js';
import type { WasmBackendInternals } from '../wasm/wasm-internals.js';
import { setRotaryNativeCrossover } from './run-rotary-wasm.js';

let info: BackendInfo;
let native: NativeProducts | null = null;
beforeAll(async () => {
  info = await initializeCpuThenWasm();
  native = nativeProducts();
});

afterEach(() => {
  setNativeProducts(native);
  setSimdKernelsEnabled(true);
  setRotaryNativeCrossover(undefined);
});

// The native path is skipped where the addon is not built, except in CI (which builds it): there a
// missing addon fails.
const loaded = loadNativeKernels();
const nativeAvailable = Boolean(process.env.CI) || (loaded.ok && loaded.blas.available);

type Mode = 'cpu' | 'wasm (JavaScript)' | 'wasm (SIMD)' | 'wasm (native)';
const MODES: Mode[] = ['cpu', 'wasm (JavaScript)', 'wasm (SIMD)', ...(nativeAvailable ? ['wasm (native)' as const] : [])];

let rotaryCalls = 0;

/** Switches backend and path; counts the addon's rotary calls. */
async function useMode(mode: Mode): Promise<void> {
  await tf.setBackend(mode === 'cpu' ? 'cpu' : 'wasm');
  setSimdKernelsEnabled(mode !== 'wasm (JavaScript)');
  if (mode === 'wasm (SIMD)' && !simdKernels(tf.backend() as unknown as WasmBackendInternals)) throw new Error(`our SIMD kernels did not instantiate: ${simdKernelsFailure()}`);
  if (mode === 'wasm (native)') {
    const base = native ?? requireNative(info); // throws where native kernels are off, naming the backend line
    const counting = Object.create(base) as NativeProducts;
    Object.defineProperty(counting, 'rotary', {
      value: (...args: Parameters<NativeProducts['rotary']>) => {
        rotaryCalls++;
        return base.rotary(...args);
      },
    });
    setNativeProducts(counting);
    setRotaryNativeCrossover(1);
  } else {
    setNativeProducts(null); // as without the addon (a browser, MLM_NATIVE=0): SIMD wasm, or JavaScript without SIMD
  }
}

/** The model's composed formula: x ⊙ C + (x · R) ⊙ S with R the signed permutation of rotate_half. */
function composed(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor, rotaryDim: number): tf.Tensor {
  const dim = x.shape[x.shape.length - 1]!;
  const half = rotaryDim / 2;
  const permutation = new Float32Array(dim * dim);
  for (let j = 0; j < half; j++) {
    permutation[(j + half) * dim + j] = -1;
    permutation[j * dim + (j + half)] = 1;
  }
  const rotated = tf.reshape(tf.matMul(tf.reshape(x, [-1, dim]), tf.tensor2d(permutation, [dim, dim])), x.shape);
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin));
}

function fused(x: tf.Tensor, cos: tf.Tensor, sin: tf.Tensor, rotaryDim: number): tf.Tensor {
  return tf.engine().runKernel(ROTARY_APPLY_KERNEL, { x, cos, sin }, { rotaryDim }) as tf.Tensor;
}

/** Number of elements that differ (=== : +0 and −0 count as equal). */
function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let count = 0;
  for (let i = 0; i < a.length; i++) if (!(a[i] === b[i])) count++;
  return count;
}

function maxRelative(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (1 + Math.abs(b[i]!)));
  return worst;
}

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** x [G, H, B, L, D], tables [G, 1 or H, B, L, D], r even in [2, D] (r < D included). */
const cases = fc
  .record({
    groups: fc.integer({ min: 1, max: 3 }),
    heads: fc.integer({ min: 1, max: 4 }),
    batch: fc.integer({ min: 1, max: 3 }),
    length: fc.integer({ min: 1, max: 9 }),
    halfDim: fc.integer({ min: 1, max: 12 }),
    halfRotary: fc.integer({ min: 1, max: 12 }),
    perHeadTables: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ groups, heads, batch, length, halfDim, halfRotary, perHeadTables, seed }) => {
    const dim = 2 * halfDim;
    const xShape = [groups, heads, batch, length, dim];
    const tableShape = [groups, perHeadTables ? heads : 1, batch, length, dim];
    return { xShape, tableShape, rotaryDim: 2 * Math.min(halfRotary, halfDim), seed };
  });

function inputs(xShape: number[], tableShape: number[], seed: number) {
  return {
    x: tf.tensor(seededValues(size(xShape), seed), xShape),
    // Table values like the model's (cos, sin in [-1, 1], q's scaled), not 0/1: products must round.
    cos: tf.tensor(seededValues(size(tableShape), seed + 1).map((v) => v * 0.7), tableShape),
    sin: tf.tensor(seededValues(size(tableShape), seed + 2).map((v) => v * 0.9), tableShape),
    weights: tf.tensor(seededValues(size(xShape), seed + 3), xShape),
  };
}

describe.each(MODES)('fused rotary kernels on %s', (mode) => {
  it('forward and gradient equal the composed formula and its tf.grad (fast-check shapes)', async () => {
    await useMode(mode);
    const callsBefore = rotaryCalls;
    fc.assert(
      fc.property(cases, ({ xShape, tableShape, rotaryDim, seed }) => {
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const { x, cos, sin, weights } = inputs(xShape, tableShape, seed);
          expect(mismatches(fused(x, cos, sin, rotaryDim).dataSync(), composed(x, cos, sin, rotaryDim).dataSync())).toBe(0);
          // dx = dy ⊙ C − rotateHalf(dy ⊙ S) against the gradient tfjs derives for the composed ops.
          const loss = (apply: typeof fused) => (t: tf.Tensor) => tf.sum(tf.mul(apply(t, cos, sin, rotaryDim), weights));
          const dxFused = tf.grad(loss(fused))(x);
          const dxComposed = tf.grad(loss(composed))(x);
          expect(mismatches(dxFused.dataSync(), dxComposed.dataSync())).toBe(0);
          // The tables' gradients (not used by the model, whose tables are constants) match too.
          const all = (apply: typeof fused) => tf.grads((a: tf.Tensor, c: tf.Tensor, s: tf.Tensor) => tf.sum(tf.mul(apply(a, c, s, rotaryDim), weights)))([x, cos, sin]);
          const [fusedGrads, composedGrads] = [all(fused), all(composed)];
          for (let i = 0; i < 3; i++) {
            expect(fusedGrads[i]!.shape).toEqual(composedGrads[i]!.shape);
            expect(maxRelative(fusedGrads[i]!.dataSync(), composedGrads[i]!.dataSync())).toBeLessThan(1e-6);
          }
        });
        expect(tf.memory().numTensors).toBe(before);
      }),
      { numRuns: mode === 'cpu' ? 40 : 60 },
    );
    if (mode === 'wasm (native)') expect(rotaryCalls - callsBefore).toBeGreaterThan(100);
    else expect(rotaryCalls).toBe(callsBefore);
  });

  it('rotates by the reference formula: [x1·cos − x2·sin, x2·cos + x1·sin, untouched tail]', async () => {
    await useMode(mode);
    const x = [1, 2, 3, 4, 5, 6];
    const [c, s] = [0.5, 0.25];
    const out = tf.tidy(() =>
      fused(tf.tensor(x, [1, 1, 1, 6]), tf.tensor([c, c, c, c, 1, 1], [1, 1, 1, 6]), tf.tensor([s, s, s, s, 0, 0], [1, 1, 1, 6]), 4).dataSync(),
    );
    expect(Array.from(out)).toEqual([1 * c - 3 * s, 2 * c - 4 * s, 3 * c + 1 * s, 4 * c + 2 * s, 5, 6]);
  });

  it('tensors stay constant over repeated forward + backward steps', async () => {
    await useMode(mode);
    const { x, cos, sin, weights } = inputs([3, 2, 2, 5, 8], [3, 1, 2, 5, 8], 7);
    const variable = tf.variable(x);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(fused(variable, cos, sin, 6), weights)) as tf.Scalar, [variable]);
      value.dispose();
      tf.dispose(grads);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, cos, sin, weights, variable]);
  });

  it('bad inputs are errors naming the kernel, the input, the value and what was expected', async () => {
    await useMode(mode);
    tf.tidy(() => {
      const x = tf.zeros([3, 2, 4, 8]);
      const table = tf.zeros([3, 1, 4, 8]);
      expect(() => fused(x, tf.zeros([3, 3, 4, 8]), table, 8)).toThrow(`${ROTARY_APPLY_KERNEL}: cos shape [3, 3, 4, 8]: expected x's shape [3, 2, 4, 8] with axis 1 equal to 1 or 2`);
      expect(() => fused(x, table, tf.zeros([3, 1, 4, 6]), 8)).toThrow(/sin shape \[3, 1, 4, 6\]/);
      expect(() => fused(x, table, table, 5)).toThrow(`${ROTARY_APPLY_KERNEL}: rotaryDim = 5: expected an even integer in [0, 8] (the last axis of x)`);
      expect(() => fused(x, table, table, 10)).toThrow(/rotaryDim = 10/);
      expect(() => fused(tf.zeros([4, 8]), tf.zeros([4, 8]), tf.zeros([4, 8]), 8)).toThrow(/x shape \[4, 8\]: expected rank >= 3/);
      expect(() => fused(tf.zeros([3, 2, 4, 8], 'int32'), table, table, 8)).toThrow(/x has dtype int32; expected float32/);
      expect(() => tf.engine().runKernel(ROTARY_APPLY_GRAD_KERNEL, { dy: x, cos: table, sin: tf.zeros([3, 2, 4, 6]) }, { rotaryDim: 8 })).toThrow(
        `${ROTARY_APPLY_GRAD_KERNEL}: sin shape [3, 2, 4, 6]: expected dy's shape [3, 2, 4, 8] with axis 1 equal to 1 or 2`,
      );
    });
  });
});

describe('fused rotary kernels: registration', () => {
  it('are registered for cpu and wasm with their gradient, and not for other backends', () => {
    for (const backend of ['cpu', 'wasm']) {
      expect(tf.getKernel(ROTARY_APPLY_KERNEL, backend)).toBeDefined();
      expect(tf.getKernel(ROTARY_APPLY_GRAD_KERNEL, backend)).toBeDefined();
    }
    expect(tf.getKernel(ROTARY_APPLY_KERNEL, 'webgl')).toBeUndefined();
    expect(tf.getGradient(ROTARY_APPLY_KERNEL)).toBeDefined();
  });

  it.skipIf(!nativeAvailable)('an addon without `rotary` (built before it existed) is passed over, not called', async () => {
    await useMode('wasm (SIMD)');
    const older = Object.create(native ?? requireNative(info)) as NativeProducts;
    Object.defineProperty(older, 'rotary', { value: undefined });
    setNativeProducts(older);
    setRotaryNativeCrossover(1);
    tf.tidy(() => {
      const { x, cos, sin } = inputs([3, 2, 2, 5, 8], [3, 1, 2, 5, 8], 3);
      expect(mismatches(fused(x, cos, sin, 8).dataSync(), composed(x, cos, sin, 8).dataSync())).toBe(0);
    });
  });

  it.skipIf(!nativeAvailable)('small tensors stay on the JavaScript loop (the crossover)', async () => {
    await useMode('wasm (native)');
    setRotaryNativeCrossover(undefined);
    const before = rotaryCalls;
    tf.tidy(() => {
      const { x, cos, sin } = inputs([3, 1, 1, 4, 8], [3, 1, 1, 4, 8], 1);
      fused(x, cos, sin, 8).dataSync();
    });
    expect(rotaryCalls).toBe(before);
  });
});
