/**
 * `pnpm --filter @mlm/bench run rotary [--threads N] [--reps N]`: the fused rotary kernel
 * (`MlmRotaryApply` and its gradient, registered by @mlm/backend) against the composed ops the model
 * used before (x ⊙ C + (x · R) ⊙ S with R rotate_half's 32×32 signed permutation), on the sudoku
 * config's shape x [3, 4, 64, 83, 32] (q, k, v × heads × batch × length × head dim), tables
 * [3, 1, 64, 83, 32]. Forward, and forward + backward (the gradient with respect to x for a given dy).
 * With native kernels (the addon's C) and without (the wasm backend's stock ops vs the kernel's
 * SIMD128 wasm kernel), interleaved rep by rep in one process, after checking that both give the same
 * numbers. Prints ms per call (median of the reps).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';
import { ROTARY_APPLY_KERNEL } from '@mlm/types';
import { startNativeComparison } from './native-comparison-setup.js';

const { threads, reps } = await startNativeComparison('rotary');

const [heads, batch, length, headDim] = [4, 64, 83, 32];
const shape = [3, heads, batch, length, headDim];
const tableShape = [3, 1, batch, length, headDim];
const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);
const cos = tf.randomUniform(tableShape, -1, 1, 'float32', 3);
const sin = tf.randomUniform(tableShape, -1, 1, 'float32', 4);
const permutation = new Float32Array(headDim * headDim);
for (let j = 0; j < headDim / 2; j++) {
  permutation[(j + headDim / 2) * headDim + j] = -1;
  permutation[j * headDim + (j + headDim / 2)] = 1;
}
const rotateHalf = tf.tensor2d(permutation, [headDim, headDim]);

const composed = (t: tf.Tensor) => tf.add(tf.mul(t, cos), tf.mul(tf.reshape(tf.matMul(tf.reshape(t, [-1, headDim]), rotateHalf), shape), sin));
const fused = (t: tf.Tensor) => tf.engine().runKernel(ROTARY_APPLY_KERNEL, { x: t, cos, sin }, { rotaryDim: headDim }) as tf.Tensor;
const forward = (apply: (t: tf.Tensor) => tf.Tensor) => () => tf.tidy(() => apply(x)).dispose();
const forwardBackward = (apply: (t: tf.Tensor) => tf.Tensor) => () => tf.tidy(() => tf.grad(apply)(x, dy)).dispose();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const calls = 5;
for (const nativeKernels of [true, false]) {
  for (const [label, make] of [['forward', forward], ['forward + backward', forwardBackward]] as const) {
    const variants = { composed: make(composed), fused: make(fused) };
    const times: Record<string, number[]> = { composed: [], fused: [] };
    await initializeBackend({ backend: 'wasm', threads, nativeKernels, log: () => {} });
    // Same results first (bit for bit, +0 and −0 alike), forward and gradient.
    const [a, b] = tf.tidy(() => [make === forward ? composed(x) : tf.grad(composed)(x, dy), make === forward ? fused(x) : tf.grad(fused)(x, dy)].map((t) => t.dataSync()));
    const different = a!.findIndex((value, i) => !(value === b![i]));
    if (different >= 0) throw new Error(`${label}: the fused kernel gave ${b![different]} at ${different}, the composed ops ${a![different]}`);
    for (let rep = -1; rep < reps; rep++) {
      for (const [name, run] of Object.entries(variants)) {
        const start = performance.now();
        for (let i = 0; i < calls; i++) run();
        if (rep >= 0) times[name]!.push((performance.now() - start) / calls);
      }
    }
    const [c, f] = [median(times.composed!), median(times.fused!)];
    console.log(`[rotary] ${nativeKernels ? 'wasm + native' : 'wasm, no native'} ${label} [${shape.join(', ')}]: composed ${c.toFixed(2)} ms, fused ${f.toFixed(2)} ms (${(c / f).toFixed(2)}×)`);
  }
}
tf.dispose([x, dy, cos, sin, rotateHalf]);
