import { z } from 'zod';
import { parseConstructorOptions } from '@mlm/components';
import type { HistoryPlugin, HistoryStepState } from '@mlm/types';
import type { HistoryStepRecord } from './history-record.js';
import { HistoryRun, historyWindowSchema, stepRecords, type HistoryWindowOptions } from './history-step-records.js';

export interface InMemoryHistoryOptions extends HistoryWindowOptions {
  /** The run id (the `fid` prefix): a string or a function called at each run's first step. Default: a random hex id. */
  runId?: string | (() => string);
}

/** The one schema of `InMemoryHistoryPlugin`'s options (its constructor and the `mlm/in-memory-history` component). */
export const inMemoryHistoryOptionsSchema = z.strictObject(historyWindowSchema);

/** One example's recorded steps, read as `HistoryReader` (`@mlm/history/node`) reads a folder. */
export class HistoryRecords {
  constructor(
    readonly fid: string,
    private readonly records: ReadonlyMap<number, HistoryStepRecord>,
  ) {}

  /** Step numbers recorded, ascending. */
  steps(): number[] {
    return [...this.records.keys()].sort((a, b) => a - b);
  }

  /** The largest recorded step (xlm-core `get_num_steps`); 0 when nothing was recorded. */
  getNumSteps(): number {
    const steps = this.steps();
    return steps.length === 0 ? 0 : (steps[steps.length - 1] as number);
  }

  /** The record of a step, or null when that step was not recorded. */
  get(step: number): HistoryStepRecord | null {
    if (!Number.isInteger(step) || step < 0) throw new Error(`history: step = ${step}, expected a non-negative integer`);
    return this.records.get(step) ?? null;
  }
}

/**
 * `HistoryTopKPlugin`'s records kept in memory instead of files (browser-safe): at every predictor
 * step and for every example, the tokens of the generated window and the top-k token ids and
 * probabilities there. `toDict()` (what the predictor puts in `prediction.history`) gives each
 * example's `fid` and its records; `read(fid)` reads one example back. A run lasts from `reset()`
 * (the predictor calls it when a batch starts) to the next one; earlier runs stay readable.
 */
export class InMemoryHistoryPlugin implements HistoryPlugin {
  readonly k: number | null;
  readonly maxNewTokens: number | null;
  private readonly run: HistoryRun;
  private readonly examples = new Map<string, Map<number, HistoryStepRecord>>();

  constructor(options: InMemoryHistoryOptions = {}) {
    const parsed = parseConstructorOptions(inMemoryHistoryOptionsSchema, options, 'InMemoryHistoryPlugin');
    this.k = parsed.k;
    this.maxNewTokens = parsed.maxNewTokens;
    this.run = new HistoryRun('InMemoryHistoryPlugin', parsed.runId);
  }

  /** The current run's id (null before the first step of a run). */
  get runId(): string | null {
    return this.run.runId;
  }

  async updateHistory(state: HistoryStepState): Promise<void> {
    const started = this.run.step(state.ids.shape[0]);
    for (const fid of started ?? []) this.examples.set(fid, new Map());
    const records = await stepRecords(state, { k: this.k, maxNewTokens: this.maxNewTokens });
    const fids = this.run.fids();
    records.forEach((record, b) => this.examples.get(fids[b]!)!.set(state.step, record));
  }

  /** Ends the run: the next step starts a new one (new run id, any batch size). */
  reset(): void {
    this.run.reset();
  }

  /** `[{fid: "<runId>_<b>", records}]` for each example of the current run (records in step order). */
  toDict(): { fid: string; records: HistoryStepRecord[] }[] {
    return this.run.fids().map((fid) => {
      const reader = this.read(fid);
      return { fid, records: reader.steps().map((step) => reader.get(step)!) };
    });
  }

  /** One example's records (`fid` as `toDict` reports it). */
  read(fid: string): HistoryRecords {
    const records = this.examples.get(fid);
    if (records === undefined) throw new Error(`history: no recorded example ${JSON.stringify(fid)}; recorded: ${[...this.examples.keys()].map((key) => JSON.stringify(key)).join(', ') || 'none'}`);
    return new HistoryRecords(fid, records);
  }

  /** Forgets every recorded run. */
  clear(): void {
    this.examples.clear();
    this.reset();
  }
}

export function createInMemoryHistory(options: InMemoryHistoryOptions = {}): InMemoryHistoryPlugin {
  return new InMemoryHistoryPlugin(options);
}
