import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { positiveInteger } from '@mlm/components';
import type { HistoryStepState } from '@mlm/types';
import type { HistoryStepRecord } from './history-record.js';

/** What to record at each step: how many top tokens, and which columns. */
export interface HistoryWindowOptions {
  /** How many of the most probable tokens to keep per position. Default: the whole vocabulary (as xlm-core). */
  k?: number | null;
  /**
   * Record the last `maxNewTokens` columns (xlm-core). Default: the generated window the predictor
   * reports (`windowStart`: the appended suffix for prefix → suffix, the whole row otherwise).
   */
  maxNewTokens?: number | null;
}

/** A run id: letters, digits, ".", "_" or "-" (it becomes part of a folder name). */
export const RUN_ID_PATTERN = /^[A-Za-z0-9._-]+$/;

/** The options both plugins share (spread into each plugin's one schema). */
export const historyWindowSchema = {
  k: positiveInteger().nullable().default(null),
  maxNewTokens: positiveInteger().nullable().default(null),
  runId: z.union([z.string().regex(RUN_ID_PATTERN, { error: 'expected letters, digits, ".", "_" or "-"' }), z.custom<() => string>((v) => typeof v === 'function')]).optional(),
};

/**
 * The run bookkeeping both plugins share: a run starts at its first step after `reset()` (drawing its
 * id), its batch size is fixed until the next `reset()`, and its examples are `<runId>_<b>`.
 */
export class HistoryRun {
  private currentRunId: string | null = null;
  private currentBatchSize: number | null = null;

  constructor(
    private readonly owner: string,
    private readonly runIdSource: string | (() => string) = randomRunId,
  ) {}

  /** The current run's id (null before the first step of a run). */
  get runId(): string | null {
    return this.currentRunId;
  }

  /**
   * Called at every step with the step's batch size: starts a run at its first step (returns the new
   * run's fids), or checks that the batch size did not change within the run (returns null).
   */
  step(batchSize: number): string[] | null {
    if (this.currentRunId !== null && this.currentBatchSize !== null) {
      if (batchSize !== this.currentBatchSize) {
        throw new Error(`${this.owner}: batch size changed from ${this.currentBatchSize} to ${batchSize} within one run; call reset() before a new batch`);
      }
      return null;
    }
    const runId = typeof this.runIdSource === 'function' ? this.runIdSource() : this.runIdSource;
    if (!RUN_ID_PATTERN.test(runId)) throw new Error(`${this.owner}: runId = ${JSON.stringify(runId)}, expected letters, digits, ".", "_" or "-"`);
    this.currentRunId = runId;
    this.currentBatchSize = batchSize;
    return this.fids();
  }

  /** The current run's example ids, `<runId>_<b>`; an error before the run's first step. */
  fids(): string[] {
    if (this.currentRunId === null || this.currentBatchSize === null) {
      throw new Error(`${this.owner}.toDict: nothing recorded yet (updateHistory was not called since the last reset)`);
    }
    return Array.from({ length: this.currentBatchSize }, (_, b) => `${this.currentRunId}_${b}`);
  }

  /** Ends the run: the next step starts a new one (new run id, any batch size). */
  reset(): void {
    this.currentRunId = null;
    this.currentBatchSize = null;
  }
}

/**
 * A random 32-hex-digit run id. `crypto.getRandomValues` is the Web Crypto API (browsers, and Node 19+
 * as a global): unlike `node:crypto` it bundles for the browser, and unlike `crypto.randomUUID` it
 * also works in pages that are not a secure context.
 */
export function randomRunId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** softmax + top-k over the window columns; every intermediate tensor is freed. */
async function topK(logits: tf.Tensor3D, start: number, width: number, requestedK: number | null): Promise<{ ids: Int32Array; probabilities: Float32Array; k: number }> {
  const [batchSize, , vocabSize] = logits.shape;
  const k = Math.min(requestedK ?? vocabSize, vocabSize);
  const [values, indices] = tf.tidy(() => {
    const window = tf.slice(logits, [0, start, 0], [batchSize, width, vocabSize]);
    const result = tf.topk(tf.softmax(window), k);
    return [result.values, result.indices];
  });
  try {
    const [probabilities, ids] = await Promise.all([values!.data() as Promise<Float32Array>, indices!.data() as Promise<Int32Array>]);
    return { ids, probabilities, k };
  } finally {
    values!.dispose();
    indices!.dispose();
  }
}

/** One record per example of the batch for this step (the window's tokens and, with logits, its top-k). */
export async function stepRecords(state: HistoryStepState, options: { k: number | null; maxNewTokens: number | null }): Promise<HistoryStepRecord[]> {
  const [batchSize, length] = state.ids.shape;
  const start = options.maxNewTokens !== null ? Math.max(0, length - options.maxNewTokens) : Math.min(Math.max(0, state.windowStart), length);
  const width = length - start;
  const top = state.logits === null ? null : await topK(state.logits, start, width, options.k);
  const records: HistoryStepRecord[] = [];
  for (let b = 0; b < batchSize; b++) {
    const record: HistoryStepRecord = {
      step: state.step,
      final: state.final,
      x: Array.from(state.ids.data.subarray(b * length + start, (b + 1) * length)),
      topkIds: null,
      topkProbs: null,
    };
    if (top !== null) {
      const { ids, probabilities, k } = top;
      record.topkIds = Array.from({ length: width }, (_, i) => Array.from(ids.subarray((b * width + i) * k, (b * width + i + 1) * k)));
      record.topkProbs = Array.from({ length: width }, (_, i) => Array.from(probabilities.subarray((b * width + i) * k, (b * width + i + 1) * k)));
    }
    records.push(record);
  }
  return records;
}
