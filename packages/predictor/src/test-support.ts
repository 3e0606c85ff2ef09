/** Shared helpers of this package's tests (not exported from the package). */
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';
import { createRandom } from '@mlm/random';
import type { IntMatrix, MLMBatch } from '@mlm/types';
import { createRotaryTransformerMLMModel } from '@mlm/model';
import { FixedDistributionModel, peakedDistribution } from './fixed-distribution-model.js';

export async function useWasm(): Promise<void> {
  await initializeBackend({ backend: 'wasm', log: () => {} });
  if (tf.getBackend() !== 'wasm') throw new Error(`expected the wasm backend, got ${tf.getBackend()}`);
}

export const MASK = 2;

/** xlm-core's `tiny_model_kwargs` (tests/conftest.py): V = 57 for SimpleSpaceTokenizer.forNumbers(50). */
export function createTinyModel(seed = 0) {
  return createRotaryTransformerMLMModel(
    { numEmbeddings: 57, dModel: 32, numLayers: 1, nhead: 2, dropout: 0, rotaryEmbDim: 16, maxLength: 64 },
    { random: createRandom(seed) },
  );
}

/** xlm-core's `mlm_batch` fixture: 4 × 32, targets in [7, 57), ~15% [MASK], all attended (seeded). */
export function createMlmBatch(seed = 1): MLMBatch {
  const random = createRandom(seed);
  const b = 4;
  const l = 32;
  const target = new Int32Array(b * l);
  const input = new Int32Array(b * l);
  for (let i = 0; i < b * l; i++) {
    target[i] = 7 + Math.floor(random.next() * 50);
    input[i] = random.next() < 0.15 ? MASK : (target[i] as number);
  }
  return {
    inputIds: { data: input, shape: [b, l] },
    targetIds: { data: target, shape: [b, l] },
    attentionMask: { data: new Uint8Array(b * l).fill(1), shape: [b, l] },
  };
}

/**
 * The predictor worked examples' fake model: V = 12, at position i the top probability `tops[i]` on token 7 + i, the
 * rest spread evenly.
 */
export function createWorkedExampleModel(tops: number[] = [0.9, 0.7, 0.5, 0.3, 0.6]): FixedDistributionModel {
  return new FixedDistributionModel({
    vocabSize: 12,
    probabilities: ({ position }) => peakedDistribution(12, 7 + (position % 5), tops[position % tops.length] as number),
  });
}

export function ints(rows: number[][]): IntMatrix {
  return { data: Int32Array.from(rows.flat()), shape: [rows.length, rows[0]?.length ?? 0] };
}

export function rowsOf(matrix: { data: ArrayLike<number>; shape: readonly [number, number] }): number[][] {
  const [b, l] = matrix.shape;
  return Array.from({ length: b }, (_, i) => Array.from({ length: l }, (_, j) => matrix.data[i * l + j] as number));
}
