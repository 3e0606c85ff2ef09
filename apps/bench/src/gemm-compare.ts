/**
 * `pnpm --filter @mlm/bench run gemm [--threads N] [--reps N]`: matrix-product throughput of the wasm
 * backend with its native BLAS products (@mlm/native-kernels) against XNNPACK (`nativeKernels: false`),
 * in one process, interleaved rep by rep on the same tensors, on the model's shapes. Prints GFLOP/s
 * (best and median of the reps) and the largest difference between the two results.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';
import { startNativeComparison } from './native-comparison-setup.js';

const { threads, reps, native } = await startNativeComparison('gemm');

// [batch, m, k, n, transposeA, transposeB]: 1024³; the base config's dense layers (B·L = 4096 rows) and
// a weight gradient; attention scores (batch·heads = 128 products of [128, 64] · [64, 128]).
const SHAPES: Array<[number, number, number, number, boolean, boolean, string]> = [
  [1, 1024, 1024, 1024, false, false, '1024³'],
  [1, 4096, 256, 1024, false, false, 'ffn up [4096,256]·[256,1024]'],
  [1, 256, 4096, 1024, true, false, 'weight grad [4096,256]ᵀ·[4096,1024]'],
  [128, 128, 64, 128, false, true, 'attention 128 × [128,64]·[64,128]ᵀ'],
  [1, 5312, 128, 512, false, false, 'sudoku ffn up [5312,128]·[128,512]'],
  [1, 128, 5312, 512, true, false, 'sudoku weight grad [5312,128]ᵀ·[5312,512]'],
  [256, 83, 32, 83, false, true, 'sudoku attention 256 × [83,32]·[32,83]ᵀ'],
];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
for (const [batch, m, k, n, transposeA, transposeB, label] of SHAPES) {
  const aShape = batch > 1 ? [batch, ...(transposeA ? [k, m] : [m, k])] : transposeA ? [k, m] : [m, k];
  const bShape = batch > 1 ? [batch, ...(transposeB ? [n, k] : [k, n])] : transposeB ? [n, k] : [k, n];
  const a = tf.randomNormal(aShape, 0, 1, 'float32', 1);
  const b = tf.randomNormal(bShape, 0, 1, 'float32', 2);
  const times: Record<'native' | 'xnnpack', number[]> = { native: [], xnnpack: [] };
  const results: Partial<Record<'native' | 'xnnpack', Float32Array>> = {};
  for (let rep = -1; rep < reps; rep++) {
    for (const engine of ['native', 'xnnpack'] as const) {
      await initializeBackend({ backend: 'wasm', threads, nativeKernels: engine === 'native', log: () => {} });
      const start = performance.now();
      const product = tf.matMul(a, b, transposeA, transposeB);
      const values = product.dataSync() as Float32Array;
      const ms = performance.now() - start;
      if (rep >= 0) times[engine].push(ms);
      else results[engine] = Float32Array.from(values);
      product.dispose();
    }
  }
  const gflop = (2 * batch * m * k * n) / 1e9;
  let difference = 0;
  for (let i = 0; i < results.native!.length; i++) difference = Math.max(difference, Math.abs(results.native![i]! - results.xnnpack![i]!) / (1 + Math.abs(results.xnnpack![i]!)));
  const rate = (engine: 'native' | 'xnnpack') =>
    `${(gflop / (Math.min(...times[engine]) / 1000)).toFixed(1)} GFLOP/s best, ${(gflop / (median(times[engine]) / 1000)).toFixed(1)} median`;
  console.log(`[gemm] ${label}: native ${rate('native')} | XNNPACK ${rate('xnnpack')} | max relative difference ${difference.toExponential(1)}`);
  tf.dispose([a, b]);
}
