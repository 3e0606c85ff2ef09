import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { initializeBackend } from '@mlm/backend';
import { createNamedRandom } from '@mlm/random';
import type { MLMBatch } from '@mlm/types';
import { createDataLoader, type DataLoaderState } from '../data/index.js';
import { configToYaml, loadConfig, type ConfigSources } from '../config/load-config.js';
import type { RunConfig } from '../config/config-schema.js';
import { createRegistryWithPlugins } from '../registry/create-registry.js';
import type { ComponentRegistry } from '@mlm/components';
import { findLastCheckpoint, isCompleteCheckpoint, listCheckpoints, readTrainerState } from '../training/checkpoint.js';
import type { MetricsLogger } from '../training/metrics-loggers.js';
import { componentResources, instantiateRun, prepareRun, resolvedConfig, type PreparedRun } from '../training/prepare-run.js';
import { createProgressReporter } from '../training/progress-reporter.js';
import { assertFreeSpace, prepareRunFolder, runFolderPaths, type RunFolder } from '../training/run-folder.js';
import { runTraining, type TrainRunResult } from '../training/trainer.js';
import { plotRuns } from '../training/plot-runs.js';
import { ConfigError } from '../util/config-error.js';
import { taskInfoOf } from '../registry/component-context.js';
import type { CommandIO } from './command-io.js';

export interface TrainCommandOptions extends ConfigSources {
  /** Overrides the config's run folder. */
  runDir?: string | undefined;
  /** `auto` (the last complete checkpoint of the run folder, or a fresh start) or a checkpoint folder. */
  resume?: string | undefined;
  /** Delete the run folder's checkpoints and start over. */
  overwrite?: boolean;
  /** Overrides the config's backend. */
  backend?: string | undefined;
  io: CommandIO;
  handleSignals?: boolean;
  onStep?: (step: number) => void | Promise<void>;
  /** Extra values merged over everything (programmatic use). */
  finalValues?: Record<string, unknown>;
}

export interface TrainCommandResult extends TrainRunResult {
  config: RunConfig;
  runFolder: RunFolder;
  prepared: PreparedRun;
  registry: ComponentRegistry;
}

/** The run folder a config trains into: the flag, else `runDir`, else runs/<name>. */
export function resolveRunDirectory(config: RunConfig, flag: string | undefined): string {
  return path.resolve(flag ?? config.runDir ?? path.join('runs', config.name));
}

/** Loads, merges and validates the config, its plugins and the task; nothing touches tensors yet. */
export async function loadRun(sources: ConfigSources & { runDir?: string | undefined; backend?: string | undefined; finalValues?: Record<string, unknown> }) {
  const loaded = loadConfig(sources);
  let config = loaded.config;
  if (sources.backend !== undefined || sources.runDir !== undefined || sources.finalValues) {
    const values = { ...loaded.raw, ...(sources.backend !== undefined ? { backend: sources.backend } : {}), ...(sources.runDir !== undefined ? { runDir: sources.runDir } : {}), ...sources.finalValues };
    config = loadConfig({ values }).config;
  }
  const registry = await createRegistryWithPlugins(config.plugins, loaded.baseDirectories);
  const prepared = await prepareRun(config, registry);
  return { config, registry, prepared, baseDirectories: loaded.baseDirectories };
}

/**
 * `mlm train`: validates everything first (config, plugins, task, run folder), then trains, writing
 * the run folder (config.yaml, metrics, checkpoints, predictions, the final model).
 */
