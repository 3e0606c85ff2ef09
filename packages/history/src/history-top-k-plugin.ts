import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { HistoryPlugin, HistoryStepState } from '@mlm/types';
import { writeFileDurably } from '@mlm/durable-write';
import type { HistoryStepRecord } from './history-record.js';
import { HistoryReader } from './history-reader.js';

export interface HistoryTopKPluginOptions {
  /** Where the per-example folders go. */
  outputDir: string;
  /** How many of the most probable tokens to keep per position. Default: the whole vocabulary (as xlm-core). */
  k?: number | null;
  /**
   * Record the last `maxNewTokens` columns (xlm-core). Default: the generated window the predictor
   * reports (`windowStart`: the appended suffix for prefix → suffix, the whole row otherwise).
   */
  maxNewTokens?: number | null;
  /** The run id (folder prefix): a string or a function called at each run's first step. Default: a random hex id. */
  runId?: string | (() => string);
}

const optionsSchema = z.strictObject({
  outputDir: z.string().min(1),
  k: z.number().int().min(1).nullable().default(null),
  maxNewTokens: z.number().int().min(1).nullable().default(null),
  runId: z.union([z.string().regex(/^[A-Za-z0-9._-]+$/, { error: 'expected letters, digits, ".", "_" or "-"' }), z.custom<() => string>((v) => typeof v === 'function')]).optional(),
});

function parse(options: HistoryTopKPluginOptions): z.output<typeof optionsSchema> {
  const result = optionsSchema.safeParse(options);
  if (result.success) return result.data;
  const message = result.error.issues
    .map((issue) => {
      const key = issue.path.map(String).join('.');
      const value = key === '' ? undefined : (options as unknown as Record<string, unknown>)[key];
      return key === '' ? issue.message : `${key} = ${JSON.stringify(value)}: ${issue.message}`;
    })
    .join('; ');
  throw new Error(`HistoryTopKPlugin: ${message}`);
}

/**
 * Records, at every predictor step and for every example, the tokens of the generated window and the
 * top-k token ids and probabilities there (xlm-core `HistoryTopKPlugin`, wired into `MLMPredictor`
 * through its `history` option). Layout: `<outputDir>/<runId>_<b>/<step>.json` (see
 * `HistoryStepRecord`), each file written durably (`@mlm/durable-write`). A run lasts from `reset()` (the predictor calls
 * it when a batch starts) to the next one.
 */
export class HistoryTopKPlugin implements HistoryPlugin {
  readonly outputDir: string;
  readonly k: number | null;
  readonly maxNewTokens: number | null;
  private readonly runIdSource: string | (() => string);
  private currentRunId: string | null = null;
  private batchSize: number | null = null;

  constructor(options: HistoryTopKPluginOptions) {
    const parsed = parse(options);
    this.outputDir = parsed.outputDir;
    this.k = parsed.k;
    this.maxNewTokens = parsed.maxNewTokens;
    this.runIdSource = parsed.runId ?? (() => randomUUID().replaceAll('-', ''));
  }

  /** The current run's id (null before the first step of a run). */
  get runId(): string | null {
    return this.currentRunId;
  }

  async updateHistory(state: HistoryStepState): Promise<void> {
    const [batchSize, length] = state.ids.shape;
    if (this.batchSize === null) {
      const runId = typeof this.runIdSource === 'function' ? this.runIdSource() : this.runIdSource;
      if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new Error(`HistoryTopKPlugin: runId = ${JSON.stringify(runId)}, expected letters, digits, ".", "_" or "-"`);
      this.currentRunId = runId;
      this.batchSize = batchSize;
    } else if (batchSize !== this.batchSize) {
      throw new Error(`HistoryTopKPlugin: batch size changed from ${this.batchSize} to ${batchSize} within one run; call reset() before a new batch`);
    }
    const start = this.maxNewTokens !== null ? Math.max(0, length - this.maxNewTokens) : Math.min(Math.max(0, state.windowStart), length);
    const width = length - start;
    const top = state.logits === null ? null : await this.topK(state.logits, start, width);

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
      const directory = path.join(this.outputDir, `${this.currentRunId}_${b}`);
      await mkdir(directory, { recursive: true });
      await writeFileDurably(path.join(directory, `${state.step}.json`), `${JSON.stringify(record)}\n`);
    }
  }

  /** softmax + top-k over the window columns; every intermediate tensor is freed. */
  private async topK(logits: tf.Tensor3D, start: number, width: number): Promise<{ ids: Int32Array; probabilities: Float32Array; k: number }> {
    const [batchSize, , vocabSize] = logits.shape;
    const k = Math.min(this.k ?? vocabSize, vocabSize);
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

  /** Ends the run: the next step starts a new one (new run id, any batch size). */
  reset(): void {
    this.currentRunId = null;
    this.batchSize = null;
  }

  /** `[{fid: "<runId>_<b>"}]` for each example of the current run. */
  toDict(): { fid: string }[] {
    if (this.currentRunId === null || this.batchSize === null) {
      throw new Error('HistoryTopKPlugin.toDict: nothing recorded yet (updateHistory was not called since the last reset)');
    }
    return Array.from({ length: this.batchSize }, (_, b) => ({ fid: `${this.currentRunId}_${b}` }));
  }

  /** Opens a recorded example for reading (xlm-core `from_serialized`). */
  static fromSerialized(outputDir: string, fid: string): HistoryReader {
    return new HistoryReader(outputDir, fid);
  }
}

export function createHistoryTopKPlugin(options: HistoryTopKPluginOptions): HistoryTopKPlugin {
  return new HistoryTopKPlugin(options);
}
