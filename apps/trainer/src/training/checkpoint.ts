import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { RandomState, Tokenizer } from '@mlm/types';
import { float32Tensor, type SafetensorsTensor } from '@mlm/model';
import { readSafetensorsFile, writePretrainedFolder, writeSafetensorsFile } from '@mlm/model/node';
import { syncDirectory, syncFile, writeFileDurably } from '@mlm/durable-write';
import { saveTokenizerFile } from '@mlm/collators/node';
import type { TaskInfo } from '../registry/component-context.js';

export const TRAINER_STATE_FILE = 'trainer-state.json';
export const OPTIMIZER_FILE = 'optimizer.safetensors';
export const EMA_FILE = 'ema.safetensors';
export const LAST_POINTER = 'last';
export const TASK_INFO_FILE = 'task.json';

/** Everything besides tensors that a resumed run needs (trainer-state.json). */
export interface TrainerState {
  format: 'mlm-trainer-state';
  version: 1;
  /** Optimiser steps completed. */
  step: number;
  /** Data-loader epoch of the next batch. */
  epoch: number;
  /** Training examples consumed so far (micro-batches × batch size). */
  examplesSeen: number;
  /** Non-pad tokens consumed so far. */
  tokensSeen: number;
  /** Seconds of training so far (all sessions). */
  elapsedSeconds: number;
  /** The data loader's `getState()`. */
  dataLoader: unknown;
  /** Every random stream of the run by name. */
  random: Record<string, RandomState>;
  optimizer: { stepCount: number };
  ema: { numUpdates: number; decay: number } | null;
  /** Batches skipped for a non-finite loss so far. */
  skippedBatches: number;
  /**
   * The last validation before this checkpoint (absent in older checkpoints): resuming a run whose
   * checkpoint follows its final validation must not validate (and log) that step again.
   */
  validation?: { step: number; values: Record<string, number> } | null;
  /** The train/loss average under way (steps since the last metrics line; absent in older checkpoints). */
  logWindow?: { loss: number; steps: number };
}

/** What a checkpoint writer needs from the model: its `config.json` object and safetensors bytes. */
export interface SavableModel {
  toBytes(): { config: object; weights: Uint8Array };
}

/** Writes a model's `config.json` + `model.safetensors` into `directory` (the layout xlm-core loads). */
export async function saveModelFolder(model: SavableModel, directory: string): Promise<void> {
  const { config, weights } = model.toBytes();
  await writePretrainedFolder(directory, config, weights);
}

function tensorsToSafetensors(tensors: ReadonlyMap<string, tf.Tensor>): Map<string, SafetensorsTensor> {
  const result = new Map<string, SafetensorsTensor>();
  for (const [name, tensor] of tensors) result.set(name, float32Tensor(tensor.dataSync() as Float32Array, [...tensor.shape]));
  return result;
}

/** Reads a safetensors file into tensors (the caller disposes them). */
export async function readTensors(file: string): Promise<Map<string, tf.Tensor>> {
  const parsed = await readSafetensorsFile(file);
  const result = new Map<string, tf.Tensor>();
  for (const [name, entry] of parsed) {
    if (entry.dtype !== 'F32') throw new Error(`${file}: ${name} has dtype ${entry.dtype}, expected F32`);
    result.set(name, tf.tensor(entry.data as Float32Array, entry.shape, 'float32'));
  }
  return result;
}

export function stepFolderName(step: number): string {
  return `step-${step}`;
}

/**
 * Writes checkpoints/step-<N>/ atomically: everything goes into a temporary folder that is renamed
 * when complete, then the `last` pointer is replaced (temporary file + rename). Every file and both
 * renames are flushed to disk (fsync), so a crash, a kill or a power cut at any point leaves the
 * previous checkpoint and pointer intact.
 */
