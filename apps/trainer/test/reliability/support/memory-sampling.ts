// What the memory tests (per-step-leak, long-run-memory) share: a tiny character-level run, memory
// measured after a full garbage collection, and a predictor built from that run.
import v8 from 'node:v8';
import vm from 'node:vm';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll } from 'vitest';
import { initializeBackend } from '@mlm/backend';
import { createNamedRandom } from '@mlm/random';
import { createUnconditionalBatch } from '@mlm/predictor';
import type { MLMPredictionBatch, Predictor, MLMPredictionDict } from '@mlm/types';
import { loadRun } from '../../../src/commands/train.js';
import { instantiateRun } from '../../../src/training/prepare-run.js';

/**
 * A tiny character model on the shipped sonnets corpus (preset `text-char`): 16-character chunks,
 * batch 2, dropout and EMA on. A test appends its own logging, checkpoint and validation settings.
 */
export const TINY_TEXT = [
  'backend=wasm',
  'task.blockSize=16',
  'model.dModel=16',
  'model.nhead=2',
  'model.numLayers=1',
  'model.dropout=0.1',
  'training.batchSize=2',
  'training.ema.decay=0.99',
  'validation.maxExamples=4',
  'validation.batchSize=4',
  'validation.numSamples=1',
  'predictor.maxSteps=8',
  'logging.progress=none',
];

/** Output that goes nowhere (the memory tests read results, not lines). */
export const quietIO = { out: () => {}, err: () => {}, progressStream: process.stderr };

// A full garbage collection before each measurement, so that growth means retained memory, not
// garbage V8 has not collected yet.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc') as () => void;

export interface MemorySample {
  numTensors: number;
  numBytes: number;
  /** The JavaScript heap after a full collection. */
  heapUsed: number;
  rss: number;
  /** The wasm backend's linear memory. */
  wasmHeap: number;
}

function wasmHeapBytes(): number {
  const wasm = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array; wasmMemory?: WebAssembly.Memory } }).wasm;
  return wasm.wasmMemory?.buffer.byteLength ?? wasm.HEAPU8.byteLength;
}

/** Memory after a full garbage collection (two passes: the second frees what the first one's finalizers released). */
export function sampleMemory(): MemorySample {
  collectGarbage();
  collectGarbage();
  const { numTensors, numBytes } = tf.memory();
  const { rss, heapUsed } = process.memoryUsage();
  return { numTensors, numBytes, heapUsed, rss, wasmHeap: wasmHeapBytes() };
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** Runs the file's tests on the wasm backend (the one whose memory `sampleMemory` reads). */
export function useWasmBackend(): void {
  beforeAll(async () => {
    await initializeBackend({ backend: 'wasm', log: () => {} });
  });
}

/**
 * Builds the run's predictor (as `mlm generate` does) and hands it, with a factory of unconditional
 * batches (2 × 16 masks), to `use`; the model is disposed afterwards.
 */
export async function withTinyPredictor(
  overrides: readonly string[],
  use: (predictor: Predictor<MLMPredictionBatch, MLMPredictionDict>, batch: () => MLMPredictionBatch) => Promise<void>,
): Promise<void> {
  const { registry, prepared } = await loadRun({ preset: 'text-char', overrides: [...overrides] });
  const components = await instantiateRun(prepared, registry);
  try {
    const predictor = await components.createPredictor(createNamedRandom(1, 'generation'));
    const maskTokenId = components.tokenizer.maskTokenId;
    await use(predictor, () => createUnconditionalBatch({ batchSize: 2, length: 16, maskTokenId }));
  } finally {
    components.model.dispose();
  }
}
