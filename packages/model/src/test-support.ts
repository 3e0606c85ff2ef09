/** Shared helpers of this package's tests (not exported from the package). */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initializeBackend } from '@mlm/backend';

export const BACKENDS = ['wasm', 'cpu'] as const;
export type TestBackend = (typeof BACKENDS)[number];

/** The xlm-core parity fixture (the repository's `fixtures/xlm-parity/basic`, found from this file, not the working directory). */
export const PARITY_FIXTURE = fileURLToPath(new URL('../../../fixtures/xlm-parity/basic', import.meta.url));

export async function useBackend(backend: TestBackend): Promise<void> {
  const info = await initializeBackend({ backend, log: () => {} });
  if (tf.getBackend() !== backend) throw new Error(`expected backend ${backend}, got ${tf.getBackend()}`);
  // CI installs a C compiler and OpenBLAS: there the wasm runs (parity fixture included) must use the
  // native products, not silently the XNNPACK fallback.
  if (backend === 'wasm' && process.env.CI && !info.nativeKernels?.enabled) {
    throw new Error(`CI: expected wasm with native kernels, got: ${info.description}`);
  }
}

export interface ParityInputs {
  input_ids: number[][];
  attention_mask: number[][];
  positions: number[][];
  target_ids: number[][];
}

export function readParityInputs(): ParityInputs {
  return JSON.parse(fs.readFileSync(path.join(PARITY_FIXTURE, 'inputs.json'), 'utf8')) as ParityInputs;
}

/** A tiny configuration for fast tests. */
export const TINY_CONFIG = {
  numEmbeddings: 11,
  dModel: 8,
  numLayers: 2,
  nhead: 2,
  dimFeedforward: 16,
  rotaryEmbDim: 4,
  maxLength: 16,
  dropout: 0,
} as const;

/** Largest |a − b| over two arrays of equal length. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  return worst;
}

export function maxAbs(a: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] as number));
  return worst;
}