export async function trainCommand(options: TrainCommandOptions): Promise<TrainCommandResult> {
  const { io } = options;
  const sources: ConfigSources = { preset: options.preset, configFiles: [...(options.configFiles ?? [])], overrides: options.overrides, values: options.values };
  // Resuming a run folder given by flag: its saved config is the base, what is given goes on top.
  if (options.resume && options.runDir) {
    const saved = runFolderPaths(options.runDir).configFile;
    if (existsSync(saved)) sources.configFiles = [saved, ...(sources.configFiles ?? [])];
    else if (!options.preset && !(options.configFiles ?? []).length) {
      throw new ConfigError([{ path: '--run-dir', message: `${options.runDir} has no config.yaml to resume from; give --config/--preset too` }]);
    }
  }
  const { config, registry, prepared } = await loadRun({ ...sources, runDir: options.runDir, backend: options.backend, finalValues: options.finalValues });
  const runFolder = prepareRunFolder(resolveRunDirectory(config, options.runDir));

  let resumeFrom: string | undefined;
  const existing = listCheckpoints(runFolder.checkpoints);
  if (options.resume === 'auto') {
    resumeFrom = findLastCheckpoint(runFolder.checkpoints);
    if (!resumeFrom) io.err(`no complete checkpoint in ${runFolder.checkpoints}; starting from scratch`);
  } else if (options.resume) {
    const directory = path.resolve(options.resume);
    if (!isCompleteCheckpoint(directory)) {
      throw new ConfigError([{ path: '--resume', message: `${directory} is not a complete checkpoint (no trainer-state.json / model.safetensors)` }]);
    }
    resumeFrom = directory;
  } else if (existing.length > 0) {
    if (!options.overwrite) {
      throw new ConfigError([
        {
          path: 'runDir',
          message: `${runFolder.root} already holds checkpoints (last: step ${existing.at(-1)!.step}); pass --resume auto to continue it, --overwrite to start over, or --run-dir for a new folder`,
        },
      ]);
    }
  }
  if (options.overwrite && !resumeFrom) {
    for (const entry of [runFolder.checkpoints, runFolder.predictions, runFolder.finalModel]) rmSync(entry, { recursive: true, force: true });
    prepareRunFolder(runFolder.root);
  }
  if (resumeFrom) {
    const state = readTrainerState(resumeFrom);
    if (state.step >= config.training.maxSteps) {
      io.err(`the checkpoint ${resumeFrom} is at step ${state.step}, already at training.maxSteps (${config.training.maxSteps}); raise training.maxSteps to train further`);
    }
  }
  const configYaml = configToYaml(resolvedConfig(prepared));
  if (resumeFrom && existsSync(runFolder.configFile) && readFileSync(runFolder.configFile, 'utf8') !== configYaml) {
    io.err(`note: the configuration differs from the one saved in ${runFolder.configFile}; the new one is saved`);
  }
  writeFileSync(runFolder.configFile, configYaml);

  await initializeBackend({ backend: config.backend, ...(config.threads !== null ? { threads: config.threads } : {}), log: io.err });
  const components = await instantiateRun(prepared, registry);
  try {
    // float32 weights; a checkpoint holds them, AdamW's two moments and (with EMA) the averaged weights.
    let parameterBytes = 0;
    for (const variable of components.model.namedParameters().values()) parameterBytes += 4 * variable.size;
    assertFreeSpace(runFolder, { checkpointBytes: parameterBytes * (config.training.ema.enabled ? 4 : 3), finalModelBytes: parameterBytes });
    const randoms = { mask: createNamedRandom(config.seed, 'mask'), dropout: createNamedRandom(config.seed, 'dropout') };
    const collator = await components.createTrainCollator(randoms.mask);
    const dataLoader = createDataLoader<MLMBatch>({
      source: prepared.task.splits.train,
      batchSize: config.training.batchSize,
      shuffle: true,
      dropLast: true,
      random: createNamedRandom(config.seed, 'data'),
      collate: (examples) => collator.collate(examples),
    });
    const loader = {
      next: () => dataLoader.next(),
      getState: () => dataLoader.getState(),
      setState: (state: unknown) => dataLoader.setState(state as DataLoaderState),
    };
    const loggers: MetricsLogger[] = [];
    for (const [index, logger] of prepared.loggers.entries()) {
      loggers.push(await registry.create('logger', logger.name, logger.options, componentResources(config.seed, 'logger', { runFolder }), `logging.loggers[${index}]`));
    }
    const callbacks = [];
    for (const [index, callback] of prepared.callbacks.entries()) {
      callbacks.push(
        await registry.create(
          'callback',
          callback.name,
          callback.options,
          componentResources(config.seed, `callback/${index}`, { task: prepared.task, taskInfo: taskInfoOf(prepared.task), tokenizer: components.tokenizer, model: components.model, runFolder, log: io.err }),
          `callbacks[${index}]`,
        ),
      );
    }
    const progress = createProgressReporter({ mode: config.logging.progress, every: config.training.logEvery, stream: io.progressStream, write: io.err });
    io.err(
      `training ${config.model.name} on ${prepared.task.name} for ${config.training.maxSteps} steps (batch ${config.training.batchSize}` +
        `${config.training.gradientAccumulationSteps > 1 ? ` × ${config.training.gradientAccumulationSteps} accumulated` : ''}); run folder ${runFolder.root}`,
    );
    const result = await runTraining({
      config,
      components,
      loader,
      randoms,
      runFolder,
      resumeFrom,
      progress,
      loggers,
      log: io.err,
      handleSignals: options.handleSignals,
      // A second Ctrl-C: leave at once, without a checkpoint (the last complete one is kept).
      onSecondSignal: (signal) => {
        io.err(`second ${signal}: exiting without a checkpoint (the last complete one is kept)`);
        process.exit(signal === 'SIGINT' ? 130 : 143);
      },
      onStep: options.onStep,
      callbacks,
    });
    if (result.status === 'completed' && existsSync(runFolder.metricsJsonl)) {
      // The run's curves (train loss, lr, validation metrics) as SVG + one HTML page; a plotting problem never fails the run.
      try {
        const plots = await plotRuns([runFolder.root]);
        io.err(`plots: ${plots.htmlFile} (${plots.svgFiles.length} SVG curves in ${plots.directory})`);
      } catch (error) {
        io.err(`plots not written: ${(error as Error).message}`);
      }
    }
    return { ...result, config, runFolder, prepared, registry };
  } finally {
    components.model.dispose();
  }
}
