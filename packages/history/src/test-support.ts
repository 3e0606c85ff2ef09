/** Test support shared by the history plugin tests: step states with known probabilities, temporary folders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import type { HistoryStepState } from '@mlm/types';

/** p per (example, position) over a 3-token vocabulary, for 2 examples of 3 positions. */
export const PROBABILITIES = [
  [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2], [0.25, 0.5, 0.25]],
  [[0.6, 0.3, 0.1], [0.2, 0.2, 0.6], [0.1, 0.1, 0.8]],
];

/**
 * One predictor step as the plugins see it: ids [B, L], logits [B, L, V] = ln(p) for the given p (or
 * none), generation starting at position 1, not final unless `extra` says so.
 */
export function historyStepState(step: number, ids: number[][], probabilities: number[][][] | null, extra: Partial<HistoryStepState> = {}): HistoryStepState {
  const b = ids.length;
  const l = ids[0]!.length;
  return {
    step,
    ids: { data: Int32Array.from(ids.flat()), shape: [b, l] },
    unmasked: { data: new Uint8Array(b * l), shape: [b, l] },
    logits: probabilities === null ? null : tf.tensor3d(probabilities.flat(2).map(Math.log), [b, l, probabilities[0]![0]!.length]),
    outputStartIdx: 1,
    windowStart: 1,
    final: false,
    ...extra,
  };
}

/** A maker of temporary folders, each removed after the test that made it. */
export function useTemporaryDirectories(prefix: string): () => string {
  const directories: string[] = [];
  afterEach(() => {
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  return () => {
    const directory = mkdtempSync(path.join(tmpdir(), prefix));
    directories.push(directory);
    return directory;
  };
}
