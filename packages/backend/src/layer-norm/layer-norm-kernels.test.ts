import * as tf from '@tensorflow/tfjs-core';
import { loadNativeKernels } from '@mlm/native-kernels';
import { LAYER_NORM_GRAD_KERNEL, LAYER_NORM_KERNEL } from '@mlm/types';
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initializeBackend, type BackendInfo } from '../index.js';
import { initializeCpuThenWasm, requireNative } from '../native/test-support-native.js';
import { seededValues } from '../wasm/kernel-test-support.js';
import { nativeProducts, setNativeProducts, type NativeProducts } from '../wasm/native-products.js';
import { installLayerNormKernels, setWasmLayerNormKernels } from './register-layer-norm-kernels.js';
import { setLayerNormNativeCrossover } from './run-layer-norm-wasm.js';

let info: BackendInfo;
let native: NativeProducts | null = null;
beforeAll(async () => {
  info = await initializeCpuThenWasm();
  native = nativeProducts();
  // initializeBackend registers the wasm kernels only with the addon (tested below); the JavaScript
  // path is tested here wherever this runs.
  setWasmLayerNormKernels(true);
});

afterEach(() => {
  setNativeProducts(native);
  setLayerNormNativeCrossover(undefined);
});

// The native path is skipped where the addon is not built, except in CI (which builds it): there a
// missing addon fails.
const loaded = loadNativeKernels();
const nativeAvailable = Boolean(process.env.CI) || (loaded.ok && loaded.blas.available);

type Mode = 'cpu' | 'wasm (JavaScript)' | 'wasm (native)';
const MODES: Mode[] = nativeAvailable ? ['cpu', 'wasm (JavaScript)', 'wasm (native)'] : ['cpu', 'wasm (JavaScript)'];

let nativeCalls = 0;

/** Switches backend and path; counts the addon's layer-norm calls. */
async function useMode(mode: Mode): Promise<void> {
  await tf.setBackend(mode === 'cpu' ? 'cpu' : 'wasm');
  if (mode === 'wasm (native)') {
    const base = native ?? requireNative(info); // throws where native kernels are off, naming the backend line
    const counting = Object.create(base) as NativeProducts;
    for (const name of ['layerNorm', 'layerNormGrad'] as const) {
      Object.defineProperty(counting, name, {
        value: (...args: unknown[]) => {
          nativeCalls++;
          return (base[name] as (...args: unknown[]) => void)(...args);
        },
      });
    }
    setNativeProducts(counting);
    setLayerNormNativeCrossover(1);
  } else {
    setNativeProducts(null); // as without the addon (a browser, MLM_NATIVE=0)
  }
}

/** The model's composed formula (nine stock ops; tfjs derives its gradient). */
function composed(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, epsilon: number): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), -1, true);
  return tf.add(tf.mul(tf.mul(centered, tf.rsqrt(tf.add(variance, epsilon))), weight), bias);
}

function fused(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, epsilon: number): tf.Tensor {
  return tf.engine().runKernel(LAYER_NORM_KERNEL, { x, weight, bias }, { epsilon }) as tf.Tensor;
}

/** max |a − b| over max(1, max |b|): the error against the reference's scale. */
function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    const error = Math.abs(a[i]! - b[i]!);
    worst = Number.isNaN(error) ? Infinity : Math.max(worst, error);
  }
  return worst / scale;
}

const size = (shape: number[]) => shape.reduce((p, d) => p * d, 1);

/** x [..., D] with 0–3 leading axes and rows of D >= 8 values (2-value rows are ill-conditioned in float32 itself). */
const cases = fc
  .record({
    leading: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 0, maxLength: 3 }),
    dim: fc.integer({ min: 8, max: 72 }),
    offset: fc.constantFrom(0, 3, -20),
    epsilon: fc.constantFrom(1e-5, 1e-6, 0.01),
    seed: fc.integer(),
  })
  .map(({ leading, dim, offset, epsilon, seed }) => ({ xShape: [...leading, dim], dim, offset, epsilon, seed }));

function inputs(xShape: number[], offset: number, seed: number) {
  const dim = xShape[xShape.length - 1]!;
  return {
    x: tf.tensor(seededValues(size(xShape), seed).map((v) => v * 2 + offset), xShape),
    weight: tf.tensor(seededValues(dim, seed + 1).map((v) => 1 + 0.5 * v), [dim]),
    bias: tf.tensor(seededValues(dim, seed + 2).map((v) => 0.3 * v), [dim]),
    dy: tf.tensor(seededValues(size(xShape), seed + 3), xShape),
  };
}

