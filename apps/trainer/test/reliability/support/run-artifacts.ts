/** Reading and comparing what a training run leaves in its run folder. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fromPretrained, readSafetensorsFile } from '@mlm/model/node';
import { EMA_FILE, OPTIMIZER_FILE, findLastCheckpoint, listCheckpoints, readTrainerState } from '../../../src/training/checkpoint.js';

/** Values that depend on the wall clock, not on the computation. */
const CLOCK_KEYS = new Set(['time', 'train/tokens_per_second', 'timeTaken']);

/** A JSON-lines file with the wall-clock fields removed from every object. */
function jsonLinesWithoutClock(file: string): Record<string, unknown>[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => Object.fromEntries(Object.entries(JSON.parse(line) as Record<string, unknown>).filter(([key]) => !CLOCK_KEYS.has(key))));
}

/** metrics.jsonl without the wall-clock values. */
export function metricsWithoutClock(runDirectory: string): Record<string, unknown>[] {
  return jsonLinesWithoutClock(path.join(runDirectory, 'metrics.jsonl'));
}

/** metrics.csv rows (step, epoch, metric, value) without the wall-clock column and values. */
export function csvWithoutClock(runDirectory: string): string[] {
  const [header, ...rows] = readFileSync(path.join(runDirectory, 'metrics.csv'), 'utf8').split('\n').filter((line) => line.length > 0);
  return [header!, ...rows.map((row) => row.split(',')).filter((cells) => !CLOCK_KEYS.has(cells[3]!)).map(([step, epoch, , metric, value]) => [step, epoch, metric, value].join(','))];
}

/** The trainer state of a checkpoint without its wall-clock field. */
export function trainerStateWithoutClock(checkpointDirectory: string): Record<string, unknown> {
  const { elapsedSeconds: _elapsed, ...rest } = readTrainerState(checkpointDirectory);
  return rest;
}

/**
 * Files whose bytes must be identical between an interrupted-and-resumed run and an uninterrupted
 * one (prediction files are compared line by line without their `timeTaken`).
 */
export function deterministicFiles(runDirectory: string): string[] {
  const files = ['model/model.safetensors', 'model/config.json', 'model/tokenizer.json'];
  for (const checkpoint of listCheckpoints(path.join(runDirectory, 'checkpoints'))) {
    const relative = path.relative(runDirectory, checkpoint.directory);
    for (const name of ['model.safetensors', 'config.json', OPTIMIZER_FILE, EMA_FILE]) files.push(path.join(relative, name));
  }
  const predictions = path.join(runDirectory, 'predictions', 'validation');
  if (existsSync(predictions)) for (const name of readdirSync(predictions).sort()) files.push(path.join('predictions', 'validation', name));
  return files;
}

/**
 * Every difference between two run folders in what must not depend on interruptions: the final
 * model, the checkpoints both keep, predictions, metrics and trainer states (wall clock aside).
 * Returns a list of human-readable differences (empty when identical).
 */
export function differencesBetweenRuns(expectedDirectory: string, actualDirectory: string): string[] {
  const differences: string[] = [];
  const expectedFiles = deterministicFiles(expectedDirectory);
  const actualFiles = deterministicFiles(actualDirectory);
  if (expectedFiles.join('\n') !== actualFiles.join('\n')) differences.push(`file lists differ:\n  ${expectedFiles.join(' ')}\n  ${actualFiles.join(' ')}`);
  for (const file of expectedFiles) {
    const expected = path.join(expectedDirectory, file);
    const actual = path.join(actualDirectory, file);
    if (!existsSync(actual)) continue;
    if (file.endsWith('.jsonl')) {
      if (JSON.stringify(jsonLinesWithoutClock(expected)) !== JSON.stringify(jsonLinesWithoutClock(actual))) differences.push(`${file}: predictions differ`);
    } else if (!readFileSync(expected).equals(readFileSync(actual))) differences.push(`${file}: bytes differ`);
  }
  const expectedMetrics = JSON.stringify(metricsWithoutClock(expectedDirectory));
  const actualMetrics = JSON.stringify(metricsWithoutClock(actualDirectory));
  if (expectedMetrics !== actualMetrics) differences.push(`metrics.jsonl differs:\n  expected ${expectedMetrics}\n  actual   ${actualMetrics}`);
  if (csvWithoutClock(expectedDirectory).join('\n') !== csvWithoutClock(actualDirectory).join('\n')) differences.push('metrics.csv differs');
  for (const checkpoint of listCheckpoints(path.join(expectedDirectory, 'checkpoints'))) {
    const other = path.join(actualDirectory, path.relative(expectedDirectory, checkpoint.directory));
    if (!existsSync(other)) continue;
    if (JSON.stringify(trainerStateWithoutClock(checkpoint.directory)) !== JSON.stringify(trainerStateWithoutClock(other))) {
      differences.push(`${path.relative(expectedDirectory, checkpoint.directory)}/trainer-state.json differs`);
    }
  }
  return differences;
}

/**
 * Loads every checkpoint the run folder offers as complete (model, optimizer, EMA, state) and returns
 * the one `--resume auto` would take (its step), or null when there is none. Throws if any
 * "complete" checkpoint does not load: a half-written folder must never pass as complete.
 */
export async function loadEveryCompleteCheckpoint(runDirectory: string): Promise<{ resumeStep: number | null; steps: number[] }> {
  const checkpoints = path.join(runDirectory, 'checkpoints');
  const steps: number[] = [];
  for (const checkpoint of listCheckpoints(checkpoints)) {
    const state = readTrainerState(checkpoint.directory);
    if (state.step !== checkpoint.step) throw new Error(`${checkpoint.directory}: trainer-state.json says step ${state.step}`);
    const model = await fromPretrained(checkpoint.directory);
    model.dispose();
    await readSafetensorsFile(path.join(checkpoint.directory, OPTIMIZER_FILE));
    if (state.ema) await readSafetensorsFile(path.join(checkpoint.directory, EMA_FILE));
    steps.push(checkpoint.step);
  }
  const last = findLastCheckpoint(checkpoints);
  return { resumeStep: last === undefined ? null : readTrainerState(last).step, steps };
}
