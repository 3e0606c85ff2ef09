import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileVersionEvent, scalarsEvent, sessionStartEvent, tfRecord } from './tensorboard-events.js';

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

/** Keeps the lines whose step is ≤ `step` (drops what a resumed run will redo). */
function truncateAfterStep(file: string, step: number, stepOf: (line: string) => number | undefined, keepHeader: boolean): void {
  if (!existsSync(file)) return;
  const lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
  const kept = lines.filter((line, index) => (keepHeader && index === 0) || (stepOf(line) ?? Infinity) <= step);
  writeFileSync(file, kept.length ? `${kept.join('\n')}\n` : '');
}

/** metrics.jsonl: one JSON object per record: {step, epoch, time, ...values}. */
export function createJsonlMetricsLogger(file: string): MetricsLogger {
  return {
    open({ resumeStep }) {
      if (resumeStep === null) writeFileSync(file, '');
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
      if (resumeStep === null || !existsSync(file)) writeFileSync(file, `${CSV_HEADER}\n`);
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

/**
 * TensorBoard event files (`tensorboard --logdir <run folder>/..` shows the run): one
 * `events.out.tfevents.<seconds>.<host>` file per session in `directory`, each record flushed as it is
 * logged. A resumed session writes a SessionLog START at the resumed step + 1, so TensorBoard drops the
 * stale events after the checkpoint, as it does for TensorFlow runs.
 */
export function createTensorboardMetricsLogger(directory: string, options: { hostname?: string; now?: () => number } = {}): MetricsLogger {
  const now = options.now ?? (() => Date.now() / 1000);
  let file: string | undefined;
  const append = (bytes: Uint8Array) => appendFileSync(file!, tfRecord(bytes));
  return {
    open({ resumeStep }) {
      mkdirSync(directory, { recursive: true });
      const wallTime = now();
      file = path.join(directory, `events.out.tfevents.${Math.floor(wallTime)}.${(options.hostname ?? hostname()).replace(/[^A-Za-z0-9._-]/g, '_')}`);
      // A second session in the same second gets its own file.
      for (let suffix = 1; existsSync(file); suffix++) file = file.replace(/(\.\d+)?$/, `.${suffix}`);
      writeFileSync(file, tfRecord(fileVersionEvent(wallTime)));
      if (resumeStep !== null) append(sessionStartEvent(wallTime, resumeStep + 1));
    },
    log(record) {
      if (!file) throw new Error('the TensorBoard logger was not opened');
      if (Object.keys(record.values).length > 0) append(scalarsEvent(now(), record.step, record.values));
    },
    close() {},
  };
}