type LayerNormFunction = typeof fused;

/** y and the gradients of Σ y ⊙ dy with respect to x, weight and bias. */
function forwardAndGradients(apply: LayerNormFunction, x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, dy: tf.Tensor, epsilon: number): Float32Array[] {
  const y = apply(x, weight, bias, epsilon);
  const grads = tf.grads((a: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(apply(a, w, b, epsilon), dy)))([x, weight, bias]);
  expect(grads.map((g) => g.shape)).toEqual([x.shape, weight.shape, bias.shape]);
  return [y, ...grads].map((t) => t.dataSync() as Float32Array);
}

describe.each(MODES)('fused layer-norm kernels on %s', (mode) => {
  it('forward and the gradients for x, weight and bias match the composed formula and its tf.grads (fast-check shapes)', async () => {
    await useMode(mode);
    const callsBefore = nativeCalls;
    fc.assert(
      fc.property(cases, ({ xShape, offset, epsilon, seed }) => {
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const { x, weight, bias, dy } = inputs(xShape, offset, seed);
          const fusedResults = forwardAndGradients(fused, x, weight, bias, dy, epsilon);
          const composedResults = forwardAndGradients(composed, x, weight, bias, dy, epsilon);
          // The composed ops round every intermediate to float32 (the centring of rows with a mean of
          // −20 loses most); the fused kernels round once, from float64.
          const tolerance = offset === 0 ? 1e-5 : 1e-4;
          ['y', 'dx', 'dweight', 'dbias'].forEach((name, i) => {
            expect({ name, error: scaledError(fusedResults[i]!, composedResults[i]!) < tolerance }).toEqual({ name, error: true });
          });
        });
        expect(tf.memory().numTensors).toBe(before);
      }),
      { numRuns: 40 },
    );
    if (mode === 'wasm (native)') expect(nativeCalls - callsBefore).toBeGreaterThan(40);
    else expect(nativeCalls).toBe(callsBefore);
  });

  it('normalizes by the definition: [1, 2, 3, 4, 5, 6, 7, 8] → (x − 4.5)/√(5.25 + ε)·w + b', async () => {
    await useMode(mode);
    const x = [1, 2, 3, 4, 5, 6, 7, 8];
    const weight = [1, 2, 1, 2, 1, 2, 1, 2];
    const bias = [0, 0, 0, 0, 1, 1, 1, 1];
    const out = tf.tidy(() => fused(tf.tensor(x, [1, 8]), tf.tensor(weight), tf.tensor(bias), 1e-5).dataSync());
    expect(Array.from(out)).toEqual(x.map((v, i) => Math.fround(((v - 4.5) / Math.sqrt(5.25 + 1e-5)) * weight[i]! + bias[i]!)));
  });

  it('tensors stay constant over repeated forward + backward steps (all three gradients, or x only)', async () => {
    await useMode(mode);
    const { x, weight, bias, dy } = inputs([4, 6, 16], 1, 7);
    const variables = [tf.variable(x), tf.variable(weight), tf.variable(bias)] as const;
    const step = (wanted: tf.Variable[]) => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(fused(variables[0], variables[1], variables[2], 1e-5), dy)) as tf.Scalar, wanted);
      value.dispose();
      tf.dispose(grads);
    };
    step([...variables]);
    step([variables[0]]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) {
      step([...variables]);
      step([variables[0]]);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, weight, bias, dy, ...variables]);
  });

  it('bad inputs are errors naming the kernel, the input, the value and what was expected', async () => {
    await useMode(mode);
    tf.tidy(() => {
      const x = tf.zeros([3, 8]);
      const row = tf.zeros([8]);
      expect(() => fused(x, tf.zeros([6]), row, 1e-5)).toThrow(`${LAYER_NORM_KERNEL}: weight has shape [6]; expected [8] (x's last axis)`);
      expect(() => fused(x, row, tf.zeros([1, 8]), 1e-5)).toThrow(`${LAYER_NORM_KERNEL}: bias has shape [1, 8]; expected [8] (x's last axis)`);
      expect(() => fused(x, row, row, -1)).toThrow(`${LAYER_NORM_KERNEL}: epsilon = -1; expected a finite number >= 0`);
      expect(() => fused(tf.zeros([3, 8], 'int32'), row, row, 1e-5)).toThrow(`${LAYER_NORM_KERNEL}: x has dtype int32; expected float32`);
      expect(() => tf.engine().runKernel(LAYER_NORM_GRAD_KERNEL, { dy: tf.zeros([3, 4]), x, weight: row }, { epsilon: 1e-5 })).toThrow(
        `${LAYER_NORM_GRAD_KERNEL}: dy has shape [3, 4]; expected x's shape [3, 8]`,
      );
    });
  });
});

