import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileDurablySync } from '@mlm/durable-write';

/** One line of metrics: where in training and the values (`train/loss`, `val/prediction/exact_match`, ...). */
export interface MetricsRecord {
  step: number;
  epoch: number;
  /** Seconds since the run started (all sessions). */
  time: number;
  values: Record<string, number>;
}

/** Receives every metrics record of a run (a `logger` component). */
export interface MetricsLogger {
  /** Called once before training; `resumeStep` is the resumed checkpoint's step (records after it are stale). */
  open(options: { resumeStep: number | null }): void | Promise<void>;
  log(record: MetricsRecord): void | Promise<void>;
  close(): void | Promise<void>;
}

/**
 * Keeps the lines whose step is ≤ `step` (drops what a resumed run will redo). Whole-file writes of the
 * loggers go through @mlm/durable-write; records themselves are appended (an append-only log).
 */
function truncateAfterStep(file: string, step: number, stepOf: (line: string) => number | undefined, keepHeader: boolean): void {
  if (!existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
  const kept = lines.filter((line, index) => (keepHeader && index === 0) || (stepOf(line) ?? Infinity) <= step);
  writeFileDurablySync(file, kept.length ? `${kept.join('\n')}\n` : '');
}

/** metrics.jsonl: one JSON object per record: {step, epoch, time, ...values}. */
export function createJsonlMetricsLogger(file: string): MetricsLogger {
  return {
    open({ resumeStep }) {
      if (resumeStep === null) writeFileDurablySync(file, '');
      else
        truncateAfterStep(file, resumeStep, (line) => {
          try {
            return (JSON.parse(line) as { step?: number }).step;
          } catch {
            return undefined;
          }
        }, false);
    },
    log(record) {
      appendFileSync(file, `${JSON.stringify({ step: record.step, epoch: record.epoch, time: Number(record.time.toFixed(3)), ...record.values })}\n`);
    },
    close() {},
  };
}

const CSV_HEADER = 'step,epoch,time,metric,value';

/** metrics.csv in long form (one row per value), so new metrics never change the columns. */
export function createCsvMetricsLogger(file: string): MetricsLogger {
  return {
    open({ resumeStep }) {
      if (resumeStep === null || !existsSync(file)) writeFileDurablySync(file, `${CSV_HEADER}\n`);
      else truncateAfterStep(file, resumeStep, (line) => Number(line.split(',')[0]), true);
    },
    log(record) {
      const rows = Object.entries(record.values).map(
        ([metric, value]) => `${record.step},${record.epoch},${record.time.toFixed(3)},${metric.includes(',') ? JSON.stringify(metric) : metric},${value}`,
      );
      if (rows.length) appendFileSync(file, `${rows.join('\n')}\n`);
    },
    close() {},
  };
}
