import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { nonEmptyString, parseConstructorOptions } from '@mlm/components';
import type { HistoryPlugin, HistoryStepState } from '@mlm/types';
import { writeFileDurably } from '@mlm/durable-write';
import { HistoryReader } from './history-reader.js';
import { HistoryRun, historyWindowSchema, stepRecords, type HistoryWindowOptions } from './history-step-records.js';

export interface HistoryTopKPluginOptions extends HistoryWindowOptions {
  /** Where the per-example folders go. */
  outputDir: string;
  /** The run id (folder prefix): a string or a function called at each run's first step. Default: a random hex id. */
  runId?: string | (() => string);
}

/** The one schema of `HistoryTopKPlugin`'s options (its constructor and the `mlm/history-top-k` component). */
export const historyTopKPluginOptionsSchema = z.strictObject({ outputDir: nonEmptyString(), ...historyWindowSchema });

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
  private readonly run: HistoryRun;

  constructor(options: HistoryTopKPluginOptions) {
    const parsed = parseConstructorOptions(historyTopKPluginOptionsSchema, options, 'HistoryTopKPlugin');
    this.outputDir = parsed.outputDir;
    this.k = parsed.k;
    this.maxNewTokens = parsed.maxNewTokens;
    this.run = new HistoryRun('HistoryTopKPlugin', parsed.runId);
  }

  /** The current run's id (null before the first step of a run). */
  get runId(): string | null {
    return this.run.runId;
  }

  async updateHistory(state: HistoryStepState): Promise<void> {
    this.run.step(state.ids.shape[0]);
    const records = await stepRecords(state, { k: this.k, maxNewTokens: this.maxNewTokens });
    const fids = this.run.fids();
    for (const [b, record] of records.entries()) {
      const directory = path.join(this.outputDir, fids[b]!);
      await mkdir(directory, { recursive: true });
      await writeFileDurably(path.join(directory, `${state.step}.json`), `${JSON.stringify(record)}\n`);
    }
  }

  /** Ends the run: the next step starts a new one (new run id, any batch size). */
  reset(): void {
    this.run.reset();
  }

  /** `[{fid: "<runId>_<b>"}]` for each example of the current run. */
  toDict(): { fid: string }[] {
    return this.run.fids().map((fid) => ({ fid }));
  }

  /** Opens a recorded example for reading (xlm-core `from_serialized`). */
  static fromSerialized(outputDir: string, fid: string): HistoryReader {
    return new HistoryReader(outputDir, fid);
  }
}

export function createHistoryTopKPlugin(options: HistoryTopKPluginOptions): HistoryTopKPlugin {
  return new HistoryTopKPlugin(options);
}
