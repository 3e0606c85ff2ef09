/**
 * Experiment: GEMM throughput of XNNPACK (inside the wasm backend) against OpenBLAS called through a
 * Node-API addon on the same wasm heap, same process, interleaved. Run from apps/bench:
 *   experiments/native-gemm/build.sh && OMP_NUM_THREADS=2 node --conditions=@mlm/source --import tsx experiments/native-gemm/measure.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { initializeBackend } from '@mlm/backend';

const require = createRequire(import.meta.url);
const native = require('./openblas-gemm.node') as {
  sgemm(memory: ArrayBuffer, a: number, b: number, c: number, m: number, k: number, n: number, transposeA: number, transposeB: number): void;
  setThreads(threads: number): void;
};

// The single-threaded wasm build: its memory is a plain ArrayBuffer the addon can address.
await initializeBackend({ backend: 'wasm', threads: 1, log: () => {} });
const backend = tf.backend() as unknown as { wasm: { asm: { memory: WebAssembly.Memory } }; dataIdMap: { get(id: object): { memoryOffset: number } } };
const address = (t: tf.Tensor) => backend.dataIdMap.get(t.dataId).memoryOffset;
const best = (run: () => void, reps = 11) => {
  run();
  let min = Infinity;
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    run();
    min = Math.min(min, performance.now() - start);
  }
  return min;
};

for (const [m, k, n] of [[1024, 1024, 1024], [4096, 256, 1024], [5312, 128, 512], [256, 4096, 1024]] as const) {
  const a = tf.randomNormal([m, k]);
  const b = tf.randomNormal([k, n]);
  const out = tf.zeros([m, n]);
  const gflop = (2 * m * k * n) / 1e6;
  const row: string[] = [`${m}×${k}×${n}`];
  row.push(`wasm XNNPACK 1 thread ${(gflop / best(() => tf.matMul(a, b).dispose())).toFixed(0)} GFLOP/s`);
  for (const threads of [1, 2]) {
    native.setThreads(threads);
    const ms = best(() => native.sgemm(backend.wasm.asm.memory.buffer, address(a), address(b), address(out), m, k, n, 0, 0));
    row.push(`OpenBLAS ${threads} thread${threads > 1 ? 's' : ''} ${(gflop / ms).toFixed(0)} GFLOP/s`);
  }
  const reference = tf.matMul(a, b);
  const error = tf.max(tf.abs(tf.sub(reference, out))).dataSync()[0];
  console.log(`${row.join(' | ')} | max |Δ| ${error?.toExponential(1)}`);
  tf.dispose([a, b, out, reference]);
}