describe('fused layer-norm kernels: every path gives the same bits', () => {
  it('cpu, wasm (JavaScript) and wasm (native) agree exactly on the forward and all three gradients', async () => {
    const results: Array<{ mode: Mode; values: Float32Array[] }> = [];
    for (const mode of MODES) {
      await useMode(mode);
      const values = tf.tidy(() => {
        const { x, weight, bias, dy } = inputs([3, 83, 40], 2, 11);
        return forwardAndGradients(fused, x, weight, bias, dy, 1e-5).map((v) => Float32Array.from(v));
      });
      results.push({ mode, values });
    }
    for (const { mode, values } of results.slice(1)) {
      values.forEach((v, i) => expect({ mode, output: i, equal: Buffer.from(v.buffer).equals(Buffer.from(results[0]!.values[i]!.buffer)) }).toEqual({ mode, output: i, equal: true }));
    }
  });
});

describe('fused layer-norm kernels: registration', () => {
  it('are registered for cpu and wasm with their gradient, and not for other backends', () => {
    for (const backend of ['cpu', 'wasm']) {
      expect(tf.getKernel(LAYER_NORM_KERNEL, backend)).toBeDefined();
      expect(tf.getKernel(LAYER_NORM_GRAD_KERNEL, backend)).toBeDefined();
    }
    expect(tf.getKernel(LAYER_NORM_KERNEL, 'webgl')).toBeUndefined();
    expect(tf.getGradient(LAYER_NORM_KERNEL)).toBeDefined();
  });

  it('installLayerNormKernels registers the wasm pair again after setWasmLayerNormKernels(false)', () => {
    setWasmLayerNormKernels(false);
    expect(tf.getKernel(LAYER_NORM_KERNEL, 'wasm')).toBeUndefined();
    installLayerNormKernels();
    expect(tf.getKernel(LAYER_NORM_KERNEL, 'wasm')).toBeDefined();
    expect(tf.getKernel(LAYER_NORM_GRAD_KERNEL, 'wasm')).toBeDefined();
  });

  it.skipIf(!nativeAvailable)('small tensors stay on the JavaScript loop (the crossover); the model shape goes native', async () => {
    await useMode('wasm (native)');
    setLayerNormNativeCrossover(undefined);
    const before = nativeCalls;
    tf.tidy(() => {
      const { x, weight, bias } = inputs([4, 8], 0, 1);
      fused(x, weight, bias, 1e-5).dataSync();
    });
    expect(nativeCalls).toBe(before);
    tf.tidy(() => {
      const { x, weight, bias } = inputs([64, 128], 0, 1);
      fused(x, weight, bias, 1e-5).dataSync();
    });
    expect(nativeCalls).toBe(before + 1);
  });

  it('initializeBackend registers the wasm kernels only where the native addon is loaded (else the model composes stock ops)', async () => {
    try {
      const off = await initializeBackend({ backend: 'wasm', nativeKernels: false, log: () => {} });
      expect(off.nativeKernels?.enabled).toBe(false);
      expect(tf.getKernel(LAYER_NORM_KERNEL, 'wasm')).toBeUndefined();
      expect(tf.getKernel(LAYER_NORM_GRAD_KERNEL, 'wasm')).toBeUndefined();
      expect(tf.getKernel(LAYER_NORM_KERNEL, 'cpu')).toBeDefined();
      if (nativeAvailable) {
        const on = await initializeBackend({ backend: 'wasm', log: () => {} });
        expect(on.nativeKernels?.enabled).toBe(true);
        expect(tf.getKernel(LAYER_NORM_KERNEL, 'wasm')).toBeDefined();
        expect(tf.getKernel(LAYER_NORM_GRAD_KERNEL, 'wasm')).toBeDefined();
      }
    } finally {
      info = await initializeBackend({ backend: 'wasm', log: () => {} });
      native = nativeProducts();
      setWasmLayerNormKernels(true);
    }
  });
});
