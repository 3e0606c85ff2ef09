import path from 'node:path';
import { initializeBackend } from '@mlm/backend';
import type { ConfigSources } from '../config/load-config.js';
import { evaluateSplit, type EvaluationResult, type EvaluationSplit } from '../training/evaluate.js';
import { instantiateRun } from '../training/prepare-run.js';
import { loadModelFromFolder, locateModelFolder } from '../training/model-folder.js';
import { ConfigError } from '../util/config-error.js';
import type { CommandIO } from './command-io.js';
import { loadRun } from './train.js';

export interface EvaluateCommandOptions extends ConfigSources {
  /** A checkpoint, an exported/pretrained folder, or a run folder. */
  modelPath: string;
  split?: EvaluationSplit;
  maxExamples?: number | null | undefined;
  batchSize?: number | undefined;
  /** Predictions JSONL (default: <run>/predictions/<split>/step=<N>.jsonl for run checkpoints, none otherwise). */
  output?: string | undefined;
  /** Use the checkpoint's EMA weights when it has them (default true). */
  useEma?: boolean;
  backend?: string | undefined;
  /** Evaluate on this data file (the task's own layout) instead of the task's split. */
  data?: string | undefined;
  /** A built-in task (default: the run's, or the folder's task.json). */
  task?: string | undefined;
  io: CommandIO;
}

export interface EvaluateCommandResult extends EvaluationResult {
  modelDirectory: string;
  predictionsFile: string | undefined;
}

/** Writes a short report of an evaluation. */
export function printEvaluation(io: CommandIO, result: EvaluationResult, header: string): void {
  io.out(header);
  for (const [name, value] of Object.entries(result.values)) io.out(`  ${name}: ${Number.isInteger(value) ? value : value.toFixed(4)}`);
}

/**
 * `mlm eval <model>`: the LM loss and the task's prediction metrics on a split (test by default),
 * with the task from the run's saved config (or --config/--preset for a bare exported folder).
 */
export async function evaluateCommand(options: EvaluateCommandOptions): Promise<EvaluateCommandResult> {
  const { io } = options;
  const folder = locateModelFolder(options.modelPath);
  const configFiles = [...(folder.runConfigFile ? [folder.runConfigFile] : []), ...(options.configFiles ?? [])];
  // The task: --task, else the run's config, else the folder's task.json (an imported or exported model).
  const taskName = options.task ?? (configFiles.length === 0 && !options.preset ? folder.taskInfo?.name : undefined);
  let values = options.values;
  if (taskName !== undefined) values = { ...(values ?? {}), task: { ...(((values ?? {}) as { task?: object }).task ?? {}), name: taskName.includes('/') ? taskName : `mlm/${taskName}` } };
  if (configFiles.length === 0 && !options.preset && !values) {
    throw new ConfigError([
      { path: 'config', message: `${folder.directory} is not inside a run folder and has no task.json, so its task is unknown; pass --task <name>, --preset <name> or --config <file>` },
    ]);
  }
  const split = options.split ?? 'test';
  // --data: the task reads this file as the evaluated split (each task checks every record first).
  const overrides = [...(options.overrides ?? []), ...(options.data !== undefined ? [`task.files.${split}=${JSON.stringify(path.resolve(options.data))}`] : [])];
  const { config, registry, prepared } = await loadRun({ preset: options.preset, configFiles, overrides, values, backend: options.backend });
  await initializeBackend({ backend: config.backend, ...(config.threads !== null ? { threads: config.threads } : {}), log: io.err });
  const model = await loadModelFromFolder(folder, { useEma: options.useEma ?? true });
  try {
    const components = await instantiateRun(prepared, registry, { model });
    const step = /step-(\d+)$/.exec(folder.directory)?.[1];
    const predictionsFile =
      options.output !== undefined
        ? path.resolve(options.output)
        : folder.runConfigFile
          ? path.join(path.dirname(folder.runConfigFile), 'predictions', split, `step=${step ?? 'final'}.jsonl`)
          : undefined;
    const result = await evaluateSplit({
      components,
      split,
      seed: config.seed,
      step: Number(step ?? 0),
      maxExamples: options.maxExamples === undefined ? null : options.maxExamples,
      batchSize: options.batchSize ?? config.validation.batchSize,
      numSamples: config.validation.numSamples,
      predictionsFile,
    });
    printEvaluation(io, result, `evaluated ${folder.directory}${folder.hasEma && options.useEma !== false ? ' (EMA weights)' : ''} on ${prepared.task.name} ${split} (${result.numExamples} examples):`);
    if (predictionsFile) io.err(`predictions written to ${predictionsFile}`);
    return { ...result, modelDirectory: folder.directory, predictionsFile };
  } finally {
    model.dispose();
  }
}