export async function writeCheckpoint(options: {
  checkpointsDirectory: string;
  state: TrainerState;
  model: SavableModel;
  tokenizer: Tokenizer;
  optimizerTensors: ReadonlyMap<string, tf.Tensor>;
  emaTensors: ReadonlyMap<string, tf.Tensor> | null;
  taskInfo: TaskInfo;
}): Promise<string> {
  const { checkpointsDirectory, state } = options;
  await mkdir(checkpointsDirectory, { recursive: true });
  const name = stepFolderName(state.step);
  const finalDirectory = path.join(checkpointsDirectory, name);
  const temporary = path.join(checkpointsDirectory, `.${name}.partial-${process.pid}`);
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary, { recursive: true });
  try {
    await saveModelFolder(options.model, temporary);
    await saveTokenizerFile(options.tokenizer, temporary);
    // Plain writes inside the temporary folder (the folder's rename is the atomic step), each flushed.
    await writeFile(path.join(temporary, TASK_INFO_FILE), `${JSON.stringify(options.taskInfo, null, 2)}\n`);
    await syncFile(path.join(temporary, TASK_INFO_FILE));
    await writeSafetensorsFile(path.join(temporary, OPTIMIZER_FILE), tensorsToSafetensors(options.optimizerTensors), {
      format: 'mlm-adamw',
      step: String(state.optimizer.stepCount),
    });
    if (options.emaTensors) {
      await writeSafetensorsFile(path.join(temporary, EMA_FILE), tensorsToSafetensors(options.emaTensors), { format: 'mlm-ema' });
    }
    // The state file goes last: a folder with trainer-state.json is a complete checkpoint.
    await writeFile(path.join(temporary, TRAINER_STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
    await syncFile(path.join(temporary, TRAINER_STATE_FILE));
    await syncDirectory(temporary);
    await rm(finalDirectory, { recursive: true, force: true });
    await rename(temporary, finalDirectory);
    await syncDirectory(checkpointsDirectory);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  await writeFileDurably(path.join(checkpointsDirectory, LAST_POINTER), `${name}\n`);
  return finalDirectory;
}

/** Whether a folder holds a complete checkpoint (its state file is written last). */
export function isCompleteCheckpoint(directory: string): boolean {
  return existsSync(path.join(directory, TRAINER_STATE_FILE)) && existsSync(path.join(directory, 'model.safetensors'));
}

/** Complete step checkpoints in a folder, oldest first. */
export function listCheckpoints(checkpointsDirectory: string): { step: number; directory: string }[] {
  if (!existsSync(checkpointsDirectory)) return [];
  return readdirSync(checkpointsDirectory)
    .map((entry) => /^step-(\d+)$/.exec(entry))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ step: Number(match[1]), directory: path.join(checkpointsDirectory, match[0]) }))
    .filter((entry) => isCompleteCheckpoint(entry.directory))
    .sort((a, b) => a.step - b.step);
}

/**
 * The checkpoint to resume from: the one `last` names when it is complete, else the newest complete
 * step folder; undefined when there is none.
 */
export function findLastCheckpoint(checkpointsDirectory: string): string | undefined {
  const pointer = path.join(checkpointsDirectory, LAST_POINTER);
  if (existsSync(pointer)) {
    const name = readFileSync(pointer, 'utf8').trim();
    const directory = path.join(checkpointsDirectory, name);
    if (/^step-\d+$/.test(name) && isCompleteCheckpoint(directory)) return directory;
  }
  return listCheckpoints(checkpointsDirectory).at(-1)?.directory;
}

export function readTrainerState(checkpointDirectory: string): TrainerState {
  const file = path.join(checkpointDirectory, TRAINER_STATE_FILE);
  let state: TrainerState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as TrainerState;
  } catch (error) {
    throw new Error(`${file}: cannot read the trainer state (${(error as Error).message})`);
  }
  if (state.format !== 'mlm-trainer-state' || state.version !== 1) {
    throw new Error(`${file}: not an mlm trainer state (format ${JSON.stringify(state.format)}, version ${JSON.stringify(state.version)})`);
  }
  return state;
}

/** Deletes all but the newest `keep` step checkpoints (never the one `last` points to). */
export async function pruneCheckpoints(checkpointsDirectory: string, keep: number): Promise<void> {
  const last = findLastCheckpoint(checkpointsDirectory);
  const all = listCheckpoints(checkpointsDirectory);
  for (const entry of all.slice(0, Math.max(0, all.length - keep))) {
    if (entry.directory !== last) await rm(entry.directory, { recursive: true, force: true });
  }
}

/** Whether a process is running (signal 0 checks without signalling; EPERM means it exists). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `.step-N.partial-<pid>` / `.model.partial-<pid>` folders and `<name>.<pid>[.<suffix>].tmp` files. */
const TEMPORARY_ENTRY = /^(?:\.(?:step-\d+|model)\.partial-(\d+)|\.?[\w.-]+?\.(\d+)(?:\.[\w-]+)*\.tmp)$/;

/**
 * Deletes the temporary folders and files that a killed trainer (a process no longer running) left in
 * `directory`: partial checkpoint or export folders and the temporary files of atomic writes. They are
 * never mistaken for checkpoints; this only reclaims their space. Entries of running processes stay.
 */
export async function removeStaleTemporaries(directory: string): Promise<void> {
  if (!existsSync(directory)) return;
  for (const entry of readdirSync(directory)) {
    const match = TEMPORARY_ENTRY.exec(entry);
    if (!match) continue;
    const pid = Number(match[1] ?? match[2]);
    if (pid === process.pid || isRunning(pid)) continue;
    await rm(path.join(directory, entry), { recursive: true, force: true });
  }
}
