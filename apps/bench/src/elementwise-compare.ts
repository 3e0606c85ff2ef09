/**
 * `pnpm --filter @mlm/bench run elementwise [--threads N] [--reps N]`: the native element-wise kernels
 * (@mlm/native-kernels: binary ops, unary ops, reductions, softmax) against the wasm backend's own
 * (`nativeKernels: false`), in one process, interleaved rep by rep on the same tensors, from a few
 * dozen elements (where the per-call cost decides) to the model's activations ([5312, 128] is the
 * sudoku config's B·L × d). Prints microseconds per call (median of the reps) and the ratio; the
 * crossover below which the kernels stay on the wasm path (NATIVE_ELEMENTWISE_MIN_ELEMENTS in
 * @mlm/backend) comes from here.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';
import { startNativeComparison } from './native-comparison-setup.js';

const { threads, reps, native } = await startNativeComparison('elementwise');

type Case = [string, (x: tf.Tensor, row: tf.Tensor, column: tf.Tensor) => tf.Tensor];
const CASES: Case[] = [
  ['mul [r,c]·[r,c]', (x) => tf.mul(x, x)],
  ['mul [r,c]·[c]', (x, row) => tf.mul(x, row)],
  ['sub [r,c]−[r,1]', (x, _row, column) => tf.sub(x, column)],
  ['exp', (x) => tf.exp(x)],
  ['sum over c', (x) => tf.sum(x, -1)],
  ['sum over r', (x) => tf.sum(x, 0)],
  ['softmax', (x) => tf.softmax(x)],
];
// [rows, columns]: 64 elements to the sudoku activations.
const SIZES: Array<[number, number]> = [[8, 8], [16, 32], [32, 32], [32, 64], [64, 64], [64, 128], [256, 128], [1024, 128], [5312, 128]];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const engines = ['native', 'wasm'] as const;
for (const [rows, columns] of SIZES) {
  const x = tf.randomNormal([rows, columns], 0, 1, 'float32', 1);
  const row = tf.randomNormal([columns], 0, 1, 'float32', 2);
  const column = tf.randomNormal([rows, 1], 0, 1, 'float32', 3);
  const cells: string[] = [];
  for (const [label, run] of CASES) {
    // Calls per timing: about 2M elements of work, at least 20.
    const calls = Math.max(20, Math.ceil(2_000_000 / (rows * columns)));
    const times: Record<(typeof engines)[number], number[]> = { native: [], wasm: [] };
    for (let rep = -1; rep < reps; rep++) {
      for (const engine of engines) {
        await initializeBackend({ backend: 'wasm', threads, nativeKernels: engine === 'native', log: () => {} });
        const start = performance.now();
        for (let i = 0; i < calls; i++) run(x, row, column).dispose();
        const us = ((performance.now() - start) * 1000) / calls;
        if (rep >= 0) times[engine].push(us);
      }
    }
    const [n, w] = [median(times.native), median(times.wasm)];
    cells.push(`${label} ${n.toFixed(1)}/${w.toFixed(1)} µs (${(w / n).toFixed(1)}×)`);
  }
  console.log(`[elementwise] [${rows}, ${columns}] = ${rows * columns} elements, native/wasm: ${cells.join('; ')}`);
  tf.dispose([x, row, column]);
}
