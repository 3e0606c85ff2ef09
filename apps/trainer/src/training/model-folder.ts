import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadTokenizerFile } from '@mlm/collators/node';
import { fromPretrained, readSafetensorsFile } from '@mlm/model/node';
import type { Tokenizer } from '@mlm/types';
import { taskInfoOf, type TaskInfo } from '../registry/component-context.js';
import { BUILT_IN_TASKS } from '../tasks/index.js';
import { EMA_FILE, findLastCheckpoint, isCompleteCheckpoint, TASK_INFO_FILE, TRAINER_STATE_FILE } from './checkpoint.js';
import { assignNamedTensors } from './model-weights.js';
import type { TrainableModel } from './run-components.js';
import { runFolderPaths } from './run-folder.js';

/** A folder holding a model: a step checkpoint or a pretrained/exported folder. */
export interface ModelFolder {
  directory: string;
  kind: 'checkpoint' | 'pretrained';
  /** The run's saved config.yaml, when the folder belongs to a run folder. */
  runConfigFile: string | undefined;
  /** The task's shape (task.json), when saved. */
  taskInfo: TaskInfo | undefined;
  /** Whether EMA weights sit next to the model weights (checkpoints only). */
  hasEma: boolean;
  /** A tokenizer chosen on the command line (--tokenizer, or --task's), used instead of tokenizer.json. */
  tokenizer?: Tokenizer;
}

/**
 * Applies `--task <name>` / `--tokenizer <file>` to a located folder: the task's shape replaces a
 * missing (or differing) task.json and its tokenizer is used unless a tokenizer file is given. This
 * lets a folder with only config.json + model.safetensors (what xlm-core's push_to_hub writes) generate
 * and export.
 */
export async function applyTaskOptions(folder: ModelFolder, options: { task?: string | undefined; tokenizerFile?: string | undefined }): Promise<ModelFolder> {
  let result = folder;
  if (options.task !== undefined) {
    const factory = BUILT_IN_TASKS[options.task];
    if (!factory) throw new Error(`--task ${JSON.stringify(options.task)} is not a built-in task; expected one of ${Object.keys(BUILT_IN_TASKS).join(', ')}`);
    // Only the task's shape and tokenizer are needed: one example per split keeps this instant.
    const task = await factory({ seed: 42, numTrain: 1, numValidation: 1, numTest: 1 });
    result = { ...result, taskInfo: taskInfoOf(task), tokenizer: task.tokenizer };
  }
  if (options.tokenizerFile !== undefined) result = { ...result, tokenizer: await loadTokenizerFile(options.tokenizerFile) };
  return result;
}

function hasModelFiles(directory: string): boolean {
  return existsSync(path.join(directory, 'config.json')) && (existsSync(path.join(directory, 'model.safetensors')) || existsSync(path.join(directory, 'model.safetensors.index.json')));
}

/**
 * Finds the model behind a path: a checkpoint folder, a pretrained/exported folder, or a run folder
 * (its final `model/` when training completed, else its last complete checkpoint).
 */
export function locateModelFolder(input: string): ModelFolder {
  let directory = path.resolve(input);
  if (!existsSync(directory)) throw new Error(`${directory} does not exist`);
  const asRun = runFolderPaths(directory);
  if (existsSync(asRun.checkpoints) && !hasModelFiles(directory)) {
    const chosen = hasModelFiles(asRun.finalModel) ? asRun.finalModel : findLastCheckpoint(asRun.checkpoints);
    if (!chosen) throw new Error(`${directory} is a run folder without a finished model or a complete checkpoint`);
    directory = chosen;
  }
  if (!hasModelFiles(directory)) {
    throw new Error(`${directory} holds no model (expected config.json and model.safetensors: a checkpoint, an exported folder, or a run folder)`);
  }
  const isCheckpoint = existsSync(path.join(directory, TRAINER_STATE_FILE));
  if (isCheckpoint && !isCompleteCheckpoint(directory)) throw new Error(`${directory} is an incomplete checkpoint`);
  // runs/<name>/checkpoints/step-N → runs/<name>/config.yaml; runs/<name>/model → runs/<name>/config.yaml
  const runRoot = isCheckpoint ? path.dirname(path.dirname(directory)) : path.dirname(directory);
  const runConfigFile = path.join(runRoot, 'config.yaml');
  const belongsToRun = existsSync(runConfigFile) && existsSync(path.join(runRoot, 'checkpoints'));
  const taskFile = path.join(directory, TASK_INFO_FILE);
  return {
    directory,
    kind: isCheckpoint ? 'checkpoint' : 'pretrained',
    runConfigFile: belongsToRun ? runConfigFile : undefined,
    taskInfo: existsSync(taskFile) ? (JSON.parse(readFileSync(taskFile, 'utf8')) as TaskInfo) : undefined,
    hasEma: existsSync(path.join(directory, EMA_FILE)),
  };
}

/**
 * Loads the model of a folder (config.json + model.safetensors); with `useEma` and EMA weights
 * present (a checkpoint), the EMA weights replace the trained ones, as the reference evaluates.
 */
export async function loadModelFromFolder(folder: ModelFolder, options: { useEma: boolean }): Promise<TrainableModel> {
  const model = await fromPretrained(folder.directory);
  if (options.useEma && folder.hasEma) {
    const emaFile = path.join(folder.directory, EMA_FILE);
    try {
      assignNamedTensors(model.namedParameters(), await readSafetensorsFile(emaFile), emaFile);
    } catch (error) {
      model.dispose();
      throw error;
    }
  }
  return model;
}

export async function loadTokenizerFromFolder(folder: ModelFolder): Promise<Tokenizer> {
  if (folder.tokenizer) return folder.tokenizer;
  const file = path.join(folder.directory, 'tokenizer.json');
  if (!existsSync(file)) {
    throw new Error(
      `${folder.directory} has no tokenizer.json (a folder with only config.json + model.safetensors): pass --tokenizer <tokenizer.json>, ` +
        `or --task <${Object.keys(BUILT_IN_TASKS).join('|')}> to use that task's tokenizer`,
    );
  }
  return loadTokenizerFile(file);
}
