import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { HistoryPlugin, HistoryStepState } from '@mlm/types';
import { writeFileDurably } from '@mlm/durable-write';
import { HistoryReader } from './history-reader.js';
import { RUN_ID_PATTERN, historyWindowSchema, parseOptions, randomRunId, stepRecords, type HistoryWindowOptions } from './history-step-records.js';

export interface HistoryTopKPluginOptions extends HistoryWindowOptions {
  /** Where the per-example folders go. */
  outputDir: string;
  /** The run id (folder prefix): a string or a function called at each run's first step. Default: a random hex id. */
  runId?: string | (() => string);
}

const optionsSchema = z.strictObject({ outputDir: z.string().min(1), ...historyWindowSchema });

function parse(options: HistoryTopKPluginOptions): z.output<typeof optionsSchema> {
  return parseOptions('HistoryTopKPlugin', optionsSchema, options);
}

/**
 * Records, at every predictor step and for every example, the tokens of the generated window and the
 * top-k token ids and probabilities there (xlm-core `HistoryTopKPlugin`, wired into `MLMPredictor`
 * through its `history` option). Layout: `<outputDir>/<runId>_<b>/<step>.json` (see
 * `HistoryStepRecord`), each file written atomically. A run lasts from `reset()` (the predictor calls
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
    this.runIdSource = parsed.runId ?? randomRunId;
  }

  /** The current run's id (null before the first step of a run). */
  get runId(): string | null {
    return this.currentRunId;
  }

  async updateHistory(state: HistoryStepState): Promise<void> {
    const [batchSize] = state.ids.shape;
    if (this.batchSize === null) {
      const runId = typeof this.runIdSource === 'function' ? this.runIdSource() : this.runIdSource;
      if (!RUN_ID_PATTERN.test(runId)) throw new Error(`HistoryTopKPlugin: runId = ${JSON.stringify(runId)}, expected letters, digits, ".", "_" or "-"`);
      this.currentRunId = runId;
      this.batchSize = batchSize;
    } else if (batchSize !== this.batchSize) {
      throw new Error(`HistoryTopKPlugin: batch size changed from ${this.batchSize} to ${batchSize} within one run; call reset() before a new batch`);
    }
    const records = await stepRecords(state, { k: this.k, maxNewTokens: this.maxNewTokens });
    for (let b = 0; b < batchSize; b++) {
      const record = records[b]!;
      const directory = path.join(this.outputDir, `${this.currentRunId}_${b}`);
      await mkdir(directory, { recursive: true });
      await writeFileDurably(path.join(directory, `${state.step}.json`), `${JSON.stringify(record)}\n`);
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
