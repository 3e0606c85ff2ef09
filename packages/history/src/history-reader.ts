import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { HistoryStepRecord } from './history-record.js';
import { historyStepRecordSchema } from './history-record.js';

const STEP_FILE = /^(\d+)\.json$/;

/** Reads one example's history folder `<outputDir>/<fid>/` (fid = `<runId>_<b>`, as `toDict` reports it). */
export class HistoryReader {
  readonly directory: string;

  constructor(readonly outputDir: string, readonly fid: string) {
    if (typeof fid !== 'string' || fid.length === 0 || fid.includes('/') || fid.includes('\\') || fid === '.' || fid === '..') {
      throw new Error(`history: fid = ${JSON.stringify(fid)}, expected a folder name such as "<runId>_0"`);
    }
    this.directory = path.join(outputDir, fid);
    if (!existsSync(this.directory)) throw new Error(`history: no history folder ${this.directory}`);
  }

  /** Step numbers present on disk, ascending. */
  steps(): number[] {
    return readdirSync(this.directory)
      .flatMap((name) => {
        const match = STEP_FILE.exec(name);
        return match ? [Number(match[1])] : [];
      })
      .sort((a, b) => a - b);
  }

  /** The largest recorded step (xlm-core `get_num_steps`); 0 when nothing was recorded. */
  getNumSteps(): number {
    const steps = this.steps();
    return steps.length === 0 ? 0 : (steps[steps.length - 1] as number);
  }

  /** The record of a step, or null when that step has no file. */
  get(step: number): HistoryStepRecord | null {
    if (!Number.isInteger(step) || step < 0) throw new Error(`history: step = ${step}, expected a non-negative integer`);
    const file = path.join(this.directory, `${step}.json`);
    if (!existsSync(file)) return null;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`history: ${file} is not valid JSON (${(error as Error).message})`);
    }
    const result = historyStepRecordSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new Error(`history: ${file} is not a history record: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
    }
    return result.data;
  }
}

export function readHistory(outputDir: string, fid: string): HistoryReader {
  return new HistoryReader(outputDir, fid);
}
